using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;
using OpenAI.Images.Tests.Terminal;

namespace OpenAI.Images.Tests;

/// <summary>
/// Show-OpenAIImage in the engine: binding, -PassThru, errors, and what reaches the host's screen. A
/// <see cref="RecordingHost"/> stands for a host with a VT-capable UI (what an editor's console is); the engine's
/// default host has no UI at all (a hosted runspace).
/// </summary>
public sealed class ShowOpenAIImageTests : EngineTest
{
    private const string Esc = "\u001b";

    public ShowOpenAIImageTests(FakeApiFixture fixture) : base(fixture)
    {
    }

    /// <summary>How many kitty images (first chunks) the text holds.</summary>
    private static int KittyImages(string screen) => Regex.Matches(screen, Esc + @"_Ga=T,").Count;

    [Fact]
    public void WithoutAUserInterfaceWarnsOnceDrawsNothingAndPassesTheImagesOn()
    {
        ScriptResult r = Run("New-OpenAIImage 'two' -Count 2 | Show-OpenAIImage -PassThru | Save-OpenAIImage -Path pic.png");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        string warning = Assert.Single(r.Warnings);
        Assert.Contains("no user interface", warning);
        Assert.Contains("Invoke-Item", warning);
        Assert.Equal(new[] { "pic-1.png", "pic-2.png" }, r.Objects<FileInfo>().Select(f => f.Name));
        Assert.DoesNotContain(r.Output, o => o.ToString().Contains(Esc));

        // Without -PassThru nothing at all reaches the pipeline; files too, and bad files are not even read.
        File.WriteAllText(Path.Combine(Temp, "bad.png"), "not a png");
        ScriptResult quiet = Run("New-OpenAIImage 'q' | Show-OpenAIImage; Show-OpenAIImage -Path bad.png -Protocol Sixel");
        Assert.True(!quiet.AllErrors.Any(), quiet.Describe());
        Assert.Empty(quiet.Output);
        Assert.Equal(2, quiet.Warnings.Count); // one per call
    }

    [Fact]
    public void AHostWithoutVirtualTerminalSupportGetsTheWarningAndNoText()
    {
        var host = new RecordingHost(supportsVirtualTerminal: false);
        CopyAsset("sample-8x8.png");
        ScriptResult r = Run(host, "Show-OpenAIImage sample-8x8.png, sample-8x8.png -Protocol Blocks");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Contains("does not support virtual terminal", Assert.Single(r.Warnings));
        Assert.Equal(string.Empty, host.Screen);
    }

    [Fact]
    public void TakesResultsFilesAndPathsAndPassesThemOn()
    {
        var host = new RecordingHost();
        CopyAsset("sample-8x8.png");
        CopyAsset("sample-8x8-rgba.png");
        CopyAsset("sample-16x8.png", "odd[1].png");
        ScriptResult r = Run(host, """
            $mem = New-OpenAIImage 'in memory'
            $saved = New-OpenAIImage 'on disk' -OutFile disk.png
            $mem, $saved | Show-OpenAIImage -Protocol Kitty -PassThru
            Show-OpenAIImage -Path sample-8x8*.png -Protocol Kitty -PassThru
            Show-OpenAIImage -LiteralPath 'odd[1].png' -Protocol Kitty -PassThru
            Get-ChildItem -LiteralPath 'odd[1].png' | Show-OpenAIImage -Protocol Kitty -PassThru
            [IO.FileInfo](Join-Path $Temp sample-8x8.png) | Show-OpenAIImage -Protocol Kitty -PassThru
            'sample-8x8.png', 'disk.png' | Show-OpenAIImage -Protocol Kitty -PassThru
            """);
        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Empty(r.Warnings);

        // The two results come back as they went in; each file as its FileInfo.
        Assert.Equal(new[] { true, false }, r.Images.Select(i => (bool)(i.Data != null)));
        Assert.Equal(
            new[] { "sample-8x8-rgba.png", "sample-8x8.png", "odd[1].png", "odd[1].png", "sample-8x8.png", "sample-8x8.png", "disk.png" },
            r.Objects<FileInfo>().Select(f => f.Name));
        Assert.All(r.Output.Where(o => o.BaseObject is FileInfo), o => Assert.NotNull(o.Properties["PSPath"]));

        // Nine images drawn, each once, and nothing else on the screen.
        Assert.Equal(9, KittyImages(host.Screen));
        Assert.Equal(9, host.Writes.Count);
        byte[] sample = File.ReadAllBytes(ModuleHost.Asset("sample-8x8.png"));
        Assert.Contains(Convert.ToBase64String(sample), host.Screen);
        Assert.Contains(Convert.ToBase64String(File.ReadAllBytes(ModuleHost.Asset("sample-16x8.png"))), host.Screen);
    }

