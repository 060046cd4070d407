using System.IO;
using System.Linq;
using OpenAI.Images.FakeApi;

namespace OpenAI.Images.Tests;

public sealed class NewOpenAIImageVariationTests : EngineTest
{
    public NewOpenAIImageVariationTests(FakeApiFixture fixture) : base(fixture)
    {
    }

    [Fact]
    public void SendsDallE2WithTheImagePart()
    {
        string png = CopyAsset("sample-8x8.png", "square.png");
        ScriptResult r = Run("New-OpenAIImageVariation square.png -Count 2 -Size 256x256 -ResponseFormat b64_json");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        RecordedRequest q = Assert.Single(Fake.ApiRequests);
        Assert.Equal("/v1/images/variations", q.Path);
        Assert.Equal("dall-e-2", q.Field("model"));
        Assert.Equal("2", q.Field("n"));
        Assert.Equal("256x256", q.Field("size"));
        Assert.Equal("b64_json", q.Field("response_format"));
        Assert.Null(q.Field("prompt"));
        var part = Assert.Single(q.Files("image"));
        Assert.Equal("square.png", part.FileName);
        Assert.Equal(File.ReadAllBytes(png), part.Data);
        Assert.Equal(2, r.Images.Count);
        Assert.All(r.Images, i => Assert.Equal("Variation", i.Operation.ToString()));
    }

    [Fact]
    public void EachFileIsItsOwnRequest()
    {
        CopyAsset("sample-8x8.png", "v1.png");
        CopyAsset("sample-8x8.png", "v2.png");
        ScriptResult r = Run("New-OpenAIImageVariation -Path v*.png -ResponseFormat b64_json");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal(2, Fake.ApiRequests.Count);
    }

    [Fact]
    public void UrlResultsAreDownloadedWithoutTheKeyWhenSaving()
    {
        CopyAsset("sample-8x8.png", "v.png");
        ScriptResult r = Run("New-OpenAIImageVariation v.png -OutFile var.png");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        var download = Assert.Single(Fake.Requests, q => q.IsDownload);
        Assert.False(download.HasHeader("Authorization"));
        Assert.False(download.HasHeader("api-key"));
        Assert.Equal(File.ReadAllBytes(ModuleHost.Asset("sample-8x8.png")), File.ReadAllBytes(Path.Combine(Temp, "var.png")));
        dynamic image = Assert.Single(r.Images);
        Assert.NotNull(image.Url);
        Assert.Equal(Path.Combine(Temp, "var.png"), (string)image.File.FullName);
    }

    [Fact]
    public void NonSquareImageIsRejectedBeforeSending()
    {
        string file = CopyAsset("sample-16x8.png", "wide.png");
        ScriptResult r = Run("New-OpenAIImageVariation wide.png");
        var error = Assert.Single(r.AllErrors);
        Assert.StartsWith("OpenAI.Validation.ImageNotSquare,", error.FullyQualifiedErrorId);
        Assert.Equal(file, error.TargetObject);
        Assert.Contains("16x8", error.Exception.Message);
        Assert.Empty(Fake.ApiRequests);
    }
}
