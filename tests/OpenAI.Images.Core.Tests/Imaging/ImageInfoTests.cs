using System;
using System.IO;
using System.Linq;
using OpenAI.Images.Imaging;

namespace OpenAI.Images.Core.Tests.Imaging;

public class ImageInfoTests
{
    // Facts checked with `identify -verbose`, a PNG chunk dump and `webpinfo` when the assets were made
    // (see tests/assets/README.md).
    [Theory]
    [InlineData("sample-8x8.png", ImageFormat.Png, 8, 8, false, "image/png", ".png")]
    [InlineData("sample-8x8-rgba.png", ImageFormat.Png, 8, 8, true, "image/png", ".png")]
    [InlineData("sample-8x8-palette-trns.png", ImageFormat.Png, 8, 8, true, "image/png", ".png")]
    [InlineData("sample-16x8.png", ImageFormat.Png, 16, 8, false, "image/png", ".png")]
    [InlineData("sample-8x8.jpg", ImageFormat.Jpeg, 8, 8, false, "image/jpeg", ".jpg")]
    [InlineData("sample-8x8-progressive.jpg", ImageFormat.Jpeg, 8, 8, false, "image/jpeg", ".jpg")]
    [InlineData("sample-8x8.webp", ImageFormat.Webp, 8, 8, false, "image/webp", ".webp")]
    [InlineData("sample-8x8-lossless-alpha.webp", ImageFormat.Webp, 8, 8, true, "image/webp", ".webp")]
    [InlineData("sample-8x8-vp8x-alpha.webp", ImageFormat.Webp, 8, 8, true, "image/webp", ".webp")]
    [InlineData("sample-8x8.gif", ImageFormat.Gif, 8, 8, false, "image/gif", ".gif")]
    public void ReadsEveryAsset(string name, ImageFormat format, int width, int height, bool alpha, string mediaType, string extension)
    {
        ImageInfo? info = ImageInfo.TryReadFile(TestAssets.Path(name));

        Assert.NotNull(info);
        Assert.Equal(format, info.Format);
        Assert.Equal(width, info.Width);
        Assert.Equal(height, info.Height);
        Assert.Equal(alpha, info.HasAlpha);
        Assert.Equal(mediaType, info.MediaType);
        Assert.Equal(extension, info.Extension);
        Assert.Equal(mediaType, ImageInfo.GetMediaType(format));
        Assert.Equal(extension, ImageInfo.GetExtension(format));
    }

    [Theory]
    [InlineData("sample-8x8.png", ImageFormat.Png)]
    [InlineData("sample-8x8.jpg", ImageFormat.Jpeg)]
    [InlineData("sample-8x8-progressive.jpg", ImageFormat.Jpeg)]
    [InlineData("sample-8x8.webp", ImageFormat.Webp)]
    [InlineData("sample-8x8-lossless-alpha.webp", ImageFormat.Webp)]
    [InlineData("sample-8x8-vp8x-alpha.webp", ImageFormat.Webp)]
    [InlineData("sample-8x8.gif", ImageFormat.Gif)]
    [InlineData("not-an-image.txt", ImageFormat.Unknown)]
    public void DetectFormatUsesOnlyTheFirstBytes(string name, ImageFormat expected)
    {
        byte[] bytes = TestAssets.Bytes(name);
        byte[] header = new byte[16];
        Array.Copy(bytes, header, 16);

        Assert.Equal(expected, ImageInfo.DetectFormat(header, 16));
        Assert.Equal(expected, ImageInfo.DetectFormat(header, ImageInfo.MaxSignatureLength));
        Assert.Equal(ImageFormat.Unknown, ImageInfo.DetectFormat(header, 2));
        Assert.Equal(ImageFormat.Unknown, ImageInfo.DetectFormat(header, 0));
    }

    [Fact]
    public void DetectFormatValidatesArguments()
    {
        Assert.Throws<ArgumentNullException>(() => ImageInfo.DetectFormat(null!, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageInfo.DetectFormat(new byte[4], 5));
        Assert.Throws<ArgumentOutOfRangeException>(() => ImageInfo.DetectFormat(new byte[4], -1));
    }

    [Fact]
    public void UnknownFormatHasNoMediaTypeOrExtension()
    {
        Assert.Null(ImageInfo.GetMediaType(ImageFormat.Unknown));
        Assert.Null(ImageInfo.GetExtension(ImageFormat.Unknown));
    }

    [Fact]
    public void TextFileIsNotAnImage()
    {
        Assert.Null(ImageInfo.TryReadFile(TestAssets.Path("not-an-image.txt")));
    }

    [Fact]
    public void MissingFileThrows()
    {
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "no-such-image-" + Guid.NewGuid().ToString("N") + ".png");
        Assert.ThrowsAny<IOException>(() => ImageInfo.TryReadFile(path));
    }

