using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using OpenAI.Images.FakeApi;

namespace OpenAI.Images.Tests.Conformance;

/// <summary>
/// What Prism cannot check about the module's requests, asserted on the bytes the loopback fake received: the
/// multipart form of one image (<c>image</c>) and several (<c>image[]</c>, the form of OpenAI's SDKs and docs, up to 16),
/// the real file parts (name, file name, Content-Type from the file's signature, exact bytes), the mask part,
/// non-ASCII file names, the quoting Prism's parser needs, streaming with partial images for generations and edits,
/// and Save-OpenAIImage's downloads of url results (which go to the image host, never with the API key).
/// </summary>
public sealed class FakeWireConformanceTests : EngineTest
{
    public FakeWireConformanceTests(FakeApiFixture fixture) : base(fixture)
    {
    }

    [Fact]
    public void EditMultipart_OneImage_IsAnImagePart()
    {
        CopyAsset("sample-8x8.png", "otter.png");
        var r = Run("Edit-OpenAIImage -Prompt 'Add a beret' -Path otter.png -Model gpt-image-1.5 -Count 2 -Size 1024x1536 -Quality high -InputFidelity high -OutputFormat jpeg -OutputCompression 90 -Background opaque -User user-1234");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        var request = Assert.Single(Fake.ApiRequests);
        Assert.Equal("/v1/images/edits", request.Path);
        Assert.Null(request.MultipartError);
        Assert.Empty(request.PartsNamed("image[]"));
        var image = Assert.Single(request.Files("image"));
        AssertFilePart(image, "image", "otter.png", "image/png", ModuleHost.Asset("sample-8x8.png"));
        Assert.Equal(
            [("prompt", "Add a beret"), ("model", "gpt-image-1.5"), ("n", "2"), ("size", "1024x1536"), ("quality", "high"), ("background", "opaque"),
             ("input_fidelity", "high"), ("output_format", "jpeg"), ("output_compression", "90"), ("user", "user-1234")],
            request.Parts.Where(p => !p.IsFile).Select(p => (p.Name!, p.Text)).ToList());
        AssertPrismCompatibleFormatting(request);
    }

    [Theory]
    [InlineData(2)]
    [InlineData(16)]
    public void EditMultipart_SeveralImages_AreImageArrayPartsInOrderWithRealFiles(int count)
    {
        var assets = new[] { ("sample-8x8.png", ".png", "image/png"), ("sample-8x8.jpg", ".jpg", "image/jpeg"), ("sample-8x8.webp", ".webp", "image/webp"), ("sample-16x8.png", ".png", "image/png") };
        var files = Enumerable.Range(0, count).Select(i =>
        {
            var (asset, ext, type) = assets[i % assets.Length];
            return (Path: CopyAsset(asset, $"input-{i:00}{ext}"), Asset: asset, Type: type);
        }).ToList();
        var list = string.Join(",", files.Select(f => ModuleHost.Quote(f.Path)));
        var r = Run($"Edit-OpenAIImage -Prompt 'Combine these' -Path {list} -Model gpt-image-1.5");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        var request = Assert.Single(Fake.ApiRequests);
        Assert.Null(request.MultipartError);
        Assert.Empty(request.PartsNamed("image"));
        var parts = request.Files("image[]");
        Assert.Equal(count, parts.Count);
        for (int i = 0; i < count; i++)
        {
            AssertFilePart(parts[i], "image[]", Path.GetFileName(files[i].Path), files[i].Type, ModuleHost.Asset(files[i].Asset));
        }

        Assert.Equal("Combine these", request.Field("prompt"));
        AssertPrismCompatibleFormatting(request);
        Assert.Equal(files.Select(f => f.Path), ((IEnumerable<string>)Assert.Single(r.Images).SourceFiles));
    }

