using System;
using OpenAI.Images.Terminal;

namespace OpenAI.Images.Imaging
{
    /// <summary>
    /// Scales an image by area averaging while its rows stream in, compositing alpha onto a background: each target
    /// pixel is the average of the source area it covers, weighted exactly by overlap (integer arithmetic on the
    /// lattice where a source pixel is dstW x dstH units and a target pixel srcW x srcH). Colours are averaged
    /// premultiplied by alpha, so transparent pixels add no colour, and the composite onto the background follows from
    /// the averaged alpha (the same as compositing each pixel, then averaging). Keeps accumulators only for the target:
    /// for rows that arrive in order, just the few target rows still open; for interlaced images, all of them.
    /// </summary>
    internal sealed class AreaScaler : IPixelRowSink
    {
        private readonly int _dstWidth;
        private readonly int _dstHeight;
        private readonly bool _sequential;
        private readonly TerminalColor _background;

        // Horizontal: source x contributes to target columns _xTarget[_xFirst[x] .. _xFirst[x+1]) with weights _xWeight.
        private readonly int[] _xFirst;
        private readonly int[] _xTarget;
        private readonly int[] _xWeight;

        // Vertical, likewise for source rows.
        private readonly int[] _yFirst;
        private readonly int[] _yTarget;
        private readonly int[] _yWeight;

        private readonly long _total;       // the sum of weights in one target pixel
        private readonly int[] _row;        // one source row, reduced horizontally: premultiplied R, G, B and A per target column
        private readonly long[] _sums;      // accumulators, 4 per target pixel, for _window target rows (ring) or all of them
        private readonly int _window;
        private readonly byte[] _output;    // the finished image, RGB
        private int _flushed;               // target rows below this are finished (sequential mode)

        /// <summary>Prepares to scale a <paramref name="srcWidth"/> x <paramref name="srcHeight"/> image to <paramref name="dstWidth"/> x <paramref name="dstHeight"/>.</summary>
        /// <param name="srcWidth">The source width.</param>
        /// <param name="srcHeight">The source height.</param>
        /// <param name="dstWidth">The target width.</param>
        /// <param name="dstHeight">The target height.</param>
        /// <param name="sequential">True when rows arrive top to bottom, each once (not interlaced): keeps only the open target rows.</param>
        /// <param name="background">What transparency is composited onto.</param>
        public AreaScaler(int srcWidth, int srcHeight, int dstWidth, int dstHeight, bool sequential, TerminalColor background)
        {
            _dstWidth = dstWidth;
            _dstHeight = dstHeight;
            _sequential = sequential;
            _background = background;
            int gx = Gcd(srcWidth, dstWidth), gy = Gcd(srcHeight, dstHeight);
            BuildMap(srcWidth, dstWidth, gx, out _xFirst, out _xTarget, out _xWeight);
            BuildMap(srcHeight, dstHeight, gy, out _yFirst, out _yTarget, out _yWeight);
            _total = (long)(srcWidth / gx) * (srcHeight / gy);
            _row = new int[dstWidth * 4];
            int span = 1;
            for (int y = 0; y < srcHeight; y++)
            {
                span = Math.Max(span, _yFirst[y + 1] - _yFirst[y]);
            }

            _window = sequential ? Math.Min(dstHeight, span + 1) : dstHeight;
            _sums = new long[(long)_window * dstWidth * 4];
            _output = new byte[(long)dstWidth * dstHeight * 3];
        }

        /// <summary>The target width.</summary>
        public int Width => _dstWidth;

        /// <summary>The target height.</summary>
        public int Height => _dstHeight;

