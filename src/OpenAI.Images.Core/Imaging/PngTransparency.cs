using System;
using System.IO;
using System.IO.Compression;

namespace OpenAI.Images.Imaging
{
    /// <summary>
    /// Whether a PNG has a fully transparent pixel: what dall-e-2 edits without a mask use as the area to edit.
    /// </summary>
    public static class PngTransparency
    {
        private const int MaxDecodedBytes = 64 * 1024 * 1024;

        /// <summary>
        /// True when some pixel has alpha 0, false when none has (or the image has no alpha at all), null when this
        /// cannot tell without a full decoder (interlaced images, palette or colour-key transparency, a damaged file):
        /// callers then let the request go and the API judge.
        /// </summary>
        public static bool? HasTransparentPixel(string path)
        {
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 64 * 1024);
            return HasTransparentPixel(stream);
        }

        /// <summary>As <see cref="HasTransparentPixel(string)"/>, reading the PNG from <paramref name="png"/>.</summary>
        public static bool? HasTransparentPixel(Stream png)
        {
            if (png is null)
            {
                throw new ArgumentNullException(nameof(png));
            }

            var header = new byte[8];
            if (!ReadExactly(png, header, 8) || header[0] != 0x89 || header[1] != (byte)'P' || header[2] != (byte)'N' || header[3] != (byte)'G')
            {
                return null;
            }

            int width = 0, height = 0, bitDepth = 0, colourType = -1, interlace = 0;
            bool hasTrns = false;
            var idat = new MemoryStream();
            var lengthAndType = new byte[8];
            while (ReadExactly(png, lengthAndType, 8))
            {
                long length = ((long)lengthAndType[0] << 24) | ((long)lengthAndType[1] << 16) | ((long)lengthAndType[2] << 8) | lengthAndType[3];
                string type = System.Text.Encoding.ASCII.GetString(lengthAndType, 4, 4);
                if (length < 0 || length > int.MaxValue || idat.Length + length > MaxDecodedBytes)
                {
                    return null;
                }

                var data = new byte[length];
                if (!ReadExactly(png, data, (int)length) || !ReadExactly(png, new byte[4], 4))
                {
                    return null;
                }

                switch (type)
                {
                    case "IHDR" when length >= 13:
                        width = (data[0] << 24) | (data[1] << 16) | (data[2] << 8) | data[3];
                        height = (data[4] << 24) | (data[5] << 16) | (data[6] << 8) | data[7];
                        bitDepth = data[8];
                        colourType = data[9];
                        interlace = data[12];
                        break;
                    case "tRNS":
                        hasTrns = true;
                        break;
                    case "IDAT":
                        idat.Write(data, 0, data.Length);
                        break;
                    case "IEND":
                        return Decide(idat, width, height, bitDepth, colourType, interlace, hasTrns);
                }
            }

            return null;
        }

        private static bool? Decide(MemoryStream idat, int width, int height, int bitDepth, int colourType, int interlace, bool hasTrns)
        {
            if (colourType != 4 && colourType != 6)
            {
                // No alpha channel: without tRNS no pixel can be transparent; with it, this does not decode palettes.
                return hasTrns ? (bool?)null : false;
            }

            if (interlace != 0 || (bitDepth != 8 && bitDepth != 16) || width <= 0 || height <= 0)
            {
                return null;
            }

            int channels = colourType == 6 ? 4 : 2;
            int bytesPerPixel = channels * bitDepth / 8;
            long stride = (long)width * bytesPerPixel;
            if (stride * height > MaxDecodedBytes)
            {
                return null;
            }

            idat.Position = 2; // the zlib header; DeflateStream reads the raw deflate data after it
            try
            {
                using var inflater = new DeflateStream(idat, CompressionMode.Decompress);
                var previous = new byte[stride];
                var current = new byte[stride];
                var filter = new byte[1];
                for (int y = 0; y < height; y++)
                {
                    if (!ReadExactly(inflater, filter, 1) || !ReadExactly(inflater, current, (int)stride))
                    {
                        return null;
                    }

                    if (!PngFilters.Unfilter(filter[0], current, previous, (int)stride, bytesPerPixel))
                    {
                        return null;
                    }

                    for (long x = bytesPerPixel - (bitDepth / 8); x < stride; x += bytesPerPixel)
                    {
                        // The alpha sample is the pixel's last; for 16 bits both of its bytes must be 0.
                        if (current[x] == 0 && (bitDepth == 8 || current[x + 1] == 0))
                        {
                            return true;
                        }
                    }

                    byte[] swap = previous;
                    previous = current;
                    current = swap;
                }
            }
            catch (InvalidDataException)
            {
                return null;
            }

            return false;
        }

        /// <summary>Reads exactly <paramref name="count"/> bytes; false when the stream ends first.</summary>
        internal static bool ReadExactly(Stream stream, byte[] buffer, int count)
        {
            int offset = 0;
            while (offset < count)
            {
                int read = stream.Read(buffer, offset, count - offset);
                if (read == 0)
                {
                    return false;
                }

                offset += read;
            }

            return true;
        }
    }
}
