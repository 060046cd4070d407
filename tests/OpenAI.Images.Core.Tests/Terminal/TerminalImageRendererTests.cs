using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using OpenAI.Images.Imaging;
using OpenAI.Images.Terminal;

namespace OpenAI.Images.Core.Tests.Terminal;

public class TerminalImageRendererTests
{
    private const string Esc = "\u001b";

    // ---- kitty ---------------------------------------------------------------------------------------------------

    [Fact]
    public void KittySendsASmallPngInOneChunk()
    {
        byte[] png = TestAssets.Bytes("sample-8x8.png"); // 90 bytes -> 120 base64 characters
        TerminalImage image = Render(png, TerminalGraphicsProtocol.Kitty, new TerminalImageOptions { Columns = 4, KittyImageId = 7 });
        Assert.Equal($"{Esc}_Ga=T,f=100,t=d,c=4,r=2,i=7,q=2,m=0;{Convert.ToBase64String(png)}{Esc}\\\n", image.Text);
        Assert.Equal((4, 2, TerminalGraphicsProtocol.Kitty), (image.Columns, image.Rows, image.Protocol));
    }

    [Fact]
    public void KittyLeavesOutTheIdWhenThereIsNone()
    {
        byte[] png = TestAssets.Bytes("sample-16x8.png");
        TerminalImage image = Render(png, TerminalGraphicsProtocol.Kitty, new TerminalImageOptions { Columns = 10 });
        Assert.StartsWith($"{Esc}_Ga=T,f=100,t=d,c=10,r=3,q=2,m=0;", image.Text); // 16x8 at 100 px wide = 50 px = 2.5 rows, rounded
        Assert.DoesNotContain(",i=", image.Text);
    }

    [Theory]
    [InlineData(3072, 1)]     // exactly 4096 base64 characters: one chunk
    [InlineData(3073, 2)]     // 4100: 4096 + 4
    [InlineData(12289, 5)]    // 16388: four full chunks and 4 characters
    public void KittyChunksAt4096Base64Characters(int fileBytes, int chunks)
    {
        byte[] png = PaddedPng(fileBytes);
        TerminalImage image = Render(png, TerminalGraphicsProtocol.Kitty, new TerminalImageOptions { Columns = 20, KittyImageId = 42 });
        var matches = Regex.Matches(image.Text, $"{Esc}_G([^;]*);([A-Za-z0-9+/=]*){Esc}\\\\");
        Assert.Equal(chunks, matches.Count);
        Assert.Equal("a=T,f=100,t=d,c=20,r=5,i=42,q=2," + (chunks == 1 ? "m=0" : "m=1"), matches[0].Groups[1].Value);
        for (int i = 1; i < chunks; i++)
        {
            Assert.Equal(i == chunks - 1 ? "q=2,m=0" : "q=2,m=1", matches[i].Groups[1].Value);
        }

        for (int i = 0; i < chunks - 1; i++)
        {
            Assert.Equal(4096, matches[i].Groups[2].Length);
        }

        Assert.Equal(png, Convert.FromBase64String(string.Concat(matches.Select(m => m.Groups[2].Value))));
        Assert.Equal(string.Concat(matches.Select(m => m.Value)) + "\n", image.Text); // nothing else in between
    }

    [Theory]
    [InlineData("sample-8x8.jpg")]
    [InlineData("sample-8x8.webp")]
    [InlineData("sample-8x8.gif")]
    public void KittyNeedsAPng(string name)
    {
        var e = Assert.Throws<TerminalImageException>(() => Render(TestAssets.Bytes(name), TerminalGraphicsProtocol.Kitty, new TerminalImageOptions { Name = name }));
        Assert.Equal(TerminalImageError.NeedsPng, e.Reason);
        Assert.Contains(name, e.Message);
        Assert.Contains("-OutputFormat png", e.Message);
        Assert.Contains("Invoke-Item", e.Message);
    }

    [Fact]
    public void KittyChecksThePngBeforeSendingIt()
    {
        byte[] png = TestAssets.Bytes("sample-8x8.png");
        png[40] ^= 1; // inside IDAT: the CRC no longer matches
        Assert.Equal(TerminalImageError.CorruptData, Assert.Throws<TerminalImageException>(() => Render(png, TerminalGraphicsProtocol.Kitty, new TerminalImageOptions())).Reason);
    }