    [Theory]
    [InlineData("sample-8x8.png", ".jpg", ImageFormat.Png)]
    [InlineData("sample-8x8.jpg", ".png", ImageFormat.Jpeg)]
    [InlineData("sample-8x8-vp8x-alpha.webp", ".png", ImageFormat.Webp)]
    [InlineData("sample-8x8.gif", "", ImageFormat.Gif)]
    public void WrongExtensionIsDetectedByContent(string name, string extension, ImageFormat expected)
    {
        string path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "renamed-" + Guid.NewGuid().ToString("N") + extension);
        File.Copy(TestAssets.Path(name), path);
        try
        {
            ImageInfo? info = ImageInfo.TryReadFile(path);
            Assert.NotNull(info);
            Assert.Equal(expected, info.Format);
            Assert.Equal(8, info.Width);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void ReadsFromTheStreamsCurrentPosition()
    {
        byte[] image = TestAssets.Bytes("sample-8x8-palette-trns.png");
        byte[] data = new byte[100].Concat(image).ToArray();
        using var stream = new MemoryStream(data);
        stream.Position = 100;

        ImageInfo? info = ImageInfo.TryRead(stream);

        Assert.NotNull(info);
        Assert.True(info.HasAlpha);
    }

    [Theory]
    [InlineData("sample-8x8.png")]
    [InlineData("sample-8x8-palette-trns.png")]
    [InlineData("sample-8x8.jpg")]
    [InlineData("sample-8x8-progressive.jpg")]
    [InlineData("sample-8x8.webp")]
    [InlineData("sample-8x8-lossless-alpha.webp")]
    [InlineData("sample-8x8-vp8x-alpha.webp")]
    [InlineData("sample-8x8.gif")]
    public void NonSeekableStreamGivesTheSameAnswer(string name)
    {
        byte[] bytes = TestAssets.Bytes(name);
        ImageInfo? expected = ImageInfo.TryRead(new MemoryStream(bytes));
        ImageInfo? actual = ImageInfo.TryRead(new ForwardOnlyStream(new MemoryStream(bytes)));

        Assert.NotNull(expected);
        Assert.NotNull(actual);
        Assert.Equal(expected.ToString(), actual.ToString());
    }

    // The shortest prefix that still holds every header the reader needs: for PNG through the first IDAT chunk
    // header, for JPEG through the SOFn fields, for WebP through the bitstream header (VP8X: the image chunk's
    // header), for GIF through the first image descriptor. Offsets are from chunk / marker dumps of the assets.
    [Theory]
    [InlineData("sample-8x8.png", 41)]
    [InlineData("sample-8x8-rgba.png", 41)]
    [InlineData("sample-8x8-palette-trns.png", 72)]
    [InlineData("sample-16x8.png", 41)]
    [InlineData("sample-8x8.jpg", 168)]
    [InlineData("sample-8x8-progressive.jpg", 168)]
    [InlineData("sample-8x8.webp", 30)]
    [InlineData("sample-8x8-lossless-alpha.webp", 25)]
    [InlineData("sample-8x8-vp8x-alpha.webp", 58)]
    [InlineData("sample-8x8.gif", 55)]
    public void TruncatedDataIsNullAndNeverThrows(string name, int needed)
    {
        byte[] bytes = TestAssets.Bytes(name);
        ImageInfo? full = ImageInfo.TryRead(new MemoryStream(bytes));
        Assert.NotNull(full);

        for (int length = 0; length <= bytes.Length; length++)
        {
            byte[] prefix = bytes.Take(length).ToArray();
            ImageInfo? seekable = ImageInfo.TryRead(new MemoryStream(prefix));
            ImageInfo? forwardOnly = ImageInfo.TryRead(new ForwardOnlyStream(new MemoryStream(prefix)));
            if (length < needed)
            {
                Assert.True(seekable is null, $"{length} bytes of {name} should not be enough");
                Assert.Null(forwardOnly);
            }
            else
            {
                Assert.NotNull(seekable);
                Assert.NotNull(forwardOnly);
                Assert.Equal(full.ToString(), seekable.ToString());
                Assert.Equal(full.ToString(), forwardOnly.ToString());
            }
        }
    }

    [Fact]
    public void GarbageIsNullAndNeverThrows()
    {
        var random = new Random(1234);
        string[] names = { "sample-8x8.png", "sample-8x8.jpg", "sample-8x8.webp", "sample-8x8-lossless-alpha.webp", "sample-8x8-vp8x-alpha.webp", "sample-8x8.gif" };
        for (int i = 0; i < 2000; i++)
        {
            byte[] data = new byte[random.Next(0, 300)];
            random.NextBytes(data);
            Assert.Null(ImageInfo.TryRead(new MemoryStream(data)));

            // Keep a real signature and corrupt bytes after it: may or may not parse, but must not throw.
            byte[] original = TestAssets.Bytes(names[i % names.Length]);
            byte[] corrupt = (byte[])original.Clone();
            int flips = random.Next(1, 8);
            for (int f = 0; f < flips; f++)
            {
                corrupt[random.Next(12, corrupt.Length)] = (byte)random.Next(256);
            }

            ImageInfo? info = ImageInfo.TryRead(new MemoryStream(corrupt));
            if (info is not null)
            {
                Assert.True(info.Width > 0 && info.Height > 0);
            }

            ImageInfo.TryRead(new ForwardOnlyStream(new MemoryStream(corrupt)));
        }
    }

    [Fact]
    public void EmptyStreamIsNull()
    {
        Assert.Null(ImageInfo.TryRead(new MemoryStream()));
    }

    [Fact]
    public void TryReadValidatesArguments()
    {
        Assert.Throws<ArgumentNullException>(() => ImageInfo.TryRead(null!));
        Assert.Throws<ArgumentNullException>(() => ImageInfo.TryReadFile(null!));
    }

    // ---- PNG ----

    [Fact]
    public void PngWhoseFirstChunkIsNotIhdrIsNull()
    {
        byte[] bytes = TestAssets.Bytes("sample-8x8.png");
        bytes[12] = (byte)'X'; // "IHDR" -> "XHDR"
        Assert.Null(ImageInfo.TryRead(new MemoryStream(bytes)));
    }

    [Fact]
    public void PngWithZeroWidthIsNull()
    {
        byte[] bytes = TestAssets.Bytes("sample-8x8.png");
        bytes[19] = 0; // width 8 -> 0
        Assert.Null(ImageInfo.TryRead(new MemoryStream(bytes)));
    }

    [Fact]
    public void PngWithInvalidColourTypeIsNull()
    {
        byte[] bytes = TestAssets.Bytes("sample-8x8.png");
        bytes[25] = 5;
        Assert.Null(ImageInfo.TryRead(new MemoryStream(bytes)));
    }

    [Fact]
    public void TrnsOnlyCountsBeforeIdat()
    {
        byte[] png = TestAssets.Bytes("sample-8x8.png"); // RGB, chunks IHDR IDAT IEND
        byte[] trns = Chunk("tRNS", new byte[] { 0, 0, 0, 0, 0, 0 });
        byte[] before = png.Take(33).Concat(trns).Concat(png.Skip(33)).ToArray();
        byte[] after = png.Take(png.Length - 12).Concat(trns).Concat(png.Skip(png.Length - 12)).ToArray();

        Assert.True(ImageInfo.TryRead(new MemoryStream(before))!.HasAlpha);
        Assert.False(ImageInfo.TryRead(new MemoryStream(after))!.HasAlpha);
    }

    [Fact]
    public void PngWalksOverLargeAncillaryChunksWithoutReadingThem()
    {
        byte[] png = TestAssets.Bytes("sample-8x8.png");
        byte[] big = Chunk("iTXt", new byte[200_000]);
        byte[] data = png.Take(33).Concat(big).Concat(png.Skip(33)).ToArray();
        var counting = new CountingStream(new MemoryStream(data));

        ImageInfo? info = ImageInfo.TryRead(counting);

        Assert.NotNull(info);
        Assert.Equal(8, info.Width);
        Assert.True(counting.BytesRead < 4096, $"read {counting.BytesRead} bytes");
    }

    [Fact]
    public void PngEndingBeforeImageDataIsNull()
    {
        byte[] png = TestAssets.Bytes("sample-8x8.png");
        byte[] noIdat = png.Take(33).Concat(Chunk("IEND", Array.Empty<byte>())).ToArray();
        Assert.Null(ImageInfo.TryRead(new MemoryStream(noIdat)));
    }

    [Fact]
    public void PngWithHugeChunkLengthIsNull()
    {
        byte[] png = TestAssets.Bytes("sample-8x8.png");
        byte[] data = png.Take(33).Concat(new byte[] { 0xFF, 0xFF, 0xFF, 0xF0, (byte)'t', (byte)'E', (byte)'X', (byte)'t' }).Concat(png.Skip(33)).ToArray();
        Assert.Null(ImageInfo.TryRead(new MemoryStream(data)));
        Assert.Null(ImageInfo.TryRead(new ForwardOnlyStream(new MemoryStream(data))));
    }

    // ---- JPEG ----

    [Fact]
    public void JpegWithLargeAppSegmentsBeforeSofIsReadWithSeeks()
    {
        byte[] jpeg = TestAssets.Bytes("sample-8x8.jpg");
        byte[] app1 = AppSegment(0xE1, 65533); // the largest a segment can be
        byte[] app2 = AppSegment(0xE2, 65533);
        byte[] com = AppSegment(0xFE, 1000);
        byte[] data = jpeg.Take(2).Concat(app1).Concat(app2).Concat(com).Concat(jpeg.Skip(2)).ToArray();
        var counting = new CountingStream(new MemoryStream(data));

        ImageInfo? info = ImageInfo.TryRead(counting);

        Assert.NotNull(info);
        Assert.Equal(ImageFormat.Jpeg, info.Format);
        Assert.Equal(8, info.Width);
        Assert.Equal(8, info.Height);
        Assert.True(counting.BytesRead < 4096, $"read {counting.BytesRead} bytes of {data.Length}");

        ImageInfo? forwardOnly = ImageInfo.TryRead(new ForwardOnlyStream(new MemoryStream(data)));
        Assert.NotNull(forwardOnly);
        Assert.Equal(8, forwardOnly.Width);
    }

    [Fact]
    public void JpegToleratesFillBytesBeforeMarkers()
    {
        byte[] jpeg = TestAssets.Bytes("sample-8x8.jpg");
        // Put 0xFF fill bytes before the APP0 marker and before the SOF0 marker (at offset 158).
        byte[] fill = { 0xFF, 0xFF, 0xFF };
        byte[] data = jpeg.Take(2).Concat(fill).Concat(jpeg.Skip(2).Take(156)).Concat(fill).Concat(jpeg.Skip(158)).ToArray();

        ImageInfo? info = ImageInfo.TryRead(new MemoryStream(data));

        Assert.NotNull(info);
        Assert.Equal(8, info.Width);
    }

    [Fact]
    public void JpegSkipsDhtAndReadsDimensionsFromTheRightSof()
    {
        // SOI, DHT (0xC4, looks like SOF4 but is not a frame header), SOF1 with height 300 and width 500.
        byte[] data =
        {
            0xFF, 0xD8,
            0xFF, 0xC4, 0x00, 0x08, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
            0xFF, 0xC8, 0x00, 0x04, 0x07, 0x07, // JPG, reserved: skipped by length
            0xFF, 0xCC, 0x00, 0x04, 0x08, 0x08, // DAC: skipped by length
            0xFF, 0xC1, 0x00, 0x0B, 0x08, 0x01, 0x2C, 0x01, 0xF4, 0x01, 0x01, 0x11, 0x00,
        };

        ImageInfo? info = ImageInfo.TryRead(new MemoryStream(data));

        Assert.NotNull(info);
        Assert.Equal(500, info.Width);
        Assert.Equal(300, info.Height);
        Assert.False(info.HasAlpha);
    }

    [Fact]
    public void JpegScanBeforeFrameHeaderIsNull()
    {
        byte[] data = { 0xFF, 0xD8, 0xFF, 0xDA, 0x00, 0x08, 1, 2, 3, 4, 5, 6, 0xFF, 0xD9 };
        Assert.Null(ImageInfo.TryRead(new MemoryStream(data)));
    }

    [Fact]
    public void JpegWithBadSegmentLengthIsNull()
    {
        byte[] data = { 0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x01, 0xFF, 0xC0, 0x00, 0x0B, 8, 0, 8, 0, 8, 1 };
        Assert.Null(ImageInfo.TryRead(new MemoryStream(data)));
    }

    // ---- WebP ----

    [Fact]
    public void Vp8XWithoutAlphaFlagButWithAlphChunkHasAlpha()
    {
        byte[] bytes = TestAssets.Bytes("sample-8x8-vp8x-alpha.webp");
        bytes[20] &= unchecked((byte)~0x10); // clear the VP8X alpha flag; the ALPH chunk remains
        Assert.True(ImageInfo.TryRead(new MemoryStream(bytes))!.HasAlpha);

        bytes[30] = (byte)'Z'; // rename ALPH to ZLPH: an unknown chunk, skipped
        ImageInfo? info = ImageInfo.TryRead(new MemoryStream(bytes));
        Assert.NotNull(info);
        Assert.False(info.HasAlpha);
    }

    [Fact]
    public void Vp8LAlphaBitIsHonoured()
    {
        byte[] bytes = TestAssets.Bytes("sample-8x8-lossless-alpha.webp");
        bytes[24] &= unchecked((byte)~0x10); // bit 28 of the VP8L header word
        ImageInfo? info = ImageInfo.TryRead(new MemoryStream(bytes));
        Assert.NotNull(info);
        Assert.False(info.HasAlpha);
        Assert.Equal(8, info.Width);
    }

    [Fact]
    public void WebpWithBadSignaturesIsNull()
    {
        byte[] lossy = TestAssets.Bytes("sample-8x8.webp");
        lossy[23] = 0x00; // start code 9D 01 2A broken
        Assert.Null(ImageInfo.TryRead(new MemoryStream(lossy)));

        byte[] lossless = TestAssets.Bytes("sample-8x8-lossless-alpha.webp");
        lossless[20] = 0x2E; // VP8L signature byte
        Assert.Null(ImageInfo.TryRead(new MemoryStream(lossless)));

        byte[] unknown = TestAssets.Bytes("sample-8x8.webp");
        unknown[15] = (byte)'Q'; // "VP8 " -> "VP8Q"
        Assert.Null(ImageInfo.TryRead(new MemoryStream(unknown)));
    }

    [Fact]
    public void WebpLargeDimensionsAreDecoded()
    {
        // VP8X canvas 5000 x 3000 (stored minus one, 24-bit little-endian), followed by a VP8L image chunk header.
        byte[] data =
        {
            (byte)'R', (byte)'I', (byte)'F', (byte)'F', 0, 0, 0, 0, (byte)'W', (byte)'E', (byte)'B', (byte)'P',
            (byte)'V', (byte)'P', (byte)'8', (byte)'X', 10, 0, 0, 0,
            0x00, 0, 0, 0, 0x87, 0x13, 0x00, 0xB7, 0x0B, 0x00,
            (byte)'V', (byte)'P', (byte)'8', (byte)'L', 5, 0, 0, 0, 0x2F, 0, 0, 0, 0,
        };

        ImageInfo? info = ImageInfo.TryRead(new MemoryStream(data));

        Assert.NotNull(info);
        Assert.Equal(5000, info.Width);
        Assert.Equal(3000, info.Height);
        Assert.False(info.HasAlpha);
    }

    // ---- GIF ----

    [Fact]
    public void GifTransparencyFlagMeansAlpha()
    {
        byte[] bytes = TestAssets.Bytes("sample-8x8.gif");
        // Header (13) + global colour table (8 entries x 3 = 24) = 37: the graphic control extension 21 F9 04 <packed>.
        Assert.Equal(new byte[] { 0x21, 0xF9, 0x04 }, bytes.Skip(37).Take(3).ToArray());
        bytes[40] |= 0x01;

        ImageInfo? info = ImageInfo.TryRead(new MemoryStream(bytes));

        Assert.NotNull(info);
        Assert.True(info.HasAlpha);
    }

    [Fact]
    public void GifWithoutAnyImageIsNull()
    {
        byte[] bytes = TestAssets.Bytes("sample-8x8.gif");
        byte[] data = bytes.Take(45).Concat(new byte[] { 0x3B }).ToArray(); // trailer right after the extension
        Assert.Null(ImageInfo.TryRead(new MemoryStream(data)));
    }

    // ---- helpers ----

    private static byte[] Chunk(string type, byte[] data)
    {
        byte[] chunk = new byte[12 + data.Length];
        chunk[0] = (byte)(data.Length >> 24);
        chunk[1] = (byte)(data.Length >> 16);
        chunk[2] = (byte)(data.Length >> 8);
        chunk[3] = (byte)data.Length;
        for (int i = 0; i < 4; i++)
        {
            chunk[4 + i] = (byte)type[i];
        }

        Array.Copy(data, 0, chunk, 8, data.Length);
        return chunk; // CRC left zero: the reader does not check it
    }

    private static byte[] AppSegment(byte marker, int payload)
    {
        int length = payload + 2;
        byte[] segment = new byte[2 + length];
        segment[0] = 0xFF;
        segment[1] = marker;
        segment[2] = (byte)(length >> 8);
        segment[3] = (byte)length;
        for (int i = 4; i < segment.Length; i++)
        {
            segment[i] = 0xFF; // worst case: a body full of bytes that look like marker prefixes
        }

        return segment;
    }
}
