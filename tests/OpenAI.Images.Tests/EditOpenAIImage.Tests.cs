using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using OpenAI.Images.FakeApi;

namespace OpenAI.Images.Tests;

public sealed class EditOpenAIImageTests : EngineTest
{
    public EditOpenAIImageTests(FakeApiFixture fixture) : base(fixture)
    {
    }

    [Fact]
    public void SingleImageIsSentAsImagePartWithRealNameTypeAndBytes()
    {
        string png = CopyAsset("sample-8x8.png", "photo.png");
        ScriptResult r = Run("Edit-OpenAIImage 'add a hat' -Path photo.png -Quality high -InputFidelity high -Size 1024x1024");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        RecordedRequest q = Assert.Single(Fake.ApiRequests);
        Assert.Equal("/v1/images/edits", q.Path);
        Assert.StartsWith("multipart/form-data; boundary=", q.ContentType);
        Assert.Null(q.MultipartError);
        Assert.Equal("add a hat", q.Field("prompt"));
        Assert.Equal("gpt-image-2", q.Field("model"));
        Assert.Equal("high", q.Field("quality"));
        Assert.Equal("high", q.Field("input_fidelity"));
        Assert.Equal("1024x1024", q.Field("size"));
        var part = Assert.Single(q.Files("image"));
        Assert.Equal("photo.png", part.FileName);
        Assert.Equal("image/png", part.ContentType);
        Assert.Equal("form-data; name=\"image\"; filename=\"photo.png\"", part.ContentDisposition);
        Assert.Equal(File.ReadAllBytes(png), part.Data);
        Assert.Empty(q.Files("image[]"));

        dynamic image = Assert.Single(r.Images);
        Assert.Equal("Edit", image.Operation.ToString());
        Assert.Equal(new[] { png }, ((IEnumerable<string>)image.SourceFiles).ToArray());
    }

    [Fact]
    public void SeveralPathsAreOneRequestWithImageArrayParts()
    {
        CopyAsset("sample-8x8.png", "a.png");
        CopyAsset("sample-8x8.jpg", "b.jpg");
        CopyAsset("sample-8x8.webp", "c.webp");
        ScriptResult r = Run("Edit-OpenAIImage 'merge them' -Path a.png, b.jpg, c.webp");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        RecordedRequest q = Assert.Single(Fake.ApiRequests);
        var parts = q.Files("image[]");
        Assert.Equal(new[] { "a.png", "b.jpg", "c.webp" }, parts.Select(p => p.FileName));
        Assert.Equal(new[] { "image/png", "image/jpeg", "image/webp" }, parts.Select(p => p.ContentType));
        Assert.Empty(q.Files("image"));
    }

    [Fact]
    public void WildcardPathExpandsToOneRequest()
    {
        CopyAsset("sample-8x8.png", "x1.png");
        CopyAsset("sample-8x8.png", "x2.png");
        ScriptResult r = Run("Edit-OpenAIImage 'both' -Path x*.png");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        RecordedRequest q = Assert.Single(Fake.ApiRequests);
        Assert.Equal(new[] { "x1.png", "x2.png" }, q.Files("image[]").Select(p => p.FileName).OrderBy(n => n));
    }

    [Fact]
    public void PipedFilesAreEditedOneByOne()
    {
        CopyAsset("sample-8x8.png", "p1.png");
        CopyAsset("sample-8x8.png", "p2.png");
        ScriptResult r = Run("[IO.DirectoryInfo]::new($Temp).GetFiles('p*.png') | Edit-OpenAIImage 'one by one'");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal(2, Fake.ApiRequests.Count);
        Assert.All(Fake.ApiRequests, q => Assert.Single(q.Files("image")));
        Assert.Equal(new[] { "p1.png", "p2.png" }, Fake.ApiRequests.Select(q => q.Files("image")[0].FileName).OrderBy(n => n));
        Assert.Equal(2, r.Images.Count);
    }

    [Fact]
    public void ContentTypeComesFromTheSignatureNotTheExtension()
    {
        CopyAsset("sample-8x8.jpg", "lies.png");
        ScriptResult r = Run("Edit-OpenAIImage 'x' -LiteralPath lies.png");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        var part = Assert.Single(Assert.Single(Fake.ApiRequests).Files("image"));
        Assert.Equal("lies.png", part.FileName);
        Assert.Equal("image/jpeg", part.ContentType);
    }

    [Fact]
    public void NonAsciiAndBracketFileNamesArriveIntact()
    {
        CopyAsset("sample-8x8.png", "café ☕ [1].png");
        ScriptResult r = Run("Edit-OpenAIImage 'x' -LiteralPath 'café ☕ [1].png'");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        var part = Assert.Single(Assert.Single(Fake.ApiRequests).Files("image"));
        Assert.Equal("café ☕ [1].png", part.FileName);
        string raw = Encoding.UTF8.GetString(Fake.ApiRequests[0].Body);
        Assert.Contains("filename=\"café ☕ [1].png\"", raw);
        Assert.DoesNotContain("filename*", raw);
        Assert.DoesNotContain("=?utf-8?", raw);
    }

    [Fact]
    public void MaskIsSentAsItsOwnPart()
    {
        CopyAsset("sample-8x8.png", "img.png");
        string mask = CopyAsset("sample-8x8-rgba.png", "mask.png");
        ScriptResult r = Run("Edit-OpenAIImage 'fill' -Path img.png -Mask mask.png");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        var part = Assert.Single(Assert.Single(Fake.ApiRequests).Files("mask"));
        Assert.Equal("mask.png", part.FileName);
        Assert.Equal("image/png", part.ContentType);
        Assert.Equal(File.ReadAllBytes(mask), part.Data);
    }

    [Fact]
    public void MissingFileIsANonTerminatingErrorAndNothingIsSent()
    {
        ScriptResult r = Run("Edit-OpenAIImage 'x' -Path nope.png; 'after'");
        var error = Assert.Single(r.Errors);
        Assert.StartsWith("OpenAI.PathNotFound,", error.FullyQualifiedErrorId);
        Assert.Equal("nope.png", error.TargetObject);
        Assert.Equal("after", Assert.Single(r.Output).BaseObject);
        Assert.Empty(Fake.ApiRequests);
    }

    [Fact]
    public void OutputDirectoryGetsDistinctNamesForSeveralImages()
    {
        CopyAsset("sample-8x8.png", "src.png");
        ScriptResult r = Run("Edit-OpenAIImage 'x' -Path src.png -Count 3 -OutputDirectory out");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        string[] files = Directory.GetFiles(Path.Combine(Temp, "out"));
        Assert.Equal(3, files.Length);
        Assert.All(files, f => Assert.Matches(@"^\d{8}-\d{6}-src-edit-[123]\.png$", Path.GetFileName(f)));
        Assert.Equal(files.OrderBy(f => f), r.Images.Select(i => (string)i.File.FullName).OrderBy(f => f));
    }
}
