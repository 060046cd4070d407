using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;

namespace OpenAI.Images.Tests;

/// <summary>
/// Every example in README.md and docs/en-US (cmdlet pages and about_OpenAI.Images) must run against OpenAI today: an
/// example whose code uses a model that OpenAI retired (by the module's own retirement table, as of today) must say
/// that it is for another server (Azure OpenAI or an OpenAI-compatible server).
/// </summary>
public sealed class DocExampleModelTests
{
    /// <summary>The models the module's table says OpenAI has retired today, read through the module as users load it.</summary>
    private static IReadOnlyList<string> RetiredToday()
    {
        ScriptResult r = ModuleHost.Run("""
            $today = [OpenAI.Images.Validation.ModelLifecycle]::Today
            [OpenAI.Images.Validation.ModelLifecycle]::Retirements | Where-Object { [string]$_.StatusOn($today) -eq 'Retired' } | ForEach-Object Model
            """);
        Assert.True(!r.AllErrors.Any(), r.Describe());
        return r.Output.Select(o => o.ToString()).ToArray();
    }

    private static IEnumerable<string> DocumentationFiles()
    {
        yield return Path.Combine(ModuleHost.RepoRoot, "README.md");
        foreach (string page in Directory.GetFiles(Path.Combine(ModuleHost.RepoRoot, "docs", "en-US"), "*.md").OrderBy(p => p, StringComparer.Ordinal))
        {
            yield return page;
        }
    }

    [Fact]
    public void EveryExampleUsesAModelOpenAIServesOrSaysItIsForAnotherServer()
    {
        IReadOnlyList<string> retired = RetiredToday();
        Assert.Contains("dall-e-3", retired);

        var problems = new List<string>();
        int examples = 0;
        foreach (string file in DocumentationFiles())
        {
            string name = Path.GetRelativePath(ModuleHost.RepoRoot, file);
            foreach (DocExample example in DocExample.Read(name, File.ReadAllText(file)))
            {
                examples++;
                problems.AddRange(example.Problems(retired));
            }
        }

        Assert.True(examples >= 20, $"only {examples} examples found: is the reader broken?");
        Assert.True(problems.Count == 0, "Examples that would fail at OpenAI today:\n" + string.Join("\n", problems));
    }

    [Fact]
    public void TheCheckFlagsRetiredModelsUnlessTheExampleSaysWhichOtherServerItIsFor()
    {
        const string page = """
            # Demo

            ### Example 1: Old model
            ```powershell
            New-OpenAIImage 'a fox' -Model dall-e-3 -Quality hd
            ```

            Makes a fox.

            ### Example 2: Old model on Azure
            ```powershell
            New-OpenAIImage 'a fox' -Profile azure -Model dall-e-3
            ```

            This example targets an Azure OpenAI deployment named dall-e-3.

            ### Example 3: Live models
            ```powershell
            New-OpenAIImage 'a fox' -Model gpt-image-2; New-OpenAIImage 'a fox' -Model gpt-image-2-2026-04-21
            ```

            ### Example 4: Variations (dall-e-2 implied)
            ```powershell
            New-OpenAIImageVariation ./logo.png
            ```

            ### Example 5: Only the exact name counts (gpt-image-1.5, not gpt-image-1)
            ```powershell
            Set-OpenAIConfig -DefaultModel gpt-image-1.5
            ```

            ### -Model
            ```yaml
            Default value: dall-e-2
            ```

            ### Example 6: An OpenAI-compatible server
            Against an OpenAI-compatible server on this computer:
            ```powershell
            New-OpenAIImageVariation ./logo.png -BaseUri http://localhost:8080/v1
            ```
            """;
        var retired = new[] { "dall-e-2", "dall-e-3", "gpt-image-1", "gpt-image-1.5" };

        List<DocExample> examples = DocExample.Read("demo.md", page).ToList();
        Assert.Equal(6, examples.Count);
        var problems = examples.SelectMany(e => e.Problems(retired)).ToList();
        Assert.Equal(3, problems.Count);
        Assert.Contains("demo.md:5: 'dall-e-3'", problems[0]);
        Assert.Contains("demo.md:24: 'dall-e-2'", problems[1]);
        Assert.Contains("demo.md:29: 'gpt-image-1.5'", problems[2]);
    }
}

