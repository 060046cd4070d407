using System;

namespace OpenAI.Images.Imaging
{
    /// <summary>Reverses PNG's per-row filters (None, Sub, Up, Average, Paeth) in place.</summary>
    internal static class PngFilters
    {
        /// <summary>
        /// Unfilters <paramref name="count"/> bytes of <paramref name="row"/> (the row without its filter-type byte),
        /// given the previous unfiltered row of the same pass (all zero for the first).
        /// </summary>
        /// <returns>False when <paramref name="filter"/> is not a PNG filter type (0 to 4): the data is corrupt.</returns>
        public static bool Unfilter(int filter, byte[] row, byte[] above, int count, int bytesPerPixel)
        {
            int bpp = Math.Min(bytesPerPixel, count);
            switch (filter)
            {
                case 0:
                    return true;
                case 1:
                    for (int i = bpp; i < count; i++)
                    {
                        row[i] = unchecked((byte)(row[i] + row[i - bpp]));
                    }

                    return true;
                case 2:
                    for (int i = 0; i < count; i++)
                    {
                        row[i] = unchecked((byte)(row[i] + above[i]));
                    }

                    return true;
                case 3:
                    for (int i = 0; i < bpp; i++)
                    {
                        row[i] = unchecked((byte)(row[i] + (above[i] >> 1)));
                    }

                    for (int i = bpp; i < count; i++)
                    {
                        row[i] = unchecked((byte)(row[i] + ((row[i - bpp] + above[i]) >> 1)));
                    }

                    return true;
                case 4:
                    for (int i = 0; i < bpp; i++)
                    {
                        row[i] = unchecked((byte)(row[i] + above[i]));
                    }

                    for (int i = bpp; i < count; i++)
                    {
                        int a = row[i - bpp], b = above[i], c = above[i - bpp];
                        int pa = b - c, pb = a - c;
                        int pc = pa + pb;
                        pa = pa < 0 ? -pa : pa;
                        pb = pb < 0 ? -pb : pb;
                        pc = pc < 0 ? -pc : pc;
                        row[i] = unchecked((byte)(row[i] + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c)));
                    }

                    return true;
                default:
                    return false;
            }
        }
    }
}
