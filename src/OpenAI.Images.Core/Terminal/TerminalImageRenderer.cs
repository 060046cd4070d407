using System;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;
using OpenAI.Images.IO;
using OpenAI.Images.Imaging;

namespace OpenAI.Images.Terminal
{
    /// <summary>
    /// Turns an image file into the text that draws it in a terminal: Sixel, kitty, iTerm2 inline images or Unicode
    /// half blocks. Decodes PNG itself (no dependency); JPEG, WebP and GIF are passed through where the protocol takes them.
    /// </summary>
    public static class TerminalImageRenderer
    {
        /// <summary>The largest width or height, in pixels, of an image this draws.</summary>
        public const int MaxDimension = 16384;

        /// <summary>The most base64 characters in one kitty graphics escape sequence (the protocol's limit).</summary>
        internal const int KittyChunkLength = 4096;

        /// <summary>
        /// The most pixels a Sixel or block image is scaled to (2048x2048 worth): far beyond any terminal window, and it
        /// bounds the scaler's memory (an interlaced PNG keeps 32 bytes of accumulators per target pixel).
        /// </summary>
        internal const long MaxScaledPixels = 1L << 22;

        private const long MaxFileBytes = 512L * 1024 * 1024;
        private const int MaxColumns = 4096;
        private const int MaxCellPixels = 512;

        /// <summary>
        /// Reads the whole image file from the stream (PNG, JPEG, WebP and GIF are recognised by their magic bytes) and
        /// renders it. Kitty and iTerm2 get the original bytes, base64 (kitty <c>f=100</c> takes PNG only: other formats
        /// throw <see cref="TerminalImageError.NeedsPng"/>; iTerm2 takes them all). Sixel and blocks need a PNG: it is
        /// decoded, area-average scaled to <c>Columns*CellWidth</c> pixels wide (blocks: <c>Columns</c> wide, two pixels
        /// per row), with its aspect ratio kept and <see cref="TerminalImageOptions.MaxRows"/> respected, and alpha is
        /// composited onto <see cref="TerminalImageOptions.Background"/>. Memory stays bounded by the scaled image plus
        /// one source row. Never returns partial output.
        /// </summary>
        /// <param name="image">A readable stream positioned at the start of the image file; read to its end, not disposed.</param>
        /// <param name="protocol">The protocol to draw with (not <see cref="TerminalGraphicsProtocol.Auto"/>).</param>
        /// <param name="options">The size, background and name.</param>
        /// <param name="cancellationToken">Stops reading and decoding.</param>
        /// <returns>The text to write and the cells it covers.</returns>
        /// <exception cref="ArgumentNullException"><paramref name="image"/> or <paramref name="options"/> is null.</exception>
        /// <exception cref="ArgumentException"><paramref name="protocol"/> is <see cref="TerminalGraphicsProtocol.Auto"/> or unknown.</exception>
        /// <exception cref="ArgumentOutOfRangeException">A size in <paramref name="options"/> is below 1 or absurdly large.</exception>
        /// <exception cref="TerminalImageException">The image cannot be drawn: <see cref="TerminalImageException.Reason"/> says why.</exception>
        /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
        public static TerminalImage Render(Stream image, TerminalGraphicsProtocol protocol, TerminalImageOptions options, CancellationToken cancellationToken = default)
        {
            if (image is null)
            {
                throw new ArgumentNullException(nameof(image));
            }

            if (options is null)
            {
                throw new ArgumentNullException(nameof(options));
            }

            ValidateOptions(options);
            if (protocol != TerminalGraphicsProtocol.Sixel && protocol != TerminalGraphicsProtocol.Kitty
                && protocol != TerminalGraphicsProtocol.ITerm && protocol != TerminalGraphicsProtocol.Blocks)
            {
                throw new ArgumentException($"Cannot render with the protocol '{protocol}': resolve Auto to a concrete protocol first.", nameof(protocol));
            }

            byte[] bytes = ReadAll(image, options.Name, cancellationToken);
            ImageFormat format = ImageInfo.DetectFormat(bytes, Math.Min(bytes.Length, ImageInfo.MaxSignatureLength));
            if (format == ImageFormat.Unknown)
            {
                throw new TerminalImageException(TerminalImageError.NotAnImage, Describe(options.Name) + " is not an image (PNG, JPEG, WebP or GIF).");
            }

            switch (protocol)
            {
                case TerminalGraphicsProtocol.Kitty:
                    RequirePng(format, protocol, options.Name);
                    return Kitty(bytes, CheckPng(bytes, options.Name, cancellationToken), options);
                case TerminalGraphicsProtocol.ITerm:
                    return ITerm(bytes, format == ImageFormat.Png ? CheckPng(bytes, options.Name, cancellationToken) : ReadSize(bytes, format, options.Name), options);
                case TerminalGraphicsProtocol.Sixel:
                {
                    RequirePng(format, protocol, options.Name);
                    PngDecoder png = PngDecoder.Open(bytes, options.Name);
                    PixelBox box = SixelBox(png.Width, png.Height, options);
                    byte[] rgb = DecodeScaled(png, box.Width, box.Height, options.Background, cancellationToken);
                    cancellationToken.ThrowIfCancellationRequested();
                    return new TerminalImage(SixelEncoder.Encode(rgb, box.Width, box.Height) + "\n", box.Columns, box.Rows, protocol);
                }

                default:
                {
                    RequirePng(format, protocol, options.Name);
                    PngDecoder png = PngDecoder.Open(bytes, options.Name);
                    PixelBox box = BlockBox(png.Width, png.Height, options);
                    byte[] rgb = DecodeScaled(png, box.Width, box.Height, options.Background, cancellationToken);
                    return new TerminalImage(BlockEncoder.Encode(rgb, box.Width, box.Height), box.Columns, box.Rows, protocol);
                }
            }
        }

