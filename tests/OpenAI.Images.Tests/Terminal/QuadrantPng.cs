using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace OpenAI.Images.Tests.Terminal;

/// <summary>
/// Writes small 8-bit RGB (or RGBA) PNG files for the terminal tests, independently of the module's decoder: the expected
/// colours of a test are the ones it painted here.
/// </summary>
public static class QuadrantPng
{
    private static readonly uint[] CrcTable = MakeCrcTable();

    /// <summary>A PNG of <paramref name="width"/>x<paramref name="height"/> whose pixel (x, y) is <paramref name="pixel"/>(x, y).</summary>
    public static byte[] Create(int width, int height, Func<int, int, (byte R, byte G, byte B)> pixel) =>
        Encode(width, height, alpha: false, (x, y) =>
        {
            (byte r, byte g, byte b) = pixel(x, y);
            return (r, g, b, (byte)255);
        });

    /// <summary>An RGBA PNG (colour type 6) of <paramref name="width"/>x<paramref name="height"/> whose pixel (x, y) is <paramref name="pixel"/>(x, y).</summary>
    public static byte[] CreateWithAlpha(int width, int height, Func<int, int, (byte R, byte G, byte B, byte A)> pixel) =>
        Encode(width, height, alpha: true, pixel);

    private static byte[] Encode(int width, int height, bool alpha, Func<int, int, (byte R, byte G, byte B, byte A)> pixel)
    {
        int channels = alpha ? 4 : 3;
        using var raw = new MemoryStream();
        using (var zlib = new ZLibStream(raw, CompressionLevel.Fastest, leaveOpen: true))
        {
            var row = new byte[1 + width * channels];
            for (int y = 0; y < height; y++)
            {
                row[0] = 0; // filter: none
                for (int x = 0; x < width; x++)
                {
                    (byte r, byte g, byte b, byte a) = pixel(x, y);
                    int i = 1 + x * channels;
                    row[i] = r;
                    row[i + 1] = g;
                    row[i + 2] = b;
                    if (alpha)
                    {
                        row[i + 3] = a;
                    }
                }

                zlib.Write(row, 0, row.Length);
            }
        }

        return Assemble(width, height, raw.ToArray(), alpha ? (byte)6 : (byte)2);
    }

    private static byte[] Assemble(int width, int height, byte[] idat, byte colourType = 2)
    {
        using var png = new MemoryStream();
        png.Write(new byte[] { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A });
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(0), width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = 8; // bit depth
        header[9] = colourType; // 2: RGB, 6: RGBA
        Chunk(png, "IHDR", header);
        Chunk(png, "IDAT", idat);
        Chunk(png, "IEND", Array.Empty<byte>());
        return png.ToArray();
    }

    /// <summary>
    /// A well-formed PNG (right CRCs) whose header declares <paramref name="width"/>x<paramref name="height"/> but whose
    /// image data is one empty row: for the size checks, which come before any pixel is read.
    /// </summary>
    public static byte[] Declaring(int width, int height)
    {
        using var raw = new MemoryStream();
        using (var zlib = new ZLibStream(raw, CompressionLevel.Fastest, leaveOpen: true))
        {
            zlib.WriteByte(0);
        }

        return Assemble(width, height, raw.ToArray());
    }

    /// <summary>
    /// Four solid quadrants, easy to tell apart on a screen: red top left, green top right, blue bottom left,
    /// yellow bottom right.
    /// </summary>
    public static byte[] Quadrants(int width, int height) =>
        Create(width, height, (x, y) => QuadrantColour(x * 2 / width, y * 2 / height));

    /// <summary>The colour of quadrant (column 0-1, row 0-1) of <see cref="Quadrants"/>.</summary>
    public static (byte R, byte G, byte B) QuadrantColour(int column, int row) => (column, row) switch
    {
        (0, 0) => (255, 0, 0),
        (1, 0) => (0, 255, 0),
        (0, 1) => (0, 0, 255),
        _ => (255, 255, 0),
    };

    private static void Chunk(Stream png, string type, byte[] data)
    {
        var length = new byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        png.Write(length);
        byte[] typeAndData = new byte[4 + data.Length];
        Encoding.ASCII.GetBytes(type, 0, 4, typeAndData, 0);
        data.CopyTo(typeAndData, 4);
        png.Write(typeAndData);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc(typeAndData));
        png.Write(crc);
    }

    private static uint Crc(byte[] bytes)
    {
        uint c = 0xFFFFFFFFu;
        foreach (byte b in bytes)
        {
            c = CrcTable[(c ^ b) & 0xFF] ^ (c >> 8);
        }

        return c ^ 0xFFFFFFFFu;
    }

    private static uint[] MakeCrcTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            uint c = n;
            for (int k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320u ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}
