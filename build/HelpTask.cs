// Markdown (platyPS schema 2.0.0) -> MAML and about_*.help.txt, without pwsh or platyPS.
// Compiled at build time by MSBuild's RoslynCodeTaskFactory (see build/Help.targets); it is compiled
// against netstandard, so keep to plain C#: no records, init accessors, ranges or Span tricks.
//
// A malformed page fails the build with "file(line): error OAIHELP: ..." for every problem found.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using Microsoft.Build.Framework;
using Microsoft.Build.Utilities;

public class OpenAIImagesConvertHelp : Task
{
    /// <summary>Every *.md file of the help source folder (cmdlet pages, about_ pages; a platyPS module page is skipped).</summary>
    [Required]
    public ITaskItem[] Markdown { get; set; }

    /// <summary>The folder to write to, normally a module folder's en-US.</summary>
    [Required]
    public string OutputDirectory { get; set; }

    /// <summary>The MAML file name; every cmdlet page must name it as its "external help file".</summary>
    public string HelpFileName { get; set; }

    /// <summary>The module name every page must carry as "Module Name".</summary>
    public string ModuleName { get; set; }

    [Output]
    public ITaskItem[] WrittenFiles { get; set; }

    private const string NsMaml = "http://schemas.microsoft.com/maml/2004/10";
    private const string NsCommand = "http://schemas.microsoft.com/maml/dev/command/2004/10";
    private const string NsDev = "http://schemas.microsoft.com/maml/dev/2004/10";
    private const string NsMsh = "http://msh";
    private const string NsMSHelp = "http://msdn.microsoft.com/mshelp";
    private const string ErrorCode = "OAIHELP";

    private int _errors;

