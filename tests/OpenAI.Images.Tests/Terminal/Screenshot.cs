using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace OpenAI.Images.Tests.Terminal;

/// <summary>A screenshot's pixels, read through ImageMagick as a binary PPM (P6, 8 bits).</summary>
public sealed class Screenshot
{
    private readonly byte[] _rgb;

    private Screenshot(int width, int height, byte[] rgb)
    {
        Width = width;
        Height = height;
        _rgb = rgb;
    }

    public int Width { get; }

    public int Height { get; }

    /// <summary>Converts <paramref name="image"/> with ImageMagick's convert and reads the pixels.</summary>
    public static Screenshot Read(string convert, string image)
    {
        string ppm = Path.ChangeExtension(image, ".ppm");
        (int code, string output, string error) = TerminalPrograms.Run(convert, new[] { image, "-depth", "8", ppm }, TimeSpan.FromSeconds(60));
        Assert.True(code == 0, output + error);
        byte[] bytes = File.ReadAllBytes(ppm);
        int offset = 0;
        string[] header = new string[4];
        for (int i = 0; i < 4; i++)
        {
            header[i] = Token(bytes, ref offset);
        }

        Assert.Equal("P6", header[0]);
        Assert.Equal("255", header[3]);
        int width = int.Parse(header[1], System.Globalization.CultureInfo.InvariantCulture);
        int height = int.Parse(header[2], System.Globalization.CultureInfo.InvariantCulture);
        offset++; // the single whitespace after maxval
        var rgb = new byte[width * height * 3];
        Array.Copy(bytes, offset, rgb, 0, rgb.Length);
        return new Screenshot(width, height, rgb);
    }

    /// <summary>
    /// The bounding box (x, y, width, height) of the pixels within 16 of <paramref name="colour"/> in each channel,
    /// in the whole screenshot or only <paramref name="within"/>; (0, 0, 0, 0) when there is none.
    /// </summary>
    public (int X, int Y, int Width, int Height) Bounds((byte R, byte G, byte B) colour, (int X, int Y, int Width, int Height)? within = null)
    {
        (int left, int top, int w, int h) = within ?? (0, 0, Width, Height);
        int minX = int.MaxValue, minY = int.MaxValue, maxX = -1, maxY = -1;
        for (int y = top; y < Math.Min(Height, top + h); y++)
        {
            for (int x = left; x < Math.Min(Width, left + w); x++)
            {
                int i = (y * Width + x) * 3;
                if (Math.Abs(_rgb[i] - colour.R) <= 16 && Math.Abs(_rgb[i + 1] - colour.G) <= 16 && Math.Abs(_rgb[i + 2] - colour.B) <= 16)
                {
                    minX = Math.Min(minX, x);
                    minY = Math.Min(minY, y);
                    maxX = Math.Max(maxX, x);
                    maxY = Math.Max(maxY, y);
                }
            }
        }

        return maxX < 0 ? (0, 0, 0, 0) : (minX, minY, maxX - minX + 1, maxY - minY + 1);
    }

    /// <summary>The colour of pixel (<paramref name="x"/>, <paramref name="y"/>).</summary>
    public (byte R, byte G, byte B) Pixel(int x, int y)
    {
        int i = (y * Width + x) * 3;
        return (_rgb[i], _rgb[i + 1], _rgb[i + 2]);
    }

    private static string Token(byte[] bytes, ref int offset)
    {
        while (char.IsWhiteSpace((char)bytes[offset]))
        {
            offset++;
        }

        var token = new StringBuilder();
        while (!char.IsWhiteSpace((char)bytes[offset]))
        {
            token.Append((char)bytes[offset++]);
        }

        return token.ToString();
    }
}