        /// <summary>Decodes a PNG, scaled by area averaging to <paramref name="width"/> x <paramref name="height"/> and composited onto <paramref name="background"/>: RGB, 3 bytes a pixel.</summary>
        internal static byte[] DecodeScaled(PngDecoder png, int width, int height, TerminalColor background, CancellationToken cancellationToken)
        {
            var scaler = new AreaScaler(png.Width, png.Height, width, height, !png.Interlaced, background);
            png.Decode(scaler, cancellationToken);
            return scaler.Finish();
        }

        /// <summary>
        /// The pixel size Sixel draws at, and the cells it covers: <c>Columns*CellWidth</c> wide and the height that keeps
        /// the aspect ratio, or MaxRows cells high (and narrower) when that is less; never over 16384 pixels either way
        /// nor over <see cref="MaxScaledPixels"/> in all.
        /// </summary>
        internal static PixelBox SixelBox(int width, int height, TerminalImageOptions options)
        {
            long maxHeight = Math.Min(MaxDimension, (long)(options.MaxRows ?? int.MaxValue) * options.CellHeight);
            long w = Math.Min((long)options.Columns * options.CellWidth, MaxDimension);
            long h = Math.Max(1, RoundDiv(w * height, width));
            if (h > maxHeight)
            {
                h = maxHeight;
                w = Math.Max(1, RoundDiv(h * width, height));
            }

            if (w * h > MaxScaledPixels)
            {
                double shrink = Math.Sqrt((double)MaxScaledPixels / (w * h));
                w = Math.Max(1, (long)(w * shrink));
                h = Math.Min(Math.Max(1, RoundDiv(w * height, width)), MaxScaledPixels / w);
            }

            return new PixelBox((int)w, (int)h, (int)((w + options.CellWidth - 1) / options.CellWidth), (int)((h + options.CellHeight - 1) / options.CellHeight));
        }

        /// <summary>
        /// The pixel size half blocks draw at: <c>Columns</c> wide, two pixels a row, each pixel a half cell
        /// (CellWidth x CellHeight/2), as many rows as keep the aspect ratio (at least 1), or MaxRows rows (and
        /// narrower) when that is less; never over <see cref="MaxScaledPixels"/> pixels in all.
        /// </summary>
        internal static PixelBox BlockBox(int width, int height, TerminalImageOptions options)
        {
            long maxRows = Math.Min(MaxDimension / 2, options.MaxRows ?? int.MaxValue);
            long columns = options.Columns;
            long rows = Math.Max(1, RoundDiv(columns * options.CellWidth * height, (long)width * options.CellHeight));
            if (rows > maxRows)
            {
                rows = maxRows;
                columns = Math.Max(1, RoundDiv(rows * options.CellHeight * width, (long)height * options.CellWidth));
            }

            if (columns * rows * 2 > MaxScaledPixels)
            {
                double shrink = Math.Sqrt((double)MaxScaledPixels / (columns * rows * 2));
                columns = Math.Max(1, (long)(columns * shrink));
                rows = Math.Min(Math.Max(1, RoundDiv(columns * options.CellWidth * height, (long)width * options.CellHeight)), MaxScaledPixels / (2 * columns));
            }

            return new PixelBox((int)columns, (int)(rows * 2), (int)columns, (int)rows);
        }

