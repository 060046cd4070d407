using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace OpenAI.Images.Core.Tests.Terminal;

/// <summary>
/// A deliberately plain PNG encoder for the decoder tests (and the benchmark): every colour type and bit depth, Adam7,
/// all five filter types (cycled row by row), and the image data split over several IDAT chunks. It shares nothing
/// with the module, not even the CRC. The bench and the hosted terminal tests link this file too.
/// </summary>
internal static class TestPng
{
    private static readonly int[] StartX = { 0, 4, 0, 2, 0, 1, 0 };
    private static readonly int[] StartY = { 0, 0, 4, 0, 2, 0, 1 };
    private static readonly int[] StepX = { 8, 8, 4, 4, 2, 2, 1 };
    private static readonly int[] StepY = { 8, 8, 8, 4, 4, 2, 2 };
    private static readonly uint[] CrcTable = MakeCrcTable();

    /// <summary>Samples per pixel of a colour type.</summary>
    public static int Channels(int colourType) => colourType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, 6 => 4, _ => throw new ArgumentOutOfRangeException(nameof(colourType)) };

    /// <summary>
    /// Encodes an image whose samples (at the image's bit depth) come from <paramref name="sample"/>(x, y, channel).
    /// </summary>
    public static byte[] Encode(int width, int height, int colourType, int bitDepth, bool interlaced, Func<int, int, int, int> sample,
        byte[]? palette = null, byte[]? trns = null, int idatChunkSize = 997, int? onlyFilter = null, int? compressionLevelHint = null)
    {
        int channels = Channels(colourType);
        var raw = new MemoryStream();
        if (interlaced)
        {
            for (int pass = 0; pass < 7; pass++)
            {
                var xs = new List<int>();
                for (int x = StartX[pass]; x < width; x += StepX[pass])
                {
                    xs.Add(x);
                }

                var ys = new List<int>();
                for (int y = StartY[pass]; y < height; y += StepY[pass])
                {
                    ys.Add(y);
                }

                if (xs.Count > 0 && ys.Count > 0)
                {
                    WriteRows(raw, xs, ys, channels, bitDepth, sample, onlyFilter);
                }
            }
        }
        else
        {
            var xs = new List<int>();
            for (int x = 0; x < width; x++)
            {
                xs.Add(x);
            }

            var ys = new List<int>();
            for (int y = 0; y < height; y++)
            {
                ys.Add(y);
            }

            WriteRows(raw, xs, ys, channels, bitDepth, sample, onlyFilter);
        }

        var compressed = new MemoryStream();
        using (var z = new ZLibStream(compressed, compressionLevelHint == 0 ? CompressionLevel.Fastest : CompressionLevel.Optimal, leaveOpen: true))
        {
            raw.Position = 0;
            raw.CopyTo(z);
        }

        var chunks = new List<(string, byte[])> { ("IHDR", Header(width, height, colourType, bitDepth, interlaced)) };
        if (palette is not null)
        {
            chunks.Add(("PLTE", palette));
        }

        if (trns is not null)
        {
            chunks.Add(("tRNS", trns));
        }

        byte[] data = compressed.ToArray();
        for (int offset = 0; offset < data.Length; offset += idatChunkSize)
        {
            chunks.Add(("IDAT", data.AsSpan(offset, Math.Min(idatChunkSize, data.Length - offset)).ToArray()));
        }

        chunks.Add(("IEND", Array.Empty<byte>()));
        return Assemble(chunks);
    }

    /// <summary>The 13 bytes of an IHDR chunk.</summary>
    public static byte[] Header(int width, int height, int colourType, int bitDepth, bool interlaced = false)
    {
        var ihdr = new byte[13];
        WriteBE(ihdr, 0, (uint)width);
        WriteBE(ihdr, 4, (uint)height);
        ihdr[8] = (byte)bitDepth;
        ihdr[9] = (byte)colourType;
        ihdr[12] = interlaced ? (byte)1 : (byte)0;
        return ihdr;
    }

    /// <summary>A PNG file from chunks: the signature, then each chunk with its length and CRC.</summary>
    public static byte[] Assemble(IEnumerable<(string Type, byte[] Data)> chunks)
    {
        var png = new MemoryStream();
        png.Write(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A });
        foreach ((string type, byte[] data) in chunks)
        {
            var chunk = new byte[12 + data.Length];
            WriteBE(chunk, 0, (uint)data.Length);
            Encoding.ASCII.GetBytes(type, 0, 4, chunk, 4);
            data.CopyTo(chunk, 8);
            WriteBE(chunk, 8 + data.Length, Crc(chunk, 4, 4 + data.Length));
            png.Write(chunk);
        }

        return png.ToArray();
    }

    /// <summary>An 8-bit RGB image (no alpha) from a 3-bytes-a-pixel buffer, in IDAT chunks of 8 KB (libpng's default).</summary>
    public static byte[] FromRgb(byte[] rgb, int width, int height) =>
        Encode(width, height, 2, 8, false, (x, y, c) => rgb[(((y * width) + x) * 3) + c], idatChunkSize: 8192);

    /// <summary>A photo-like test picture: smooth colour gradients, a soft disc, and a little noise, RGB 3 bytes a pixel.</summary>
    public static byte[] PhotoLike(int width, int height, int seed)
    {
        var random = new Random(seed);
        var rgb = new byte[width * height * 3];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                double u = (double)x / width, v = (double)y / height;
                double dx = u - 0.6, dy = v - 0.4;
                double disc = Math.Exp(-((dx * dx) + (dy * dy)) * 12);
                int p = ((y * width) + x) * 3;
                rgb[p] = Clamp((40 + (180 * u) + (30 * disc)) + random.Next(-6, 7));
                rgb[p + 1] = Clamp((60 + (120 * v) + (60 * disc)) + random.Next(-6, 7));
                rgb[p + 2] = Clamp((200 - (150 * u * v) - (40 * disc)) + random.Next(-6, 7));
            }
        }

        return rgb;
    }

    private static byte Clamp(double value) => (byte)Math.Max(0, Math.Min(255, Math.Round(value)));

    private static void WriteRows(Stream raw, List<int> xs, List<int> ys, int channels, int bitDepth, Func<int, int, int, int> sample, int? onlyFilter)
    {
        int rowBytes = ((xs.Count * channels * bitDepth) + 7) / 8;
        int bpp = Math.Max(1, channels * bitDepth / 8);
        var previous = new byte[rowBytes];
        for (int r = 0; r < ys.Count; r++)
        {
            var row = new byte[rowBytes];
            int bit = 0;
            foreach (int x in xs)
            {
                for (int c = 0; c < channels; c++)
                {
                    int value = sample(x, ys[r], c);
                    if (bitDepth == 16)
                    {
                        row[bit / 8] = (byte)(value >> 8);
                        row[(bit / 8) + 1] = (byte)value;
                    }
                    else if (bitDepth == 8)
                    {
                        row[bit / 8] = (byte)value;
                    }
                    else
                    {
                        row[bit / 8] |= (byte)(value << (8 - bitDepth - (bit % 8)));
                    }

                    bit += bitDepth;
                }
            }

            int filter = onlyFilter ?? ((ys[r] + xs.Count) % 5);
            raw.WriteByte((byte)filter);
            for (int i = 0; i < rowBytes; i++)
            {
                int a = i >= bpp ? row[i - bpp] : 0, b = previous[i], c = i >= bpp ? previous[i - bpp] : 0;
                int predictor = filter switch
                {
                    0 => 0,
                    1 => a,
                    2 => b,
                    3 => (a + b) / 2,
                    _ => Paeth(a, b, c),
                };
                raw.WriteByte((byte)(row[i] - predictor));
            }

            previous = row;
        }
    }

    private static int Paeth(int a, int b, int c)
    {
        int p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        if (pa <= pb && pa <= pc)
        {
            return a;
        }

        return pb <= pc ? b : c;
    }

    private static uint Crc(byte[] bytes, int offset, int count)
    {
        uint c = 0xFFFFFFFFu;
        for (int i = offset; i < offset + count; i++)
        {
            c = CrcTable[(c ^ bytes[i]) & 0xFF] ^ (c >> 8);
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

    private static void WriteBE(byte[] b, int offset, uint value)
    {
        b[offset] = (byte)(value >> 24);
        b[offset + 1] = (byte)(value >> 16);
        b[offset + 2] = (byte)(value >> 8);
        b[offset + 3] = (byte)value;
    }
}