    public override bool Execute()
    {
        if (string.IsNullOrEmpty(HelpFileName)) HelpFileName = "OpenAI.Images.dll-Help.xml";
        if (string.IsNullOrEmpty(ModuleName)) ModuleName = "OpenAI.Images";

        var commands = new List<CommandPage>();
        var abouts = new List<AboutPage>();
        var files = (Markdown ?? new ITaskItem[0])
            .Select(i => i.GetMetadata("FullPath"))
            .Distinct(StringComparer.Ordinal)
            .OrderBy(p => Path.GetFileName(p), StringComparer.OrdinalIgnoreCase)
            .ToList();

        foreach (string file in files)
        {
            Doc doc;
            try
            {
                doc = Doc.Load(file);
            }
            catch (IOException ex)
            {
                Error(file, 0, "cannot read the page: " + ex.Message);
                continue;
            }

            string name = Path.GetFileNameWithoutExtension(file);
            if (name.StartsWith("about_", StringComparison.OrdinalIgnoreCase))
            {
                var about = ParseAbout(doc);
                if (about != null) abouts.Add(about);
                continue;
            }

            if (doc.FrontMatter.ContainsKey("Module Guid") && !doc.FrontMatter.ContainsKey("external help file"))
            {
                Log.LogMessage(MessageImportance.Low, "{0}: module page, not a cmdlet page; skipped.", file);
                continue;
            }

            var page = ParseCommand(doc);
            if (page != null) commands.Add(page);
        }

        foreach (var dup in commands.GroupBy(c => c.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
        {
            foreach (var c in dup.Skip(1))
                Error(c.File, c.NameLine, "the command '" + c.Name + "' is documented by more than one page.");
        }

        string mamlPath = Path.Combine(OutputDirectory, HelpFileName);
        var outputs = new List<string> { mamlPath };
        outputs.AddRange(abouts.Select(a => Path.Combine(OutputDirectory, a.Topic + ".help.txt")));

        if (commands.Count == 0 && _errors == 0)
            Error(files.Count > 0 ? files[0] : OutputDirectory, 0, "no cmdlet page found in the help source folder.");

        if (_errors > 0)
        {
            // Leave nothing stale behind: an old output newer than the pages would make the next build skip the target.
            foreach (string o in outputs) TryDelete(o);
            return false;
        }

        Directory.CreateDirectory(OutputDirectory);
        WriteAtomically(mamlPath, RenderMaml(commands));
        foreach (var about in abouts)
            WriteAtomically(Path.Combine(OutputDirectory, about.Topic + ".help.txt"), RenderAbout(about));

        Log.LogMessage(MessageImportance.Normal, "OpenAI.Images help: {0} cmdlet page(s) -> {1}; {2} about topic(s).", commands.Count, mamlPath, abouts.Count);
        WrittenFiles = outputs.Select(o => (ITaskItem)new TaskItem(o)).ToArray();
        return !Log.HasLoggedErrors;
    }

    private void Error(string file, int line, string message)
    {
        _errors++;
        Log.LogError(null, ErrorCode, null, file, line, 0, 0, 0, message);
    }

    private static void TryDelete(string path)
    {
        try { if (File.Exists(path)) File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    private static void WriteAtomically(string path, string content)
    {
        // Two builds (net8.0 and net472 inner builds, say) may write the same file: write a unique temporary
        // file beside it and move it into place, so a reader never sees half a file.
        string tmp = path + "." + Guid.NewGuid().ToString("N") + ".tmp";
        File.WriteAllText(tmp, content, new UTF8Encoding(false));
        try
        {
            if (File.Exists(path)) File.Replace(tmp, path, null);
            else File.Move(tmp, path);
        }
        catch (IOException)
        {
            File.Copy(tmp, path, true);
            TryDelete(tmp);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Markdown model: front matter, then a flat list of blocks (headings, fenced code, text lines).
    // ------------------------------------------------------------------------------------------------

    private enum BlockKind { Heading, Code, Text, Blank }

    private sealed class Block
    {
        public BlockKind Kind;
        public int Line;          // 1-based
        public int Level;         // headings
        public string Text;       // heading text, text line, or code content
        public string Lang;       // code fence info string
    }

    private sealed class Doc
    {
        public string File;
        public Dictionary<string, string> FrontMatter = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        public int FrontMatterLine;
        public List<Block> Blocks = new List<Block>();
        public List<Tuple<int, string>> Problems = new List<Tuple<int, string>>();

        public static Doc Load(string file)
        {
            var doc = new Doc { File = file };
            string[] lines = System.IO.File.ReadAllText(file).Replace("\r\n", "\n").Replace('\r', '\n').Split('\n');
            int i = 0;
            if (lines.Length > 0 && lines[0].Trim() == "---")
            {
                doc.FrontMatterLine = 1;
                i = 1;
                bool closed = false;
                for (; i < lines.Length; i++)
                {
                    if (lines[i].Trim() == "---") { closed = true; i++; break; }
                    int colon = lines[i].IndexOf(':');
                    if (colon > 0) doc.FrontMatter[lines[i].Substring(0, colon).Trim()] = lines[i].Substring(colon + 1).Trim();
                    else if (lines[i].Trim().Length > 0) doc.Problems.Add(Tuple.Create(i + 1, "front matter line is not 'key: value'."));
                }
                if (!closed) doc.Problems.Add(Tuple.Create(1, "front matter is not closed by a '---' line."));
            }

            for (; i < lines.Length; i++)
            {
                string line = lines[i];
                string trimmed = line.TrimStart();
                if (trimmed.StartsWith("```") || trimmed.StartsWith("~~~"))
                {
                    string fence = trimmed.Substring(0, 3);
                    int start = i + 1;
                    var code = new List<string>();
                    bool closed = false;
                    for (i++; i < lines.Length; i++)
                    {
                        if (lines[i].TrimStart().StartsWith(fence)) { closed = true; break; }
                        code.Add(lines[i]);
                    }
                    if (!closed) doc.Problems.Add(Tuple.Create(start, "code fence opened here is never closed."));
                    doc.Blocks.Add(new Block { Kind = BlockKind.Code, Line = start, Lang = trimmed.Substring(3).Trim().ToLowerInvariant(), Text = string.Join("\n", code) });
                    continue;
                }

                var m = Regex.Match(line, @"^(#{1,6})\s+(.*?)\s*#*\s*$");
                if (m.Success)
                {
                    doc.Blocks.Add(new Block { Kind = BlockKind.Heading, Line = i + 1, Level = m.Groups[1].Value.Length, Text = m.Groups[2].Value.Trim() });
                    continue;
                }

                doc.Blocks.Add(new Block { Kind = trimmed.Length == 0 ? BlockKind.Blank : BlockKind.Text, Line = i + 1, Text = line });
            }
            return doc;
        }
    }

    /// <summary>A section: a heading and the blocks under it up to the next heading of the same or a higher level.</summary>
    private sealed class Section
    {
        public string Title;
        public int Line;
        public List<Block> Body = new List<Block>();   // includes deeper headings
    }

    private static List<Section> SplitSections(IEnumerable<Block> blocks, int level, List<Block> preamble)
    {
        var result = new List<Section>();
        Section current = null;
        foreach (var b in blocks)
        {
            if (b.Kind == BlockKind.Heading && b.Level <= level)
            {
                if (b.Level == level)
                {
                    current = new Section { Title = b.Text, Line = b.Line };
                    result.Add(current);
                    continue;
                }
            }
            if (current != null) current.Body.Add(b);
            else if (preamble != null) preamble.Add(b);
        }
        return result;
    }

    /// <summary>A piece of prose: a paragraph, a list item, a table or a code block (kept verbatim).</summary>
    private sealed class Para
    {
        public string Text;
        public bool Verbatim;      // code block or table: keep line breaks
        public bool IsCode;
        public bool IsListItem;
        public bool IsTable;
        public int Line;
    }

    private static readonly Regex ListItem = new Regex(@"^\s*([-*+]|\d+[.)])\s+(.*)$");

    private static List<Para> Paragraphs(IEnumerable<Block> blocks)
    {
        var paras = new List<Para>();
        var buffer = new List<string>();
        int bufferLine = 0;
        bool bufferIsList = false;
        bool bufferIsTable = false;

        Action flush = () =>
        {
            if (buffer.Count == 0) return;
            if (bufferIsTable) paras.Add(new Para { Text = string.Join("\n", buffer), Verbatim = true, IsTable = true, Line = bufferLine });
            else paras.Add(new Para { Text = string.Join(" ", buffer.Select(s => s.Trim())), IsListItem = bufferIsList, Line = bufferLine });
            buffer.Clear();
            bufferIsList = false;
            bufferIsTable = false;
        };

        foreach (var b in blocks)
        {
            switch (b.Kind)
            {
                case BlockKind.Blank:
                    flush();
                    break;
                case BlockKind.Code:
                    flush();
                    paras.Add(new Para { Text = b.Text, Verbatim = true, IsCode = true, Line = b.Line });
                    break;
                case BlockKind.Heading:
                    flush();
                    paras.Add(new Para { Text = b.Text, Line = b.Line });
                    break;
                default:
                    string t = b.Text;
                    bool isTableRow = t.TrimStart().StartsWith("|");
                    var lm = ListItem.Match(t);
                    if (isTableRow)
                    {
                        if (!bufferIsTable) flush();
                        if (buffer.Count == 0) { bufferLine = b.Line; bufferIsTable = true; }
                        buffer.Add(t.Trim());
                    }
                    else if (lm.Success)
                    {
                        flush();
                        bufferLine = b.Line;
                        bufferIsList = true;
                        buffer.Add(lm.Groups[1].Value.Length > 1 || char.IsDigit(lm.Groups[1].Value[0]) ? lm.Groups[1].Value + " " + lm.Groups[2].Value : "- " + lm.Groups[2].Value);
                    }
                    else
                    {
                        if (bufferIsTable) flush();
                        if (buffer.Count == 0) bufferLine = b.Line;
                        buffer.Add(t);
                    }
                    break;
            }
        }
        flush();
        return paras;
    }

    private static readonly Regex MdLink = new Regex(@"\[([^\]]+)\]\(([^)\s]*)\)");

    /// <summary>Inline markdown to plain help text: links become "text (uri)" (or "text" for relative links),
    /// emphasis markers go, code spans keep their backticks (as PowerShell's own help does).</summary>
    private static string Inline(string s)
    {
        s = MdLink.Replace(s, m =>
        {
            string text = m.Groups[1].Value, uri = m.Groups[2].Value;
            bool absolute = uri.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || uri.StartsWith("https://", StringComparison.OrdinalIgnoreCase);
            return absolute && uri != text ? text + " (" + uri + ")" : text;
        });
        s = Regex.Replace(s, @"(?<![\w`])\*\*(?=\S)(.+?)(?<=\S)\*\*(?![\w`])", "$1");
        s = Regex.Replace(s, @"(?<![\w`*])\*(?=\S)([^*]+?)(?<=\S)\*(?![\w`*])", "$1");
        s = Regex.Replace(s, @"(?<![\w`])__(?=\S)(.+?)(?<=\S)__(?![\w`])", "$1");
        s = s.Replace("\\<", "<").Replace("\\>", ">").Replace("\\[", "[").Replace("\\]", "]").Replace("\\*", "*").Replace("\\_", "_").Replace("\\|", "|");
        return s;
    }

    private static string ParaText(Para p)
    {
        if (p.IsCode) return string.Join("\n", p.Text.Split('\n').Select(l => "    " + l));
        if (p.IsTable) return string.Join("\n", TableRows(p.Text).Select(r => string.Join("  ", r)));
        return Inline(p.Text);
    }

    private static List<string[]> TableRows(string table)
    {
        var rows = new List<string[]>();
        foreach (string raw in table.Split('\n'))
        {
            string line = raw.Trim();
            if (line.StartsWith("|")) line = line.Substring(1);
            if (line.EndsWith("|") && !line.EndsWith("\\|")) line = line.Substring(0, line.Length - 1);
            var cells = Regex.Split(line, @"(?<!\\)\|").Select(c => Inline(c.Trim())).ToArray();
            if (cells.All(c => Regex.IsMatch(c, @"^:?-{3,}:?$"))) continue;   // the separator row
            rows.Add(cells);
        }
        return rows;
    }

    private static bool HasProse(IEnumerable<Block> blocks)
    {
        return blocks.Any(b => b.Kind == BlockKind.Text || b.Kind == BlockKind.Code);
    }

    // ------------------------------------------------------------------------------------------------
    // Cmdlet pages
    // ------------------------------------------------------------------------------------------------

    private sealed class ParamMeta
    {
        public int Line;
        public string Type;
        public List<string> Sets = new List<string>();   // empty = (All)
        public List<string> Aliases = new List<string>();
        public List<string> AcceptedValues = new List<string>();
        public bool Required;
        public string Position = "named";
        public string DefaultValue = "None";
        public string PipelineInput = "False";
        public bool Globbing;
        public bool AllSets { get { return Sets.Count == 0; } }
    }

    private sealed class ParamDoc
    {
        public string Name;
        public int Line;
        public List<Para> Description = new List<Para>();
        public List<ParamMeta> Metas = new List<ParamMeta>();
        public ParamMeta MetaFor(string set)
        {
            return Metas.FirstOrDefault(m => m.Sets.Any(s => string.Equals(s, set, StringComparison.OrdinalIgnoreCase)))
                ?? Metas.FirstOrDefault(m => m.AllSets);
        }
    }

    private sealed class SyntaxSet
    {
        public string Name;        // null when the page has a single, unnamed block
        public bool IsDefault;
        public int Line;
        public List<string> ParameterNames = new List<string>();
    }

    private sealed class TypeDoc
    {
        public string Name;
        public List<Para> Description = new List<Para>();
    }

    private sealed class Example
    {
        public string Title;
        public string Code;
        public List<Para> Remarks = new List<Para>();
    }

    private sealed class Link
    {
        public string Text;
        public string Uri;
    }

    private sealed class CommandPage
    {
        public string File;
        public string Name;
        public int NameLine;
        public string OnlineVersion;
        public List<Para> Synopsis;
        public List<Para> Description;
        public List<SyntaxSet> Syntax = new List<SyntaxSet>();
        public List<ParamDoc> Parameters = new List<ParamDoc>();
        public List<TypeDoc> Inputs = new List<TypeDoc>();
        public List<TypeDoc> Outputs = new List<TypeDoc>();
        public List<Para> Notes = new List<Para>();
        public List<Example> Examples = new List<Example>();
        public List<Link> Links = new List<Link>();
    }

    private static readonly string[] KnownCommandSections =
        { "SYNOPSIS", "SYNTAX", "DESCRIPTION", "EXAMPLES", "PARAMETERS", "INPUTS", "OUTPUTS", "NOTES", "RELATED LINKS" };

    private CommandPage ParseCommand(Doc doc)
    {
        int before = _errors;
        string file = doc.File;
        foreach (var p in doc.Problems) Error(file, p.Item1, p.Item2);

        if (doc.FrontMatterLine == 0)
        {
            Error(file, 1, "missing front matter (--- external help file / Module Name / online version / schema ---).");
        }
        else
        {
            string value;
            if (!doc.FrontMatter.TryGetValue("external help file", out value))
                Error(file, 1, "front matter has no 'external help file'.");
            else if (!string.Equals(value, HelpFileName, StringComparison.OrdinalIgnoreCase))
                Error(file, 1, "front matter 'external help file' is '" + value + "'; expected '" + HelpFileName + "'.");
            if (!doc.FrontMatter.TryGetValue("Module Name", out value))
                Error(file, 1, "front matter has no 'Module Name'.");
            else if (!string.Equals(value, ModuleName, StringComparison.Ordinal))
                Error(file, 1, "front matter 'Module Name' is '" + value + "'; expected '" + ModuleName + "'.");
            if (!doc.FrontMatter.TryGetValue("schema", out value) || value != "2.0.0")
                Error(file, 1, "front matter 'schema' must be 2.0.0.");
        }

        var page = new CommandPage { File = file };
        string online;
        page.OnlineVersion = doc.FrontMatter.TryGetValue("online version", out online) ? online : "";

        var h1 = doc.Blocks.Where(b => b.Kind == BlockKind.Heading && b.Level == 1).ToList();
        if (h1.Count != 1)
        {
            Error(file, h1.Count > 1 ? h1[1].Line : 1, "a cmdlet page needs exactly one '# Verb-Noun' title; found " + h1.Count + ".");
            return null;
        }
        page.Name = h1[0].Text;
        page.NameLine = h1[0].Line;
        if (!Regex.IsMatch(page.Name, @"^[A-Za-z]+-[A-Za-z0-9.]+$"))
            Error(file, page.NameLine, "the title '" + page.Name + "' is not a Verb-Noun command name.");
        string fileStem = Path.GetFileNameWithoutExtension(file);
        if (!string.Equals(fileStem, page.Name, StringComparison.OrdinalIgnoreCase))
            Error(file, page.NameLine, "the title '" + page.Name + "' does not match the file name '" + fileStem + ".md'.");

        var afterTitle = doc.Blocks.SkipWhile(b => b != h1[0]).Skip(1);
        var preamble = new List<Block>();
        var sections = SplitSections(afterTitle, 2, preamble);
        if (preamble.Any(b => b.Kind != BlockKind.Blank))
            Error(file, preamble.First(b => b.Kind != BlockKind.Blank).Line, "text between the title and '## SYNOPSIS'.");

        foreach (var s in sections)
        {
            if (!KnownCommandSections.Contains(s.Title, StringComparer.Ordinal))
                Error(file, s.Line, "unknown section '## " + s.Title + "' (expected one of: " + string.Join(", ", KnownCommandSections) + ").");
        }
        foreach (var dup in sections.GroupBy(s => s.Title).Where(g => g.Count() > 1))
            Error(file, dup.ElementAt(1).Line, "section '## " + dup.Key + "' appears more than once.");

        Func<string, Section> find = t => sections.FirstOrDefault(s => s.Title == t);
        int endLine = doc.Blocks.Count > 0 ? doc.Blocks[doc.Blocks.Count - 1].Line : 1;

        // SYNOPSIS
        var synopsis = find("SYNOPSIS");
        if (synopsis == null) Error(file, page.NameLine, "missing '## SYNOPSIS'.");
        else
        {
            page.Synopsis = Paragraphs(synopsis.Body);
            if (page.Synopsis.Count == 0) Error(file, synopsis.Line, "'## SYNOPSIS' is empty.");
        }

        // DESCRIPTION
        var description = find("DESCRIPTION");
        if (description == null) Error(file, page.NameLine, "missing '## DESCRIPTION'.");
        else
        {
            page.Description = Paragraphs(description.Body);
            if (page.Description.Count == 0) Error(file, description.Line, "'## DESCRIPTION' is empty.");
        }

        // PARAMETERS (before SYNTAX: the syntax blocks are checked against them)
        var parameters = find("PARAMETERS");
        if (parameters == null) Error(file, page.NameLine, "missing '## PARAMETERS'.");
        else ParseParameters(file, parameters, page);

        // SYNTAX
        var syntax = find("SYNTAX");
        if (syntax == null) Error(file, page.NameLine, "missing '## SYNTAX'.");
        else ParseSyntax(file, syntax, page);

        // EXAMPLES
        var examples = find("EXAMPLES");
        if (examples == null) Error(file, page.NameLine, "missing '## EXAMPLES'.");
        else
        {
            var pre = new List<Block>();
            var exs = SplitSections(examples.Body, 3, pre);
            if (HasProse(pre)) Error(file, pre.First(b => b.Kind == BlockKind.Text || b.Kind == BlockKind.Code).Line, "text under '## EXAMPLES' outside an '### Example N: title' heading.");
            if (exs.Count == 0) Error(file, examples.Line, "'## EXAMPLES' has no example ('### Example 1: title' + a ```powershell block).");
            foreach (var ex in exs)
            {
                var code = ex.Body.Where(b => b.Kind == BlockKind.Code).ToList();
                if (code.Count == 0 || code.All(c => c.Text.Trim().Length == 0))
                {
                    Error(file, ex.Line, "example '" + ex.Title + "' has no code block.");
                    continue;
                }
                var e = new Example { Title = ex.Title, Code = string.Join("\n\n", code.Select(c => c.Text.TrimEnd())) };
                e.Remarks = Paragraphs(ex.Body.Where(b => b.Kind != BlockKind.Code));
                page.Examples.Add(e);
            }
        }

        // INPUTS / OUTPUTS
        page.Inputs = ParseTypes(file, find("INPUTS"));
        page.Outputs = ParseTypes(file, find("OUTPUTS"));

        // NOTES
        var notes = find("NOTES");
        if (notes != null) page.Notes = Paragraphs(notes.Body);

        // RELATED LINKS
        if (!string.IsNullOrWhiteSpace(page.OnlineVersion))
            page.Links.Add(new Link { Text = "Online Version:", Uri = page.OnlineVersion });
        var links = find("RELATED LINKS");
        if (links != null)
        {
            foreach (var b in links.Body.Where(b => b.Kind == BlockKind.Text))
            {
                var matches = MdLink.Matches(b.Text);
                if (matches.Count == 0)
                {
                    Error(file, b.Line, "a related link must be '[text](uri)'.");
                    continue;
                }
                foreach (Match m in matches)
                {
                    string uri = m.Groups[2].Value;
                    bool absolute = Regex.IsMatch(uri, "^[a-z]+://", RegexOptions.IgnoreCase);
                    // Relative links (./Other-Cmdlet.md) point at another help topic: Get-Help shows the name only.
                    page.Links.Add(new Link { Text = m.Groups[1].Value, Uri = absolute ? uri : "" });
                }
            }
        }

        return _errors == before ? page : null;
    }

    private static readonly Regex ParamHeading = new Regex(@"^-([A-Za-z][A-Za-z0-9_]*)$");

    private void ParseParameters(string file, Section section, CommandPage page)
    {
        var pre = new List<Block>();
        var items = SplitSections(section.Body, 3, pre);
        if (HasProse(pre)) Error(file, pre.First(b => b.Kind == BlockKind.Text || b.Kind == BlockKind.Code).Line, "text under '## PARAMETERS' outside a '### -Name' heading.");
        foreach (var item in items)
        {
            if (item.Title == "CommonParameters") continue;
            var m = ParamHeading.Match(item.Title);
            if (!m.Success)
            {
                Error(file, item.Line, "parameter heading '### " + item.Title + "' is not '### -Name' (or '### CommonParameters').");
                continue;
            }
            var p = new ParamDoc { Name = m.Groups[1].Value, Line = item.Line };
            if (page.Parameters.Any(x => string.Equals(x.Name, p.Name, StringComparison.OrdinalIgnoreCase)))
            {
                Error(file, item.Line, "parameter -" + p.Name + " is documented twice.");
                continue;
            }
            p.Description = Paragraphs(item.Body.Where(b => !(b.Kind == BlockKind.Code && b.Lang == "yaml")));
            if (p.Description.Count == 0)
                Error(file, item.Line, "parameter -" + p.Name + " has no description.");
            foreach (var y in item.Body.Where(b => b.Kind == BlockKind.Code && b.Lang == "yaml"))
            {
                var meta = ParseMeta(file, p.Name, y);
                if (meta != null) p.Metas.Add(meta);
            }
            if (item.Body.All(b => !(b.Kind == BlockKind.Code && b.Lang == "yaml")))
                Error(file, item.Line, "parameter -" + p.Name + " has no ```yaml metadata block (Type, Parameter Sets, Aliases, Required, Position, Default value, Accept pipeline input, Accept wildcard characters).");
            page.Parameters.Add(p);
        }
        if (!items.Any(i => i.Title == "CommonParameters"))
            Error(file, section.Line, "'## PARAMETERS' has no '### CommonParameters' entry.");
    }

    private static readonly string[] MetaKeys =
        { "Type", "Parameter Sets", "Aliases", "Accepted values", "Required", "Position", "Default value", "Accept pipeline input", "Accept wildcard characters" };

    private ParamMeta ParseMeta(string file, string param, Block yaml)
    {
        var meta = new ParamMeta { Line = yaml.Line };
        var seen = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string[] lines = yaml.Text.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            string line = lines[i];
            int lineNo = yaml.Line + 1 + i;
            if (line.Trim().Length == 0) continue;
            int colon = line.IndexOf(':');
            string key = colon > 0 ? line.Substring(0, colon).Trim() : null;
            if (key == null || !MetaKeys.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                Error(file, lineNo, "-" + param + ": unknown metadata line '" + line.Trim() + "' (expected: " + string.Join(", ", MetaKeys) + ").");
                continue;
            }
            if (seen.ContainsKey(key))
            {
                Error(file, lineNo, "-" + param + ": '" + key + "' given twice.");
                continue;
            }
            string value = line.Substring(colon + 1).Trim();
            seen[key] = value;
            switch (key.ToLowerInvariant())
            {
                case "type":
                    meta.Type = value;
                    if (value.Length == 0) Error(file, lineNo, "-" + param + ": 'Type' is empty.");
                    break;
                case "parameter sets":
                    if (value.Length == 0) Error(file, lineNo, "-" + param + ": 'Parameter Sets' is empty (use '(All)').");
                    else if (value != "(All)") meta.Sets = SplitList(value);
                    break;
                case "aliases":
                    meta.Aliases = SplitList(value);
                    break;
                case "accepted values":
                    meta.AcceptedValues = SplitList(value);
                    break;
                case "required":
                    bool req;
                    if (!bool.TryParse(value, out req)) Error(file, lineNo, "-" + param + ": 'Required' must be True or False.");
                    meta.Required = req;
                    break;
                case "position":
                    int pos;
                    if (string.Equals(value, "Named", StringComparison.OrdinalIgnoreCase)) meta.Position = "named";
                    else if (int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out pos)) meta.Position = pos.ToString(CultureInfo.InvariantCulture);
                    else Error(file, lineNo, "-" + param + ": 'Position' must be Named or a number.");
                    break;
                case "default value":
                    meta.DefaultValue = value.Length == 0 ? "None" : value;
                    break;
                case "accept pipeline input":
                    if (!Regex.IsMatch(value, @"^(False|True \((ByValue|ByPropertyName|ByPropertyName, ByValue|ByValue, ByPropertyName)\))$", RegexOptions.IgnoreCase))
                        Error(file, lineNo, "-" + param + ": 'Accept pipeline input' must be False, True (ByValue), True (ByPropertyName) or True (ByPropertyName, ByValue).");
                    meta.PipelineInput = value;
                    break;
                case "accept wildcard characters":
                    bool glob;
                    if (!bool.TryParse(value, out glob)) Error(file, lineNo, "-" + param + ": 'Accept wildcard characters' must be True or False.");
                    meta.Globbing = glob;
                    break;
            }
        }
        foreach (string required in new[] { "Type", "Parameter Sets", "Required", "Position", "Accept pipeline input", "Accept wildcard characters" })
        {
            if (!seen.ContainsKey(required)) Error(file, yaml.Line, "-" + param + ": the yaml block has no '" + required + ":' line.");
        }
        return meta;
    }

    private static List<string> SplitList(string value)
    {
        return value.Split(',').Select(s => s.Trim()).Where(s => s.Length > 0).ToList();
    }

    private static readonly Regex SyntaxParam = new Regex(@"(?<=[\s\[])-([A-Za-z][A-Za-z0-9_]*)\b");
    private static readonly Regex SetHeading = new Regex(@"^(.+?)(\s+\(Default\))?$");

    private void ParseSyntax(string file, Section section, CommandPage page)
    {
        var pre = new List<Block>();
        var sets = SplitSections(section.Body, 3, pre);
        var blocks = new List<Tuple<SyntaxSet, Block>>();
        if (sets.Count == 0)
        {
            var code = pre.Where(b => b.Kind == BlockKind.Code).ToList();
            if (code.Count != 1)
            {
                Error(file, section.Line, "'## SYNTAX' needs one ``` block, or one '### SetName' heading with a ``` block per parameter set; found " + code.Count + " blocks and no set headings.");
                return;
            }
            blocks.Add(Tuple.Create(new SyntaxSet { Name = null, IsDefault = true, Line = code[0].Line }, code[0]));
        }
        else
        {
            if (HasProse(pre)) Error(file, section.Line, "text under '## SYNTAX' outside a '### SetName' heading.");
            foreach (var s in sets)
            {
                var code = s.Body.Where(b => b.Kind == BlockKind.Code).ToList();
                if (code.Count != 1)
                {
                    Error(file, s.Line, "syntax set '" + s.Title + "' needs exactly one ``` block; found " + code.Count + ".");
                    continue;
                }
                var hm = SetHeading.Match(s.Title);
                blocks.Add(Tuple.Create(new SyntaxSet { Name = hm.Groups[1].Value.Trim(), IsDefault = hm.Groups[2].Success, Line = s.Line }, code[0]));
            }
            if (sets.Count > 1 && blocks.Count(b => b.Item1.IsDefault) != 1)
                Error(file, section.Line, "exactly one parameter set heading must be marked '(Default)'.");
        }

        var known = new HashSet<string>(page.Parameters.Select(p => p.Name), StringComparer.OrdinalIgnoreCase);
        var setNames = new HashSet<string>(blocks.Where(b => b.Item1.Name != null).Select(b => b.Item1.Name), StringComparer.OrdinalIgnoreCase);
        foreach (var pair in blocks)
        {
            var set = pair.Item1;
            var code = pair.Item2;
            string text = code.Text.Trim();
            if (!text.StartsWith(page.Name, StringComparison.OrdinalIgnoreCase))
                Error(file, code.Line + 1, "the syntax block does not start with the command name '" + page.Name + "'.");
            foreach (Match m in SyntaxParam.Matches(" " + text))
            {
                string name = m.Groups[1].Value;
                var p = page.Parameters.FirstOrDefault(x => string.Equals(x.Name, name, StringComparison.OrdinalIgnoreCase));
                if (p == null)
                {
                    Error(file, code.Line + 1, "the syntax names -" + name + ", which has no '### -" + name + "' entry under '## PARAMETERS'.");
                    continue;
                }
                if (set.ParameterNames.Contains(p.Name, StringComparer.OrdinalIgnoreCase))
                {
                    Error(file, code.Line + 1, "the syntax names -" + name + " twice.");
                    continue;
                }
                if (set.Name != null && p.Metas.Count > 0 && p.MetaFor(set.Name) == null)
                    Error(file, code.Line + 1, "-" + p.Name + " is in the '" + set.Name + "' syntax block, but its 'Parameter Sets' do not list that set (nor '(All)').");
                set.ParameterNames.Add(p.Name);
            }
            page.Syntax.Add(set);
        }

        foreach (var p in page.Parameters)
        {
            if (!page.Syntax.Any(s => s.ParameterNames.Contains(p.Name, StringComparer.OrdinalIgnoreCase)))
                Error(file, p.Line, "-" + p.Name + " is documented but appears in no syntax block.");
            foreach (var meta in p.Metas)
            {
                foreach (string s in meta.Sets)
                {
                    if (setNames.Count > 0 && !setNames.Contains(s))
                        Error(file, meta.Line, "-" + p.Name + " lists parameter set '" + s + "', which has no '### " + s + "' syntax block.");
                    else if (setNames.Count == 0)
                        Error(file, meta.Line, "-" + p.Name + " lists parameter set '" + s + "', but the page has a single unnamed syntax block: use '(All)'.");
                }
            }
        }
    }

    private List<TypeDoc> ParseTypes(string file, Section section)
    {
        var result = new List<TypeDoc>();
        if (section == null) return result;
        var pre = new List<Block>();
        var items = SplitSections(section.Body, 3, pre);
        if (HasProse(pre)) Error(file, section.Line, "text under '## " + section.Title + "' outside a '### TypeName' heading.");
        foreach (var item in items)
            result.Add(new TypeDoc { Name = item.Title, Description = Paragraphs(item.Body) });
        return result;
    }

    // ------------------------------------------------------------------------------------------------
    // MAML (the shape platyPS 0.14 writes: helpItems > command:command per cmdlet)
    // ------------------------------------------------------------------------------------------------

    private string RenderMaml(List<CommandPage> commands)
    {
        var sb = new StringBuilder();
        var settings = new XmlWriterSettings { Indent = true, IndentChars = "  ", Encoding = new UTF8Encoding(false), NewLineChars = "\n", NewLineHandling = NewLineHandling.Replace };
        using (var sw = new Utf8StringWriter(sb))
        using (var w = XmlWriter.Create(sw, settings))
        {
            w.WriteStartDocument();
            w.WriteStartElement("helpItems", NsMsh);
            w.WriteAttributeString("schema", "maml");
            foreach (var c in commands) WriteCommand(w, c);
            w.WriteEndElement();
            w.WriteEndDocument();
        }
        return sb.ToString() + "\n";
    }

    private sealed class Utf8StringWriter : StringWriter
    {
        public Utf8StringWriter(StringBuilder sb) : base(sb, CultureInfo.InvariantCulture) { }
        public override Encoding Encoding { get { return new UTF8Encoding(false); } }
    }

    private static void WriteCommand(XmlWriter w, CommandPage c)
    {
        w.WriteStartElement("command", "command", NsCommand);
        w.WriteAttributeString("xmlns", "maml", null, NsMaml);
        w.WriteAttributeString("xmlns", "command", null, NsCommand);
        w.WriteAttributeString("xmlns", "dev", null, NsDev);
        w.WriteAttributeString("xmlns", "MSHelp", null, NsMSHelp);

        int dash = c.Name.IndexOf('-');
        w.WriteStartElement("details", NsCommand);
        w.WriteElementString("name", NsCommand, c.Name);
        w.WriteElementString("verb", NsCommand, c.Name.Substring(0, dash));
        w.WriteElementString("noun", NsCommand, c.Name.Substring(dash + 1));
        w.WriteStartElement("description", NsMaml);
        WriteParas(w, c.Synopsis);
        w.WriteEndElement();
        w.WriteEndElement(); // details

        w.WriteStartElement("description", NsMaml);
        WriteParas(w, c.Description);
        w.WriteEndElement();

        w.WriteStartElement("syntax", NsCommand);
        foreach (var set in c.Syntax)
        {
            w.WriteStartElement("syntaxItem", NsCommand);
            w.WriteElementString("name", NsMaml, c.Name);
            foreach (string pn in set.ParameterNames)
            {
                var p = c.Parameters.First(x => string.Equals(x.Name, pn, StringComparison.OrdinalIgnoreCase));
                var meta = set.Name == null ? p.Metas.FirstOrDefault() : p.MetaFor(set.Name);
                WriteParameter(w, p, meta ?? p.Metas.First(), true);
            }
            w.WriteEndElement();
        }
        w.WriteEndElement(); // syntax

        w.WriteStartElement("parameters", NsCommand);
        foreach (var p in c.Parameters)
        {
            // One entry per parameter. A parameter that is required or positional in one set only is shown with
            // the metadata of the default set (as platyPS does with the first yaml block).
            var def = c.Syntax.FirstOrDefault(s => s.IsDefault);
            var meta = (def != null && def.Name != null ? p.MetaFor(def.Name) : null) ?? p.Metas.First();
            WriteParameter(w, p, meta, false);
        }
        w.WriteEndElement();

        w.WriteStartElement("inputTypes", NsCommand);
        foreach (var t in c.Inputs) WriteType(w, "inputType", t);
        w.WriteEndElement();

        w.WriteStartElement("returnValues", NsCommand);
        foreach (var t in c.Outputs) WriteType(w, "returnValue", t);
        w.WriteEndElement();

        w.WriteStartElement("alertSet", NsMaml);
        w.WriteStartElement("alert", NsMaml);
        WriteParas(w, c.Notes);
        w.WriteEndElement();
        w.WriteEndElement();

        w.WriteStartElement("examples", NsCommand);
        foreach (var e in c.Examples)
        {
            w.WriteStartElement("example", NsCommand);
            w.WriteElementString("title", NsMaml, ExampleTitle(e.Title));
            w.WriteElementString("code", NsDev, e.Code);
            w.WriteStartElement("remarks", NsDev);
            WriteParas(w, e.Remarks);
            // PowerShell prints the next example's title right under the last remark: an empty para separates them.
            w.WriteElementString("para", NsMaml, "");
            w.WriteEndElement();
            w.WriteEndElement();
        }
        w.WriteEndElement();

        w.WriteStartElement("relatedLinks", NsCommand);
        foreach (var l in c.Links)
        {
            w.WriteStartElement("navigationLink", NsMaml);
            w.WriteElementString("linkText", NsMaml, l.Text);
            w.WriteElementString("uri", NsMaml, l.Uri);
            w.WriteEndElement();
        }
        w.WriteEndElement();

        w.WriteEndElement(); // command
    }

    private static string ExampleTitle(string title)
    {
        // platyPS pads titles with dashes the way PowerShell's own help shows them.
        int pad = Math.Max(10, (64 - title.Length - 2) / 2);
        string dashes = new string('-', pad);
        return dashes + " " + title + " " + dashes;
    }

    private static void WriteParameter(XmlWriter w, ParamDoc p, ParamMeta meta, bool inSyntax)
    {
        bool isSwitch = string.Equals(meta.Type, "SwitchParameter", StringComparison.OrdinalIgnoreCase) || string.Equals(meta.Type, "Switch", StringComparison.OrdinalIgnoreCase);
        string type = isSwitch ? "SwitchParameter" : meta.Type;
        w.WriteStartElement("parameter", NsCommand);
        w.WriteAttributeString("required", meta.Required ? "true" : "false");
        w.WriteAttributeString("variableLength", type.EndsWith("[]") ? "true" : "false");
        w.WriteAttributeString("globbing", meta.Globbing ? "true" : "false");
        w.WriteAttributeString("pipelineInput", meta.PipelineInput);
        w.WriteAttributeString("position", meta.Position);
        w.WriteAttributeString("aliases", meta.Aliases.Count > 0 ? string.Join(", ", meta.Aliases) : "none");
        w.WriteElementString("name", NsMaml, p.Name);
        w.WriteStartElement("description", NsMaml);
        WriteParas(w, p.Description);
        w.WriteEndElement();
        if (inSyntax && meta.AcceptedValues.Count > 0)
        {
            w.WriteStartElement("parameterValueGroup", NsCommand);
            foreach (string v in meta.AcceptedValues)
            {
                w.WriteStartElement("parameterValue", NsCommand);
                w.WriteAttributeString("required", "false");
                w.WriteAttributeString("variableLength", "false");
                w.WriteString(v);
                w.WriteEndElement();
            }
            w.WriteEndElement();
        }
        if (!(inSyntax && isSwitch) && !(inSyntax && meta.AcceptedValues.Count > 0))
        {
            w.WriteStartElement("parameterValue", NsCommand);
            w.WriteAttributeString("required", isSwitch ? "false" : "true");
            w.WriteAttributeString("variableLength", "false");
            w.WriteString(type);
            w.WriteEndElement();
        }
        w.WriteStartElement("type", NsDev);
        w.WriteElementString("name", NsMaml, type);
        w.WriteElementString("uri", NsMaml, "");
        w.WriteEndElement();
        w.WriteElementString("defaultValue", NsDev, isSwitch && meta.DefaultValue == "None" ? "False" : meta.DefaultValue);
        w.WriteEndElement();
    }

    private static void WriteType(XmlWriter w, string element, TypeDoc t)
    {
        w.WriteStartElement(element, NsCommand);
        w.WriteStartElement("type", NsDev);
        w.WriteElementString("name", NsMaml, t.Name);
        w.WriteEndElement();
        w.WriteStartElement("description", NsMaml);
        WriteParas(w, t.Description);
        w.WriteEndElement();
        w.WriteEndElement();
    }

    private static void WriteParas(XmlWriter w, List<Para> paras)
    {
        if (paras == null) return;
        foreach (var p in paras) w.WriteElementString("para", NsMaml, ParaText(p));
    }

    // ------------------------------------------------------------------------------------------------
    // about_ topics -> plain text in the layout of PowerShell 7's own about_*.help.txt
    // ------------------------------------------------------------------------------------------------

    private sealed class AboutPage
    {
        public string File;
        public string Topic;
        public List<Block> Blocks;
    }

    private AboutPage ParseAbout(Doc doc)
    {
        int before = _errors;
        string file = doc.File;
        foreach (var p in doc.Problems) Error(file, p.Item1, p.Item2);
        string stem = Path.GetFileNameWithoutExtension(file);
        var h1 = doc.Blocks.Where(b => b.Kind == BlockKind.Heading && b.Level == 1).ToList();
        if (h1.Count != 1 || !string.Equals(h1[0].Text, stem, StringComparison.Ordinal))
        {
            Error(file, h1.Count > 0 ? h1[0].Line : 1, "an about page needs exactly one '# " + stem + "' title.");
            return null;
        }
        var sections = SplitSections(doc.Blocks.SkipWhile(b => b != h1[0]).Skip(1), 2, null);
        var shortDesc = sections.FirstOrDefault(s => s.Title == "SHORT DESCRIPTION");
        var longDesc = sections.FirstOrDefault(s => s.Title == "LONG DESCRIPTION");
        if (shortDesc == null) Error(file, h1[0].Line, "missing '## SHORT DESCRIPTION' (Get-Help shows it as the topic's synopsis).");
        else if (!HasProse(shortDesc.Body)) Error(file, shortDesc.Line, "'## SHORT DESCRIPTION' is empty.");
        else
        {
            var paras = Paragraphs(shortDesc.Body);
            string text = Inline(paras[0].Text);
            if (paras.Count != 1 || paras[0].Verbatim || paras[0].IsListItem || text.Length > Width - Indent.Length)
                Error(file, shortDesc.Line, "'## SHORT DESCRIPTION' must be one sentence of at most " + (Width - Indent.Length) + " characters (it is " + text.Length + "): Get-Help shows only that line as the topic's synopsis.");
        }
        if (longDesc == null) Error(file, h1[0].Line, "missing '## LONG DESCRIPTION'.");
        else if (!HasProse(longDesc.Body)) Error(file, longDesc.Line, "'## LONG DESCRIPTION' is empty.");
        if (sections.Count > 0 && sections[0].Title != "SHORT DESCRIPTION")
            Error(file, sections[0].Line, "'## SHORT DESCRIPTION' must be the first section.");
        return _errors == before ? new AboutPage { File = file, Topic = stem, Blocks = doc.Blocks.SkipWhile(b => b != h1[0]).ToList() } : null;
    }

    private const int Width = 80;
    private const string Indent = "    ";

    /// <summary>
    /// The classic about_ layout, which Get-Help relies on: it takes the 5th line of the file as the topic's synopsis.
    ///   TOPIC / (4 spaces)about_Name / blank / SHORT DESCRIPTION / (4 spaces)one-line synopsis / blank / LONG DESCRIPTION ...
    /// Section titles (##) are upper case at column 0, text is indented 4 and wrapped at 80 columns,
    /// ### titles are underlined, code is indented 8.
    /// </summary>
    private static string RenderAbout(AboutPage page)
    {
        var sb = new StringBuilder();
        var chunk = new List<Block>();
        Action flush = () =>
        {
            var paras = Paragraphs(chunk);
            for (int index = 0; index < paras.Count; index++)
            {
                var p = paras[index];
                if (p.IsCode)
                {
                    foreach (string l in p.Text.Split('\n')) sb.Append((Indent + Indent + l).TrimEnd()).Append('\n');
                }
                else if (p.IsTable)
                {
                    var rows = TableRows(p.Text);
                    int cols = rows.Max(r => r.Length);
                    var widths = Enumerable.Range(0, cols).Select(i => rows.Max(r => i < r.Length ? r[i].Length : 0)).ToArray();
                    for (int r = 0; r < rows.Count; r++)
                    {
                        var cells = Enumerable.Range(0, cols).Select(i => (i < rows[r].Length ? rows[r][i] : "").PadRight(widths[i]));
                        sb.Append((Indent + string.Join("  ", cells)).TrimEnd()).Append('\n');
                        if (r == 0) sb.Append(Indent).Append(string.Join("  ", widths.Select(x => new string('-', x)))).Append('\n');
                    }
                }
                else if (p.IsListItem)
                {
                    string text = Inline(p.Text);
                    int marker = text.IndexOf(' ') + 1;
                    Wrap(sb, text, Indent, Indent + new string(' ', marker));
                }
                else
                {
                    Wrap(sb, Inline(p.Text), Indent, Indent);
                }
                // Items of one list stay together; everything else is followed by a blank line.
                bool tight = p.IsListItem && index + 1 < paras.Count && paras[index + 1].IsListItem;
                if (!tight) sb.Append('\n');
            }
            chunk.Clear();
        };

        foreach (var b in page.Blocks)
        {
            if (b.Kind == BlockKind.Heading)
            {
                flush();
                string title = Inline(b.Text);
                if (b.Level == 1) sb.Append("TOPIC\n").Append(Indent).Append(title).Append("\n\n");
                else if (b.Level == 2) sb.Append(title.ToUpperInvariant()).Append('\n');
                else sb.Append(Indent).Append(title).Append('\n').Append(Indent).Append(new string(b.Level == 3 ? '-' : '~', title.Length)).Append("\n\n");
                continue;
            }
            chunk.Add(b);
        }
        flush();
        return sb.ToString().TrimEnd('\n') + "\n";
    }

    private static void Wrap(StringBuilder sb, string text, string firstIndent, string indent)
    {
        var words = text.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries);
        var line = new StringBuilder(firstIndent);
        bool empty = true;
        foreach (string word in words)
        {
            if (!empty && line.Length + 1 + word.Length > Width)
            {
                sb.Append(line.ToString().TrimEnd()).Append('\n');
                line.Clear().Append(indent);
                empty = true;
            }
            if (!empty) line.Append(' ');
            line.Append(word);
            empty = false;
        }
        if (!empty) sb.Append(line.ToString().TrimEnd()).Append('\n');
    }
}
