using System;
using System.Collections.Generic;
using System.IO;
using System.IO.Compression;
using System.Threading;
using OpenAI.Images.IO;
using OpenAI.Images.Terminal;

namespace OpenAI.Images.Imaging
{
    /// <summary>Receives a PNG's pixels row by row as <see cref="PngDecoder"/> inflates them.</summary>
    internal interface IPixelRowSink
    {
        /// <summary>
        /// Takes <paramref name="count"/> pixels of source row <paramref name="y"/>, as straight (not premultiplied) RGBA,
        /// 4 bytes each, packed from index 0 of <paramref name="rgba"/>: the pixels at x = <paramref name="xStart"/>,
        /// <paramref name="xStart"/> + <paramref name="xStep"/>, … (an Adam7 pass delivers every 8th, 4th or 2nd pixel).
        /// The buffer is reused for the next row.
        /// </summary>
        void AddRow(int y, byte[] rgba, int xStart, int xStep, int count);
    }

    /// <summary>
    /// A PNG decoder that never holds the decoded image: it checks the file's structure and every chunk's CRC up front,
    /// then inflates the image data (with the BCL's inflater) one row at a time, unfilters it against the previous row,
    /// converts it to 8-bit RGBA and hands it to an <see cref="IPixelRowSink"/>. Every colour type (grey, RGB, palette,
    /// grey+alpha, RGBA) and bit depth (1, 2, 4, 8, 16), <c>tRNS</c> transparency and Adam7 interlacing. 16-bit samples
    /// are rounded to 8 bits (after the 16-bit <c>tRNS</c> colour-key comparison). Gamma and colour-space chunks are ignored.
    /// </summary>
    internal sealed class PngDecoder
    {
#if NET
        private const bool HasZLibStream = true;
#else
        private const bool HasZLibStream = false;
#endif

        private static readonly int[] Adam7X = { 0, 4, 0, 2, 0, 1, 0 };
        private static readonly int[] Adam7Y = { 0, 0, 4, 0, 2, 0, 1 };
        private static readonly int[] Adam7Dx = { 8, 8, 4, 4, 2, 2, 1 };
        private static readonly int[] Adam7Dy = { 8, 8, 8, 4, 4, 2, 2 };

        private readonly byte[] _png;
        private readonly List<(int Offset, int Length)> _idat;
        private readonly string? _name;
        private readonly byte[]? _palette;   // RGBA, 4 bytes an entry
        private readonly int _paletteCount;
        private readonly int[]? _colourKey;  // tRNS for grey (1 sample) or RGB (3 samples), at the image's bit depth

        private PngDecoder(byte[] png, string? name, int width, int height, int bitDepth, int colourType, bool interlaced, List<(int, int)> idat, byte[]? palette, int paletteCount, int[]? colourKey)
        {
            _png = png;
            _name = name;
            Width = width;
            Height = height;
            BitDepth = bitDepth;
            ColourType = colourType;
            Interlaced = interlaced;
            _idat = idat;
            _palette = palette;
            _paletteCount = paletteCount;
            _colourKey = colourKey;
        }

        /// <summary>The width in pixels.</summary>
        public int Width { get; }

        /// <summary>The height in pixels.</summary>
        public int Height { get; }

        /// <summary>Bits per sample (per palette index for colour type 3): 1, 2, 4, 8 or 16.</summary>
        public int BitDepth { get; }

        /// <summary>The PNG colour type: 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA.</summary>
        public int ColourType { get; }

        /// <summary>Whether the image is Adam7-interlaced.</summary>
        public bool Interlaced { get; }

        private int Channels => ColourType switch { 0 => 1, 2 => 3, 3 => 1, 4 => 2, _ => 4 };