        /// <inheritdoc />
        public void AddRow(int y, byte[] rgba, int xStart, int xStep, int count)
        {
            int[] row = _row;
            Array.Clear(row, 0, row.Length);
            int[] xFirst = _xFirst, xTarget = _xTarget, xWeight = _xWeight;
            for (int i = 0, x = xStart, s = 0; i < count; i++, x += xStep, s += 4)
            {
                int a = rgba[s + 3];
                if (a == 0)
                {
                    continue;
                }

                int r = rgba[s] * a, g = rgba[s + 1] * a, b = rgba[s + 2] * a;
                int end = xFirst[x + 1];
                for (int k = xFirst[x]; k < end; k++)
                {
                    int w = xWeight[k];
                    int t = xTarget[k] << 2;
                    row[t] += r * w;
                    row[t + 1] += g * w;
                    row[t + 2] += b * w;
                    row[t + 3] += a * w;
                }
            }

            int first = _yFirst[y], last = _yFirst[y + 1];
            if (_sequential)
            {
                // Target rows above this source row's first one can take no more: finish them.
                int top = _yTarget[first];
                while (_flushed < top)
                {
                    Flush(_flushed++);
                }
            }

            long[] sums = _sums;
            int stride = _dstWidth * 4;
            for (int k = first; k < last; k++)
            {
                long w = _yWeight[k];
                int offset = (_yTarget[k] % _window) * stride;
                for (int i = 0; i < stride; i++)
                {
                    sums[offset + i] += row[i] * w;
                }
            }
        }

        /// <summary>Finishes the remaining rows and returns the scaled, composited image: RGB, 3 bytes a pixel, row by row.</summary>
        public byte[] Finish()
        {
            while (_flushed < _dstHeight)
            {
                Flush(_flushed++);
            }

            return _output;
        }

        private void Flush(int targetRow)
        {
            long[] sums = _sums;
            byte[] output = _output;
            int offset = (targetRow % _window) * _dstWidth * 4;
            int o = targetRow * _dstWidth * 3;
            long full = 255 * _total;
            long half = full / 2;
            long br = _background.R, bg = _background.G, bb = _background.B;
            for (int x = 0; x < _dstWidth; x++, offset += 4, o += 3)
            {
                // out = (sum(c*a) + bg * sum(255 - a)) / (255 * total): the average of the composited pixels.
                long clear = full - sums[offset + 3];
                output[o] = (byte)((sums[offset] + (br * clear) + half) / full);
                output[o + 1] = (byte)((sums[offset + 1] + (bg * clear) + half) / full);
                output[o + 2] = (byte)((sums[offset + 2] + (bb * clear) + half) / full);
                sums[offset] = 0;
                sums[offset + 1] = 0;
                sums[offset + 2] = 0;
                sums[offset + 3] = 0;
            }
        }

        /// <summary>
        /// For each source index, the target indices it overlaps and by how much, on the lattice where a source pixel
        /// is dst/g units long and a target pixel src/g (so each target's weights sum to src/g).
        /// </summary>
        private static void BuildMap(int src, int dst, int g, out int[] first, out int[] target, out int[] weight)
        {
            long sourceUnit = dst / g, targetUnit = src / g;
            first = new int[src + 1];
            int entries = 0;
            for (int s = 0; s < src; s++)
            {
                long start = s * sourceUnit, end = start + sourceUnit;
                entries += (int)(((end - 1) / targetUnit) - (start / targetUnit) + 1);
            }

            target = new int[entries];
            weight = new int[entries];
            int k = 0;
            for (int s = 0; s < src; s++)
            {
                first[s] = k;
                long start = s * sourceUnit, end = start + sourceUnit;
                for (long t = start / targetUnit; t * targetUnit < end; t++)
                {
                    long from = Math.Max(start, t * targetUnit), to = Math.Min(end, (t + 1) * targetUnit);
                    target[k] = (int)t;
                    weight[k] = (int)(to - from);
                    k++;
                }
            }

            first[src] = k;
        }

        private static int Gcd(int a, int b)
        {
            while (b != 0)
            {
                int t = a % b;
                a = b;
                b = t;
            }

            return a;
        }
    }
}
