using System;

namespace OpenAI.Images.Terminal
{
    /// <summary>
    /// Median-cut colour quantisation (no dithering) for Sixel: a histogram of 15-bit colours (5 bits a channel,
    /// keeping the exact sums of the 8-bit values in each bin), then boxes of bins split at the weighted median of
    /// the channel with the largest variance, always splitting the box with the largest total squared error, until
    /// there are <c>maxColours</c> boxes or none can be split. Each palette colour is the mean of its box's pixels.
    /// </summary>
    internal static class ColorQuantizer
    {
        private const int Bins = 1 << 15;

        /// <summary>Quantises an RGB image (3 bytes a pixel) to at most <paramref name="maxColours"/> colours.</summary>
        /// <param name="rgb">The pixels.</param>
        /// <param name="pixelCount">How many pixels.</param>
        /// <param name="maxColours">At most 256.</param>
        /// <param name="palette">The colours, RGB, 3 bytes each.</param>
        /// <returns>The palette index of each pixel.</returns>
        public static byte[] Quantize(byte[] rgb, int pixelCount, int maxColours, out byte[] palette)
        {
            var count = new int[Bins];
            var sumR = new long[Bins];
            var sumG = new long[Bins];
            var sumB = new long[Bins];
            for (int i = 0, p = 0; i < pixelCount; i++, p += 3)
            {
                int r = rgb[p], g = rgb[p + 1], b = rgb[p + 2];
                int key = ((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3);
                count[key]++;
                sumR[key] += r;
                sumG[key] += g;
                sumB[key] += b;
            }

            int used = 0;
            for (int key = 0; key < Bins; key++)
            {
                if (count[key] != 0)
                {
                    used++;
                }
            }

            // The bins in use, and each one's mean colour (scaled by 16 for precision when sorting and measuring).
            var keys = new int[used];
            var means = new int[used * 3];
            for (int key = 0, k = 0; key < Bins; key++)
            {
                int n = count[key];
                if (n != 0)
                {
                    keys[k] = key;
                    means[k * 3] = (int)((sumR[key] * 16) / n);
                    means[(k * 3) + 1] = (int)((sumG[key] * 16) / n);
                    means[(k * 3) + 2] = (int)((sumB[key] * 16) / n);
                    k++;
                }
            }

            var order = new int[used];
            for (int i = 0; i < used; i++)
            {
                order[i] = i;
            }

            int limit = Math.Max(1, Math.Min(256, maxColours));
            var boxStart = new int[limit];
            var boxEnd = new int[limit];
            var boxError = new double[limit];
            var boxAxis = new int[limit];
            int boxes = 1;
            boxStart[0] = 0;
            boxEnd[0] = used;
            Measure(order, 0, used, keys, means, count, out boxError[0], out boxAxis[0]);
            var sortKeys = new int[used];
            while (boxes < limit)
            {
                int best = -1;
                double worst = 0;
                for (int i = 0; i < boxes; i++)
                {
                    if (boxEnd[i] - boxStart[i] > 1 && boxError[i] > worst)
                    {
                        worst = boxError[i];
                        best = i;
                    }
                }

                if (best < 0)
                {
                    break;
                }

                int start = boxStart[best], end = boxEnd[best], axis = boxAxis[best];
                for (int i = start; i < end; i++)
                {
                    sortKeys[i] = means[(order[i] * 3) + axis];
                }

                Array.Sort(sortKeys, order, start, end - start);
                long total = 0;
                for (int i = start; i < end; i++)
                {
                    total += count[keys[order[i]]];
                }

                // The weighted median: the first bin where the running count reaches half, kept inside the box.
                long running = 0;
                int split = start + 1;
                for (int i = start; i < end - 1; i++)
                {
                    running += count[keys[order[i]]];
                    split = i + 1;
                    if (running * 2 >= total)
                    {
                        break;
                    }
                }

                boxEnd[best] = split;
                boxStart[boxes] = split;
                boxEnd[boxes] = end;
                Measure(order, start, split, keys, means, count, out boxError[best], out boxAxis[best]);
                Measure(order, split, end, keys, means, count, out boxError[boxes], out boxAxis[boxes]);
                boxes++;
            }

            palette = new byte[boxes * 3];
            var binToIndex = new byte[Bins];
            for (int i = 0; i < boxes; i++)
            {
                long n = 0, r = 0, g = 0, b = 0;
                for (int j = boxStart[i]; j < boxEnd[i]; j++)
                {
                    int key = keys[order[j]];
                    n += count[key];
                    r += sumR[key];
                    g += sumG[key];
                    b += sumB[key];
                    binToIndex[key] = (byte)i;
                }

                palette[i * 3] = (byte)((r + (n / 2)) / n);
                palette[(i * 3) + 1] = (byte)((g + (n / 2)) / n);
                palette[(i * 3) + 2] = (byte)((b + (n / 2)) / n);
            }

            var indices = new byte[pixelCount];
            for (int i = 0, p = 0; i < pixelCount; i++, p += 3)
            {
                indices[i] = binToIndex[((rgb[p] >> 3) << 10) | ((rgb[p + 1] >> 3) << 5) | (rgb[p + 2] >> 3)];
            }

            return indices;
        }

        /// <summary>A box's total squared error (pixel-weighted, over its bins' means) and the channel with the largest spread.</summary>
        private static void Measure(int[] order, int start, int end, int[] keys, int[] means, int[] count, out double error, out int axis)
        {
            double n = 0;
            double s0 = 0, s1 = 0, s2 = 0, q0 = 0, q1 = 0, q2 = 0;
            for (int i = start; i < end; i++)
            {
                int bin = order[i];
                double c = count[keys[bin]];
                double m0 = means[bin * 3], m1 = means[(bin * 3) + 1], m2 = means[(bin * 3) + 2];
                n += c;
                s0 += c * m0;
                s1 += c * m1;
                s2 += c * m2;
                q0 += c * m0 * m0;
                q1 += c * m1 * m1;
                q2 += c * m2 * m2;
            }

            double v0 = q0 - (s0 * s0 / n), v1 = q1 - (s1 * s1 / n), v2 = q2 - (s2 * s2 / n);
            error = v0 + v1 + v2;
            axis = v0 >= v1 && v0 >= v2 ? 0 : v1 >= v2 ? 1 : 2;
        }
    }
}
