using System;

namespace OpenAI.Images.Terminal
{
    /// <summary>
    /// Encodes an RGB image as DEC Sixel: <c>ESC P 0;1;0 q</c>, raster attributes <c>"1;1;W;H</c>, up to 256 colour
    /// registers <c>#i;2;r;g;b</c> (percent), then bands of six rows, each colour of a band as a run-length-encoded
    /// (<c>!n</c>) line of sixels, <c>$</c> between colours and <c>-</c> between bands, and ST at the end.
    /// </summary>
    internal static class SixelEncoder
    {
        /// <summary>Encodes <paramref name="rgb"/> (3 bytes a pixel, <paramref name="width"/> x <paramref name="height"/>).</summary>
        public static string Encode(byte[] rgb, int width, int height)
        {
            byte[] indices = ColorQuantizer.Quantize(rgb, width * height, 256, out byte[] palette);
            int colours = palette.Length / 3;
            var text = new CharBuffer(Math.Max(1024, width * height / 2));
            text.Append("\u001bP0;1;0q\"1;1;");
            text.Append(width);
            text.Append(';');
            text.Append(height);
            for (int i = 0; i < colours; i++)
            {
                text.Append('#');
                text.Append(i);
                text.Append(";2;");
                text.Append(Percent(palette[i * 3]));
                text.Append(';');
                text.Append(Percent(palette[(i * 3) + 1]));
                text.Append(';');
                text.Append(Percent(palette[(i * 3) + 2]));
            }

            var bits = new byte[colours * width];     // the band's sixel bits, per colour per column
            var minX = new int[colours];
            var maxX = new int[colours];
            var inBand = new bool[colours];
            var used = new int[colours];
            for (int top = 0; top < height; top += 6)
            {
                int bandHeight = Math.Min(6, height - top);
                int usedCount = 0;
                for (int r = 0; r < bandHeight; r++)
                {
                    int bit = 1 << r;
                    int p = (top + r) * width;
                    for (int x = 0; x < width; x++)
                    {
                        int c = indices[p + x];
                        if (!inBand[c])
                        {
                            inBand[c] = true;
                            used[usedCount++] = c;
                            minX[c] = x;
                            maxX[c] = x;
                        }
                        else if (x < minX[c])
                        {
                            minX[c] = x;
                        }
                        else if (x > maxX[c])
                        {
                            maxX[c] = x;
                        }

                        bits[(c * width) + x] |= (byte)bit;
                    }
                }

                for (int u = 0; u < usedCount; u++)
                {
                    int c = used[u];
                    inBand[c] = false;
                    text.Append('#');
                    text.Append(c);
                    int row = c * width;
                    int start = minX[c], end = maxX[c];
                    if (start > 0)
                    {
                        AppendRun(text, '?', start);
                    }

                    int run = 0;
                    char previous = '\0';
                    for (int x = start; x <= end; x++)
                    {
                        char ch = (char)(63 + bits[row + x]);
                        bits[row + x] = 0;
                        if (ch == previous)
                        {
                            run++;
                        }
                        else
                        {
                            if (run > 0)
                            {
                                AppendRun(text, previous, run);
                            }

                            previous = ch;
                            run = 1;
                        }
                    }

                    AppendRun(text, previous, run);
                    if (u < usedCount - 1)
                    {
                        text.Append('$');
                    }
                }

                if (top + 6 < height)
                {
                    text.Append('-');
                }
            }

            text.Append("\u001b\\");
            return text.ToString();
        }

        private static int Percent(byte value) => ((value * 100) + 127) / 255;

        private static void AppendRun(CharBuffer text, char ch, int run)
        {
            if (run > 3)
            {
                text.Append('!');
                text.Append(run);
                text.Append(ch);
            }
            else
            {
                for (int i = 0; i < run; i++)
                {
                    text.Append(ch);
                }
            }
        }
    }
}