/// <summary>One fenced code block of a Markdown page with its heading and the prose just before and after it.</summary>
public sealed class DocExample
{
    private static readonly string[] OtherServerWords = { "Azure", "OpenAI-compatible" };

    private DocExample(string file, int line, string code, string context)
    {
        File = file;
        Line = line;
        Code = code;
        Context = context;
    }

    public string File { get; }

    /// <summary>The 1-based line of the code's first line.</summary>
    public int Line { get; }

    public string Code { get; }

    /// <summary>The heading, the prose before and after, and the code.</summary>
    public string Context { get; }

    /// <summary>The examples (code blocks other than yaml parameter metadata) of a page.</summary>
    public static IEnumerable<DocExample> Read(string file, string markdown)
    {
        string[] lines = markdown.Replace("\r\n", "\n").Split('\n');
        var blocks = new List<(char Kind, int Line, string Text, string Language)>(); // H heading, P prose, C code
        var text = new StringBuilder();
        int start = 0;
        char kind = 'P';
        string language = string.Empty;
        void Flush(int next)
        {
            if (text.Length > 0 || kind == 'C')
            {
                blocks.Add((kind, start, text.ToString(), language));
            }

            text.Clear();
            start = next;
        }

        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            if (kind == 'C')
            {
                if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
                {
                    Flush(i + 2);
                    kind = 'P';
                    language = string.Empty;
                }
                else
                {
                    text.AppendLine(line);
                }

                continue;
            }

            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                Flush(i + 2);
                kind = 'C';
                language = line.Trim().TrimStart('`').Trim();
                continue;
            }

            if (line.StartsWith('#'))
            {
                Flush(i + 1);
                blocks.Add(('H', i + 1, line, string.Empty));
                start = i + 2;
                continue;
            }

            if (text.Length == 0)
            {
                start = i + 1;
            }

            if (text.Length > 0 || line.Trim().Length > 0)
            {
                text.AppendLine(line);
            }
        }

        Flush(lines.Length);
        for (int b = 0; b < blocks.Count; b++)
        {
            if (blocks[b].Kind != 'C' || blocks[b].Language.Equals("yaml", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            var context = new StringBuilder();
            string? heading = blocks.Take(b).LastOrDefault(x => x.Kind == 'H').Text;
            context.AppendLine(heading);
            if (b > 0 && blocks[b - 1].Kind == 'P')
            {
                context.AppendLine(blocks[b - 1].Text);
            }

            if (b + 1 < blocks.Count && blocks[b + 1].Kind == 'P')
            {
                context.AppendLine(blocks[b + 1].Text);
            }

            context.AppendLine(blocks[b].Text);
            yield return new DocExample(file, blocks[b].Line, blocks[b].Text, context.ToString());
        }
    }

    /// <summary>The retired models the code uses (New-OpenAIImageVariation without -Model uses dall-e-2).</summary>
    public IEnumerable<string> ModelsUsed(IEnumerable<string> retired)
    {
        foreach (string model in retired)
        {
            if (Regex.IsMatch(Code, @"(?<![A-Za-z0-9._-])" + Regex.Escape(model) + @"(?![A-Za-z0-9_-]|\.[0-9])", RegexOptions.IgnoreCase))
            {
                yield return model;
            }
            else if (model == "dall-e-2" && Code.Contains("New-OpenAIImageVariation", StringComparison.OrdinalIgnoreCase)
                && !Regex.IsMatch(Code, @"New-OpenAIImageVariation[^\n|;]*-Model\s", RegexOptions.IgnoreCase))
            {
                yield return model;
            }
        }
    }

    /// <summary>One line per retired model used without the example saying it is for another server.</summary>
    public IEnumerable<string> Problems(IEnumerable<string> retired)
    {
        if (OtherServerWords.Any(w => Context.Contains(w, StringComparison.OrdinalIgnoreCase)))
        {
            return Array.Empty<string>();
        }

        return ModelsUsed(retired).Select(m =>
            $"{File}:{Line}: '{m}' is retired at OpenAI; use gpt-image-2, or say that the example is for Azure OpenAI or an OpenAI-compatible server: {Code.Trim().Split('\n')[0]}");
    }
}