        /// <summary>
        /// Walks the chunks of a whole PNG file: signature, IHDR first, every chunk's CRC, PLTE, tRNS, the IDAT chunks
        /// and IEND. Nothing is inflated yet.
        /// </summary>
        /// <param name="png">The whole file.</param>
        /// <param name="name">The file's name, for messages.</param>
        /// <exception cref="TerminalImageException">Not a PNG, truncated, a bad CRC or header, or a dimension over 16384.</exception>
        public static PngDecoder Open(byte[] png, string? name)
        {
            string who = TerminalImageRenderer.Describe(name);
            if (png.Length < 8 || ImageInfo.DetectFormat(png, 8) != ImageFormat.Png)
            {
                throw new TerminalImageException(TerminalImageError.NotAnImage, $"{who} is not a PNG image.");
            }

            int width = 0, height = 0, bitDepth = 0, colourType = 0;
            bool interlaced = false, sawHeader = false;
            byte[]? palette = null;
            int paletteCount = 0;
            int trnsOffset = -1, trnsLength = 0;
            var idat = new List<(int, int)>();
            int position = 8;
            while (true)
            {
                if (png.Length - position < 12)
                {
                    throw Truncated(who, "before its end marker (IEND)");
                }

                uint length = ImageInfo.ReadUInt32BE(png, position);
                if (length > int.MaxValue || length > (uint)(png.Length - position - 12))
                {
                    throw Truncated(who, "in the middle of a chunk");
                }

                int type = position + 4;
                int data = position + 8;
                int size = (int)length;
                uint expected = ImageInfo.ReadUInt32BE(png, data + size);
                if (Crc32.Compute(png, type, size + 4) != expected)
                {
                    throw new TerminalImageException(TerminalImageError.CorruptData, $"{who} is damaged: the CRC of its {ChunkName(png, type)} chunk does not match.");
                }

                position = data + size + 4;
                if (!sawHeader)
                {
                    if (!ImageInfo.IsAscii(png, type, "IHDR") || size != 13)
                    {
                        throw Corrupt(who, "its first chunk is not a valid header (IHDR)");
                    }

                    uint w = ImageInfo.ReadUInt32BE(png, data), h = ImageInfo.ReadUInt32BE(png, data + 4);
                    bitDepth = png[data + 8];
                    colourType = png[data + 9];
                    if (w == 0 || h == 0 || png[data + 10] != 0 || png[data + 11] != 0 || png[data + 12] > 1 || !ImageInfo.IsValidPngDepth(colourType, bitDepth))
                    {
                        throw Corrupt(who, $"its header (IHDR) is invalid ({w}x{h}, colour type {colourType}, bit depth {bitDepth})");
                    }

                    if (w > TerminalImageRenderer.MaxDimension || h > TerminalImageRenderer.MaxDimension)
                    {
                        throw TerminalImageRenderer.TooLarge(w, h, name);
                    }

                    width = (int)w;
                    height = (int)h;
                    interlaced = png[data + 12] == 1;
                    sawHeader = true;
                }
                else if (ImageInfo.IsAscii(png, type, "PLTE"))
                {
                    if (size == 0 || size % 3 != 0 || size > 768)
                    {
                        throw Corrupt(who, "its palette (PLTE) is invalid");
                    }

                    paletteCount = size / 3;
                    palette = new byte[256 * 4];
                    for (int i = 0; i < paletteCount; i++)
                    {
                        palette[i * 4] = png[data + (i * 3)];
                        palette[(i * 4) + 1] = png[data + (i * 3) + 1];
                        palette[(i * 4) + 2] = png[data + (i * 3) + 2];
                        palette[(i * 4) + 3] = 255;
                    }
                }
                else if (ImageInfo.IsAscii(png, type, "tRNS"))
                {
                    trnsOffset = data;
                    trnsLength = size;
                }
                else if (ImageInfo.IsAscii(png, type, "IDAT"))
                {
                    if (size > 0)
                    {
                        idat.Add((data, size));
                    }
                }
                else if (ImageInfo.IsAscii(png, type, "IEND"))
                {
                    break;
                }
            }

            if (idat.Count == 0)
            {
                throw Corrupt(who, "it has no image data (IDAT)");
            }

            if (colourType == 3 && palette is null)
            {
                throw Corrupt(who, "it is a palette image without a palette (PLTE)");
            }

            int[]? colourKey = null;
            if (trnsOffset >= 0)
            {
                if (colourType == 3 && trnsLength <= paletteCount)
                {
                    // A tRNS longer than the palette is invalid; like libpng, ignore it rather than guess.
                    for (int i = 0; i < trnsLength; i++)
                    {
                        palette![(i * 4) + 3] = png[trnsOffset + i];
                    }
                }
                else if ((colourType == 0 && trnsLength >= 2) || (colourType == 2 && trnsLength >= 6))
                {
                    colourKey = new int[colourType == 0 ? 1 : 3];
                    for (int i = 0; i < colourKey.Length; i++)
                    {
                        colourKey[i] = (png[trnsOffset + (i * 2)] << 8) | png[trnsOffset + (i * 2) + 1];
                    }
                }
            }

            return new PngDecoder(png, name, width, height, bitDepth, colourType, interlaced, idat, palette, paletteCount, colourKey);
        }

        /// <summary>
        /// Inflates the image data and hands every row (every pass's rows, for Adam7) to <paramref name="sink"/>.
        /// Holds two filtered rows and one RGBA row at a time.
        /// </summary>
        /// <exception cref="TerminalImageException">Bad zlib data, a bad filter type, data that ends early, or a palette index out of range.</exception>
        public void Decode(IPixelRowSink sink, CancellationToken cancellationToken) => Decode(sink, cancellationToken, rawDeflate: !HasZLibStream);