        /// <summary>Checks a whole PNG (structure, CRCs, inflating and unfiltering every row) without keeping its pixels; returns its size.</summary>
        private static (int Width, int Height) CheckPng(byte[] bytes, string? name, CancellationToken cancellationToken)
        {
            PngDecoder png = PngDecoder.Open(bytes, name);
            png.Decode(NullSink.Instance, cancellationToken);
            return (png.Width, png.Height);
        }

        private static void ValidateOptions(TerminalImageOptions options)
        {
            if (options.Columns < 1 || options.Columns > MaxColumns)
            {
                throw new ArgumentOutOfRangeException(nameof(options), options.Columns, $"Columns must be between 1 and {MaxColumns}.");
            }

            if (options.MaxRows.HasValue && options.MaxRows.Value < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(options), options.MaxRows.Value, "MaxRows must be at least 1.");
            }

            if (options.KittyImageId.HasValue && options.KittyImageId.Value < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(options), options.KittyImageId.Value, "KittyImageId must be at least 1 (kitty reads 0 as no id).");
            }

            if (options.CellWidth < 1 || options.CellWidth > MaxCellPixels || options.CellHeight < 1 || options.CellHeight > MaxCellPixels)
            {
                throw new ArgumentOutOfRangeException(nameof(options), $"{options.CellWidth}x{options.CellHeight}", $"The cell size must be between 1 and {MaxCellPixels} pixels each way.");
            }
        }

        private static void RequirePng(ImageFormat format, TerminalGraphicsProtocol protocol, string? name)
        {
            if (format != ImageFormat.Png)
            {
                throw new TerminalImageException(
                    TerminalImageError.NeedsPng,
                    $"{Describe(name)} is {format.ToString().ToUpperInvariant()}; drawing it with {protocol} needs a PNG. Ask for one with -OutputFormat png, or open the file with Invoke-Item.");
            }
        }

        // ---- kitty and iTerm2: the file as it is ---------------------------------------------------------------

        private static (int Width, int Height) ReadSize(byte[] bytes, ImageFormat format, string? name)
        {
            ImageInfo? info;
            using (var stream = new MemoryStream(bytes, false))
            {
                info = ImageInfo.TryRead(stream);
            }

            if (info is null)
            {
                throw new TerminalImageException(TerminalImageError.NotAnImage, $"{Describe(name)} looks like {format.ToString().ToUpperInvariant()} but its headers are malformed or cut short.");
            }

            if (info.Width > MaxDimension || info.Height > MaxDimension)
            {
                throw TooLarge(info.Width, info.Height, name);
            }

            return (info.Width, info.Height);
        }

        /// <summary>
        /// The cells an image covers when the terminal scales it (kitty, iTerm2): <see cref="TerminalImageOptions.Columns"/>
        /// wide and as many rows as keep its aspect ratio (rounded, at least 1), or fewer columns when that would pass MaxRows.
        /// </summary>
        internal static (int Columns, int Rows) CellBox(int width, int height, TerminalImageOptions options)
        {
            int columns = options.Columns;
            long rows = Math.Max(1, RoundDiv((long)columns * options.CellWidth * height, (long)width * options.CellHeight));
            if (options.MaxRows.HasValue && rows > options.MaxRows.Value)
            {
                rows = options.MaxRows.Value;
                columns = (int)Math.Max(1, RoundDiv(rows * options.CellHeight * width, (long)height * options.CellWidth));
            }

            return (columns, (int)rows);
        }

        private static TerminalImage Kitty(byte[] png, (int Width, int Height) size, TerminalImageOptions options)
        {
            (int columns, int rows) = CellBox(size.Width, size.Height, options);
            const int ChunkBytes = KittyChunkLength / 4 * 3; // 3072 bytes are exactly 4096 base64 characters
            int chunks = Math.Max(1, (png.Length + ChunkBytes - 1) / ChunkBytes);
            var text = new CharBuffer(((png.Length + 2) / 3 * 4) + (chunks * 16) + 80);
            for (int chunk = 0; chunk < chunks; chunk++)
            {
                int offset = chunk * ChunkBytes;
                text.Append("\u001b_G");
                if (chunk == 0)
                {
                    text.Append("a=T,f=100,t=d,c=");
                    text.Append(columns);
                    text.Append(",r=");
                    text.Append(rows);
                    if (options.KittyImageId.HasValue)
                    {
                        text.Append(",i=");
                        text.Append(options.KittyImageId.Value.ToString(CultureInfo.InvariantCulture));
                    }
                }

                // Continuation chunks carry only m, and q, which kitty wants repeated to stay quiet (kitty#3375).
                text.Append(chunk == 0 ? ",q=2," : "q=2,");
                text.Append(chunk == chunks - 1 ? "m=0;" : "m=1;");
                text.AppendBase64(png, offset, Math.Min(ChunkBytes, png.Length - offset));
                text.Append("\u001b\\");
            }

            text.Append('\n');
            return new TerminalImage(text.ToString(), columns, rows, TerminalGraphicsProtocol.Kitty);
        }

        private static TerminalImage ITerm(byte[] file, (int Width, int Height) size, TerminalImageOptions options)
        {
            (int columns, int rows) = CellBox(size.Width, size.Height, options);
            var text = new CharBuffer(((file.Length + 2) / 3 * 4) + 160);
            text.Append("\u001b]1337;File=");
            if (!string.IsNullOrEmpty(options.Name))
            {
                text.Append("name=");
                text.Append(Convert.ToBase64String(Encoding.UTF8.GetBytes(options.Name)));
                text.Append(';');
            }

            text.Append("size=");
            text.Append(file.Length);
            text.Append(";width=");
            text.Append(columns);
            text.Append(";height=");
            text.Append(rows);
            text.Append(";preserveAspectRatio=1;inline=1:");
            text.AppendBase64(file, 0, file.Length);
            text.Append("\a\n");
            return new TerminalImage(text.ToString(), columns, rows, TerminalGraphicsProtocol.ITerm);
        }

        // ---- helpers ---------------------------------------------------------------------------------------------

        private static byte[] ReadAll(Stream stream, string? name, CancellationToken cancellationToken)
        {
            if (!stream.CanRead)
            {
                throw new ArgumentException("The stream is not readable.", nameof(stream));
            }

            if (stream.CanSeek)
            {
                // A file or memory stream: one array of the exact size, no growing copies.
                long left = stream.Length - stream.Position;
                if (left > MaxFileBytes)
                {
                    throw FileTooLarge(name);
                }

                var whole = new byte[Math.Max(0, left)];
                int got = 0;
                while (got < whole.Length)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    int n = stream.Read(whole, got, Math.Min(whole.Length - got, 1 << 20));
                    if (n <= 0)
                    {
                        Array.Resize(ref whole, got);
                        break;
                    }

                    got += n;
                }

                return whole;
            }

            // A pipe or network stream: 64 KB blocks, copied once into the final array (no doubling copies).
            using var buffer = new ChunkedBufferStream();
            var chunk = new byte[81920];
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                int n = stream.Read(chunk, 0, chunk.Length);
                if (n <= 0)
                {
                    break;
                }

                if (buffer.Length + n > MaxFileBytes)
                {
                    throw FileTooLarge(name);
                }

                buffer.Write(chunk, 0, n);
            }

            return buffer.ToArray();
        }

        private static TerminalImageException FileTooLarge(string? name) =>
            new TerminalImageException(TerminalImageError.TooLarge, $"{Describe(name)} is over {MaxFileBytes / (1024 * 1024)} MB, too large to draw in the terminal.");

        internal static TerminalImageException TooLarge(long width, long height, string? name) =>
            new TerminalImageException(
                TerminalImageError.TooLarge,
                $"{Describe(name)} is {width}x{height} pixels; images over {MaxDimension} pixels in either dimension are not drawn. Open it with Invoke-Item.");

        /// <summary>How messages name the image: <c>'file.png'</c>, or <c>The image</c> when there is no name.</summary>
        internal static string Describe(string? name) => string.IsNullOrEmpty(name) ? "The image" : "'" + name + "'";

        /// <summary>A target size in pixels and the cells it covers.</summary>
        internal readonly struct PixelBox
        {
            public PixelBox(int width, int height, int columns, int rows)
            {
                Width = width;
                Height = height;
                Columns = columns;
                Rows = rows;
            }

            public int Width { get; }

            public int Height { get; }

            public int Columns { get; }

            public int Rows { get; }
        }

        private sealed class NullSink : IPixelRowSink
        {
            public static readonly NullSink Instance = new NullSink();

            public void AddRow(int y, byte[] rgba, int xStart, int xStep, int count)
            {
            }
        }

        private static long RoundDiv(long numerator, long denominator) => (numerator + (denominator / 2)) / denominator;
    }
}
