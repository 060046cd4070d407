using System;
using System.IO;

namespace OpenAI.Images.Core.Tests;

/// <summary>Finds the shared test images in <c>tests/assets</c> by walking up from the test binaries.</summary>
internal static class TestAssets
{
    private static readonly Lazy<string> Root = new Lazy<string>(FindRoot);

    /// <summary>The absolute path of the <c>tests/assets</c> folder.</summary>
    public static string Directory => Root.Value;

    /// <summary>The absolute path of an asset, which must exist.</summary>
    public static string Path(string name)
    {
        string path = System.IO.Path.Combine(Root.Value, name);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Test asset '{name}' is missing from {Root.Value}.", path);
        }

        return path;
    }

    /// <summary>The bytes of an asset.</summary>
    public static byte[] Bytes(string name) => File.ReadAllBytes(Path(name));

    private static string FindRoot()
    {
        for (DirectoryInfo? dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = System.IO.Path.Combine(dir.FullName, "tests", "assets");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        throw new DirectoryNotFoundException($"No tests/assets folder above {AppContext.BaseDirectory}.");
    }
}