        /// <summary>
        /// As <see cref="Decode(IPixelRowSink, CancellationToken)"/>; <paramref name="rawDeflate"/> chooses the .NET
        /// Framework path (check the zlib header, inflate the raw deflate data after it), which tests run on .NET too.
        /// </summary>
        internal void Decode(IPixelRowSink sink, CancellationToken cancellationToken, bool rawDeflate)
        {
            string who = TerminalImageRenderer.Describe(_name);
            int bitsPerPixel = Channels * BitDepth;
            int bytesPerPixel = Math.Max(1, bitsPerPixel / 8);
            long maxRowBytes = (((long)Width * bitsPerPixel) + 7) / 8;
            var current = new byte[maxRowBytes];
            var previous = new byte[maxRowBytes];
            var rgba = new byte[(long)Width * 4];
            try
            {
                using (Stream inflater = OpenInflater(who, rawDeflate))
                {
                    int passes = Interlaced ? 7 : 1;
                    for (int pass = 0; pass < passes; pass++)
                    {
                        int x0 = Interlaced ? Adam7X[pass] : 0, y0 = Interlaced ? Adam7Y[pass] : 0;
                        int dx = Interlaced ? Adam7Dx[pass] : 1, dy = Interlaced ? Adam7Dy[pass] : 1;
                        int passWidth = Width > x0 ? (Width - x0 + dx - 1) / dx : 0;
                        int passHeight = Height > y0 ? (Height - y0 + dy - 1) / dy : 0;
                        if (passWidth == 0 || passHeight == 0)
                        {
                            continue;
                        }

                        int rowBytes = (int)((((long)passWidth * bitsPerPixel) + 7) / 8);
                        Array.Clear(previous, 0, rowBytes);
                        for (int row = 0; row < passHeight; row++)
                        {
                            if ((row & 15) == 0)
                            {
                                cancellationToken.ThrowIfCancellationRequested();
                            }

                            int filter = inflater.ReadByte();
                            if (filter < 0 || !PngTransparency.ReadExactly(inflater, current, rowBytes))
                            {
                                throw Corrupt(who, "its image data ends before the last row");
                            }

                            if (!PngFilters.Unfilter(filter, current, previous, rowBytes, bytesPerPixel))
                            {
                                throw Corrupt(who, $"a row has the unknown filter type {filter}");
                            }

                            ToRgba(current, passWidth, rgba, who);
                            sink.AddRow(y0 + (row * dy), rgba, x0, dx, passWidth);
                            byte[] swap = previous;
                            previous = current;
                            current = swap;
                        }
                    }
                }
            }
            catch (InvalidDataException e)
            {
                throw new TerminalImageException(TerminalImageError.CorruptData, $"{who} is damaged: its compressed image data is not valid ({e.Message})", e);
            }
        }

        private Stream OpenInflater(string who, bool rawDeflate)
        {
            var compressed = new SegmentStream(_png, _idat);
#if NET
            if (!rawDeflate)
            {
                return new ZLibStream(compressed, CompressionMode.Decompress);
            }
#endif

            // .NET Framework has no ZLibStream: check the 2-byte zlib header (deflate, a window of at most 32 KB, no
            // preset dictionary, the check bits) and inflate the raw deflate data after it. The Adler-32 at the end
            // is not checked there; every chunk's CRC already was.
            int cmf = compressed.ReadByte(), flg = compressed.ReadByte();
            if (cmf < 0 || flg < 0 || (cmf & 0x0F) != 8 || (cmf >> 4) > 7 || ((cmf << 8) | flg) % 31 != 0 || (flg & 0x20) != 0)
            {
                throw Corrupt(who, "its compressed image data does not start with a valid zlib header");
            }

            return new DeflateStream(compressed, CompressionMode.Decompress);
        }

