using System;
using System.IO;

namespace OpenAI.Images.Imaging
{
    /// <summary>
    /// The format, pixel dimensions and alpha of an image, read from its headers only: enough to validate an upload
    /// before any request is sent, to label a multipart file part with its real media type, and to name a downloaded
    /// file by its real format. Recognises PNG, JPEG, WebP and GIF by their signatures, never by file extension.
    /// </summary>
    public sealed class ImageInfo
    {
        /// <summary>The most leading bytes <see cref="DetectFormat"/> ever looks at (the WebP signature: <c>RIFF????WEBP</c>).</summary>
        public const int MaxSignatureLength = 12;

        // Bounds on how far the header walkers go before they give up and call the data malformed. Each step reads a
        // few bytes and seeks over the rest, so even the limits are cheap; they exist so hostile data cannot spin.
        private const int MaxPngChunks = 1024;
        private const int MaxWebpChunks = 256;
        private const int MaxJpegMarkers = 4096;
        private const int MaxJpegStrayBytes = 4096;
        private const int MaxGifSteps = 100000;

        private ImageInfo(ImageFormat format, int width, int height, bool hasAlpha)
        {
            Format = format;
            Width = width;
            Height = height;
            HasAlpha = hasAlpha;
        }

        /// <summary>The container format, from the file's signature.</summary>
        public ImageFormat Format { get; }

        /// <summary>The width in pixels (for WebP VP8X and GIF, the canvas / logical screen width).</summary>
        public int Width { get; }

        /// <summary>The height in pixels (for WebP VP8X and GIF, the canvas / logical screen height).</summary>
        public int Height { get; }

        /// <summary>
        /// Whether the image can carry transparency. PNG: colour type 4 or 6, or a <c>tRNS</c> chunk before the first
        /// <c>IDAT</c>. WebP: the VP8L alpha hint, the VP8X alpha flag, or an <c>ALPH</c> chunk. GIF: a graphic control
        /// extension before the first image with its transparency flag set. JPEG: always <see langword="false"/>.
        /// This says the format declares an alpha channel, not that any pixel is actually transparent.
        /// </summary>
        public bool HasAlpha { get; }

        /// <summary>The IANA media type: <c>image/png</c>, <c>image/jpeg</c>, <c>image/webp</c> or <c>image/gif</c>.</summary>
        public string MediaType => GetMediaType(Format) ?? "application/octet-stream";

        /// <summary>The usual file extension, with its dot: <c>.png</c>, <c>.jpg</c>, <c>.webp</c> or <c>.gif</c>.</summary>
        public string Extension => GetExtension(Format) ?? string.Empty;

        /// <summary>The IANA media type of a format, or <see langword="null"/> for <see cref="ImageFormat.Unknown"/>.</summary>
        /// <param name="format">The format.</param>
        /// <returns><c>image/png</c>, <c>image/jpeg</c>, <c>image/webp</c>, <c>image/gif</c> or <see langword="null"/>.</returns>
        public static string? GetMediaType(ImageFormat format)
        {
            switch (format)
            {
                case ImageFormat.Png: return "image/png";
                case ImageFormat.Jpeg: return "image/jpeg";
                case ImageFormat.Webp: return "image/webp";
                case ImageFormat.Gif: return "image/gif";
                default: return null;
            }
        }

        /// <summary>The usual file extension of a format (with its dot), or <see langword="null"/> for <see cref="ImageFormat.Unknown"/>.</summary>
        /// <param name="format">The format.</param>
        /// <returns><c>.png</c>, <c>.jpg</c>, <c>.webp</c>, <c>.gif</c> or <see langword="null"/>.</returns>
        public static string? GetExtension(ImageFormat format)
        {
            switch (format)
            {
                case ImageFormat.Png: return ".png";
                case ImageFormat.Jpeg: return ".jpg";
                case ImageFormat.Webp: return ".webp";
                case ImageFormat.Gif: return ".gif";
                default: return null;
            }
        }

