using System;
using System.IO;
using System.IO.Compression;
using OpenAI.Images.Core.Tests.Terminal;

namespace OpenAI.Images.Tests.Terminal;

/// <summary>
/// Small 8-bit RGB (or RGBA) PNG files for the terminal tests, written by the core tests' own encoder
/// (<see cref="TestPng"/>, linked in), independently of the module's decoder: the expected colours of a test are the
/// ones it painted here.
/// </summary>
public static class QuadrantPng
{
    /// <summary>A PNG of <paramref name="width"/>x<paramref name="height"/> whose pixel (x, y) is <paramref name="pixel"/>(x, y).</summary>
    public static byte[] Create(int width, int height, Func<int, int, (byte R, byte G, byte B)> pixel) =>
        TestPng.Encode(width, height, 2, 8, false, (x, y, c) =>
        {
            (byte r, byte g, byte b) = pixel(x, y);
            return c == 0 ? r : c == 1 ? g : b;
        });

    /// <summary>An RGBA PNG (colour type 6) of <paramref name="width"/>x<paramref name="height"/> whose pixel (x, y) is <paramref name="pixel"/>(x, y).</summary>
    public static byte[] CreateWithAlpha(int width, int height, Func<int, int, (byte R, byte G, byte B, byte A)> pixel) =>
        TestPng.Encode(width, height, 6, 8, false, (x, y, c) =>
        {
            (byte r, byte g, byte b, byte a) = pixel(x, y);
            return c == 0 ? r : c == 1 ? g : c == 2 ? b : a;
        });

    /// <summary>
    /// A well-formed PNG (right CRCs) whose header declares <paramref name="width"/>x<paramref name="height"/> but whose
    /// image data is one empty row: for the size checks, which come before any pixel is read.
    /// </summary>
    public static byte[] Declaring(int width, int height)
    {
        using var raw = new MemoryStream();
        using (var zlib = new ZLibStream(raw, CompressionLevel.Fastest, leaveOpen: true))
        {
            zlib.WriteByte(0);
        }

        return TestPng.Assemble(new[] { ("IHDR", TestPng.Header(width, height, 2, 8)), ("IDAT", raw.ToArray()), ("IEND", Array.Empty<byte>()) });
    }

    /// <summary>
    /// Four solid quadrants, easy to tell apart on a screen: red top left, green top right, blue bottom left,
    /// yellow bottom right.
    /// </summary>
    public static byte[] Quadrants(int width, int height) =>
        Create(width, height, (x, y) => QuadrantColour(x * 2 / width, y * 2 / height));

    /// <summary>The colour of quadrant (column 0-1, row 0-1) of <see cref="Quadrants"/>.</summary>
    public static (byte R, byte G, byte B) QuadrantColour(int column, int row) => (column, row) switch
    {
        (0, 0) => (255, 0, 0),
        (1, 0) => (0, 255, 0),
        (0, 1) => (0, 0, 255),
        _ => (255, 255, 0),
    };
}
