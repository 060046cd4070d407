using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Runtime.CompilerServices;

namespace OpenAI.Images.Tests;

/// <summary>
/// The cmdlet help shipped in en-US/ (built from docs/en-US by build/Help.targets) as the real engine shows it,
/// and the docs/en-US pages checked against the cmdlets' real parameters, so docs cannot drift from code.
/// </summary>
public class HelpTests
{
    private const string ModuleName = "OpenAI.Images";
    private const string AboutTopic = "about_OpenAI.Images";

    // What the engine knows about each cmdlet and what Get-Help shows for it. Only Microsoft.PowerShell.Core
    // commands are used: the hosted engine (System.Management.Automation alone) has no Utility module.
    private const string HelpProbe = """
        param([string] $Module)
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters
        foreach ($cmd in @(Get-Command -Module $Module -CommandType Cmdlet)) {
            $help = Get-Help -Name $cmd.Name -Full
            $described = @{}
            foreach ($p in @($help.parameters.parameter)) {
                if ($null -ne $p) {
                    $described[[string]$p.name] = (@($p.description | ForEach-Object { $_.Text }) -join "`n").Trim()
                }
            }
            [pscustomobject]@{
                Name        = $cmd.Name
                Category    = [string]$help.Category
                Synopsis    = ([string]$help.Synopsis).Trim()
                Description = (@($help.description | ForEach-Object { $_.Text }) -join "`n").Trim()
                Examples    = @(@($help.examples.example) | Where-Object { $null -ne $_ -and ([string]$_.code).Trim() }).Count
                Parameters  = [string[]]@($cmd.Parameters.Keys | Where-Object { $_ -notin $common })
                Described   = $described
            }
        }
        """;

    private const string ParameterProbe = """
        param([string] $Module)
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters
        foreach ($cmd in @(Get-Command -Module $Module -CommandType Cmdlet)) {
            foreach ($set in $cmd.ParameterSets) {
                foreach ($p in $set.Parameters) {
                    if ($p.Name -in $common) { continue }
                    $validateSet = @($p.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] })
                    # Help shows Nullable<int> as Int32, as platyPS does.
                    $type = $p.ParameterType
                    if ($null -ne [System.Nullable]::GetUnderlyingType($type)) { $type = [System.Nullable]::GetUnderlyingType($type) }
                    [pscustomobject]@{
                        Command          = $cmd.Name
                        Set              = $set.Name
                        Parameter        = $p.Name
                        Type             = $type.Name
                        Mandatory        = $p.IsMandatory
                        Position         = $p.Position
                        ByValue          = $p.ValueFromPipeline
                        ByPropertyName   = $p.ValueFromPipelineByPropertyName
                        Aliases          = [string[]]@($p.Aliases)
                        Wildcards        = @($p.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] }).Count -gt 0
                        HasValidateSet   = $validateSet.Count -gt 0
                        ValidValues      = [string[]]@($validateSet | ForEach-Object { $_.ValidValues })
                    }
                }
            }
        }
        """;