    // ---- iTerm2 --------------------------------------------------------------------------------------------------

    [Fact]
    public void ITermSendsTheFileWithItsSizeAndName()
    {
        byte[] png = TestAssets.Bytes("sample-8x8.png");
        TerminalImage image = Render(png, TerminalGraphicsProtocol.ITerm, new TerminalImageOptions { Columns = 4, Name = "cat.png" });
        Assert.Equal(
            $"{Esc}]1337;File=name=Y2F0LnBuZw==;size=90;width=4;height=2;preserveAspectRatio=1;inline=1:{Convert.ToBase64String(png)}\a\n",
            image.Text);
        Assert.Equal((4, 2, TerminalGraphicsProtocol.ITerm), (image.Columns, image.Rows, image.Protocol));
    }

    [Theory]
    [InlineData("sample-8x8.jpg")]
    [InlineData("sample-8x8.webp")]
    [InlineData("sample-8x8.gif")]
    public void ITermTakesOtherFormatsAsTheyAre(string name)
    {
        byte[] file = TestAssets.Bytes(name);
        TerminalImage image = Render(file, TerminalGraphicsProtocol.ITerm, new TerminalImageOptions { Columns = 6 });
        Assert.Equal($"{Esc}]1337;File=size={file.Length};width=6;height=3;preserveAspectRatio=1;inline=1:{Convert.ToBase64String(file)}\a\n", image.Text);
    }

    // ---- layout --------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(1024, 1024, 60, null, 10, 20, 600, 600, 60, 30)]
    [InlineData(1536, 1024, 60, null, 10, 20, 600, 400, 60, 20)]
    [InlineData(1024, 1536, 60, 20, 10, 20, 267, 400, 27, 20)]  // MaxRows: 20 rows = 400 px high, 266.7 px wide
    [InlineData(16, 8, 3, null, 7, 15, 21, 11, 3, 1)]          // 10.5 rounds up; one row
    public void SixelKeepsTheAspectRatioAndMaxRows(int w, int h, int columns, int? maxRows, int cw, int ch, int pw, int ph, int cols, int rows)
    {
        var box = TerminalImageRenderer.SixelBox(w, h, new TerminalImageOptions { Columns = columns, MaxRows = maxRows, CellWidth = cw, CellHeight = ch });
        Assert.Equal((pw, ph, cols, rows), (box.Width, box.Height, box.Columns, box.Rows));
    }

    [Fact]
    public void HugeTargetsAreCappedAtFourMegapixelsKeepingTheAspectRatio()
    {
        var sixel = TerminalImageRenderer.SixelBox(4096, 4096, new TerminalImageOptions { Columns = 4096, CellWidth = 4, CellHeight = 8 });
        Assert.Equal((2048, 2048, 512, 256), (sixel.Width, sixel.Height, sixel.Columns, sixel.Rows));
        var tall = TerminalImageRenderer.SixelBox(1000, 16000, new TerminalImageOptions { Columns = 1000, CellWidth = 16, CellHeight = 32 });
        Assert.Equal((512, 8192, 32, 256), (tall.Width, tall.Height, tall.Columns, tall.Rows)); // 16384 high (1024 wide) is still 16 MP: halved
        var blocks = TerminalImageRenderer.BlockBox(4096, 4096, new TerminalImageOptions { Columns = 4096 });
        Assert.Equal((2048, 2048, 1024), (blocks.Width, blocks.Height, blocks.Rows));
    }

    [Theory]
    [InlineData(1024, 1024, 60, null, 60, 60, 30)]
    [InlineData(1536, 1024, 60, null, 60, 40, 20)]
    [InlineData(1024, 1536, 60, 20, 27, 40, 20)]
    [InlineData(1, 1000, 3, null, 3, 3000, 1500)]
    public void BlocksAreTwoSquarePixelsPerCell(int w, int h, int columns, int? maxRows, int pw, int ph, int rows)
    {
        var box = TerminalImageRenderer.BlockBox(w, h, new TerminalImageOptions { Columns = columns, MaxRows = maxRows });
        Assert.Equal((pw, ph, pw, rows), (box.Width, box.Height, box.Columns, box.Rows));
    }