        /// <summary>
        /// Recognises a format from its magic bytes only (at most <see cref="MaxSignatureLength"/> bytes are examined;
        /// 16 are always enough). Says nothing about whether the rest of the file is valid.
        /// </summary>
        /// <param name="header">The first bytes of the file.</param>
        /// <param name="count">How many bytes of <paramref name="header"/>, from index 0, are valid.</param>
        /// <returns>The format, or <see cref="ImageFormat.Unknown"/> when the bytes match no known signature (or are too few).</returns>
        /// <exception cref="ArgumentNullException"><paramref name="header"/> is null.</exception>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="count"/> is negative or larger than the array.</exception>
        public static ImageFormat DetectFormat(byte[] header, int count)
        {
            if (header is null)
            {
                throw new ArgumentNullException(nameof(header));
            }

            if (count < 0 || count > header.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(count), count, "The count must be between 0 and the length of the array.");
            }

            if (count >= 8
                && header[0] == 0x89 && header[1] == (byte)'P' && header[2] == (byte)'N' && header[3] == (byte)'G'
                && header[4] == 0x0D && header[5] == 0x0A && header[6] == 0x1A && header[7] == 0x0A)
            {
                return ImageFormat.Png;
            }

            if (count >= 3 && header[0] == 0xFF && header[1] == 0xD8 && header[2] == 0xFF)
            {
                return ImageFormat.Jpeg;
            }

            if (count >= 12 && IsAscii(header, 0, "RIFF") && IsAscii(header, 8, "WEBP"))
            {
                return ImageFormat.Webp;
            }

            if (count >= 6 && (IsAscii(header, 0, "GIF87a") || IsAscii(header, 0, "GIF89a")))
            {
                return ImageFormat.Gif;
            }

            return ImageFormat.Unknown;
        }

        /// <summary>
        /// Reads an image's headers from the stream's current position: only what is needed (for PNG and WebP a few
        /// chunk headers; for JPEG the marker segments up to the frame header, seeking over their bodies). Seekable
        /// streams are skipped through with seeks, others by reading into a small buffer; the whole file is never
        /// loaded. The stream is left positioned somewhere after the headers and is not disposed.
        /// </summary>
        /// <param name="stream">A readable stream positioned at the start of the image.</param>
        /// <returns>The image's info, or <see langword="null"/> when the data is not a recognised format or its headers are malformed or truncated.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="stream"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="stream"/> is not readable.</exception>
        /// <remarks>Never throws because of the data; errors raised by the stream itself (I/O errors) propagate.</remarks>
        public static ImageInfo? TryRead(Stream stream)
        {
            if (stream is null)
            {
                throw new ArgumentNullException(nameof(stream));
            }

            if (!stream.CanRead)
            {
                throw new ArgumentException("The stream is not readable.", nameof(stream));
            }

            var reader = new HeaderReader(stream);
            byte[] signature = new byte[MaxSignatureLength];
            int got = reader.ReadUpTo(signature, 0, signature.Length);
            reader.PushBack(signature, got);
            switch (DetectFormat(signature, got))
            {
                case ImageFormat.Png: return ReadPng(reader);
                case ImageFormat.Jpeg: return ReadJpeg(reader);
                case ImageFormat.Webp: return ReadWebp(reader);
                case ImageFormat.Gif: return ReadGif(reader);
                default: return null;
            }
        }

