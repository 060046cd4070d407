using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.IO.Compression;
using System.Linq;
using System.Threading;
using OpenAI.Images.Imaging;
using OpenAI.Images.Terminal;

namespace OpenAI.Images.Core.Tests.Terminal;

public class PngDecoderTests
{
    /// <summary>Every valid colour type / bit depth pair of the PNG specification.</summary>
    public static TheoryData<int, int, bool> EveryFormat()
    {
        var data = new TheoryData<int, int, bool>();
        foreach (bool interlaced in new[] { false, true })
        {
            foreach (int depth in new[] { 1, 2, 4, 8, 16 })
            {
                data.Add(0, depth, interlaced);
            }

            foreach (int depth in new[] { 1, 2, 4, 8 })
            {
                data.Add(3, depth, interlaced);
            }

            foreach (int colourType in new[] { 2, 4, 6 })
            {
                data.Add(colourType, 8, interlaced);
                data.Add(colourType, 16, interlaced);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(EveryFormat))]
    public void DecodesEveryColourTypeBitDepthAndInterlace(int colourType, int bitDepth, bool interlaced)
    {
        // 13x11: odd sizes, so Adam7's passes are partial and sub-byte rows end mid-byte.
        const int width = 13, height = 11;
        int max = (1 << bitDepth) - 1;
        int paletteSize = colourType == 3 ? Math.Min(max + 1, 200) : 0;
        Func<int, int, int, int> sample = (x, y, c) => colourType == 3
            ? ((x * 7) + (y * 3)) % paletteSize
            : (int)((((long)x * 977) + (y * 131) + (c * 4099) + (x * y * 17)) % (max + 1));
        byte[]? palette = null, trns = null;
        if (colourType == 3)
        {
            palette = new byte[paletteSize * 3];
            for (int i = 0; i < palette.Length; i++)
            {
                palette[i] = (byte)((i * 37) + 11);
            }

            trns = new byte[Math.Min(paletteSize, 5)]; // alpha for the first entries only; the rest are opaque
            for (int i = 0; i < trns.Length; i++)
            {
                trns[i] = (byte)(i * 60);
            }
        }

        byte[] png = TestPng.Encode(width, height, colourType, bitDepth, interlaced, sample, palette, trns, idatChunkSize: 17);
        byte[] decoded = DecodeFull(png);

        // The .NET Framework path (zlib header checked by hand, then DeflateStream) must read the same pixels.
        var framework = new Capture(width, height);
        PngDecoder.Open(png, null).Decode(framework, TestContext.Current.CancellationToken, rawDeflate: true);
        Assert.Equal(decoded, framework.Pixels);
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                byte[] expected = ExpectedRgba(colourType, bitDepth, palette, trns, c => sample(x, y, c));
                int p = ((y * width) + x) * 4;
                Assert.True(
                    expected[0] == decoded[p] && expected[1] == decoded[p + 1] && expected[2] == decoded[p + 2] && expected[3] == decoded[p + 3],
                    $"pixel ({x},{y}): expected {string.Join(",", expected)}, got {decoded[p]},{decoded[p + 1]},{decoded[p + 2]},{decoded[p + 3]}");
            }
        }
    }

    [Theory]
    [MemberData(nameof(EveryFormat))]
    public void ImageMagickReadsTheTestEncodersFilesTheSameWay(int colourType, int bitDepth, bool interlaced)
    {
        // The test encoder and the decoder were written together; an independent decoder keeps them honest.
        string? convert = new[] { "/usr/bin/convert", "/usr/local/bin/convert" }.FirstOrDefault(File.Exists);
        if (convert is null)
        {
            Assert.Skip("ImageMagick's convert is not installed: the test PNGs are not cross-checked.");
        }

        const int width = 13, height = 11;
        int max = (1 << bitDepth) - 1;
        int paletteSize = Math.Min(max + 1, 200);
        byte[]? palette = colourType == 3 ? Enumerable.Range(0, paletteSize * 3).Select(i => (byte)((i * 53) + 7)).ToArray() : null;
        byte[]? trns = colourType == 3 ? new byte[] { 0, 100, 200 } : null;
        byte[] png = TestPng.Encode(width, height, colourType, bitDepth, interlaced, (x, y, c) => (int)((((long)x * 613) + (y * 97) + (c * 3001)) % (colourType == 3 ? paletteSize : max + 1)), palette, trns);
        string file = Path.Combine(Path.GetTempPath(), $"pngdecoder-{Guid.NewGuid():N}.png");
        try
        {
            File.WriteAllBytes(file, png);
            var start = new ProcessStartInfo(convert, $"\"png:{file}\" -depth 8 rgba:-") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using Process process = Process.Start(start)!;
            var output = new MemoryStream();
            process.StandardOutput.BaseStream.CopyTo(output);
            string errors = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, errors);
            byte[] reference = output.ToArray();
            byte[] decoded = DecodeFull(png);
            Assert.Equal(reference.Length, decoded.Length);
            for (int i = 0; i < decoded.Length; i++)
            {
                Assert.True(Math.Abs(reference[i] - decoded[i]) <= 1, $"byte {i} (pixel {i / 4}): ImageMagick {reference[i]}, decoder {decoded[i]}");
            }
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Theory]
    [InlineData(0, 1, 0)]
    [InlineData(0, 4, 9)]
    [InlineData(0, 8, 200)]
    [InlineData(0, 16, 40000)]
    public void GreyColourKeyMakesExactlyThatGreyTransparent(int colourType, int bitDepth, int key)
    {
        int max = (1 << bitDepth) - 1;
        Func<int, int, int, int> sample = (x, y, c) =>
        {
            int other = (key + 1 + x) % (max + 1);
            return x == 2 ? key : other == key ? (key + 1) % (max + 1) : other;
        };
        byte[] png = TestPng.Encode(6, 1, colourType, bitDepth, false, sample, trns: new[] { (byte)(key >> 8), (byte)key });
        byte[] decoded = DecodeFull(png);
        for (int x = 0; x < 6; x++)
        {
            Assert.Equal(x == 2 ? 0 : 255, decoded[(x * 4) + 3]);
        }
    }

    [Theory]
    [InlineData(8)]
    [InlineData(16)]
    public void RgbColourKeyComparesAllThreeSamplesAtFullDepth(int bitDepth)
    {
        // At 16 bits the key differs from the second pixel only in the low byte of blue: still opaque.
        int[][] pixels = bitDepth == 8
            ? new[] { new[] { 10, 20, 30 }, new[] { 10, 20, 31 }, new[] { 10, 21, 30 } }
            : new[] { new[] { 1000, 2000, 3000 }, new[] { 1000, 2000, 3001 }, new[] { 1001, 2000, 3000 } };
        int[] key = pixels[0];
        var trns = new byte[6];
        for (int i = 0; i < 3; i++)
        {
            trns[i * 2] = (byte)(key[i] >> 8);
            trns[(i * 2) + 1] = (byte)key[i];
        }

        byte[] decoded = DecodeFull(TestPng.Encode(3, 1, 2, bitDepth, false, (x, y, c) => pixels[x][c], trns: trns));
        Assert.Equal(new byte[] { 0, 255, 255 }, new[] { decoded[3], decoded[7], decoded[11] });
    }

    [Theory]
    [InlineData("sample-8x8.png")]
    [InlineData("sample-8x8-rgba.png")]
    [InlineData("sample-8x8-palette-trns.png")]
    [InlineData("sample-16x8.png")]
    public void DecodesTheRealFilesMadeByImageMagick(string name)
    {
        // Made by another encoder (tests/assets/README.md): checks the CRC and inflater paths against real files.
        byte[] decoded = DecodeFull(TestAssets.Bytes(name), out int width, out int height);
        Assert.Equal(name == "sample-16x8.png" ? 16 : 8, width);
        Assert.Equal(8, height);
        if (name.Contains("rgba") || name.Contains("palette"))
        {
            // Columns 0-3 opaque red, 4-7 fully transparent.
            for (int y = 0; y < 8; y++)
            {
                for (int x = 0; x < 8; x++)
                {
                    int p = ((y * 8) + x) * 4;
                    Assert.Equal(x < 4 ? 255 : 0, decoded[p + 3]);
                    if (x < 4)
                    {
                        Assert.Equal(new byte[] { 255, 0, 0 }, decoded.AsSpan(p, 3).ToArray());
                    }
                }
            }
        }
        else if (name == "sample-8x8.png")
        {
            // gradient:red-blue runs from red at the top to blue at the bottom.
            Assert.True(decoded[0] > 240 && decoded[2] < 16, "top row should be red");
            Assert.True(decoded[(7 * 32) + 2] > 240 && decoded[7 * 32] < 16, "bottom row should be blue");
        }
    }

    [Fact]
    public void ABadCrcIsCorruptDataNamingTheChunk()
    {
        byte[] png = Sample();
        png[png.Length - 20] ^= 0x40; // inside the last IDAT's data
        var e = Assert.Throws<TerminalImageException>(() => PngDecoder.Open(png, "x.png"));
        Assert.Equal(TerminalImageError.CorruptData, e.Reason);
        Assert.Contains("'x.png'", e.Message);
        Assert.Contains("IDAT", e.Message);
    }

    [Fact]
    public void EveryTruncationIsTruncated()
    {
        byte[] png = Sample();
        for (int length = 8; length < png.Length; length += 7)
        {
            var e = Assert.Throws<TerminalImageException>(() => PngDecoder.Open(png.AsSpan(0, length).ToArray(), null));
            Assert.Equal(TerminalImageError.Truncated, e.Reason);
        }

        Assert.Equal(TerminalImageError.Truncated, Assert.Throws<TerminalImageException>(() => PngDecoder.Open(png.AsSpan(0, png.Length - 1).ToArray(), null)).Reason);
    }

    [Theory]
    [InlineData(new byte[0])]
    [InlineData(new byte[] { 0x89, (byte)'P', (byte)'N' })]
    [InlineData(new byte[] { 0xFF, 0xD8, 0xFF, 0xE0, 0, 0, 0, 0, 0, 0 })]
    public void NotAPngIsNotAnImage(byte[] data)
    {
        Assert.Equal(TerminalImageError.NotAnImage, Assert.Throws<TerminalImageException>(() => PngDecoder.Open(data, null)).Reason);
    }

    [Theory]
    [InlineData(16385, 1)]
    [InlineData(1, 16385)]
    [InlineData(100000, 100000)]
    public void DimensionsOver16384AreTooLarge(int width, int height)
    {
        byte[] png = WithHeader(width, height);
        var e = Assert.Throws<TerminalImageException>(() => PngDecoder.Open(png, "big.png"));
        Assert.Equal(TerminalImageError.TooLarge, e.Reason);
        Assert.Contains($"{width}x{height}", e.Message);
    }

    [Fact]
    public void Exactly16384IsAllowed()
    {
        PngDecoder decoder = PngDecoder.Open(WithHeader(16384, 1), null);
        Assert.Equal(16384, decoder.Width);
    }

    [Theory]
    [InlineData(0, 5)]   // grey at depth 5
    [InlineData(2, 4)]   // RGB at depth 4
    [InlineData(3, 16)]  // palette at depth 16
    [InlineData(7, 8)]   // no such colour type
    public void InvalidHeadersAreCorruptData(int colourType, int bitDepth)
    {
        var ihdr = new byte[13];
        ihdr[3] = 4;
        ihdr[7] = 4;
        ihdr[8] = (byte)bitDepth;
        ihdr[9] = (byte)colourType;
        byte[] png = TestPng.Assemble(new[] { ("IHDR", ihdr), ("IDAT", new byte[] { 0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01 }), ("IEND", Array.Empty<byte>()) });
        Assert.Equal(TerminalImageError.CorruptData, Assert.Throws<TerminalImageException>(() => PngDecoder.Open(png, null)).Reason);
    }

    [Fact]
    public void GarbageImageDataIsCorruptData()
    {
        var ihdr = HeaderBytes(4, 4, 8, 2);
        byte[] png = TestPng.Assemble(new[] { ("IHDR", ihdr), ("IDAT", new byte[] { 0x12, 0x34, 0x56, 0x78, 0x9A, 0xBC, 0xDE, 0xF0, 0x11, 0x22 }), ("IEND", Array.Empty<byte>()) });
        PngDecoder decoder = PngDecoder.Open(png, null); // the chunks are well formed ...
        var e = Assert.Throws<TerminalImageException>(() => decoder.Decode(new Capture(4, 4), CancellationToken.None)); // ... the zlib data is not
        Assert.Equal(TerminalImageError.CorruptData, e.Reason);
        var framework = Assert.Throws<TerminalImageException>(() => PngDecoder.Open(png, null).Decode(new Capture(4, 4), CancellationToken.None, rawDeflate: true));
        Assert.Equal(TerminalImageError.CorruptData, framework.Reason);
        Assert.Contains("zlib header", framework.Message);

        // A valid zlib header over data that is not deflate: DeflateStream's own error, as CorruptData.
        byte[] badDeflate = TestPng.Assemble(new[] { ("IHDR", ihdr), ("IDAT", new byte[] { 0x78, 0x9C, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF }), ("IEND", Array.Empty<byte>()) });
        Assert.Equal(TerminalImageError.CorruptData, Assert.Throws<TerminalImageException>(() => PngDecoder.Open(badDeflate, null).Decode(new Capture(4, 4), CancellationToken.None, rawDeflate: true)).Reason);
        Assert.Equal(TerminalImageError.CorruptData, Assert.Throws<TerminalImageException>(() => PngDecoder.Open(badDeflate, null).Decode(new Capture(4, 4), CancellationToken.None)).Reason);
    }

    [Fact]
    public void AnUnknownFilterTypeIsCorruptData()
    {
        byte[] raw = { 0, 1, 2, 3, 4, 5, 6, 5, 1, 2, 3, 4, 5, 6 }; // 2x2 RGB: row 0 filter 0, row 1 filter 5
        byte[] png = TestPng.Assemble(new[] { ("IHDR", HeaderBytes(2, 2, 8, 2)), ("IDAT", Zlib(raw)), ("IEND", Array.Empty<byte>()) });
        var e = Assert.Throws<TerminalImageException>(() => PngDecoder.Open(png, null).Decode(new Capture(2, 2), CancellationToken.None));
        Assert.Equal(TerminalImageError.CorruptData, e.Reason);
        Assert.Contains("filter type 5", e.Message);
    }

    [Fact]
    public void ImageDataThatEndsEarlyIsCorruptData()
    {
        byte[] raw = { 0, 1, 2, 3, 4, 5, 6 }; // only the first of two rows
        byte[] png = TestPng.Assemble(new[] { ("IHDR", HeaderBytes(2, 2, 8, 2)), ("IDAT", Zlib(raw)), ("IEND", Array.Empty<byte>()) });
        var e = Assert.Throws<TerminalImageException>(() => PngDecoder.Open(png, null).Decode(new Capture(2, 2), CancellationToken.None));
        Assert.Equal(TerminalImageError.CorruptData, e.Reason);
    }

    [Fact]
    public void APaletteIndexPastThePaletteIsCorruptData()
    {
        byte[] png = TestPng.Encode(2, 1, 3, 8, false, (x, y, c) => x * 3, palette: new byte[] { 1, 2, 3, 4, 5, 6 });
        Assert.Equal(TerminalImageError.CorruptData, Assert.Throws<TerminalImageException>(() => DecodeFull(png)).Reason);
    }

    [Fact]
    public void ATrnsLongerThanThePaletteIsIgnoredAsLibpngDoes()
    {
        byte[] palette = { 10, 20, 30, 40, 50, 60 };
        byte[] valid = DecodeFull(TestPng.Encode(2, 1, 3, 8, false, (x, y, c) => x, palette, trns: new byte[] { 0, 128 }));
        byte[] invalid = DecodeFull(TestPng.Encode(2, 1, 3, 8, false, (x, y, c) => x, palette, trns: new byte[] { 0, 128, 7 }));
        Assert.Equal(new byte[] { 10, 20, 30, 0, 40, 50, 60, 128 }, valid);
        Assert.Equal(new byte[] { 10, 20, 30, 255, 40, 50, 60, 255 }, invalid);
    }

    [Fact]
    public void APaletteImageWithoutAPaletteIsCorruptData()
    {
        byte[] png = TestPng.Encode(2, 1, 3, 8, false, (x, y, c) => 0);
        Assert.Equal(TerminalImageError.CorruptData, Assert.Throws<TerminalImageException>(() => PngDecoder.Open(png, null)).Reason);
    }

    [Fact]
    public void DecodingStopsWhenCancelled()
    {
        byte[] png = TestPng.Encode(64, 64, 2, 8, false, (x, y, c) => x ^ y);
        using var cts = new CancellationTokenSource();
        cts.Cancel();
        Assert.Throws<OperationCanceledException>(() => PngDecoder.Open(png, null).Decode(new Capture(64, 64), cts.Token));
    }

    [Fact]
    public void PngTransparencyStillRejectsAnUnknownFilter()
    {
        // PngTransparency shares the unfilter code; a bad filter now means "cannot tell" there instead of guessing.
        byte[] raw = { 7, 0, 0 }; // 1x1 grey+alpha, filter 7
        byte[] png = TestPng.Assemble(new[] { ("IHDR", HeaderBytes(1, 1, 8, 4)), ("IDAT", Zlib(raw)), ("IEND", Array.Empty<byte>()) });
        Assert.Null(PngTransparency.HasTransparentPixel(new MemoryStream(png)));
    }

    internal static byte[] DecodeFull(byte[] png) => DecodeFull(png, out _, out _);

    internal static byte[] DecodeFull(byte[] png, out int width, out int height)
    {
        PngDecoder decoder = PngDecoder.Open(png, null);
        width = decoder.Width;
        height = decoder.Height;
        var capture = new Capture(width, height);
        decoder.Decode(capture, CancellationToken.None);
        Assert.Equal(width * height, capture.Delivered);
        return capture.Pixels;
    }

    /// <summary>What a correct decoder must produce for one pixel, computed straight from the PNG specification.</summary>
    private static byte[] ExpectedRgba(int colourType, int bitDepth, byte[]? palette, byte[]? trns, Func<int, int> sample)
    {
        int max = (1 << bitDepth) - 1;
        byte Scale(int v) => (byte)Math.Round(v * 255.0 / max, MidpointRounding.AwayFromZero);
        switch (colourType)
        {
            case 0:
            {
                byte g = bitDepth == 16 ? Scale(sample(0)) : (byte)(sample(0) * 255 / max);
                return new byte[] { g, g, g, 255 };
            }

            case 2:
                return new byte[] { Scale(sample(0)), Scale(sample(1)), Scale(sample(2)), 255 };
            case 3:
            {
                int i = sample(0);
                return new byte[] { palette![i * 3], palette[(i * 3) + 1], palette[(i * 3) + 2], i < trns!.Length ? trns[i] : (byte)255 };
            }

            case 4:
            {
                byte g = Scale(sample(0));
                return new byte[] { g, g, g, Scale(sample(1)) };
            }

            default:
                return new byte[] { Scale(sample(0)), Scale(sample(1)), Scale(sample(2)), Scale(sample(3)) };
        }
    }

    private static byte[] Sample() => TestPng.Encode(40, 30, 6, 8, false, (x, y, c) => (x * 31) + (y * 7) + c, idatChunkSize: 100);

    private static byte[] HeaderBytes(int width, int height, int bitDepth, int colourType)
    {
        var ihdr = new byte[13];
        ihdr[0] = (byte)(width >> 24);
        ihdr[1] = (byte)(width >> 16);
        ihdr[2] = (byte)(width >> 8);
        ihdr[3] = (byte)width;
        ihdr[4] = (byte)(height >> 24);
        ihdr[5] = (byte)(height >> 16);
        ihdr[6] = (byte)(height >> 8);
        ihdr[7] = (byte)height;
        ihdr[8] = (byte)bitDepth;
        ihdr[9] = (byte)colourType;
        return ihdr;
    }

    private static byte[] WithHeader(int width, int height) =>
        TestPng.Assemble(new[] { ("IHDR", HeaderBytes(width, height, 8, 0)), ("IDAT", Zlib(new byte[] { 0 })), ("IEND", Array.Empty<byte>()) });

    private static byte[] Zlib(byte[] raw)
    {
        var output = new MemoryStream();
        using (var z = new ZLibStream(output, CompressionLevel.Optimal, leaveOpen: true))
        {
            z.Write(raw);
        }

        return output.ToArray();
    }

    /// <summary>Collects every delivered pixel into a full RGBA image, and checks none arrives twice.</summary>
    internal sealed class Capture : IPixelRowSink
    {
        private readonly int _width;
        private readonly bool[] _seen;

        public Capture(int width, int height)
        {
            _width = width;
            Pixels = new byte[width * height * 4];
            _seen = new bool[width * height];
        }

        public byte[] Pixels { get; }

        public int Delivered { get; private set; }

        public void AddRow(int y, byte[] rgba, int xStart, int xStep, int count)
        {
            for (int i = 0; i < count; i++)
            {
                int index = (y * _width) + xStart + (i * xStep);
                Assert.False(_seen[index], $"pixel {index} delivered twice");
                _seen[index] = true;
                Delivered++;
                Buffer.BlockCopy(rgba, i * 4, Pixels, index * 4, 4);
            }
        }
    }
}