    [Fact]
    public void EveryCmdletHasHelpWithSynopsisDescriptionExamplesAndParameterDescriptions()
    {
        using var ps = ModuleHost.Create();
        var results = Invoke(ps, HelpProbe);
        Assert.NotEmpty(results);

        var problems = new List<string>();
        foreach (var r in results)
        {
            string name = Str(r, "Name");
            string synopsis = Str(r, "Synopsis");
            // With no MAML found, Get-Help makes up a synopsis from the syntax ("New-X [-A] <string> ... [<CommonParameters>]").
            if (synopsis.Length == 0 || synopsis.StartsWith(name, StringComparison.OrdinalIgnoreCase) || synopsis.Contains("<CommonParameters>"))
                problems.Add($"{name}: no real synopsis (Get-Help found no MAML?): '{synopsis}'");
            if (Str(r, "Description").Length == 0)
                problems.Add($"{name}: no description");
            if (Convert.ToInt32(r.Properties["Examples"].Value) < 1)
                problems.Add($"{name}: no example with code");

            var described = (Hashtable)Unwrap(r.Properties["Described"].Value)!;
            var descriptions = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (DictionaryEntry e in described) descriptions[(string)e.Key] = (string?)Unwrap(e.Value) ?? "";
            foreach (string parameter in Strings(r, "Parameters"))
            {
                if (!descriptions.TryGetValue(parameter, out var text) || text.Length == 0)
                    problems.Add($"{name}: parameter -{parameter} has no description in Get-Help");
            }
        }
        Assert.True(problems.Count == 0, "Help problems:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void AboutTopicIsFound()
    {
        using var ps = ModuleHost.Create();
        // Without the topic, Get-Help falls back to a full-text search and returns cmdlet pages that mention it:
        // only a HelpFile result is the topic itself.
        var topics = Invoke(ps, "param([string] $Module) Get-Help -Name " + AboutTopic + " | Where-Object { $_.Category -eq 'HelpFile' }");
        var topic = Assert.Single(topics);
        Assert.Equal(AboutTopic, Str(topic, "Name"));
        // Get-Help takes the 5th line of the file (under SHORT DESCRIPTION) as the synopsis.
        Assert.NotEqual("", Str(topic, "Synopsis"));
        string text = topic.BaseObject.ToString() ?? "";
        Assert.Contains("OPENAI_API_KEY", text);
        Assert.Contains("OpenAI.MissingApiKey", text);
    }

    [Fact]
    public void DocsPagesListExactlyTheCmdletsRealParameters()
    {
        var pages = DocPage.LoadAll(DocsDirectory());
        using var ps = ModuleHost.Create();
        var results = Invoke(ps, HelpProbe);

        var problems = new List<string>();
        var cmdlets = results.ToDictionary(r => Str(r, "Name"), r => Strings(r, "Parameters"), StringComparer.OrdinalIgnoreCase);
        foreach (var (name, parameters) in cmdlets.OrderBy(c => c.Key, StringComparer.Ordinal))
        {
            if (!pages.TryGetValue(name, out var page))
            {
                problems.Add($"{name}: no docs/en-US/{name}.md");
                continue;
            }
            var real = new HashSet<string>(parameters, StringComparer.OrdinalIgnoreCase);
            var documented = new HashSet<string>(page.Parameters.Keys, StringComparer.OrdinalIgnoreCase);
            var missing = real.Where(p => !documented.Contains(p)).OrderBy(p => p, StringComparer.Ordinal).ToList();
            var extra = documented.Where(p => !real.Contains(p)).OrderBy(p => p, StringComparer.Ordinal).ToList();
            if (missing.Count > 0) problems.Add($"{name}: in code but not in {page.FileName}: -{string.Join(", -", missing)}");
            if (extra.Count > 0) problems.Add($"{name}: in {page.FileName} but not in code: -{string.Join(", -", extra)}");
        }
        foreach (var page in pages.Values.Where(p => !cmdlets.ContainsKey(p.Name)))
            problems.Add($"{page.FileName}: documents '{page.Name}', which the module does not export");

        Assert.True(problems.Count == 0, "docs/en-US vs code:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void DocsParameterMetadataMatchesTheCmdlets()
    {
        var pages = DocPage.LoadAll(DocsDirectory());
        using var ps = ModuleHost.Create();
        var rows = Invoke(ps, ParameterProbe);
        Assert.NotEmpty(rows);

        var problems = new List<string>();
        foreach (var byCommand in rows.GroupBy(r => Str(r, "Command")))
        {
            if (!pages.TryGetValue(byCommand.Key, out var page)) continue;   // reported by the test above
            var realSets = new HashSet<string>(byCommand.Select(r => Str(r, "Set")), StringComparer.OrdinalIgnoreCase);
            bool singleSet = realSets.Count == 1 && realSets.Contains("__AllParameterSets");

            foreach (var r in byCommand)
            {
                string set = Str(r, "Set"), parameter = Str(r, "Parameter");
                string where = $"{byCommand.Key} -{parameter}" + (singleSet ? "" : $" (set {set})");
                if (!page.Parameters.TryGetValue(parameter, out var metas)) continue;   // reported by the test above
                var meta = metas.FirstOrDefault(m => m.Sets.Contains(set, StringComparer.OrdinalIgnoreCase))
                    ?? metas.FirstOrDefault(m => m.AllSets);
                if (meta is null)
                {
                    problems.Add($"{where}: {page.FileName} puts it in set(s) {string.Join(", ", metas.SelectMany(m => m.Sets))}, not in '{set}' nor (All)");
                    continue;
                }
                Check(problems, where, "Type", meta.Type, Str(r, "Type"));
                Check(problems, where, "Required", meta.Required, Convert.ToBoolean(r.Properties["Mandatory"].Value) ? "True" : "False");
                int position = Convert.ToInt32(r.Properties["Position"].Value);
                Check(problems, where, "Position", meta.Position, position == int.MinValue ? "Named" : position.ToString(System.Globalization.CultureInfo.InvariantCulture));
                bool byValue = Convert.ToBoolean(r.Properties["ByValue"].Value), byName = Convert.ToBoolean(r.Properties["ByPropertyName"].Value);
                string pipeline = byValue && byName ? "True (ByPropertyName, ByValue)" : byValue ? "True (ByValue)" : byName ? "True (ByPropertyName)" : "False";
                Check(problems, where, "Accept pipeline input", NormalizePipeline(meta.PipelineInput), pipeline);
                Check(problems, where, "Aliases", string.Join(", ", meta.Aliases.OrderBy(a => a, StringComparer.OrdinalIgnoreCase)),
                    string.Join(", ", Strings(r, "Aliases").OrderBy(a => a, StringComparer.OrdinalIgnoreCase)));
                Check(problems, where, "Accept wildcard characters", meta.Wildcards, Convert.ToBoolean(r.Properties["Wildcards"].Value) ? "True" : "False");
                if (Convert.ToBoolean(r.Properties["HasValidateSet"].Value))
                {
                    Check(problems, where, "Accepted values", string.Join(", ", meta.AcceptedValues.OrderBy(v => v, StringComparer.OrdinalIgnoreCase)),
                        string.Join(", ", Strings(r, "ValidValues").OrderBy(v => v, StringComparer.OrdinalIgnoreCase)));
                }
            }

            foreach (var (parameter, metas) in page.Parameters)
            {
                foreach (var s in metas.SelectMany(m => m.Sets).Where(s => !realSets.Contains(s)))
                    problems.Add($"{byCommand.Key} -{parameter}: {page.FileName} names parameter set '{s}', which the cmdlet does not have ({string.Join(", ", realSets)})");
                if (singleSet && metas.Any(m => !m.AllSets))
                    problems.Add($"{byCommand.Key} -{parameter}: the cmdlet has one parameter set: {page.FileName} should say 'Parameter Sets: (All)'");
            }
        }
        Assert.True(problems.Count == 0, "docs/en-US parameter metadata vs code:\n" + string.Join("\n", problems));
    }

    private static void Check(List<string> problems, string where, string what, string documented, string real)
    {
        if (!string.Equals(documented.Trim(), real.Trim(), StringComparison.OrdinalIgnoreCase))
            problems.Add($"{where}: {what} is '{documented}' in the docs, '{real}' in code");
    }

    private static string NormalizePipeline(string value)
    {
        string v = value.Replace(" ", "", StringComparison.Ordinal);
        return v.Equals("True(ByValue,ByPropertyName)", StringComparison.OrdinalIgnoreCase) ? "True (ByPropertyName, ByValue)" : value;
    }

    private static List<PSObject> Invoke(PowerShell ps, string script)
    {
        ps.Commands.Clear();
        ps.Streams.ClearStreams();
        var output = ps.AddScript(script).AddParameter("Module", ModuleName).Invoke().ToList();
        if (ps.HadErrors)
        {
            throw new InvalidOperationException("The probe script failed:\n" +
                string.Join("\n", ps.Streams.Error.Select(e => e + " [" + e.FullyQualifiedErrorId + "]")));
        }
        return output;
    }

    private static object? Unwrap(object? value) => value is PSObject o ? o.BaseObject : value;

    private static string Str(PSObject o, string property) => Unwrap(o.Properties[property]?.Value)?.ToString() ?? "";

    private static string[] Strings(PSObject o, string property) => Unwrap(o.Properties[property]?.Value) switch
    {
        null => Array.Empty<string>(),
        string s => new[] { s },
        IEnumerable e => e.Cast<object?>().Select(x => Unwrap(x)?.ToString() ?? "").ToArray(),
        var x => new[] { x.ToString() ?? "" },
    };

    /// <summary>docs/en-US of this repository: found from the test's folder, else from this source file's path.</summary>
    private static string DocsDirectory([CallerFilePath] string sourceFile = "")
    {
        foreach (string? start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) })
        {
            for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                string docs = Path.Combine(dir.FullName, "docs", "en-US");
                if (File.Exists(Path.Combine(docs, AboutTopic + ".md")) && File.Exists(Path.Combine(dir.FullName, "build", "Help.targets")))
                    return docs;
            }
        }
        throw new DirectoryNotFoundException("docs/en-US (with " + AboutTopic + ".md) not found above " + AppContext.BaseDirectory);
    }

    /// <summary>The parts of a platyPS page this test compares: the title and each parameter's yaml blocks.</summary>
    private sealed class DocPage
    {
        public string Name = "";
        public string FileName = "";
        public Dictionary<string, List<ParamMeta>> Parameters = new(StringComparer.OrdinalIgnoreCase);

        public static Dictionary<string, DocPage> LoadAll(string directory)
        {
            var pages = new Dictionary<string, DocPage>(StringComparer.OrdinalIgnoreCase);
            foreach (string file in Directory.GetFiles(directory, "*.md").OrderBy(f => f, StringComparer.Ordinal))
            {
                if (Path.GetFileName(file).StartsWith("about_", StringComparison.OrdinalIgnoreCase)) continue;
                string text = File.ReadAllText(file);
                if (!text.Contains("external help file:", StringComparison.OrdinalIgnoreCase)) continue;   // not a cmdlet page
                var page = Parse(file, text);
                pages[page.Name] = page;
            }
            return pages;
        }

        private static DocPage Parse(string file, string text)
        {
            var page = new DocPage { FileName = Path.GetFileName(file) };
            string section = "", parameter = "";
            bool inFence = false, inYaml = false;
            ParamMeta? meta = null;
            foreach (string raw in text.Replace("\r\n", "\n").Split('\n'))
            {
                string line = raw.TrimEnd();
                if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
                {
                    if (!inFence)
                    {
                        inFence = true;
                        inYaml = section == "PARAMETERS" && parameter.Length > 0 && line.Trim().Equals("```yaml", StringComparison.OrdinalIgnoreCase);
                        if (inYaml)
                        {
                            meta = new ParamMeta();
                            page.Parameters[parameter].Add(meta);
                        }
                    }
                    else
                    {
                        inFence = inYaml = false;
                    }
                    continue;
                }
                if (inFence)
                {
                    int colon = line.IndexOf(':', StringComparison.Ordinal);
                    if (inYaml && meta is not null && colon > 0) meta.Set(line[..colon].Trim(), line[(colon + 1)..].Trim());
                    continue;
                }
                if (line.StartsWith("# ", StringComparison.Ordinal) && page.Name.Length == 0) page.Name = line[2..].Trim();
                else if (line.StartsWith("## ", StringComparison.Ordinal)) { section = line[3..].Trim(); parameter = ""; }
                else if (line.StartsWith("### ", StringComparison.Ordinal) && section == "PARAMETERS")
                {
                    string heading = line[4..].Trim();
                    parameter = heading.StartsWith('-') ? heading[1..] : "";
                    if (parameter.Length > 0) page.Parameters[parameter] = new List<ParamMeta>();
                }
            }
            return page;
        }
    }

    private sealed class ParamMeta
    {
        public string Type = "";
        public List<string> Sets = new();
        public List<string> Aliases = new();
        public List<string> AcceptedValues = new();
        public string Required = "";
        public string Position = "";
        public string PipelineInput = "";
        public string Wildcards = "";
        public bool AllSets => Sets.Count == 0;

        public void Set(string key, string value)
        {
            static List<string> List(string v) => v.Split(',').Select(s => s.Trim()).Where(s => s.Length > 0).ToList();
            switch (key.ToLowerInvariant())
            {
                case "type": Type = value; break;
                case "parameter sets": Sets = value == "(All)" ? new List<string>() : List(value); break;
                case "aliases": Aliases = List(value); break;
                case "accepted values": AcceptedValues = List(value); break;
                case "required": Required = value; break;
                case "position": Position = value; break;
                case "accept pipeline input": PipelineInput = value; break;
                case "accept wildcard characters": Wildcards = value; break;
            }
        }
    }
}
