using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using OpenAI.Images.FakeApi;

namespace OpenAI.Images.Tests;

/// <summary>
/// Behaviour the Pester suites (tests/*.Tests.ps1) assert that no other engine test pinned down, checked here on the
/// real engine so that the Pester assertions are known to hold (CI has no pwsh to run Pester).
/// </summary>
public sealed class PesterParityTests : EngineTest
{
    private const string NewCmd = "OpenAI.Images.PowerShell.Commands.NewOpenAIImageCommand";
    private const string EditCmd = "OpenAI.Images.PowerShell.Commands.EditOpenAIImageCommand";
    private const string VariationCmd = "OpenAI.Images.PowerShell.Commands.NewOpenAIImageVariationCommand";
    private const string SaveCmd = "OpenAI.Images.PowerShell.Commands.SaveOpenAIImageCommand";

    public PesterParityTests(FakeApiFixture fixture) : base(fixture)
    {
    }

    private static string Stamp(dynamic image) =>
        ((DateTimeOffset)image.Created).ToLocalTime().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);

    [Fact]
    public void TruncatedResponseLeavesNoFileAndNoTemporaryFile()
    {
        Fake.Enqueue(FakeResponse.Truncated());
        ScriptResult r = Run("New-OpenAIImage 'a red fox' -OutFile fox.png -MaxRetries 0");
        var error = Assert.Single(r.AllErrors);
        Assert.Equal("OpenAI.InvalidResponse," + NewCmd, error.FullyQualifiedErrorId);
        Assert.Empty(r.Images);
        Assert.Empty(FilesInTemp());
    }

    [Fact]
    public void SeveralImagesToOutFileSkipAnExistingNameAndKeepThatImageInMemory()
    {
        File.WriteAllText(Path.Combine(Temp, "set-1.png"), "mine");
        ScriptResult r = Run("New-OpenAIImage 'icons' -Count 2 -OutFile set.png");
        var error = Assert.Single(r.AllErrors);
        Assert.Equal("OpenAI.FileExists," + NewCmd, error.FullyQualifiedErrorId);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(Temp, "set-1.png")));
        byte[] png = File.ReadAllBytes(ModuleHost.Asset("sample-8x8.png"));
        Assert.Equal(png, File.ReadAllBytes(Path.Combine(Temp, "set-2.png")));
        Assert.Equal(2, r.Images.Count);
        Assert.Null(r.Images[0].File);
        Assert.Equal(png, (byte[])r.Images[0].Data);
        Assert.Equal("set-2.png", (string)r.Images[1].File.Name);
        Assert.Equal(new[] { "set-1.png", "set-2.png" }, FilesInTemp().Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal));
    }

    [Fact]
    public void PartialImagesAreWrittenBeforeTheFinalImage()
    {
        ScriptResult r = Run("New-OpenAIImage 'a red fox' -PartialImages 2");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        RecordedRequest q = Assert.Single(Fake.ApiRequests);
        Assert.Contains("\"stream\":true", q.BodyText);
        Assert.Contains("\"partial_images\":2", q.BodyText);
        Assert.Equal("text/event-stream", q.Header("Accept"));
        Assert.Equal(new[] { true, true, false }, r.Images.Select(i => (bool)i.IsPartial));
        Assert.Equal(new int?[] { 0, 1, null }, r.Images.Select(i => (int?)i.PartialImageIndex));
    }

    [Fact]
    public void BaseUriWithAPathIsUsedInsteadOfTheEnvironment()
    {
        ScriptResult r = Run($"New-OpenAIImage 'a red fox' -BaseUri '{Fake.Root}gateway/v1'");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal("/gateway/v1/images/generations", Assert.Single(Fake.ApiRequests).Path);
    }

    [Fact]
    public void ApiErrorCarriesTheServerFieldsAndTheRequestIdHeader()
    {
        Fake.Enqueue(FakeResponse.Error(400, "Invalid size.", "invalid_request_error", "invalid_value", "size",
            new Dictionary<string, string> { ["x-request-id"] = "req_pester400" }));
        ScriptResult r = Run("New-OpenAIImage 'a red fox'");
        var error = Assert.Single(r.AllErrors);
        Assert.Equal("OpenAI.InvalidRequest," + NewCmd, error.FullyQualifiedErrorId);
        Assert.Equal("a red fox", error.TargetObject);
        Assert.Equal("OpenAI.Images.OpenAIException", error.Exception.GetType().FullName);
        dynamic e = error.Exception;
        Assert.Equal(400, (int?)e.StatusCode);
        Assert.Equal("invalid_value", (string)e.Code);
        Assert.Equal("size", (string)e.Param);
        Assert.Equal("req_pester400", (string)e.RequestId);
        Assert.Equal("Invalid size.", (string)e.ServerMessage);
        Assert.StartsWith("Invalid size.", error.Exception.Message);
        Assert.Contains("request req_pester400", error.Exception.Message);
        Assert.Single(Fake.ApiRequests);
    }

    [Fact]
    public void RateLimitIsRetriedAsAskedThenGivenUpAfterMaxRetries()
    {
        var wait = new Dictionary<string, string> { ["retry-after-ms"] = "10" };
        Fake.Enqueue(FakeResponse.Error(429, "Rate limit reached.", "requests", "rate_limit_exceeded", null, wait), count: 5);
        ScriptResult r = Run("New-OpenAIImage 'a red fox' -MaxRetries 2");
        var error = Assert.Single(r.AllErrors);
        Assert.Equal("OpenAI.RateLimited," + NewCmd, error.FullyQualifiedErrorId);
        Assert.Equal(System.Management.Automation.ErrorCategory.LimitsExceeded, error.CategoryInfo.Category);
        Assert.Equal(3, (int)((dynamic)error.Exception).Attempts);
        Assert.Equal(3, Fake.ApiRequests.Count);

        Fake.Reset();
        Fake.Enqueue(FakeResponse.Error(429, "Rate limit reached.", "requests", "rate_limit_exceeded", null, wait));
        ScriptResult again = Run("New-OpenAIImage 'a red fox'");
        Assert.True(!again.AllErrors.Any(), again.Describe());
        Assert.Single(again.Images);
        Assert.Equal(2, Fake.ApiRequests.Count);
    }

    [Fact]
    public void WildcardMatchingNothingIsPathNotFoundThatSaysSo()
    {
        ScriptResult r = Run("Edit-OpenAIImage 'x' -Path ([IO.Path]::Combine($Temp, '*.webp'))");
        var error = Assert.Single(r.AllErrors);
        Assert.Equal("OpenAI.PathNotFound," + EditCmd, error.FullyQualifiedErrorId);
        Assert.Contains("matches no file", error.Exception.Message);
        Assert.Empty(Fake.ApiRequests);
    }

    [Fact]
    public void PipedProviderItemsWithPSPathAreEditedOneByOne()
    {
        CopyAsset("sample-8x8.png", "p1.png");
        CopyAsset("sample-8x8.png", "p2.png");
        // What Get-ChildItem writes: FileInfo objects that also carry the provider's PSPath note property.
        ScriptResult r = Run("""
            [IO.DirectoryInfo]::new($Temp).GetFiles('p*.png') | ForEach-Object {
                $_.PSObject.Properties.Add([psnoteproperty]::new('PSPath', 'Microsoft.PowerShell.Core\FileSystem::' + $_.FullName))
                $_
            } | Edit-OpenAIImage 'make it a pencil sketch'
            """);
        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal(2, Fake.ApiRequests.Count);
        Assert.All(Fake.ApiRequests, q => Assert.Single(q.Files("image")));
        Assert.Equal(2, r.Images.Count);
    }

    [Theory]
    [InlineData("CountNotSupported", "-Model dall-e-3 -Count 2", 2)]
    [InlineData("SizeNotSupported", "-Model dall-e-2 -Size 1536x1024", "1536x1024")]
    [InlineData("SizeNotMultipleOf16", "-Size 1000x1000", "1000x1000")]
    [InlineData("StyleNotSupported", "-Model gpt-image-1 -Style vivid", "vivid")]
    [InlineData("ResponseFormatNotSupported", "-Model gpt-image-1 -ResponseFormat url", "url")]
    [InlineData("BackgroundNotSupported", "-Model dall-e-3 -Background transparent", "transparent")]
    [InlineData("TransparentNeedsPngOrWebp", "-Background transparent -OutputFormat jpeg", "transparent")]
    [InlineData("OutputCompressionNeedsJpegOrWebp", "-OutputCompression 50", 50)]
    [InlineData("StreamingNotSupported", "-Model dall-e-3 -PartialImages 1", 1)]
    public void GenerationInputChecksNameTheRuleAndTheValue(string rule, string parameters, object target)
    {
        ScriptResult r = Run("New-OpenAIImage 'a red fox' " + parameters);
        var error = Assert.Single(r.AllErrors);
        Assert.Equal("OpenAI.Validation." + rule + "," + NewCmd, error.FullyQualifiedErrorId);
        Assert.Equal(System.Management.Automation.ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Equal(target, error.TargetObject);
        Assert.Empty(Fake.ApiRequests);
    }

    [Fact]
    public void ValidateSetFailureIsAParameterBindingError()
    {
        ScriptResult r = Run("New-OpenAIImage 'a red fox' -Quality ultra");
        Assert.Equal("ParameterArgumentValidationError," + NewCmd, Assert.Single(r.AllErrors).FullyQualifiedErrorId);
        Assert.Empty(Fake.ApiRequests);
    }

    [Theory]
    [InlineData("MaskSizeMismatch", "sample-16x8.png", null, "sample-8x8-rgba.png", "")]
    [InlineData("MaskNoAlpha", "sample-8x8.png", null, "sample-8x8.png", "")]
    [InlineData("TooManyImages", "sample-8x8.png", "sample-8x8.png", null, "-Model dall-e-2")]
    [InlineData("InputFidelityNotSupported", "sample-8x8.png", null, null, "-Model dall-e-2 -InputFidelity high")]
    [InlineData("EditNotSupported", "sample-8x8.png", null, null, "-Model dall-e-3")]
    [InlineData("ImageFormatNotSupported", "not-an-image.txt", null, null, "")]
    public void EditInputChecksNameTheRuleAndTheFile(string rule, string first, string? second, string? mask, string parameters)
    {
        string image0 = CopyAsset(first, "image0" + Path.GetExtension(first));
        string? image1 = second is null ? null : CopyAsset(second, "image1" + Path.GetExtension(second));
        string? maskPath = mask is null ? null : CopyAsset(mask, "mask" + Path.GetExtension(mask));
        string paths = image1 is null ? ModuleHost.Quote(image0) : ModuleHost.Quote(image0) + "," + ModuleHost.Quote(image1);
        string script = $"Edit-OpenAIImage 'x' -Path {paths} {parameters}" + (maskPath is null ? string.Empty : " -Mask " + ModuleHost.Quote(maskPath));

        ScriptResult r = Run(script);

        var error = Assert.Single(r.AllErrors);
        Assert.Equal("OpenAI.Validation." + rule + "," + EditCmd, error.FullyQualifiedErrorId);
        object expected = rule switch
        {
            "MaskSizeMismatch" or "MaskNoAlpha" => maskPath!,
            "TooManyImages" => new[] { Path.Combine(Temp, "image0.png"), Path.Combine(Temp, "image1.png") },
            "InputFidelityNotSupported" => "high",
            "EditNotSupported" => "dall-e-3",
            _ => image0,
        };
        Assert.Equal(expected, error.TargetObject);
        Assert.Empty(Fake.ApiRequests);
    }

    [Fact]
    public void DebugTraceShowsTheMaskedKeyOnly()
    {
        ScriptResult r = Run("New-OpenAIImage 'a red fox' -Debug");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        string debug = string.Join("\n", r.Debug);
        Assert.Contains("Authorization: Bearer sk-\u2026wxyz", debug);
        Assert.DoesNotContain(TestKey, debug);
    }

    [Fact]
    public void SaveNamesTheFileAfterTheImageFormat()
    {
        ScriptResult r = Run("$img = New-OpenAIImage 'A red fox' -OutputFormat webp; $img; $img | Save-OpenAIImage -OutputDirectory saved");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        dynamic image = Assert.Single(r.Images);
        FileInfo file = Assert.Single(r.Objects<FileInfo>());
        Assert.Equal(Stamp(image) + "-a-red-fox.webp", file.Name);
        Assert.Equal(Path.Combine(Temp, "saved"), file.DirectoryName);
    }

    [Fact]
    public void SaveOfAnExpiredUrlIsNotFoundAndWritesNothing()
    {
        ScriptResult r = Run($"""
            $img = New-OpenAIImage 'a red fox' -Model dall-e-2 -ResponseFormat url
            $null = [System.Net.Http.HttpClient]::new().PostAsync('{Fake.Root}_fake/reset', $null).GetAwaiter().GetResult()
            $img | Save-OpenAIImage -Path fox.png
            """);
        var error = Assert.Single(r.AllErrors);
        Assert.Equal("OpenAI.NotFound," + SaveCmd, error.FullyQualifiedErrorId);
        Assert.Contains("ImageResult", error.TargetObject.GetType().Name);
        Assert.Single(Fake.Requests, q => q.IsDownload);
        Assert.Empty(FilesInTemp());
    }

    [Fact]
    public void SaveCopiesTheFileOfAnImageSavedBefore()
    {
        ScriptResult r = Run("New-OpenAIImage 'a red fox' -OutFile first.png | Save-OpenAIImage -Path second.png");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal("second.png", Assert.Single(r.Objects<FileInfo>()).Name);
        Assert.Equal(File.ReadAllBytes(Path.Combine(Temp, "first.png")), File.ReadAllBytes(Path.Combine(Temp, "second.png")));
    }

    [Fact]
    public void VariationDownloadsIntoOutputDirectoryWithoutTheKey()
    {
        CopyAsset("sample-8x8.png", "square.png");
        ScriptResult r = Run("New-OpenAIImageVariation square.png -OutputDirectory variations");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        dynamic image = Assert.Single(r.Images);
        var download = Assert.Single(Fake.Requests, q => q.IsDownload);
        Assert.False(download.HasHeader("Authorization"));
        string expected = Path.Combine(Temp, "variations", Stamp(image) + "-square-variation.png");
        Assert.Equal(expected, (string)image.File.FullName);
        Assert.True(File.Exists(expected));
    }

    [Fact]
    public void VariationGoesOnWithTheNextFileAfterABadOne()
    {
        string wide = CopyAsset("sample-16x8.png", "wide.png");
        CopyAsset("sample-8x8.png", "square.png");
        ScriptResult r = Run("New-OpenAIImageVariation -Path wide.png, square.png -ResponseFormat b64_json");
        var error = Assert.Single(r.AllErrors);
        Assert.Equal("OpenAI.Validation.ImageNotSquare," + VariationCmd, error.FullyQualifiedErrorId);
        Assert.Equal(wide, error.TargetObject);
        Assert.Single(r.Images);
        Assert.Equal("square.png", Assert.Single(Assert.Single(Fake.ApiRequests).Files("image")).FileName);
    }

    [Fact]
    public void PromptAndModelBindByPropertyName()
    {
        ScriptResult r = Run("[pscustomobject]@{ Prompt = 'a fox'; Model = 'dall-e-2' }, [pscustomobject]@{ Prompt = 'an owl'; Model = 'gpt-image-1' } | New-OpenAIImage");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        // The two requests run concurrently and may reach the server in either order: pair each prompt with its model.
        Assert.Equal(
            new[] { "a fox: dall-e-2", "an owl: gpt-image-1" },
            Fake.ApiRequests.Select(q => $"{(string?)q.Json!["prompt"]}: {(string?)q.Json!["model"]}").Order(StringComparer.Ordinal));
        Assert.Equal(new[] { "dall-e-2", "gpt-image-1" }, r.Images.Select(i => (string)i.Model));
    }
}