        /// <summary>Converts one unfiltered row of <paramref name="count"/> pixels to 8-bit straight RGBA.</summary>
        private void ToRgba(byte[] row, int count, byte[] rgba, string who)
        {
            int depth = BitDepth;
            switch (ColourType)
            {
                case 6 when depth == 8:
                    Buffer.BlockCopy(row, 0, rgba, 0, count * 4);
                    return;
                case 2 when depth == 8:
                {
                    int[]? key = _colourKey;
                    for (int x = 0, s = 0, d = 0; x < count; x++, s += 3, d += 4)
                    {
                        byte r = row[s], g = row[s + 1], b = row[s + 2];
                        rgba[d] = r;
                        rgba[d + 1] = g;
                        rgba[d + 2] = b;
                        rgba[d + 3] = key is not null && key[0] == r && key[1] == g && key[2] == b ? (byte)0 : (byte)255;
                    }

                    return;
                }

                case 6:
                    for (int x = 0, s = 0, d = 0; x < count; x++, s += 8, d += 4)
                    {
                        rgba[d] = To8(row, s);
                        rgba[d + 1] = To8(row, s + 2);
                        rgba[d + 2] = To8(row, s + 4);
                        rgba[d + 3] = To8(row, s + 6);
                    }

                    return;
                case 2:
                {
                    int[]? key = _colourKey;
                    for (int x = 0, s = 0, d = 0; x < count; x++, s += 6, d += 4)
                    {
                        int r = (row[s] << 8) | row[s + 1], g = (row[s + 2] << 8) | row[s + 3], b = (row[s + 4] << 8) | row[s + 5];
                        rgba[d] = To8(r);
                        rgba[d + 1] = To8(g);
                        rgba[d + 2] = To8(b);
                        rgba[d + 3] = key is not null && key[0] == r && key[1] == g && key[2] == b ? (byte)0 : (byte)255;
                    }

                    return;
                }

                case 4:
                    for (int x = 0, d = 0; x < count; x++, d += 4)
                    {
                        byte grey = depth == 8 ? row[x * 2] : To8(row, x * 4);
                        rgba[d] = grey;
                        rgba[d + 1] = grey;
                        rgba[d + 2] = grey;
                        rgba[d + 3] = depth == 8 ? row[(x * 2) + 1] : To8(row, (x * 4) + 2);
                    }

                    return;
                case 0:
                {
                    int key = _colourKey is null ? -1 : _colourKey[0];
                    int max = (1 << depth) - 1;
                    for (int x = 0, d = 0; x < count; x++, d += 4)
                    {
                        int sample = Sample(row, x, depth);
                        byte grey = depth == 16 ? To8(sample) : (byte)(sample * 255 / max);
                        rgba[d] = grey;
                        rgba[d + 1] = grey;
                        rgba[d + 2] = grey;
                        rgba[d + 3] = sample == key ? (byte)0 : (byte)255;
                    }

                    return;
                }

                default: // 3, palette
                {
                    byte[] palette = _palette!;
                    for (int x = 0, d = 0; x < count; x++, d += 4)
                    {
                        int index = Sample(row, x, depth);
                        if (index >= _paletteCount)
                        {
                            throw Corrupt(who, $"a pixel uses palette entry {index}, but the palette has {_paletteCount}");
                        }

                        int p = index * 4;
                        rgba[d] = palette[p];
                        rgba[d + 1] = palette[p + 1];
                        rgba[d + 2] = palette[p + 2];
                        rgba[d + 3] = palette[p + 3];
                    }

                    return;
                }
            }
        }

        /// <summary>Sample <paramref name="x"/> of a row of single-sample pixels of <paramref name="depth"/> bits (1 to 16).</summary>
        private static int Sample(byte[] row, int x, int depth)
        {
            switch (depth)
            {
                case 8: return row[x];
                case 16: return (row[x * 2] << 8) | row[(x * 2) + 1];
                default:
                    int bit = x * depth;
                    int shift = 8 - depth - (bit & 7);
                    return (row[bit >> 3] >> shift) & ((1 << depth) - 1);
            }
        }

        private static byte To8(byte[] row, int offset) => To8((row[offset] << 8) | row[offset + 1]);

        private static byte To8(int sample16) => (byte)(((sample16 * 255) + 32767) / 65535);

        private static TerminalImageException Truncated(string who, string where) =>
            new TerminalImageException(TerminalImageError.Truncated, $"{who} is cut short: the PNG ends {where}.");

        private static TerminalImageException Corrupt(string who, string what) =>
            new TerminalImageException(TerminalImageError.CorruptData, $"{who} is damaged: {what}.");

        private static string ChunkName(byte[] png, int offset)
        {
            var chars = new char[4];
            for (int i = 0; i < 4; i++)
            {
                byte c = png[offset + i];
                chars[i] = c >= 0x20 && c < 0x7F ? (char)c : '?';
            }

            return new string(chars);
        }

        /// <summary>The IDAT chunks' data, read in order as one stream, without copying them together.</summary>
        private sealed class SegmentStream : ReadOnlyStream
        {
            private readonly byte[] _data;
            private readonly List<(int Offset, int Length)> _segments;
            private int _segment;
            private int _used;

            public SegmentStream(byte[] data, List<(int Offset, int Length)> segments)
            {
                _data = data;
                _segments = segments;
            }

            public override int Read(byte[] buffer, int offset, int count)
            {
                // Fill the request across chunk boundaries: the inflater then works on its whole input buffer at once
                // however small the encoder made its IDAT chunks.
                int total = 0;
                while (total < count && _segment < _segments.Count)
                {
                    (int start, int length) = _segments[_segment];
                    int n = Math.Min(length - _used, count - total);
                    Buffer.BlockCopy(_data, start + _used, buffer, offset + total, n);
                    _used += n;
                    total += n;
                    if (_used == length)
                    {
                        _segment++;
                        _used = 0;
                    }
                }

                return total;
            }
        }
    }
}
