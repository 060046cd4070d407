using System;
using System.IO;

namespace OpenAI.Images.FakeApi;

/// <summary>The real 8x8 sample images (from tests/assets) the fake returns as image data.</summary>
public static class SampleImages
{
    /// <summary>tests/assets/sample-8x8.png (RGB).</summary>
    public static byte[] Png { get; } = Load("assets/sample-8x8.png");

    /// <summary>tests/assets/sample-8x8-rgba.png (with an alpha channel; used for transparent backgrounds).</summary>
    public static byte[] RgbaPng { get; } = Load("assets/sample-8x8-rgba.png");

    /// <summary>tests/assets/sample-8x8.jpg.</summary>
    public static byte[] Jpeg { get; } = Load("assets/sample-8x8.jpg");

    /// <summary>tests/assets/sample-8x8.webp.</summary>
    public static byte[] Webp { get; } = Load("assets/sample-8x8.webp");

    /// <summary>The sample for an <c>output_format</c> (png, jpeg/jpg, webp); anything else gets the PNG.</summary>
    public static byte[] ForFormat(string? outputFormat, bool transparent = false)
    {
        switch (outputFormat?.ToLowerInvariant())
        {
            case "jpeg":
            case "jpg":
                return Jpeg;
            case "webp":
                return Webp;
            default:
                return transparent ? RgbaPng : Png;
        }
    }

    private static byte[] Load(string name)
    {
        using Stream stream = typeof(SampleImages).Assembly.GetManifestResourceStream(name)
            ?? throw new InvalidOperationException($"Embedded resource '{name}' is missing from {typeof(SampleImages).Assembly.GetName().Name}.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