    [Theory]
    [InlineData(0, null, 10, 20)]
    [InlineData(5000, null, 10, 20)]
    [InlineData(10, 0, 10, 20)]
    [InlineData(10, null, 0, 20)]
    [InlineData(10, null, 10, 1000)]
    public void BadSizesAreRejected(int columns, int? maxRows, int cw, int ch)
    {
        var options = new TerminalImageOptions { Columns = columns, MaxRows = maxRows, CellWidth = cw, CellHeight = ch };
        Assert.Throws<ArgumentOutOfRangeException>(() => Render(TestAssets.Bytes("sample-8x8.png"), TerminalGraphicsProtocol.Blocks, options));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-5)]
    public void KittyIdsStartAtOne(int id)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => Render(TestAssets.Bytes("sample-8x8.png"), TerminalGraphicsProtocol.Kitty, new TerminalImageOptions { KittyImageId = id }));
    }

    [Fact]
    public void AutoIsNotAProtocolToRenderWith()
    {
        Assert.Throws<ArgumentException>(() => Render(TestAssets.Bytes("sample-8x8.png"), TerminalGraphicsProtocol.Auto, new TerminalImageOptions()));
    }

    // ---- what cannot be drawn ------------------------------------------------------------------------------------

    [Theory]
    [InlineData(TerminalGraphicsProtocol.Sixel)]
    [InlineData(TerminalGraphicsProtocol.Blocks)]
    [InlineData(TerminalGraphicsProtocol.Kitty)]
    [InlineData(TerminalGraphicsProtocol.ITerm)]
    public void TextIsNotAnImage(TerminalGraphicsProtocol protocol)
    {
        var e = Assert.Throws<TerminalImageException>(() => Render(TestAssets.Bytes("not-an-image.txt"), protocol, new TerminalImageOptions { Name = "notes.txt" }));
        Assert.Equal(TerminalImageError.NotAnImage, e.Reason);
        Assert.Contains("'notes.txt'", e.Message);
    }

    [Theory]
    [InlineData(TerminalGraphicsProtocol.Sixel)]
    [InlineData(TerminalGraphicsProtocol.Blocks)]
    public void JpegNeedsAPngForSixelAndBlocks(TerminalGraphicsProtocol protocol)
    {
        var e = Assert.Throws<TerminalImageException>(() => Render(TestAssets.Bytes("sample-8x8.jpg"), protocol, new TerminalImageOptions { Name = "a.jpg" }));
        Assert.Equal(TerminalImageError.NeedsPng, e.Reason);
        Assert.Contains("-OutputFormat png", e.Message);
    }

    [Theory]
    [InlineData(TerminalGraphicsProtocol.Sixel)]
    [InlineData(TerminalGraphicsProtocol.Blocks)]
    [InlineData(TerminalGraphicsProtocol.Kitty)]
    [InlineData(TerminalGraphicsProtocol.ITerm)]
    public void ATruncatedPngIsTruncatedEverywhere(TerminalGraphicsProtocol protocol)
    {
        byte[] png = TestPng.Encode(30, 20, 2, 8, false, (x, y, c) => x * y);
        var e = Assert.Throws<TerminalImageException>(() => Render(png.AsSpan(0, png.Length - 30).ToArray(), protocol, new TerminalImageOptions()));
        Assert.Equal(TerminalImageError.Truncated, e.Reason);
    }

    [Theory]
    [InlineData(TerminalGraphicsProtocol.Sixel)]
    [InlineData(TerminalGraphicsProtocol.Kitty)]
    public void AForwardOnlyStreamGivesTheSameOutputAsASeekableOne(TerminalGraphicsProtocol protocol)
    {
        // Large enough that reading it takes several chunks; read from a position past 0, as a caller may.
        byte[] png = TestPng.Encode(300, 200, 2, 8, false, (x, y, c) => (x * y) + c, compressionLevelHint: 0);
        var options = new TerminalImageOptions { Columns = 10 };
        var prefixed = new MemoryStream(new byte[] { 1, 2, 3 }.Concat(png).ToArray()) { Position = 3 };
        string seekable = TerminalImageRenderer.Render(prefixed, protocol, options, TestContext.Current.CancellationToken).Text;
        string forwardOnly = TerminalImageRenderer.Render(new OpenAI.Images.Core.Tests.Imaging.ForwardOnlyStream(new MemoryStream(png)), protocol, options, TestContext.Current.CancellationToken).Text;
        Assert.Equal(Render(png, protocol, options).Text, seekable);
        Assert.Equal(seekable, forwardOnly);
    }

    [Fact]
    public void RenderingStopsWhenCancelled()
    {
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => TerminalImageRenderer.Render(new MemoryStream(TestAssets.Bytes("sample-8x8.png")), TerminalGraphicsProtocol.Sixel, new TerminalImageOptions(), cts.Token));
    }

    // ---- blocks --------------------------------------------------------------------------------------------------

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void BlocksReadBackAsTheScaledImage(bool interlaced)
    {
        byte[] rgb = TestPng.PhotoLike(90, 70, 5);
        byte[] png = TestPng.Encode(90, 70, 6, 8, interlaced, (x, y, c) => c < 3 ? rgb[(((y * 90) + x) * 3) + c] : (x * 3) % 256);
        var options = new TerminalImageOptions { Columns = 20, Background = new TerminalColor(30, 30, 30) };
        TerminalImage image = Render(png, TerminalGraphicsProtocol.Blocks, options);

        PngDecoder decoder = PngDecoder.Open(png, null);
        var box = TerminalImageRenderer.BlockBox(90, 70, options);
        byte[] expected = TerminalImageRenderer.DecodeScaled(decoder, box.Width, box.Height, options.Background, CancellationToken.None);
        Assert.Equal((20, 8), (image.Columns, image.Rows)); // 70/90*20 = 15.6 px high -> 7.8 -> 8 rows
        Assert.Equal(expected, ParseBlocks(image.Text, box.Width, image.Rows));
        Assert.EndsWith($"{Esc}[0m\n", image.Text);
        Assert.Equal(image.Rows, image.Text.Split('\n').Length - 1);
    }

    // ---- Sixel ---------------------------------------------------------------------------------------------------

    [Fact]
    public void SixelHasTheDcsHeaderRasterAttributesPaletteAndTerminator()
    {
        byte[] png = TestPng.Encode(40, 20, 2, 8, false, (x, y, c) => x < 20 ? (c == 0 ? 255 : 0) : (c == 2 ? 255 : 0)); // red | blue
        TerminalImage image = Render(png, TerminalGraphicsProtocol.Sixel, new TerminalImageOptions { Columns = 4, CellWidth = 10, CellHeight = 20 });
        Assert.Equal((4, 1), (image.Columns, image.Rows));
        Assert.StartsWith($"{Esc}P0;1;0q\"1;1;40;20", image.Text);
        Assert.EndsWith($"{Esc}\\\n", image.Text);
        var registers = Regex.Matches(image.Text, @"#(\d+);2;(\d+);(\d+);(\d+)").ToDictionary(m => m.Groups[2].Value + ";" + m.Groups[3].Value + ";" + m.Groups[4].Value, m => m.Groups[1].Value);
        Assert.Equal(2, registers.Count);
        string red = registers["100;0;0"], blue = registers["0;0;100"];
        var colourOf = registers.ToDictionary(kv => kv.Value, kv => kv.Key);
        string header = $"{Esc}P0;1;0q\"1;1;40;20#0;2;{colourOf["0"]}#1;2;{colourOf["1"]}";

        // 20 rows = bands of 6, 6, 6 and 2. Red comes first in each band (it is met first); blue starts 20 columns in
        // ("!20?"); a full band is '~' (all six bits), the last band 'B' (two bits); trailing empty columns are left out.
        string band = $"#{red}!20~$#{blue}!20?!20~";
        string last = $"#{red}!20B$#{blue}!20?!20B";
        Assert.Equal(header + band + "-" + band + "-" + band + "-" + last + $"{Esc}\\\n", image.Text);
    }

    [Fact]
    public void SixelUsesAtMost256Colours()
    {
        byte[] rgb = new byte[64 * 64 * 3];
        new Random(1).NextBytes(rgb);
        TerminalImage image = Render(TestPng.FromRgb(rgb, 64, 64), TerminalGraphicsProtocol.Sixel, new TerminalImageOptions { Columns = 8, CellWidth = 8 });
        var registers = Regex.Matches(image.Text, @"#(\d+);2;").Select(m => int.Parse(m.Groups[1].Value)).ToArray();
        Assert.Equal(256, registers.Length);
        Assert.Equal(Enumerable.Range(0, 256), registers);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void SixelDecodesBackToTheScaledImage(bool interlaced)
    {
        string? sixel2png = FindTool("sixel2png");
        if (sixel2png is null)
        {
            const string Missing = "sixel2png (Debian package libsixel-bin) is not installed: the Sixel round trip cannot be checked";
            Assert.False(string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase), Missing + " (required under CI=true).");
            Assert.Skip(Missing + ".");
        }

        const int w = 320, h = 240;
        byte[] rgb = TestPng.PhotoLike(w, h, 11);
        byte[] png = TestPng.Encode(w, h, 6, 8, interlaced, (x, y, c) => c < 3 ? rgb[(((y * w) + x) * 3) + c] : 255 - (x / 2));
        var options = new TerminalImageOptions { Columns = 25, CellWidth = 9, CellHeight = 18, Background = new TerminalColor(20, 40, 60) };
        TerminalImage image = Render(png, TerminalGraphicsProtocol.Sixel, options);
        var box = TerminalImageRenderer.SixelBox(w, h, options);
        Assert.Equal((225, 169, 25, 10), (box.Width, box.Height, image.Columns, image.Rows));
        byte[] expected = TerminalImageRenderer.DecodeScaled(PngDecoder.Open(png, null), box.Width, box.Height, options.Background, CancellationToken.None);

        string dir = Directory.CreateTempSubdirectory("sixel-roundtrip-").FullName;
        try
        {
            string six = Path.Combine(dir, "image.six"), back = Path.Combine(dir, "back.png");
            File.WriteAllText(six, image.Text.TrimEnd('\n'), new UTF8Encoding(false));
            var start = new ProcessStartInfo(sixel2png, $"-i \"{six}\" -o \"{back}\"") { RedirectStandardError = true, UseShellExecute = false };
            using (Process process = Process.Start(start)!)
            {
                string errors = process.StandardError.ReadToEnd();
                process.WaitForExit();
                Assert.True(process.ExitCode == 0, $"sixel2png failed ({process.ExitCode}): {errors}");
            }

            byte[] decoded = PngDecoderTests.DecodeFull(File.ReadAllBytes(back), out int bw, out int bh);
            Assert.Equal((box.Width, box.Height), (bw, bh));
            long error = 0;
            for (int i = 0, p = 0; i < bw * bh; i++, p += 4)
            {
                Assert.Equal(255, decoded[p + 3]);
                for (int c = 0; c < 3; c++)
                {
                    error += Math.Abs(decoded[p + c] - expected[(i * 3) + c]);
                }
            }

            double mean = (double)error / (bw * bh * 3);
            TestContext.Current.TestOutputHelper?.WriteLine($"Sixel round trip: {bw}x{bh}, {Regex.Matches(image.Text, @"#\d+;2;").Count} colours, mean error {mean:0.00} of 255 per channel");
            Assert.True(mean < 8, $"mean error {mean:0.00} of 255 per channel");
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }

    // ---- memory --------------------------------------------------------------------------------------------------

    [Fact]
    public void MemoryIsBoundedByTheScaledImageNotTheSource()
    {
        // 4096x4096 RGBA decodes to 64 MB. Rendering it at 60 cells (600x600) may allocate the file (read whole, plus
        // the copies of reading it), the scaled image and its encodings, and a row or two: far less than the source.
        byte[] png = TestPng.Encode(4096, 4096, 6, 8, false, (x, y, c) => c == 3 ? 255 : ((x >> 4) ^ (y >> 4) ^ (c * 85)) & 0xFF, idatChunkSize: 1 << 16, onlyFilter: 0, compressionLevelHint: 0);
        var options = new TerminalImageOptions { Columns = 60 };
        Render(TestAssets.Bytes("sample-8x8.png"), TerminalGraphicsProtocol.Sixel, options); // warm up statics
        long before = GC.GetAllocatedBytesForCurrentThread();
        TerminalImage image = Render(png, TerminalGraphicsProtocol.Sixel, options);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        long budget = (4L * png.Length) + (16L * 1024 * 1024) + (4L * image.Text.Length);
        Assert.True(allocated < budget, $"allocated {allocated / 1048576.0:0.0} MB for a {png.Length / 1048576.0:0.0} MB file (budget {budget / 1048576.0:0.0} MB; the decoded source is 64 MB)");
        Assert.True(budget < 48L * 1024 * 1024, $"the test's budget {budget / 1048576.0:0.0} MB must stay below the 64 MB source to mean anything");
    }

    // ---- helpers -------------------------------------------------------------------------------------------------

    internal static TerminalImage Render(byte[] file, TerminalGraphicsProtocol protocol, TerminalImageOptions options) =>
        TerminalImageRenderer.Render(new MemoryStream(file, false), protocol, options, TestContext.Current.CancellationToken);

    /// <summary>Reads half-block text back into an RGB image: the foreground of each cell is the upper pixel, the background the lower.</summary>
    private static byte[] ParseBlocks(string text, int width, int rows)
    {
        var rgb = new byte[width * rows * 2 * 3];
        int fg = -1, bg = -1, x = 0, row = 0;
        var sgr = new Regex(@"\G\u001b\[(38|48);2;(\d+);(\d+);(\d+)m");
        for (int i = 0; i < text.Length;)
        {
            Match m = sgr.Match(text, i);
            if (m.Success)
            {
                int colour = (int.Parse(m.Groups[2].Value) << 16) | (int.Parse(m.Groups[3].Value) << 8) | int.Parse(m.Groups[4].Value);
                if (m.Groups[1].Value == "38")
                {
                    fg = colour;
                }
                else
                {
                    bg = colour;
                }

                i += m.Length;
            }
            else if (string.CompareOrdinal(text, i, "\u001b[0m\n", 0, 5) == 0)
            {
                Assert.Equal(width, x);
                fg = bg = -1; // reset: the next line must set both colours again
                x = 0;
                row++;
                i += 5;
            }
            else
            {
                Assert.Equal('\u2580', text[i]);
                Assert.True(fg >= 0 && bg >= 0, "a block drawn without both colours set since the last reset");
                Put(rgb, ((row * 2 * width) + x) * 3, fg);
                Put(rgb, ((((row * 2) + 1) * width) + x) * 3, bg);
                x++;
                i++;
            }
        }

        Assert.Equal(rows, row);
        return rgb;
    }

    private static void Put(byte[] rgb, int offset, int colour)
    {
        rgb[offset] = (byte)(colour >> 16);
        rgb[offset + 1] = (byte)(colour >> 8);
        rgb[offset + 2] = (byte)colour;
    }

    /// <summary>A valid 40x20 PNG padded with a private ancillary chunk to exactly <paramref name="bytes"/> bytes.</summary>
    private static byte[] PaddedPng(int bytes)
    {
        byte[] core = TestPng.Encode(40, 20, 0, 8, false, (x, y, c) => x + y);
        int padding = bytes - core.Length - 12;
        Assert.True(padding >= 0);
        var chunks = new List<(string, byte[])>();
        int position = 8;
        while (position < core.Length)
        {
            int length = (core[position] << 24) | (core[position + 1] << 16) | (core[position + 2] << 8) | core[position + 3];
            string type = Encoding.ASCII.GetString(core, position + 4, 4);
            chunks.Add((type, core.AsSpan(position + 8, length).ToArray()));
            if (type == "IHDR")
            {
                chunks.Add(("prIv", new byte[padding]));
            }

            position += 12 + length;
        }

        byte[] png = TestPng.Assemble(chunks);
        Assert.Equal(bytes, png.Length);
        return png;
    }

    private static string? FindTool(string name)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator))
        {
            if (dir.Length > 0 && File.Exists(Path.Combine(dir, name)))
            {
                return Path.Combine(dir, name);
            }
        }

        return null;
    }
}
