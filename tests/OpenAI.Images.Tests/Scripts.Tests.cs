using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation.Language;

namespace OpenAI.Images.Tests;

/// <summary>
/// The repository's PowerShell files (Pester suites, their helpers, build.ps1, the manifest, the SecretManagement test
/// double) cannot run here (no pwsh, no Pester), so at least they must parse with the engine's own parser.
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
        string[] cmdlets = { "New-OpenAIImage", "Edit-OpenAIImage", "New-OpenAIImageVariation", "Save-OpenAIImage", "Set-OpenAIConfig", "Get-OpenAIConfig", "Remove-OpenAIConfig" };
        Assert.All(cmdlets, c => Assert.True(File.Exists(Path.Combine(ModuleHost.RepoRoot, "tests", c + ".Tests.ps1")), c));
    }
}
