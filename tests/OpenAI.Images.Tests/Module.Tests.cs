using System;
using System.Collections;
using System.IO;
using System.Linq;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using System.Text.RegularExpressions;

namespace OpenAI.Images.Tests;

/// <summary>The shipped module folder: manifest, loader, exports, assemblies.</summary>
public sealed class ModuleTests
{
    private static string ModuleDir => Path.GetDirectoryName(ModuleHost.ManifestPath)!;

    [Fact]
    public void ImportsWithoutWarningsOrErrorsAndExportsExactlyTheManifestCmdlets()
    {
        ScriptResult r = ModuleHost.Run(
            "Remove-Module OpenAI.Images; $w = $null; $m = Import-Module '" + ModuleHost.ManifestPath + "' -PassThru -WarningVariable w; " +
            "[pscustomobject]@{ Warnings = @($w).Count; Exported = @($m.ExportedCmdlets.Keys); Commands = @(Get-Command -Module OpenAI.Images | ForEach-Object Name); Functions = $m.ExportedFunctions.Count; Version = $m.Version.ToString() }");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Empty(r.Warnings);
        dynamic info = r.Output.Single();
        Assert.Equal(0, (int)info.Warnings);
        string manifest = File.ReadAllText(ModuleHost.ManifestPath);
        string[] declared = Regex.Match(manifest, @"CmdletsToExport\s*=\s*@\(([^)]*)\)").Groups[1].Value
            .Split(new[] { '\r', '\n', ',' }, StringSplitOptions.RemoveEmptyEntries)
            .Select(s => s.Trim().Trim('\'')).Where(s => s.Length > 0).OrderBy(s => s, StringComparer.OrdinalIgnoreCase).ToArray();
        Assert.Equal(14, declared.Length);
        Assert.Equal(declared, ((IEnumerable)info.Commands).Cast<object>().Select(o => o.ToString()!).OrderBy(s => s, StringComparer.OrdinalIgnoreCase));
        Assert.Equal(0, (int)info.Functions);
    }

    [Fact]
    public void ShippedManifestVersionComesFromDirectoryBuildProps()
    {
        string props = File.ReadAllText(Path.Combine(ModuleHost.RepoRoot, "Directory.Build.props"));
        string version = Regex.Match(props, "<VersionPrefix>([^<]+)</VersionPrefix>").Groups[1].Value;
        Assert.Matches(@"^\d+\.\d+\.\d+$", version);
        Assert.Contains($"ModuleVersion        = '{version}'", File.ReadAllText(ModuleHost.ManifestPath));
        ScriptResult r = ModuleHost.Run("(Get-Module OpenAI.Images).Version.ToString()");
        Assert.Equal(version, r.Output.Single().ToString());
        Assert.Contains("ModuleVersion        = '0.0.0'", File.ReadAllText(Path.Combine(ModuleHost.RepoRoot, "OpenAI.Images.psd1")));
    }

    [Fact]
    public void EachEditionFolderShipsOnlyTheModulesOwnAssemblies()
    {
        foreach (string framework in new[] { "net8.0", "net472" })
        {
            string dir = Path.Combine(ModuleDir, "bin", framework);
            Assert.Equal(
                new[] { "OpenAI.Images.Core.dll", "OpenAI.Images.dll" },
                Directory.GetFiles(dir).Select(Path.GetFileName).OrderBy(n => n, StringComparer.Ordinal));
        }
    }

    [Theory]
    [InlineData("net8.0")]
    [InlineData("net472")]
    public void AssembliesReferenceNothingThatCouldClashWithAnotherModule(string framework)
    {
        // Allowed: the framework itself, the engine, and each other. Notably no System.Text.Json, System.Memory,
        // Microsoft.Bcl.*, which other modules ship in other versions (the classic Windows PowerShell 5.1 conflict).
        string[] frameworkPrefixes = { "System", "mscorlib", "netstandard", "Microsoft.Win32", "System.Management.Automation" };
        foreach (string dll in new[] { "OpenAI.Images.dll", "OpenAI.Images.Core.dll" })
        {
            using var pe = new PEReader(File.OpenRead(Path.Combine(ModuleDir, "bin", framework, dll)));
            MetadataReader md = pe.GetMetadataReader();
            string[] refs = md.AssemblyReferences.Select(h => md.GetString(md.GetAssemblyReference(h).Name)).ToArray();
            Assert.DoesNotContain("System.Text.Json", refs);
            Assert.DoesNotContain("System.Memory", refs);
            Assert.DoesNotContain(refs, r => r.StartsWith("Microsoft.Bcl", StringComparison.Ordinal));
            Assert.All(refs, r => Assert.True(
                r.StartsWith("OpenAI.Images", StringComparison.Ordinal) || frameworkPrefixes.Any(p => r.StartsWith(p, StringComparison.Ordinal)),
                $"{framework}/{dll} references {r}"));
            if (dll == "OpenAI.Images.Core.dll")
            {
                Assert.DoesNotContain("System.Management.Automation", refs);
            }
        }
    }

