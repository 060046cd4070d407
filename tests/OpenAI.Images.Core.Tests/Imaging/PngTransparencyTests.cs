using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Text;
using OpenAI.Images.Imaging;

namespace OpenAI.Images.Core.Tests.Imaging;

public class PngTransparencyTests
{
    [Theory]
    [InlineData("sample-8x8-rgba.png", true)]   // columns 4-7 fully transparent (tests/assets/README.md)
    [InlineData("sample-8x8.png", false)]       // RGB, no alpha channel and no tRNS
    [InlineData("sample-16x8.png", false)]
    public void ReadsTheAssets(string name, bool expected)
    {
        Assert.Equal(expected, PngTransparency.HasTransparentPixel(TestAssets.Path(name)));
    }

    [Fact]
    public void PaletteTransparencyIsLeftToTheApi()
    {
        Assert.Null(PngTransparency.HasTransparentPixel(TestAssets.Path("sample-8x8-palette-trns.png")));
    }

    [Theory]
    [InlineData(6, 8, 0)]
    [InlineData(6, 8, 1)]
    [InlineData(6, 8, 2)]
    [InlineData(6, 8, 3)]
    [InlineData(6, 8, 4)]
    [InlineData(6, 16, 4)]
    [InlineData(4, 8, 4)]
    [InlineData(4, 16, 1)]
    public void FindsOneTransparentPixelUnderEveryFilter(int colourType, int bitDepth, int filter)
    {
        Assert.True(PngTransparency.HasTransparentPixel(new MemoryStream(Png(colourType, bitDepth, filter, transparentAt: (5, 6)))));
        Assert.False(PngTransparency.HasTransparentPixel(new MemoryStream(Png(colourType, bitDepth, filter, transparentAt: null))));
    }

    [Fact]
    public void AlmostTransparentIsNotTransparent()
    {
        // alpha 1 everywhere (and, at 16 bits, a high byte of 0 with a low byte of 1) is not "fully transparent".
        Assert.False(PngTransparency.HasTransparentPixel(new MemoryStream(Png(6, 8, 0, null, alpha: 1))));
        Assert.False(PngTransparency.HasTransparentPixel(new MemoryStream(Png(6, 16, 0, null, alpha: 1))));
    }

    [Fact]
    public void DamagedOrForeignFilesAreUnknown()
    {
        byte[] png = Png(6, 8, 0, (1, 1));
        Assert.Null(PngTransparency.HasTransparentPixel(new MemoryStream(png, 0, png.Length - 30)));
        Assert.Null(PngTransparency.HasTransparentPixel(new MemoryStream(Encoding.ASCII.GetBytes("not a png at all"))));
        Assert.Null(PngTransparency.HasTransparentPixel(TestAssets.Path("sample-8x8.jpg")));
    }

    /// <summary>An 8x8 PNG of colour type 4 or 6 with every row under one filter, opaque but for one pixel.</summary>
    private static byte[] Png(int colourType, int bitDepth, int filter, (int X, int Y)? transparentAt, int alpha = -1)
    {
        const int size = 8;
        int channels = colourType == 6 ? 4 : 2;
        int bpp = channels * bitDepth / 8;
        int stride = size * bpp;
        var raw = new byte[size][];
        for (int y = 0; y < size; y++)
        {
            raw[y] = new byte[stride];
            for (int x = 0; x < size; x++)
            {
                for (int c = 0; c < channels; c++)
                {
                    bool isAlpha = c == channels - 1;
                    int value = isAlpha ? (alpha >= 0 ? alpha : (transparentAt == (x, y) ? 0 : 255)) : (x * 31 + y * 17 + c * 50) & 0xFF;
                    int at = x * bpp + c * (bitDepth / 8);
                    if (bitDepth == 8)
                    {
                        raw[y][at] = (byte)value;
                    }
                    else
                    {
                        raw[y][at] = isAlpha && alpha >= 0 ? (byte)0 : (byte)value;
                        raw[y][at + 1] = (byte)value;
                    }
                }
            }
        }

        var filtered = new MemoryStream();
        for (int y = 0; y < size; y++)
        {
            filtered.WriteByte((byte)filter);
            for (int i = 0; i < stride; i++)
            {
                int left = i >= bpp ? raw[y][i - bpp] : 0;
                int up = y > 0 ? raw[y - 1][i] : 0;
                int upLeft = i >= bpp && y > 0 ? raw[y - 1][i - bpp] : 0;
                int predictor = filter switch
                {
                    1 => left,
                    2 => up,
                    3 => (left + up) >> 1,
                    4 => Paeth(left, up, upLeft),
                    _ => 0,
                };
                filtered.WriteByte(unchecked((byte)(raw[y][i] - predictor)));
            }
        }

        var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Optimal, leaveOpen: true))
        {
            zlib.Write(filtered.ToArray());
        }

        var png = new MemoryStream();
        png.Write(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, size);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), size);
        ihdr[8] = (byte)bitDepth;
        ihdr[9] = (byte)colourType;
        Chunk(png, "IHDR", ihdr);
        Chunk(png, "IDAT", compressed.ToArray());
        Chunk(png, "IEND", Array.Empty<byte>());
        return png.ToArray();
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }

    private static void Chunk(Stream png, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        png.Write(Encoding.ASCII.GetBytes(type));
        png.Write(data);
        png.Write(new byte[4]); // CRC: not checked by the reader
    }
}
