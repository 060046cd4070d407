namespace OpenAI.Images.Terminal
{
    /// <summary>
    /// Draws an RGB image with Unicode upper half blocks (<c>▀</c>): each cell shows two pixels, the upper as the 24-bit
    /// foreground (<c>ESC[38;2;r;g;bm</c>) and the lower as the background (<c>ESC[48;2;r;g;bm</c>), a colour sent only
    /// when it changes along the line; each line ends with a reset (<c>ESC[0m</c>) and a newline.
    /// </summary>
    internal static class BlockEncoder
    {
        /// <summary>Encodes <paramref name="rgb"/> (3 bytes a pixel, <paramref name="width"/> x <paramref name="height"/>, height even).</summary>
        public static string Encode(byte[] rgb, int width, int height)
        {
            var text = new CharBuffer(width * height * 20);
            for (int y = 0; y < height; y += 2)
            {
                int previousTop = -1, previousBottom = -1;
                for (int x = 0; x < width; x++)
                {
                    int t = ((y * width) + x) * 3;
                    int b = t + (width * 3);
                    int top = (rgb[t] << 16) | (rgb[t + 1] << 8) | rgb[t + 2];
                    int bottom = (rgb[b] << 16) | (rgb[b + 1] << 8) | rgb[b + 2];
                    if (top != previousTop)
                    {
                        AppendColour(text, "\u001b[38;2;", top);
                        previousTop = top;
                    }

                    if (bottom != previousBottom)
                    {
                        AppendColour(text, "\u001b[48;2;", bottom);
                        previousBottom = bottom;
                    }

                    text.Append('\u2580');
                }

                text.Append("\u001b[0m\n");
            }

            return text.ToString();
        }

        private static void AppendColour(CharBuffer text, string introducer, int colour)
        {
            text.Append(introducer);
            text.Append(colour >> 16);
            text.Append(';');
            text.Append((colour >> 8) & 0xFF);
            text.Append(';');
            text.Append(colour & 0xFF);
            text.Append('m');
        }
    }
}
