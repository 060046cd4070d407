using System;
using System.IO;
using System.Linq;
using System.Management.Automation;

namespace OpenAI.Images.Tests.Reliability;

/// <summary>
/// Bad input through the real cmdlets: each is rejected before any request, with its exact error id, the category,
/// the offending value as target, and an exception naming the parameter, the value and the rule.
/// </summary>
public sealed class ValidationTests : EngineTest
{
    private const string New = "NewOpenAIImageCommand";
    private const string Edit = "EditOpenAIImageCommand";
    private const string Variation = "NewOpenAIImageVariationCommand";

    public ValidationTests(FakeApiFixture fixture) : base(fixture)
    {
    }

    /// <summary>
    /// script; cmdlet class; rule (the id is OpenAI.Validation.RULE) or a full id without the command part; the -Parameter
    /// the exception names; the expected target ("{T}/x" is the file x in the test folder, "REPEAT:c:n" is c n times,
    /// "FILES:glob" the sorted matching files, "INT:n" a number).
    /// </summary>
    public static TheoryData<string, string, string, string, string> Cases => new()
    {
        // Prompt
        { "New-OpenAIImage -Prompt ''", New, "PromptEmpty", "Prompt", "" },
        { "New-OpenAIImage -Prompt '   '", New, "PromptEmpty", "Prompt", "   " },
        { "New-OpenAIImage -Prompt ('a' * 1001) -Model dall-e-2", New, "PromptTooLong", "Prompt", "REPEAT:a:1001" },
        { "New-OpenAIImage -Prompt ('b' * 4001) -Model dall-e-3", New, "PromptTooLong", "Prompt", "REPEAT:b:4001" },
        { "New-OpenAIImage -Prompt ('c' * 32001) -Model gpt-image-1", New, "PromptTooLong", "Prompt", "REPEAT:c:32001" },
        { "New-OpenAIImage -Prompt ('d' * 32001)", New, "PromptTooLong", "Prompt", "REPEAT:d:32001" },
        { "Edit-OpenAIImage -Prompt ' ' -Path sample-8x8.png", Edit, "PromptEmpty", "Prompt", " " },
        { "New-OpenAIImage 'cat' -Model ''", New, "ModelEmpty", "Model", "" },

        // Count
        { "New-OpenAIImage 'cat' -Model dall-e-3 -Count 2", New, "CountNotSupported", "Count", "INT:2" },

        // Sizes per model
        { "New-OpenAIImage 'cat' -Model dall-e-2 -Size 1024x1536", New, "SizeNotSupported", "Size", "1024x1536" },
        { "New-OpenAIImage 'cat' -Model dall-e-3 -Size 512x512", New, "SizeNotSupported", "Size", "512x512" },
        { "New-OpenAIImage 'cat' -Model gpt-image-1 -Size 2048x2048", New, "SizeNotSupported", "Size", "2048x2048" },
        { "New-OpenAIImage 'cat' -Model gpt-image-1.5 -Size 1792x1024", New, "SizeNotSupported", "Size", "1792x1024" },
        { "New-OpenAIImage 'cat' -Size 1000x1000", New, "SizeNotMultipleOf16", "Size", "1000x1000" },
        { "New-OpenAIImage 'cat' -Size 1024x1030", New, "SizeNotMultipleOf16", "Size", "1024x1030" },
        { "New-OpenAIImage 'cat' -Size 4096x2048", New, "SizeTooLarge", "Size", "4096x2048" },
        { "New-OpenAIImage 'cat' -Size 3840x1024", New, "SizeAspectRatio", "Size", "3840x1024" },
        { "New-OpenAIImage 'cat' -Size 512x2048", New, "SizeAspectRatio", "Size", "512x2048" },
        { "New-OpenAIImage 'cat' -Size 3840x3840", New, "SizeTooManyPixels", "Size", "3840x3840" },
        { "New-OpenAIImage 'cat' -Size huge", New, "SizeFormat", "Size", "huge" },
        { "New-OpenAIImage 'cat' -Size 1024x", New, "SizeFormat", "Size", "1024x" },
        { "New-OpenAIImage 'cat' -Model gpt-image-2.5-flare -Size 1000x1008", New, "SizeNotMultipleOf16", "Size", "1000x1008" },
        { "New-OpenAIImage 'cat' -Model gpt-image-2.5-sunburst-2026-09-08 -Size 512x2048", New, "SizeAspectRatio", "Size", "512x2048" },
        { "Edit-OpenAIImage 'cat' -Path sample-8x8.png -Model dall-e-2 -Size 1536x1024", Edit, "SizeNotSupported", "Size", "1536x1024" },

        // Quality, style and the GPT-only options
        { "New-OpenAIImage 'cat' -Model dall-e-2 -Quality hd", New, "QualityNotSupported", "Quality", "hd" },
        { "New-OpenAIImage 'cat' -Quality xhigh", New, "QualityNotSupported", "Quality", "xhigh" },
        { "New-OpenAIImage 'cat' -Model gpt-image-2-2026-04-21 -Quality max", New, "QualityNotSupported", "Quality", "max" },
        { "New-OpenAIImage 'cat' -Model gpt-image-2.5-flare -Quality hihg", New, "QualityNotSupported", "Quality", "hihg" },
        { "Edit-OpenAIImage 'cat' -Path sample-8x8.png -Model gpt-image-1.5 -Quality xhigh", Edit, "QualityNotSupported", "Quality", "xhigh" },
        { "New-OpenAIImage 'cat' -Background transparant", New, "BackgroundNotSupported", "Background", "transparant" },
        { "New-OpenAIImage 'cat' -OutputFormat jpg", New, "OutputFormatNotSupported", "OutputFormat", "jpg" },
        { "New-OpenAIImage 'cat' -Model dall-e-3 -Style noir", New, "StyleNotSupported", "Style", "noir" },
        { "New-OpenAIImage 'cat' -Moderation strict", New, "ModerationNotSupported", "Moderation", "strict" },
        { "Edit-OpenAIImage 'cat' -Path sample-8x8.png -Model gpt-image-1-mini -InputFidelity high", Edit, "InputFidelityNotSupported", "InputFidelity", "high" },
        { "New-OpenAIImage 'cat' -Model gpt-image-1 -Quality hd", New, "QualityNotSupported", "Quality", "hd" },
        { "New-OpenAIImage 'cat' -Model dall-e-3 -Quality low", New, "QualityNotSupported", "Quality", "low" },
        { "Edit-OpenAIImage 'cat' -Path sample-8x8.png -Quality standard", Edit, "QualityNotSupported", "Quality", "standard" },
        { "New-OpenAIImage 'cat' -Model gpt-image-1 -Style vivid", New, "StyleNotSupported", "Style", "vivid" },
        { "New-OpenAIImage 'cat' -Model dall-e-2 -Style natural", New, "StyleNotSupported", "Style", "natural" },
        { "New-OpenAIImage 'cat' -Model dall-e-3 -Background transparent", New, "BackgroundNotSupported", "Background", "transparent" },
        { "New-OpenAIImage 'cat' -Model dall-e-2 -Moderation low", New, "ModerationNotSupported", "Moderation", "low" },
        { "New-OpenAIImage 'cat' -Model dall-e-3 -OutputFormat webp", New, "OutputFormatNotSupported", "OutputFormat", "webp" },
        { "New-OpenAIImage 'cat' -Model dall-e-2 -OutputCompression 50", New, "OutputCompressionNotSupported", "OutputCompression", "INT:50" },
        { "New-OpenAIImage 'cat' -OutputCompression 50", New, "OutputCompressionNeedsJpegOrWebp", "OutputCompression", "INT:50" },
        { "New-OpenAIImage 'cat' -OutputCompression 50 -OutputFormat png", New, "OutputCompressionNeedsJpegOrWebp", "OutputCompression", "INT:50" },
        { "New-OpenAIImage 'cat' -Background transparent -OutputFormat jpeg", New, "TransparentNeedsPngOrWebp", "Background", "transparent" },
        { "Edit-OpenAIImage 'cat' -Path sample-8x8.png -Background transparent -OutputFormat jpeg", Edit, "TransparentNeedsPngOrWebp", "Background", "transparent" },
        { "New-OpenAIImage 'cat' -Model gpt-image-1 -ResponseFormat url", New, "ResponseFormatNotSupported", "ResponseFormat", "url" },
        { "New-OpenAIImage 'cat' -ResponseFormat b64_json", New, "ResponseFormatNotSupported", "ResponseFormat", "b64_json" },
        { "Edit-OpenAIImage 'cat' -Path sample-8x8.png -ResponseFormat url", Edit, "ResponseFormatNotSupported", "ResponseFormat", "url" },
        { "New-OpenAIImage 'cat' -Model dall-e-3 -Stream", New, "StreamingNotSupported", "Stream", "True" },
        { "New-OpenAIImage 'cat' -Model dall-e-2 -PartialImages 2", New, "StreamingNotSupported", "PartialImages", "INT:2" },
        { "Edit-OpenAIImage 'cat' -Path sample-8x8.png -Model dall-e-2 -InputFidelity high", Edit, "InputFidelityNotSupported", "InputFidelity", "high" },

        // Edits: files are judged by their headers, not their names
        { "Edit-OpenAIImage 'cat' -Path sample-8x8.png -Model dall-e-3", Edit, "EditNotSupported", "Model", "dall-e-3" },
        { "Edit-OpenAIImage 'cat' -Path sample-8x8.jpg -Model dall-e-2", Edit, "ImageFormatNotSupported", "Path", "{T}/sample-8x8.jpg" },
        { "Edit-OpenAIImage 'cat' -Path sample-8x8.webp -Model dall-e-2", Edit, "ImageFormatNotSupported", "Path", "{T}/sample-8x8.webp" },
        { "Edit-OpenAIImage 'cat' -Path sample-16x8.png -Model dall-e-2", Edit, "ImageNotSquare", "Path", "{T}/sample-16x8.png" },
        { "Edit-OpenAIImage 'cat' -Path sample-8x8.png, sample-8x8-rgba.png -Model dall-e-2", Edit, "TooManyImages", "Path", "FILES:sample-8x8.png,sample-8x8-rgba.png" },
        { "Edit-OpenAIImage 'cat' -Path many/*.png", Edit, "TooManyImages", "Path", "FILES:many/*.png" },
        { "Edit-OpenAIImage 'cat' -Path text.png", Edit, "ImageFormatNotSupported", "Path", "{T}/text.png" },
        { "Edit-OpenAIImage 'cat' -Path sample-8x8.gif", Edit, "ImageFormatNotSupported", "Path", "{T}/sample-8x8.gif" },
        { "Edit-OpenAIImage 'cat' -Path empty.png", Edit, "ImageEmpty", "Path", "{T}/empty.png" },
        { "Edit-OpenAIImage 'cat' -Path big.png -Model dall-e-2", Edit, "ImageTooLarge", "Path", "{T}/big.png" },
        { "Edit-OpenAIImage 'cat' -Path huge.png", Edit, "ImageTooLarge", "Path", "{T}/huge.png" },
        { "Edit-OpenAIImage 'cat' -Path sample-8x8.png -Mask sample-8x8.png", Edit, "MaskNoAlpha", "Mask", "{T}/sample-8x8.png" },
        { "Edit-OpenAIImage 'cat' -Path sample-8x8.png -Mask sample-8x8.png -Model dall-e-2", Edit, "MaskNoAlpha", "Mask", "{T}/sample-8x8.png" },
        // Without a mask, dall-e-2 edits the image's transparent area: an opaque image has none.
        { "Edit-OpenAIImage 'cat' -Path sample-8x8.png -Model dall-e-2", Edit, "ImageNoTransparency", "Path", "{T}/sample-8x8.png" },
        { "Edit-OpenAIImage 'cat' -Path sample-8x8.png -Mask sample-8x8-lossless-alpha.webp", Edit, "MaskNotPng", "Mask", "{T}/sample-8x8-lossless-alpha.webp" },
        { "Edit-OpenAIImage 'cat' -Path sample-8x8.png -Mask text.png", Edit, "MaskNotPng", "Mask", "{T}/text.png" },
        { "Edit-OpenAIImage 'cat' -Path sample-16x8.png -Mask sample-8x8-rgba.png", Edit, "MaskSizeMismatch", "Mask", "{T}/sample-8x8-rgba.png" },
        { "Edit-OpenAIImage 'cat' -Path sample-8x8.png -Mask big-mask.png", Edit, "MaskTooLarge", "Mask", "{T}/big-mask.png" },
        { "Edit-OpenAIImage 'cat' -Path missing.png", Edit, "OpenAI.PathNotFound", "", "missing.png" },
        { "Edit-OpenAIImage 'cat' -Path sample-8x8.png -Mask missing-mask.png", Edit, "OpenAI.PathNotFound", "", "missing-mask.png" },
        { "Edit-OpenAIImage 'cat' -Path nothing-*.png", Edit, "OpenAI.PathNotFound", "", "nothing-*.png" },

        // Variations: one square PNG under 4 MB, dall-e-2 only
        { "New-OpenAIImageVariation -Path sample-16x8.png", Variation, "ImageNotSquare", "Path", "{T}/sample-16x8.png" },
        { "New-OpenAIImageVariation -Path sample-8x8.jpg", Variation, "ImageFormatNotSupported", "Path", "{T}/sample-8x8.jpg" },
        { "New-OpenAIImageVariation -Path sample-8x8.webp", Variation, "ImageFormatNotSupported", "Path", "{T}/sample-8x8.webp" },
        { "New-OpenAIImageVariation -Path text.png", Variation, "ImageFormatNotSupported", "Path", "{T}/text.png" },
        { "New-OpenAIImageVariation -Path empty.png", Variation, "ImageEmpty", "Path", "{T}/empty.png" },
        { "New-OpenAIImageVariation -Path big.png", Variation, "ImageTooLarge", "Path", "{T}/big.png" },
        { "New-OpenAIImageVariation -Path sample-8x8.png -Model gpt-image-1", Variation, "VariationNotSupported", "Model", "gpt-image-1" },
        { "New-OpenAIImageVariation -Path missing.png", Variation, "OpenAI.PathNotFound", "", "missing.png" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void BadInputIsRejectedBeforeAnyRequest(string script, string command, string rule, string parameter, string target)
    {
        PrepareFiles(script);

        ScriptResult r = Run(script);

        ErrorRecord error = Assert.Single(r.AllErrors);
        bool isRule = !rule.StartsWith("OpenAI.", StringComparison.Ordinal);
        string id = (isRule ? "OpenAI.Validation." + rule : rule) + ",OpenAI.Images.PowerShell.Commands." + command;
        Assert.Equal(id, error.FullyQualifiedErrorId);
        Assert.Equal(isRule ? ErrorCategory.InvalidArgument : ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        AssertTarget(target, error.TargetObject);
        Assert.Empty(Fake.Requests);
        Assert.Empty(r.Output);

        if (isRule)
        {
            dynamic ex = error.Exception;
            Assert.Equal("OpenAIValidationException", error.Exception.GetType().Name);
            Assert.Equal(rule, (string)ex.Rule);
            Assert.Equal(parameter, (string)ex.ParamName);
            string message = error.Exception.Message;
            Assert.True(message.Contains("-" + parameter, StringComparison.Ordinal) || (parameter == "Path" && message.Contains("'" + Temp, StringComparison.Ordinal)), message);
            Assert.Equal("Fix -" + parameter + " and run the command again.", error.ErrorDetails.RecommendedAction);
        }

        Assert.DoesNotContain(FilesInTemp(), f => Path.GetFileName(f).StartsWith(".openai-images-", StringComparison.Ordinal));
    }

    [Fact]
    public void ThereAreAtLeastFortyCases() => Assert.True(Cases.Count >= 40, Cases.Count.ToString());

    [Theory]
    [InlineData("1536x864")]
    [InlineData("2048x1152")]
    [InlineData("3840x2160")]
    [InlineData("2160x3840")]
    [InlineData("3840x1280")]
    [InlineData("1024x1024")]
    [InlineData("auto")]
    public void Gpt2CustomSizesWithinTheLimitsAreSent(string size)
    {
        ScriptResult r = Run($"New-OpenAIImage 'cat' -Size {size}");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal(size, (string?)Assert.Single(Fake.ApiRequests).Json!["size"]);
    }

    [Fact]
    public void AnUnknownModelSkipsTheModelRulesWithAVerboseNote()
    {
        ScriptResult r = Run("New-OpenAIImage 'cat' -Model gpt-image-9 -Size 4096x4096 -Count 10 -Quality hd -Verbose");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        var request = Assert.Single(Fake.ApiRequests);
        Assert.Equal("gpt-image-9", (string?)request.Json!["model"]);
        Assert.Equal("4096x4096", (string?)request.Json!["size"]);
        Assert.Contains(r.Verbose, v => v.Contains("'gpt-image-9' is not in this module's model table", StringComparison.Ordinal));
    }

    [Fact]
    public void OneBadItemInAPipelineDoesNotStopTheOthers()
    {
        ScriptResult r = Run("'one', '', 'three' | New-OpenAIImage");

        ErrorRecord error = Assert.Single(r.AllErrors);
        Assert.StartsWith("OpenAI.Validation.PromptEmpty,", error.FullyQualifiedErrorId);
        // The two valid prompts run concurrently and may reach the server in either order; the output keeps input order.
        Assert.Equal(new[] { "one", "three" }, Fake.ApiRequests.Select(q => (string?)q.Json!["prompt"]).Order(StringComparer.Ordinal));
        Assert.Equal(new[] { "one", "three" }, r.Images.Select(i => (string)i.Prompt));
    }

    private void PrepareFiles(string script)
    {
        foreach (string asset in new[] { "sample-8x8.png", "sample-8x8-rgba.png", "sample-16x8.png", "sample-8x8.jpg", "sample-8x8.webp", "sample-8x8-lossless-alpha.webp", "sample-8x8.gif" })
        {
            CopyAsset(asset);
        }

        CopyAsset("not-an-image.txt", "text.png");
        File.WriteAllBytes(Path.Combine(Temp, "empty.png"), Array.Empty<byte>());
        if (script.Contains("many/", StringComparison.Ordinal))
        {
            Directory.CreateDirectory(Path.Combine(Temp, "many"));
            for (int i = 1; i <= 17; i++)
            {
                CopyAsset("sample-8x8.png", Path.Combine("many", i.ToString("00", System.Globalization.CultureInfo.InvariantCulture) + ".png"));
            }
        }

        if (script.Contains("big.png", StringComparison.Ordinal))
        {
            // A real PNG header with padding after it: exactly 4 MiB, one byte past "less than 4 MB".
            Padded("sample-8x8.png", "big.png", 4L * 1024 * 1024);
        }

        if (script.Contains("big-mask.png", StringComparison.Ordinal))
        {
            Padded("sample-8x8-rgba.png", "big-mask.png", 4L * 1024 * 1024);
        }

        if (script.Contains("huge.png", StringComparison.Ordinal))
        {
            Padded("sample-8x8.png", "huge.png", 50L * 1024 * 1024);
        }
    }

    private void Padded(string asset, string name, long length)
    {
        string path = CopyAsset(asset, name);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
        stream.SetLength(length);
    }

    private void AssertTarget(string expected, object? actual)
    {
        if (actual is PSObject pso)
        {
            actual = pso.BaseObject;
        }

        if (expected.StartsWith("REPEAT:", StringComparison.Ordinal))
        {
            string[] parts = expected.Split(':');
            Assert.Equal(new string(parts[1][0], int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture)), actual);
        }
        else if (expected.StartsWith("INT:", StringComparison.Ordinal))
        {
            Assert.Equal(int.Parse(expected.Substring(4), System.Globalization.CultureInfo.InvariantCulture), actual);
        }
        else if (expected.StartsWith("FILES:", StringComparison.Ordinal))
        {
            string spec = expected.Substring(6);
            string[] files = spec.Contains('*', StringComparison.Ordinal)
                ? Directory.GetFiles(Path.Combine(Temp, Path.GetDirectoryName(spec)!), Path.GetFileName(spec)).OrderBy(f => f, StringComparer.Ordinal).ToArray()
                : spec.Split(',').Select(f => Path.Combine(Temp, f)).ToArray();
            Assert.Equal(files, Assert.IsType<string[]>(actual));
        }
        else if (expected == "True")
        {
            Assert.Equal(true, actual);
        }
        else
        {
            Assert.Equal(expected.Replace("{T}/", Temp + Path.DirectorySeparatorChar, StringComparison.Ordinal), actual);
        }
    }
}