    [Fact]
    public void WidthDefaultsToTheWindowAtMostSixtyCells()
    {
        CopyAsset("sample-8x8.png");
        var narrow = new RecordingHost(windowWidth: 30, windowHeight: 50);
        Run(narrow, "Show-OpenAIImage sample-8x8.png -Protocol Kitty");
        Assert.Contains("c=29,r=", narrow.Screen);

        var wide = new RecordingHost(windowWidth: 200, windowHeight: 100);
        Run(wide, "Show-OpenAIImage sample-8x8.png -Protocol Kitty; Show-OpenAIImage sample-8x8.png -Protocol Kitty -Width 7");
        Assert.Contains("c=60,r=30", wide.Screen);
        Assert.Contains("c=7,r=", wide.Screen);

        // A short window limits the height (the aspect ratio kept): 8x8 pixels at 10x20-pixel cells in 12 rows.
        var low = new RecordingHost(windowWidth: 200, windowHeight: 12);
        Run(low, "Show-OpenAIImage sample-8x8.png -Protocol Kitty");
        Assert.Contains("c=20,r=10", low.Screen);

        ScriptResult bad = Run(new RecordingHost(), "Show-OpenAIImage sample-8x8.png -Width 0");
        Assert.StartsWith("ParameterArgumentValidationError,", Assert.Single(bad.AllErrors).FullyQualifiedErrorId);
    }

    [Theory]
    [InlineData("not-an-image.txt", "Blocks", "NotAnImage", ErrorCategory.InvalidData)]
    [InlineData("sample-8x8.jpg", "Blocks", "NeedsPng", ErrorCategory.InvalidArgument)]
    [InlineData("sample-8x8.webp", "Sixel", "NeedsPng", ErrorCategory.InvalidArgument)]
    [InlineData("truncated.png", "Blocks", "Truncated", ErrorCategory.InvalidData)]
    [InlineData("bad-crc.png", "Sixel", "CorruptData", ErrorCategory.InvalidData)]
    [InlineData("huge.png", "Kitty", "TooLarge", ErrorCategory.InvalidData)]
    public void BadImagesAreNonTerminatingErrorsNamingTheFile(string file, string protocol, string reason, ErrorCategory category)
    {
        byte[] png = QuadrantPng.Quadrants(32, 32);
        File.WriteAllBytes(Path.Combine(Temp, "truncated.png"), png.Take(png.Length - 20).ToArray());
        byte[] crc = (byte[])png.Clone();
        crc[^13] ^= 0x01; // the last byte of IDAT's CRC (IEND's 12 bytes follow it)
        File.WriteAllBytes(Path.Combine(Temp, "bad-crc.png"), crc);
        File.WriteAllBytes(Path.Combine(Temp, "huge.png"), QuadrantPng.Declaring(20000, 8));
        if (!File.Exists(Path.Combine(Temp, file)))
        {
            CopyAsset(file);
        }

        CopyAsset("sample-8x8.png");
        var host = new RecordingHost();
        ScriptResult r = Run(host, $"Show-OpenAIImage -Path {file}, sample-8x8.png -Protocol {protocol} -PassThru; 'after'");
        ErrorRecord error = Assert.Single(r.Errors);
        Assert.Null(r.Terminating);
        Assert.Equal($"OpenAI.ImageNotDrawable.{reason},OpenAI.Images.PowerShell.Commands.ShowOpenAIImageCommand", error.FullyQualifiedErrorId);
        Assert.Equal(category, error.CategoryInfo.Category);
        string full = Path.Combine(Temp, file);
        Assert.Equal(full, error.TargetObject);
        Assert.Contains(full, error.ToString());
        Assert.False(string.IsNullOrEmpty(error.ErrorDetails?.RecommendedAction));
        if (reason == "NeedsPng")
        {
            Assert.Contains("-OutputFormat png", error.ToString());
            Assert.Contains("Invoke-Item", error.ToString());
        }

        // The good file after it is still drawn (once), and both files are passed on.
        Assert.Equal(2, r.Objects<FileInfo>().Count);
        Assert.Equal("after", r.Output.Last().ToString());
        Assert.Single(host.Writes);
        Assert.DoesNotContain(full, host.Screen);
    }