    [Fact]
    public void EditMultipart_MaskPart()
    {
        CopyAsset("sample-8x8.png", "photo.png");
        CopyAsset("sample-8x8-rgba.png", "mask.png");
        CopyAsset("sample-8x8.jpg", "second.jpg");
        var r = Run("Edit-OpenAIImage -Prompt 'Add a beret' -Path photo.png, second.jpg -Mask mask.png -Model gpt-image-1");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        var request = Assert.Single(Fake.ApiRequests);
        var mask = Assert.Single(request.Files("mask"));
        AssertFilePart(mask, "mask", "mask.png", "image/png", ModuleHost.Asset("sample-8x8-rgba.png"));
        Assert.Equal(["image[]", "image[]", "mask"], request.Parts.Where(p => p.IsFile).Select(p => p.Name!).ToList());
        AssertPrismCompatibleFormatting(request);

        // dall-e-2 takes one image and a mask too: "image" then "mask".
        Fake.ClearRequests();
        var dalle = Run("Edit-OpenAIImage -Prompt 'Add a beret' -Path photo.png -Mask mask.png -Model dall-e-2 -ResponseFormat b64_json");
        Assert.True(!dalle.AllErrors.Any(), dalle.Describe());
        var second = Assert.Single(Fake.ApiRequests);
        Assert.Equal(["image", "mask"], second.Parts.Where(p => p.IsFile).Select(p => p.Name!).ToList());
        Assert.Equal("b64_json", second.Field("response_format"));
    }

    [Fact]
    public void EditMultipart_NonAsciiFileName_ArrivesIntactAsRawUtf8()
    {
        const string Name = "фото выдры – ü 猫.png";
        CopyAsset("sample-8x8.png", Name);
        var r = Run($"Edit-OpenAIImage -Prompt 'Add a beret' -LiteralPath {ModuleHost.Quote(Name)} -Model gpt-image-1");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        var part = Assert.Single(Assert.Single(Fake.ApiRequests).Files("image"));
        Assert.Equal(Name, part.FileName);
        Assert.Equal($"form-data; name=\"image\"; filename=\"{Name}\"", part.ContentDisposition);
        Assert.DoesNotContain("filename*", part.ContentDisposition, StringComparison.Ordinal);
        Assert.DoesNotContain("=?utf-8?", part.ContentDisposition, StringComparison.OrdinalIgnoreCase);
    }

    [Theory]
    [InlineData("sample-8x8.jpg", "photo.png", "image/jpeg")]
    [InlineData("sample-8x8-progressive.jpg", "photo.webp", "image/jpeg")]
    [InlineData("sample-8x8.webp", "picture.jpg", "image/webp")]
    [InlineData("sample-8x8-vp8x-alpha.webp", "picture.png", "image/webp")]
    [InlineData("sample-8x8.png", "image.jpeg", "image/png")]
    [InlineData("sample-8x8.png", "no-extension", "image/png")]
    public void EditMultipart_ContentTypeComesFromTheSignatureNotTheExtension(string asset, string name, string contentType)
    {
        CopyAsset(asset, name);
        var r = Run($"Edit-OpenAIImage -Prompt 'Add a beret' -Path {ModuleHost.Quote(name)} -Model gpt-image-1");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        AssertFilePart(Assert.Single(Assert.Single(Fake.ApiRequests).Files("image")), "image", name, contentType, ModuleHost.Asset(asset));
    }