        /// <summary>Opens a file (read-only, <see cref="FileShare.Read"/>) and reads its image headers with <see cref="TryRead(Stream)"/>.</summary>
        /// <param name="path">The file's path.</param>
        /// <returns>The image's info, or <see langword="null"/> when the file is not a recognised image or its headers are malformed.</returns>
        /// <remarks>Errors opening or reading the file (not found, access denied, sharing violation) propagate for the caller to report.</remarks>
        public static ImageInfo? TryReadFile(string path)
        {
            if (path is null)
            {
                throw new ArgumentNullException(nameof(path));
            }

            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.None))
            {
                return TryRead(stream);
            }
        }

        /// <summary>A short description, for diagnostics: for example <c>Png 8x8 alpha</c>.</summary>
        /// <returns>The format, the dimensions, and <c>alpha</c> when the image has an alpha channel.</returns>
        public override string ToString() => $"{Format} {Width}x{Height}{(HasAlpha ? " alpha" : string.Empty)}";

        // ---- PNG -------------------------------------------------------------------------------------------------

        private static ImageInfo? ReadPng(HeaderReader reader)
        {
            // Signature (8), then IHDR must come first: length (4) "IHDR" (4) data (13) CRC (4).
            byte[] b = new byte[8 + 8 + 13];
            if (!reader.Read(b, 0, b.Length))
            {
                return null;
            }

            if (ReadUInt32BE(b, 8) != 13 || !IsAscii(b, 12, "IHDR"))
            {
                return null;
            }

            uint width = ReadUInt32BE(b, 16);
            uint height = ReadUInt32BE(b, 20);
            byte bitDepth = b[24];
            byte colourType = b[25];
            if (width == 0 || height == 0 || width > int.MaxValue || height > int.MaxValue)
            {
                return null;
            }

            if (!IsValidPngDepth(colourType, bitDepth) || b[26] != 0 || b[27] != 0 || b[28] > 1)
            {
                return null;
            }

            if (!reader.Skip(4))
            {
                return null;
            }

            bool alpha = colourType == 4 || colourType == 6;

            // Walk the chunk headers up to the first IDAT: tRNS only counts before it, and a file without image data
            // (or cut off before it) is not an image we can send.
            byte[] chunk = new byte[8];
            for (int i = 0; i < MaxPngChunks; i++)
            {
                if (!reader.Read(chunk, 0, 8))
                {
                    return null;
                }

                uint length = ReadUInt32BE(chunk, 0);
                if (length > int.MaxValue || !IsPngChunkType(chunk, 4))
                {
                    return null;
                }

                if (IsAscii(chunk, 4, "IDAT"))
                {
                    return new ImageInfo(ImageFormat.Png, (int)width, (int)height, alpha);
                }

                if (IsAscii(chunk, 4, "IEND"))
                {
                    return null;
                }

                if (IsAscii(chunk, 4, "tRNS"))
                {
                    alpha = true;
                }

                if (!reader.Skip((long)length + 4))
                {
                    return null;
                }
            }

            return null;
        }

        /// <summary>Whether a PNG colour type allows a bit depth (PNG specification, table 11.1).</summary>
        internal static bool IsValidPngDepth(int colourType, int bitDepth)
        {
            switch (colourType)
            {
                case 0: return bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8 || bitDepth == 16;
                case 3: return bitDepth == 1 || bitDepth == 2 || bitDepth == 4 || bitDepth == 8;
                case 2:
                case 4:
                case 6: return bitDepth == 8 || bitDepth == 16;
                default: return false;
            }
        }

        private static bool IsPngChunkType(byte[] b, int offset)
        {
            for (int i = offset; i < offset + 4; i++)
            {
                byte c = b[i];
                if (!((c >= (byte)'A' && c <= (byte)'Z') || (c >= (byte)'a' && c <= (byte)'z')))
                {
                    return false;
                }
            }

            return true;
        }

        // ---- JPEG ------------------------------------------------------------------------------------------------

        private static ImageInfo? ReadJpeg(HeaderReader reader)
        {
            byte[] b = new byte[6];
            if (!reader.Read(b, 0, 2) || b[0] != 0xFF || b[1] != 0xD8)
            {
                return null;
            }

            for (int markers = 0; markers < MaxJpegMarkers; markers++)
            {
                // Find the next 0xFF; a few stray bytes between segments are tolerated (as decoders do), not many.
                int value = reader.ReadByte();
                int stray = 0;
                while (value != 0xFF)
                {
                    if (value < 0 || ++stray > MaxJpegStrayBytes)
                    {
                        return null;
                    }

                    value = reader.ReadByte();
                }

                // Any number of 0xFF fill bytes may precede the marker code.
                int marker = reader.ReadByte();
                while (marker == 0xFF)
                {
                    if (++stray > MaxJpegStrayBytes)
                    {
                        return null;
                    }

                    marker = reader.ReadByte();
                }

                if (marker < 0)
                {
                    return null;
                }

                if ((marker >= 0xD0 && marker <= 0xD7) || marker == 0x01)
                {
                    continue; // RSTn and TEM stand alone, without a length.
                }

                if (marker == 0x00 || marker == 0xD8 || marker == 0xD9 || marker == 0xDA)
                {
                    return null; // A stuffed byte, a second SOI, or the end / a scan before any frame header.
                }

                if (!reader.Read(b, 0, 2))
                {
                    return null;
                }

                int length = (b[0] << 8) | b[1];
                if (length < 2)
                {
                    return null;
                }

                bool isFrameHeader = marker >= 0xC0 && marker <= 0xCF && marker != 0xC4 && marker != 0xC8 && marker != 0xCC;
                if (isFrameHeader)
                {
                    // SOFn: length (2), precision (1), lines Y (2), samples per line X (2), components (1).
                    if (length < 8 || !reader.Read(b, 0, 6))
                    {
                        return null;
                    }

                    int height = (b[1] << 8) | b[2];
                    int width = (b[3] << 8) | b[4];
                    if (width == 0 || height == 0 || b[5] == 0)
                    {
                        return null; // Height 0 (defined later by DNL) is legal but unusable here.
                    }

                    return new ImageInfo(ImageFormat.Jpeg, width, height, false);
                }

                if (!reader.Skip(length - 2))
                {
                    return null;
                }
            }

            return null;
        }

        // ---- WebP ------------------------------------------------------------------------------------------------

        private static ImageInfo? ReadWebp(HeaderReader reader)
        {
            byte[] b = new byte[12];
            if (!reader.Read(b, 0, 12) || !IsAscii(b, 0, "RIFF") || !IsAscii(b, 8, "WEBP"))
            {
                return null;
            }

            if (!reader.Read(b, 0, 8))
            {
                return null;
            }

            uint size = ReadUInt32LE(b, 4);
            if (IsAscii(b, 0, "VP8 "))
            {
                return ReadVp8(reader, size);
            }

            if (IsAscii(b, 0, "VP8L"))
            {
                return ReadVp8L(reader, size, false);
            }

            if (IsAscii(b, 0, "VP8X"))
            {
                return ReadVp8X(reader, size);
            }

            return null;
        }

        private static ImageInfo? ReadVp8(HeaderReader reader, uint size)
        {
            // Frame tag (3 bytes; bit 0 clear on a key frame), start code 9D 01 2A, then 14-bit width and height
            // (the top 2 bits of each are a scaling hint).
            byte[] b = new byte[10];
            if (size < 10 || !reader.Read(b, 0, 10))
            {
                return null;
            }

            if ((b[0] & 0x01) != 0 || b[3] != 0x9D || b[4] != 0x01 || b[5] != 0x2A)
            {
                return null;
            }

            int width = ((b[7] << 8) | b[6]) & 0x3FFF;
            int height = ((b[9] << 8) | b[8]) & 0x3FFF;
            if (width == 0 || height == 0)
            {
                return null;
            }

            return new ImageInfo(ImageFormat.Webp, width, height, false);
        }

        private static ImageInfo? ReadVp8L(HeaderReader reader, uint size, bool alreadyAlpha)
        {
            // Signature 0x2F, then 32 bits little-endian: width-1 (14), height-1 (14), alpha_is_used (1), version (3, must be 0).
            byte[] b = new byte[5];
            if (size < 5 || !reader.Read(b, 0, 5) || b[0] != 0x2F)
            {
                return null;
            }

            uint bits = ReadUInt32LE(b, 1);
            if ((bits >> 29) != 0)
            {
                return null;
            }

            int width = (int)(bits & 0x3FFF) + 1;
            int height = (int)((bits >> 14) & 0x3FFF) + 1;
            bool alpha = alreadyAlpha || ((bits >> 28) & 1) != 0;
            return new ImageInfo(ImageFormat.Webp, width, height, alpha);
        }

        private static ImageInfo? ReadVp8X(HeaderReader reader, uint size)
        {
            // Flags (1; alpha = 0x10), reserved (3), canvas width-1 (24 LE), canvas height-1 (24 LE).
            byte[] b = new byte[10];
            if (size < 10 || !reader.Read(b, 0, 10))
            {
                return null;
            }

            bool alpha = (b[0] & 0x10) != 0;
            int width = (b[4] | (b[5] << 8) | (b[6] << 16)) + 1;
            int height = (b[7] | (b[8] << 8) | (b[9] << 16)) + 1;
            if (!reader.Skip(PaddedRiffSize(size) - 10))
            {
                return null;
            }

            // Walk to the image data: an ALPH chunk also means alpha, and so does a VP8L bitstream's own alpha hint.
            for (int i = 0; i < MaxWebpChunks; i++)
            {
                if (!reader.Read(b, 0, 8))
                {
                    return null;
                }

                uint chunkSize = ReadUInt32LE(b, 4);
                if (IsAscii(b, 0, "VP8 ") || IsAscii(b, 0, "ANMF"))
                {
                    return new ImageInfo(ImageFormat.Webp, width, height, alpha);
                }

                if (IsAscii(b, 0, "VP8L"))
                {
                    ImageInfo? bitstream = ReadVp8L(reader, chunkSize, alpha);
                    return bitstream is null ? null : new ImageInfo(ImageFormat.Webp, width, height, bitstream.HasAlpha);
                }

                if (IsAscii(b, 0, "ALPH"))
                {
                    alpha = true;
                }

                if (!reader.Skip(PaddedRiffSize(chunkSize)))
                {
                    return null;
                }
            }

            return null;
        }

        private static long PaddedRiffSize(uint size) => (long)size + (size & 1);

        // ---- GIF -------------------------------------------------------------------------------------------------

        private static ImageInfo? ReadGif(HeaderReader reader)
        {
            // Signature (6), logical screen width (2 LE), height (2 LE), packed flags, background index, aspect ratio.
            byte[] b = new byte[256];
            if (!reader.Read(b, 0, 13))
            {
                return null;
            }

            int width = b[6] | (b[7] << 8);
            int height = b[8] | (b[9] << 8);
            byte packed = b[10];
            if ((packed & 0x80) != 0 && !reader.Skip(3 * (1 << ((packed & 0x07) + 1))))
            {
                return null;
            }

            bool alpha = false;
            int steps = 0;
            while (steps++ < MaxGifSteps)
            {
                int introducer = reader.ReadByte();
                if (introducer == 0x2C)
                {
                    // Image descriptor: left, top, width, height (2 LE each), packed. Use its size only if the
                    // logical screen does not give one.
                    if (!reader.Read(b, 0, 9))
                    {
                        return null;
                    }

                    if (width == 0 || height == 0)
                    {
                        width = b[4] | (b[5] << 8);
                        height = b[6] | (b[7] << 8);
                    }

                    return width == 0 || height == 0 ? null : new ImageInfo(ImageFormat.Gif, width, height, alpha);
                }

                if (introducer != 0x21)
                {
                    return null; // The trailer (0x3B) before any image, end of data, or garbage.
                }

                int label = reader.ReadByte();
                if (label < 0)
                {
                    return null;
                }

                if (label == 0xF9)
                {
                    // Graphic control extension: block size (4), packed (bit 0 = transparent colour given), delay, index.
                    int blockSize = reader.ReadByte();
                    if (blockSize < 1 || !reader.Read(b, 0, blockSize))
                    {
                        return null;
                    }

                    if ((b[0] & 0x01) != 0)
                    {
                        alpha = true;
                    }
                }

                // The rest of the extension: data sub-blocks, each a length byte then data, ended by a zero length.
                while (true)
                {
                    if (steps++ >= MaxGifSteps)
                    {
                        return null;
                    }

                    int subBlock = reader.ReadByte();
                    if (subBlock < 0)
                    {
                        return null;
                    }

                    if (subBlock == 0)
                    {
                        break;
                    }

                    if (!reader.Skip(subBlock))
                    {
                        return null;
                    }
                }
            }

            return null;
        }

        // ---- helpers ---------------------------------------------------------------------------------------------

        /// <summary>True when the bytes at <paramref name="offset"/> spell <paramref name="text"/> (ASCII), e.g. a chunk type.</summary>
        internal static bool IsAscii(byte[] b, int offset, string text)
        {
            if (offset + text.Length > b.Length)
            {
                return false;
            }

            for (int i = 0; i < text.Length; i++)
            {
                if (b[offset + i] != (byte)text[i])
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>A big-endian unsigned 32-bit integer.</summary>
        internal static uint ReadUInt32BE(byte[] b, int offset) =>
            ((uint)b[offset] << 24) | ((uint)b[offset + 1] << 16) | ((uint)b[offset + 2] << 8) | b[offset + 3];

        private static uint ReadUInt32LE(byte[] b, int offset) =>
            b[offset] | ((uint)b[offset + 1] << 8) | ((uint)b[offset + 2] << 16) | ((uint)b[offset + 3] << 24);

        /// <summary>
        /// Reads exact counts from a stream, first serving bytes pushed back after format detection, and skips by
        /// seeking when the stream can seek (never past its end) or by reading into a small scratch buffer otherwise.
        /// </summary>
        private sealed class HeaderReader
        {
            private readonly Stream _stream;
            private byte[]? _pending;
            private int _pendingOffset;
            private int _pendingCount;
            private byte[]? _scratch;

            public HeaderReader(Stream stream) => _stream = stream;

            public void PushBack(byte[] buffer, int count)
            {
                _pending = buffer;
                _pendingOffset = 0;
                _pendingCount = count;
            }

            /// <summary>Reads up to <paramref name="count"/> bytes, fewer only at the end of the data; returns how many.</summary>
            public int ReadUpTo(byte[] buffer, int offset, int count)
            {
                int total = 0;
                if (_pendingCount > 0)
                {
                    int n = Math.Min(count, _pendingCount);
                    Buffer.BlockCopy(_pending!, _pendingOffset, buffer, offset, n);
                    _pendingOffset += n;
                    _pendingCount -= n;
                    total = n;
                }

                while (total < count)
                {
                    int n = _stream.Read(buffer, offset + total, count - total);
                    if (n <= 0)
                    {
                        break;
                    }

                    total += n;
                }

                return total;
            }

            /// <summary>Reads exactly <paramref name="count"/> bytes; false when the data ends first.</summary>
            public bool Read(byte[] buffer, int offset, int count) => ReadUpTo(buffer, offset, count) == count;

            /// <summary>One byte (0..255), or -1 at the end of the data.</summary>
            public int ReadByte()
            {
                if (_pendingCount > 0)
                {
                    _pendingCount--;
                    return _pending![_pendingOffset++];
                }

                return _stream.ReadByte();
            }

            /// <summary>Skips exactly <paramref name="count"/> bytes; false when the data ends first.</summary>
            public bool Skip(long count)
            {
                if (count < 0)
                {
                    return false;
                }

                if (_pendingCount > 0)
                {
                    int n = (int)Math.Min(count, _pendingCount);
                    _pendingOffset += n;
                    _pendingCount -= n;
                    count -= n;
                }

                if (count == 0)
                {
                    return true;
                }

                if (_stream.CanSeek)
                {
                    long target = _stream.Position + count;
                    if (target > _stream.Length)
                    {
                        return false;
                    }

                    _stream.Position = target;
                    return true;
                }

                if (_scratch is null)
                {
                    _scratch = new byte[4096];
                }

                while (count > 0)
                {
                    int n = _stream.Read(_scratch, 0, (int)Math.Min(count, _scratch.Length));
                    if (n <= 0)
                    {
                        return false;
                    }

                    count -= n;
                }

                return true;
            }
        }
    }
}