    [Fact]
    public void CanBeRemovedAndImportedAgainInTheSameProcess()
    {
        ScriptResult r = ModuleHost.Run(
            "Remove-Module OpenAI.Images; Import-Module '" + ModuleHost.ManifestPath + "'; " +
            "Remove-Module OpenAI.Images; Import-Module '" + ModuleHost.ManifestPath + "'; (Get-Command New-OpenAIImage).ModuleName");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal("OpenAI.Images", r.Output.Single().ToString());
    }

    [Fact]
    public void LoaderPicksTheBuildForTheRunningEdition()
    {
        ScriptResult r = ModuleHost.Run("$PSEdition; [OpenAI.Images.PowerShell.ModuleInfo].Assembly.Location");
        Assert.Equal("Core", r.Output[0].ToString());
        Assert.Equal(Path.Combine(ModuleDir, "bin", "net8.0", "OpenAI.Images.dll"), r.Output[1].ToString());
    }

    [Fact]
    public void TheManifestLoadsTheAssemblyItselfWithoutALoaderScript()
    {
        // No script runs at import (a loader script is compiled on every import and cost more than the assembly).
        Assert.False(File.Exists(Path.Combine(ModuleDir, "OpenAI.Images.psm1")));
        ScriptResult r = ModuleHost.Run("$m = Get-Module OpenAI.Images; $m.ModuleType.ToString(); $m.RootModule; @($m.NestedModules).Count");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal(new[] { "Binary", "bin/net8.0/OpenAI.Images.dll", "0" }, r.Output.Select(o => o.ToString()));
    }

    [Theory]
    [InlineData("Core", "bin/net8.0/OpenAI.Images.dll", "7.4")]
    [InlineData("Desktop", "bin/net472/OpenAI.Images.dll", "5.1")]
    public void TheManifestPicksEachEditionsBuildAndRefusesPowerShellBefore74(string edition, string rootModule, string powerShellVersion)
    {
        // The manifest as each edition evaluates it ($PSEdition is read-only here, so the test substitutes its own
        // variable): Windows PowerShell 5.1 gets bin/net472; PowerShell 7.0-7.3 (Core, .NET 5-7) is refused by
        // PowerShellVersion 7.4 with PowerShell's own message before any assembly is loaded.
        string text = File.ReadAllText(ModuleHost.ManifestPath);
        Assert.Equal(2, Regex.Matches(text, Regex.Escape("$PSEdition")).Count);
        ScriptResult r = ModuleHost.Run(
            "param($Text, $Edition) $PSEditionUnderTest = $Edition; $data = & ([scriptblock]::Create($Text.Replace('$PSEdition', '$PSEditionUnderTest'))); $data.RootModule; $data.PowerShellVersion",
            null,
            text,
            edition);
        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal(new[] { rootModule, powerShellVersion }, r.Output.Select(o => o.ToString()));
        Assert.True(File.Exists(Path.Combine(ModuleDir, rootModule)), rootModule);
    }

    [Fact]
    public void ImageCmdletsDeclareTheirOutputType()
    {
        ScriptResult r = ModuleHost.Run(
            "'New-OpenAIImage','Edit-OpenAIImage','New-OpenAIImageVariation' | ForEach-Object { (Get-Command $_).OutputType.Name }; (Get-Command Save-OpenAIImage).OutputType.Name");
        Assert.Equal(new[] { "OpenAI.Images.ImageResult", "OpenAI.Images.ImageResult", "OpenAI.Images.ImageResult", "System.IO.FileInfo" }, r.Output.Select(o => o.ToString()));
    }
}
