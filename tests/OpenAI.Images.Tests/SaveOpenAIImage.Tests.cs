using System.IO;
using System.Linq;
using OpenAI.Images.FakeApi;

namespace OpenAI.Images.Tests;

public sealed class SaveOpenAIImageTests : EngineTest
{
    public SaveOpenAIImageTests(FakeApiFixture fixture) : base(fixture)
    {
    }

    [Fact]
    public void SavesInMemoryImagesAndEmitsFiles()
    {
        ScriptResult r = Run("New-OpenAIImage 'two' -Count 2 | Save-OpenAIImage -Path pic.png");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        var files = r.Objects<FileInfo>();
        Assert.Equal(new[] { "pic-1.png", "pic-2.png" }, files.Select(f => f.Name));
        byte[] png = File.ReadAllBytes(ModuleHost.Asset("sample-8x8.png"));
        Assert.All(files, f => Assert.Equal(png, File.ReadAllBytes(f.FullName)));
        Assert.Equal(2, FilesInTemp().Length);
    }

    [Fact]
    public void DownloadsUrlResultsWithoutSendingTheKey()
    {
        ScriptResult r = Run("New-OpenAIImage 'u' -Model dall-e-2 -ResponseFormat url | Save-OpenAIImage -OutputDirectory saved");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        FileInfo file = Assert.Single(r.Objects<FileInfo>());
        Assert.Equal(Path.Combine(Temp, "saved"), file.DirectoryName);
        Assert.EndsWith(".png", file.Name);
        var download = Assert.Single(Fake.Requests, q => q.IsDownload);
        Assert.False(download.HasHeader("Authorization"));
    }

    [Fact]
    public void RefusesToOverwriteWithoutForce()
    {
        File.WriteAllText(Path.Combine(Temp, "keep.png"), "mine");
        ScriptResult r = Run("New-OpenAIImage 'k' | Save-OpenAIImage -Path keep.png");
        Assert.StartsWith("OpenAI.FileExists,", Assert.Single(r.Errors).FullyQualifiedErrorId);
        Assert.Equal("mine", File.ReadAllText(Path.Combine(Temp, "keep.png")));

        ScriptResult forced = Run("New-OpenAIImage 'k' | Save-OpenAIImage -Path keep.png -Force");
        Assert.True(!forced.AllErrors.Any(), forced.Describe());
        Assert.Equal(File.ReadAllBytes(ModuleHost.Asset("sample-8x8.png")), File.ReadAllBytes(Path.Combine(Temp, "keep.png")));
    }

    [Fact]
    public void WhatIfWritesNothing()
    {
        ScriptResult r = Run("$img = New-OpenAIImage 'w'; $img | Save-OpenAIImage -Path w.png -WhatIf");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Empty(r.Objects<FileInfo>());
        Assert.Empty(FilesInTemp());
    }

    [Fact]
    public void WhatIfDoesNotDownloadUrlResults()
    {
        ScriptResult r = Run("$img = New-OpenAIImage 'u' -Model dall-e-2 -ResponseFormat url; $img; $img | Save-OpenAIImage -OutputDirectory saved -WhatIf");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.NotNull(Assert.Single(r.Images).Url);
        Assert.DoesNotContain(Fake.Requests, q => q.IsDownload);
        Assert.Empty(r.Objects<FileInfo>());
        Assert.False(Directory.Exists(Path.Combine(Temp, "saved")));
    }
}
