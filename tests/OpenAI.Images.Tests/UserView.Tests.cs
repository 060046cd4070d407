using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Management.Automation.Runspaces;

namespace OpenAI.Images.Tests;

/// <summary>
/// What a user sees in pwsh, through the full engine (Microsoft.PowerShell.SDK: Format-Table, Format-List, Out-String,
/// ConvertTo-Json, Get-Item and Get-Help as pwsh has them), and the module still working in a host with only the Core
/// cmdlets.
/// </summary>
public sealed class UserViewTests : EngineTest
{
    public UserViewTests(FakeApiFixture fixture) : base(fixture)
    {
    }

    [Fact]
    public void ResultsRenderAsTheModuleTableWithTheirFile()
    {
        ScriptResult r = Run("New-OpenAIImage 'a lighthouse' -OutFile lighthouse.png | Format-Table | Out-String -Width 200");

        Assert.Empty(r.AllErrors);
        string table = string.Concat(r.Output.Select(o => o.ToString()));
        string[] lines = table.Split('\n').Select(l => l.TrimEnd()).Where(l => l.Length > 0).ToArray();
        Assert.Matches(@"^Index\s+Model\s+Size\s+Format\s+Tokens\s+Image$", lines[0]);
        Assert.Matches(@"^\s*0\s+gpt-image-2\s+\S+\s+png\s+\d+\s+.*lighthouse\.png$", lines[2]);
    }

    [Fact]
    public void FilesTheModuleWritesAreTheProviderItemsGetItemReturns()
    {
        ScriptResult r = Run(
            "$image = New-OpenAIImage 'a lighthouse' -OutFile lighthouse.png\n"
            + "$saved = $image | Save-OpenAIImage -Path copy.png\n"
            + "foreach ($file in $image.File, $saved) {\n"
            + "  $item = Get-Item -LiteralPath $file.FullName\n"
            + "  [pscustomobject]@{ PSPath = $file.PSPath; Parent = $file.PSParentPath; Child = $file.PSChildName; Drive = [string]$file.PSDrive; Provider = [string]$file.PSProvider; IsContainer = $file.PSIsContainer;\n"
            + "    Same = $file.PSPath -eq $item.PSPath -and $file.PSParentPath -eq $item.PSParentPath;\n"
            + "    Table = ($file | Format-Table | Out-String -Width 200); ItemTable = ($item | Format-Table | Out-String -Width 200) }\n"
            + "}");

        Assert.Empty(r.AllErrors);
        Assert.Equal(2, r.Output.Count);
        foreach (PSObject file in r.Output)
        {
            string Text(string name) => file.Properties[name].Value?.ToString() ?? string.Empty;
            Assert.StartsWith(@"Microsoft.PowerShell.Core\FileSystem::", Text("PSPath"));
            Assert.Equal("True", Text("Same"));
            Assert.Equal("False", Text("IsContainer"));
            Assert.Equal(@"Microsoft.PowerShell.Core\FileSystem", Text("Provider"));
            // The rendered table is the FileSystem provider's own, column for column (Size and mode filled in).
            Assert.Equal(Text("ItemTable"), Text("Table"));
            Assert.Matches(@"\s\d+\s+(lighthouse|copy)\.png", Text("Table"));
        }
    }

    [Fact]
    public void ConvertToJsonOfResultsHasTheImageFieldsAndNeverTheKey()
    {
        ScriptResult r = Run("New-OpenAIImage 'a lighthouse' -OutFile lighthouse.png | Select-Object -Property * -ExcludeProperty Data, File | ConvertTo-Json -Depth 3");

        Assert.Empty(r.AllErrors);
        string json = Assert.Single(r.Output).ToString();
        Assert.Contains("\"Model\": \"gpt-image-2\"", json, StringComparison.Ordinal);
        Assert.Contains("\"Prompt\": \"a lighthouse\"", json, StringComparison.Ordinal);
        Assert.Contains("\"RequestId\":", json, StringComparison.Ordinal);
        Assert.DoesNotContain(TestKey, json, StringComparison.Ordinal);
        Assert.DoesNotContain(TestKey[..12], json, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigListShowsTheKeyMaskedAndItsSource()
    {
        ScriptResult r = Run("Get-OpenAIConfig | Format-List | Out-String -Width 200; Get-OpenAIConfig | ConvertTo-Json -Depth 3");

        Assert.Empty(r.AllErrors);
        string text = string.Concat(r.Output.Select(o => o.ToString()));
        Assert.Matches(@"ApiKey\s+:\s+sk-…wxyz \(Environment: \$env:OPENAI_API_KEY\)", text);
        Assert.Contains("Profile", text, StringComparison.Ordinal);
        Assert.DoesNotContain(TestKey, text, StringComparison.Ordinal);
    }

    [Fact]
    public void GetHelpFullShowsTheCompiledHelp()
    {
        ScriptResult r = Run("Get-Help New-OpenAIImage -Full | Out-String -Width 200");

        Assert.Empty(r.AllErrors);
        string help = string.Concat(r.Output.Select(o => o.ToString()));
        Assert.Contains("SYNOPSIS", help, StringComparison.Ordinal);
        Assert.Contains("-Prompt <String>", help, StringComparison.Ordinal);
        Assert.Contains("-OutFile <String>", help, StringComparison.Ordinal);
        Assert.Matches(@"-{5,} Example 1: .+ -{5,}", help);
        Assert.Contains("Accept pipeline input?", help, StringComparison.Ordinal);
        Assert.DoesNotContain("Get-Help cannot find the Help files", help, StringComparison.Ordinal);
    }

    [Fact]
    public void AnEditWithoutMaskThatHasTransparencyIsSentForDallE2()
    {
        CopyAsset("sample-8x8-rgba.png", "cut-out.png");

        ScriptResult r = Run("Edit-OpenAIImage 'fill the gap' -Path cut-out.png -Model dall-e-2");

        Assert.Empty(r.AllErrors);
        Assert.Single(Fake.ApiRequests);
    }

    [Fact]
    public void TheModuleWorksInAHostWithOnlyTheCoreCmdlets()
    {
        // No module auto-loading: Utility (Write-Warning, ConvertTo-Json, Format-*) and Management are not reachable.
        using var ps = PowerShell.Create(InitialSessionState.CreateDefault2());
        ps.AddScript(
            "$PSModuleAutoLoadingPreference = 'None'\n"
            + "Import-Module -Name $args[0] -ErrorAction Stop\n"
            + "$image = New-OpenAIImage -Prompt 'from a minimal host' -Verbose 4>$null\n"
            + "$utility = [bool](Get-Module -Name Microsoft.PowerShell.Utility, Microsoft.PowerShell.Management)\n"
            + "$utility; $image.Index; $image.Data.Length\n"
            + "try { $null = ConvertTo-Json -InputObject 1; 'ConvertTo-Json ran' } catch [System.Management.Automation.CommandNotFoundException] { 'no Utility' }")
            .AddArgument(ModuleHost.ManifestPath);

        var output = ps.Invoke();

        Assert.False(ps.HadErrors, string.Join("; ", ps.Streams.Error.Select(e => e.ToString())));
        Assert.False((bool)output[0].BaseObject);
        Assert.Equal(0, (int)output[1].BaseObject);
        Assert.True((int)output[2].BaseObject > 0);
        Assert.Equal("no Utility", output[3].BaseObject);
        Assert.Single(Fake.ApiRequests);
    }
}
