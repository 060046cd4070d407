using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation.Language;

namespace OpenAI.Images.Tests;

/// <summary>
/// Every PowerShell file of the repository (Pester suites and their helpers, build.ps1, the manifest) parses with the
/// engine's own parser, so a syntax slip shows by name even in a file no test runs; and every exported cmdlet has a
/// Pester suite named after it.
/// </summary>
public sealed class ScriptsTests
{
    public static IEnumerable<object[]> Scripts() =>
        new[] { "build.ps1", "OpenAI.Images.psd1" }
            .Select(f => Path.Combine(ModuleHost.RepoRoot, f))
            .Concat(Directory.GetFiles(Path.Combine(ModuleHost.RepoRoot, "tests"), "*.ps*1", SearchOption.AllDirectories)
                .Where(f => !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar) && !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar)))
            .Select(f => new object[] { Path.GetRelativePath(ModuleHost.RepoRoot, f) });

    [Theory]
    [MemberData(nameof(Scripts))]
    public void ParsesWithoutErrors(string relativePath)
    {
        Parser.ParseFile(Path.Combine(ModuleHost.RepoRoot, relativePath), out _, out ParseError[] errors);
        Assert.True(errors.Length == 0, string.Join("\n", errors.Select(e => $"{relativePath}:{e.Extent.StartLineNumber}: {e.Message}")));
    }

    [Fact]
    public void EveryCmdletHasAPesterSuite()
    {
        // The manifest picks its root module with an if statement, which Import-PowerShellDataFile refuses: read the
        // shipped manifest with Test-ModuleManifest.
        ScriptResult r = ModuleHost.Run("(Test-ModuleManifest -Path $args[0]).ExportedCmdlets.Keys", null, ModuleHost.ManifestPath);
        string[] cmdlets = r.Output.Select(o => o.ToString()).ToArray();
        Assert.True(cmdlets.Length >= 7, string.Join(", ", cmdlets));
        Assert.All(cmdlets, c => Assert.True(File.Exists(Path.Combine(ModuleHost.RepoRoot, "tests", c + ".Tests.ps1")), c));
    }
}