    [Fact]
    public void ResultsWithoutDataAndMissingPathsAreErrors()
    {
        var host = new RecordingHost();
        ScriptResult r = Run(host, """
            $url = New-OpenAIImage 'u' -Model dall-e-2 -ResponseFormat url
            $url | Show-OpenAIImage -Protocol Kitty
            Show-OpenAIImage -Path missing.png, 'nothing*.png' -Protocol Kitty
            """);
        Assert.Equal(
            new[] { "OpenAI.NoImageData", "OpenAI.PathNotFound", "OpenAI.PathNotFound" },
            r.Errors.Select(e => e.FullyQualifiedErrorId.Split(',')[0]));
        Assert.Contains("Save-OpenAIImage", r.Errors[0].ToString());
        Assert.Equal("ImageResult", r.Errors[0].TargetObject?.GetType().Name);
        Assert.Equal(string.Empty, host.Screen);
    }

    [Fact]
    public void ITermTakesJpegAsItIs()
    {
        CopyAsset("sample-8x8.jpg");
        var host = new RecordingHost();
        ScriptResult r = Run(host, "Show-OpenAIImage sample-8x8.jpg -Protocol ITerm -Width 10");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.StartsWith(Esc + "]1337;File=", host.Screen);
        Assert.Contains(";width=10;", host.Screen);
        Assert.Contains(Convert.ToBase64String(File.ReadAllBytes(ModuleHost.Asset("sample-8x8.jpg"))), host.Screen);
    }

    [Fact]
    public void PartialImagesReplaceEachOtherInPlace()
    {
        var host = new RecordingHost();
        ScriptResult r = Run(host, "New-OpenAIImage 'stream me' -PartialImages 2 | Show-OpenAIImage -Protocol Kitty -Width 10");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal(3, host.Writes.Count);

        // The first partial is drawn where the cursor is; the next partial and the final image each go back up over
        // the image before (10 columns of an 8x8 image: 5 rows), clear from there down, and reuse its kitty image id.
        Assert.StartsWith(Esc + "_Ga=T,", host.Writes[0]);
        Assert.All(host.Writes.Skip(1), w => Assert.StartsWith("\r" + Esc + "[5A" + Esc + "[J" + Esc + "_Ga=T,", w));
        string[] ids = host.Writes.Select(w => Regex.Match(w, @",i=(\d+),").Groups[1].Value).ToArray();
        Assert.All(ids, id => Assert.NotEqual(string.Empty, id));
        Assert.Single(ids.Distinct());

        // With -PassThru the pipeline may print between them: each is drawn below the last.
        var passThru = new RecordingHost();
        ScriptResult p = Run(passThru, "New-OpenAIImage 'stream me' -PartialImages 2 | Show-OpenAIImage -Protocol Blocks -PassThru");
        Assert.True(!p.AllErrors.Any(), p.Describe());
        Assert.Equal(3, p.Images.Count);
        Assert.Equal(3, passThru.Writes.Count);
        Assert.DoesNotContain(passThru.Writes, w => w.Contains(Esc + "[J"));

        // A final image that did not follow a partial one gets no id and no cursor movement.
        var plain = new RecordingHost();
        Run(plain, "New-OpenAIImage 'a' -Count 2 | Show-OpenAIImage -Protocol Kitty");
        Assert.Equal(2, plain.Writes.Count);
        Assert.All(plain.Writes, w => Assert.DoesNotContain(",i=", w));
        Assert.All(plain.Writes, w => Assert.StartsWith(Esc + "_G", w));
    }

    [Fact]
    public void BlocksDrawTheImagesColours()
    {
        // 20x20 quadrants at -Width 4: scaled to 4x4 pixels, two pixels (upper, lower) per cell, so 2 rows of 4 cells
        // in which both pixels are the same quadrant's colour.
        File.WriteAllBytes(Path.Combine(Temp, "q.png"), QuadrantPng.Quadrants(20, 20));
        var host = new RecordingHost();
        ScriptResult r = Run(host, "Show-OpenAIImage q.png -Protocol Blocks -Width 4");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        string[][] cells = BlockText.Cells(host.Screen);
        Assert.Equal(2, cells.Length);
        Assert.Equal(new[] { "255;0;0/255;0;0", "255;0;0/255;0;0", "0;255;0/0;255;0", "0;255;0/0;255;0" }, cells[0]);
        Assert.Equal(new[] { "0;0;255/0;0;255", "0;0;255/0;0;255", "255;255;0/255;255;0", "255;255;0/255;255;0" }, cells[1]);
    }
}