    [Fact]
    public void InputFidelity_IsRefusedForGptImage1Mini_BeforeAnyRequest()
    {
        // The spec's InputFidelity: "only supported for gpt-image-1 and gpt-image-1.5 and later models, unsupported for gpt-image-1-mini".
        CopyAsset("sample-8x8.png", "otter.png");
        var r = Run("Edit-OpenAIImage -Prompt 'Add a beret' -Path otter.png -Model gpt-image-1-mini -InputFidelity high");
        var error = Assert.Single(r.AllErrors);
        Assert.StartsWith("OpenAI.Validation.InputFidelityNotSupported,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal(System.Management.Automation.ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Equal("high", error.TargetObject);
        Assert.Contains("gpt-image-1-mini", error.Exception.Message, StringComparison.Ordinal);
        Assert.Empty(Fake.ApiRequests);

        var ok = Run("Edit-OpenAIImage -Prompt 'Add a beret' -Path otter.png -Model gpt-image-1 -InputFidelity high");
        Assert.True(!ok.AllErrors.Any(), ok.Describe());
        Assert.Equal("high", Assert.Single(Fake.ApiRequests).Field("input_fidelity"));
    }

    [Fact]
    public void VariationMultipart_ImagePartAndFields()
    {
        CopyAsset("sample-8x8-palette-trns.png", "icon.png");
        var r = Run("New-OpenAIImageVariation -Path icon.png -Count 3 -Size 512x512 -ResponseFormat b64_json -User user-1234");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        var request = Assert.Single(Fake.ApiRequests);
        Assert.Equal("/v1/images/variations", request.Path);
        AssertFilePart(Assert.Single(request.Files("image")), "image", "icon.png", "image/png", ModuleHost.Asset("sample-8x8-palette-trns.png"));
        Assert.Equal(
            [("model", "dall-e-2"), ("n", "3"), ("size", "512x512"), ("response_format", "b64_json"), ("user", "user-1234")],
            request.Parts.Where(p => !p.IsFile).Select(p => (p.Name!, p.Text)).ToList());
        AssertPrismCompatibleFormatting(request);
        Assert.Equal(3, r.Images.Count);
    }

    [Fact]
    public void Generation_Stream_WithPartialImages_EmitsPartialsThenTheFinalImage()
    {
        var r = Run("New-OpenAIImage -Prompt 'A cute baby sea otter' -Model gpt-image-1.5 -PartialImages 2 -OutputFormat webp");
        AssertStreamed(r, "/v1/images/generations", File.ReadAllBytes(ModuleHost.Asset("sample-8x8.webp")));
        var json = Assert.Single(Fake.ApiRequests).Json!.AsObject();
        Assert.True((bool)json["stream"]!);
        Assert.Equal(2, (int)json["partial_images"]!);
    }

    [Fact]
    public void Edit_Stream_WithPartialImages_EmitsPartialsThenTheFinalImage()
    {
        CopyAsset("sample-8x8.png", "otter.png");
        var r = Run("Edit-OpenAIImage -Prompt 'Add a beret' -Path otter.png -Model gpt-image-1.5 -PartialImages 2");
        AssertStreamed(r, "/v1/images/edits", File.ReadAllBytes(ModuleHost.Asset("sample-8x8.png")));
        var request = Assert.Single(Fake.ApiRequests);
        Assert.Equal("true", request.Field("stream"));
        Assert.Equal("2", request.Field("partial_images"));
    }

    [Fact]
    public void Stream_WithoutPartialImages_SendsStreamTrueAndNoPartialImagesField()
    {
        var r = Run("New-OpenAIImage -Prompt 'A cute baby sea otter' -Stream");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        var request = Assert.Single(Fake.ApiRequests);
        Assert.Equal("text/event-stream", request.Header("Accept"));
        Assert.True((bool)request.Json!["stream"]!);
        Assert.False(request.Json.AsObject().ContainsKey("partial_images"));
        var image = Assert.Single(r.Images);
        Assert.False((bool)image.IsPartial);
    }

    [Theory]
    [InlineData("New-OpenAIImage -Prompt 'A cute baby sea otter' -Model gpt-image-1 -PartialImages 2 -OutputDirectory out")]
    [InlineData("Edit-OpenAIImage -Prompt 'Add a beret' -Path otter.png -Model gpt-image-1 -PartialImages 2 -OutputDirectory out")]
    public void Stream_WithOutputDirectory_SavesThePartialImagesToo(string script)
    {
        CopyAsset("sample-8x8.png", "otter.png");
        var r = Run(script);
        Assert.True(!r.AllErrors.Any(), r.Describe());
        var images = r.Images;
        Assert.Equal([true, true, false], images.Select(i => (bool)i.IsPartial));
        var files = images.Select(i => (string)i.File.FullName).ToList();
        Assert.Equal(3, files.Distinct().Count());
        Assert.All(files, f => Assert.Equal(File.ReadAllBytes(ModuleHost.Asset("sample-8x8.png")), File.ReadAllBytes(f)));
        Assert.Contains("-partial0", Path.GetFileName(files[0]), StringComparison.Ordinal);
        Assert.Contains("-partial1", Path.GetFileName(files[1]), StringComparison.Ordinal);
        Assert.DoesNotContain("-partial", Path.GetFileName(files[2]), StringComparison.Ordinal);
        Assert.Equal(files.OrderBy(f => f), Directory.GetFiles(Path.Combine(Temp, "out")).OrderBy(f => f));
        Assert.DoesNotContain(FilesInTemp(), f => Path.GetFileName(f).StartsWith(".openai-images-", StringComparison.Ordinal));
    }

    [Fact]
    public void SaveOpenAIImage_DownloadsUrlResultsFromTheImageHostWithoutTheApiKey()
    {
        var r = Run("New-OpenAIImage -Prompt 'A cute baby sea otter' -Model dall-e-2 -Count 2 -ResponseFormat url | Save-OpenAIImage -Path otter.png");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        var api = Assert.Single(Fake.ApiRequests);
        Assert.Equal("url", (string?)api.Json!["response_format"]);
        var downloads = Fake.Requests.Where(q => q.IsDownload).ToList();
        Assert.Equal(2, downloads.Count);
        foreach (var download in downloads)
        {
            Assert.Equal("GET", download.Method);
            Assert.False(download.HasHeader("Authorization"), "the API key was sent to the image host");
            Assert.False(download.HasHeader("api-key"));
            Assert.DoesNotContain(TestKey, string.Join("\n", download.Headers.SelectMany(h => h.Value)), StringComparison.Ordinal);
        }

        var saved = r.Objects<FileInfo>();
        Assert.Equal(2, saved.Count);
        Assert.All(saved, f => Assert.Equal(SampleImages.Png, File.ReadAllBytes(f.FullName)));
    }

    private void AssertStreamed(ScriptResult r, string path, byte[] expected)
    {
        Assert.True(!r.AllErrors.Any(), r.Describe());
        var request = Assert.Single(Fake.ApiRequests);
        Assert.Equal(path, request.Path);
        Assert.Equal("text/event-stream", request.Header("Accept"));
        var images = r.Images;
        Assert.Equal(3, images.Count);
        Assert.Equal([true, true, false], images.Select(i => (bool)i.IsPartial));
        Assert.Equal([0, 1, null], images.Select(i => (int?)i.PartialImageIndex));
        Assert.All(images, i => Assert.Equal(expected, (byte[])i.Data));
        Assert.All(images, i => Assert.Null(i.File));
        var final = images[2];
        Assert.NotNull(final.Usage);
        Assert.True((long)final.Usage.TotalTokens > 0);
        Assert.Equal(0, (int)final.Index);
    }

    private static void AssertFilePart(RecordedPart part, string name, string fileName, string contentType, string sourcePath)
    {
        Assert.Equal(name, part.Name);
        Assert.Equal(fileName, part.FileName);
        Assert.Equal(contentType, part.ContentType);
        Assert.Equal(File.ReadAllBytes(sourcePath), part.Data);
    }

    /// <summary>The form Prism's parser needs (and OpenAI's SDKs write): name first, quoted values, no filename*, a type on file parts only.</summary>
    private static void AssertPrismCompatibleFormatting(RecordedRequest request)
    {
        Assert.StartsWith("multipart/form-data; boundary=", request.ContentType, StringComparison.Ordinal);
        foreach (var part in request.Parts)
        {
            Assert.StartsWith($"form-data; name=\"{part.Name}\"", part.ContentDisposition, StringComparison.Ordinal);
            Assert.DoesNotContain("filename*", part.ContentDisposition, StringComparison.Ordinal);
            if (part.IsFile)
            {
                Assert.Equal($"form-data; name=\"{part.Name}\"; filename=\"{part.FileName}\"", part.ContentDisposition);
                Assert.NotNull(part.ContentType);
            }
            else
            {
                Assert.Null(part.ContentType);
                Assert.Equal(["Content-Disposition"], part.Headers.Keys);
            }
        }

        Assert.EndsWith("--\r\n", Encoding.UTF8.GetString(request.Body), StringComparison.Ordinal);
    }
}
