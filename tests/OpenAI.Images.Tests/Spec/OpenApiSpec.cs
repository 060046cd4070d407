using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Runtime.CompilerServices;
using System.Text.RegularExpressions;
using System.Threading;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace OpenAI.Images.Tests.Spec;

/// <summary>
/// Where the repository and its OpenAPI files (<c>openapi/</c>, kept in the repository so that a clone needs nothing
/// beside it) are. The repository root is found by walking up from the test's base directory (then the current
/// directory, then this source file's compile-time path, for builds from a scratch project).
/// </summary>
public static class RepoLayout
{
    private const string SolutionFile = "OpenAI.Images.slnx";
    private static readonly Lazy<string?> repoRoot = new(FindRepoRoot);
    private static readonly Lazy<string?> specDirectory = new(FindSpecDirectory);

    /// <summary>The repository root (the folder holding OpenAI.Images.slnx), or null if not found.</summary>
    public static string? RepoRoot => repoRoot.Value;

    /// <summary>The folder holding openai-openapi.yaml and openai-images.yaml.</summary>
    public static string SpecDirectory => specDirectory.Value ?? throw new DirectoryNotFoundException(
        "openapi/openai-openapi.yaml was not found in the repository: looked for the folder holding " + SolutionFile
        + " above " + string.Join(", ", StartDirectories()) + ".");

    /// <summary>The official spec, unchanged (source of truth for the spec-drift tests).</summary>
    public static string OfficialSpec => Path.Combine(SpecDirectory, "openai-openapi.yaml");

    /// <summary>The extract that Prism serves (nullable rewritten so Ajv compiles it).</summary>
    public static string PrismSpec => Path.Combine(SpecDirectory, "openai-images.yaml");

    /// <summary>A file under tests/assets (e.g. sample-8x8.png).</summary>
    public static string Asset(string name) => Path.Combine(
        RepoRoot ?? throw new DirectoryNotFoundException($"{SolutionFile} was not found above {string.Join(", ", StartDirectories())}."),
        "tests", "assets", name);

    private static string? FindRepoRoot()
    {
        foreach (var start in StartDirectories())
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, SolutionFile)))
                {
                    return dir.FullName;
                }
            }
        }

        return null;
    }

    private static string? FindSpecDirectory() =>
        RepoRoot is { } root && File.Exists(Path.Combine(root, "openapi", "openai-openapi.yaml"))
            ? Path.Combine(root, "openapi")
            : null;

    private static IEnumerable<string> StartDirectories()
    {
        yield return AppContext.BaseDirectory;
        yield return Environment.CurrentDirectory;
        var source = Path.GetDirectoryName(ThisFile());
        if (!string.IsNullOrEmpty(source) && Directory.Exists(source))
        {
            yield return source;
        }
    }

    private static string ThisFile([CallerFilePath] string path = "") => path;
}

/// <summary>
/// Read-only questions about OpenAI's official OpenAPI spec (components/schemas), for the spec-drift tests.
/// Follows <c>$ref</c> and looks into <c>anyOf</c>/<c>oneOf</c>/<c>allOf</c> branches. The official file is
/// ~3 MB / 87k lines: <see cref="Official"/> parses it once per test run and caches it.
/// Unknown schemas or properties throw <see cref="KeyNotFoundException"/>, so a renamed or removed field
/// fails the drift test that asked about it.
/// </summary>
public sealed partial class OpenApiSpec
{
    private static readonly Lazy<OpenApiSpec> official =
        new(() => Load(RepoLayout.OfficialSpec), LazyThreadSafetyMode.ExecutionAndPublication);

    private static readonly string[] Branches = ["anyOf", "oneOf", "allOf"];

    private readonly YamlMappingNode root;
    private readonly Dictionary<string, YamlNode> schemas;

    private OpenApiSpec(string path, YamlMappingNode root, TimeSpan parseTime)
    {
        FilePath = path;
        this.root = root;
        ParseTime = parseTime;
        schemas = new Dictionary<string, YamlNode>(StringComparer.Ordinal);
        if (Child(Child(root, "components"), "schemas") is YamlMappingNode map)
        {
            foreach (var (key, value) in map.Children)
            {
                schemas[((YamlScalarNode)key).Value!] = value;
            }
        }
    }

    /// <summary>openapi/openai-openapi.yaml, parsed on first use and shared by every test.</summary>
    public static OpenApiSpec Official => official.Value;

    /// <summary>The file this instance was read from.</summary>
    public string FilePath { get; }

    /// <summary>How long reading and parsing the file took.</summary>
    public TimeSpan ParseTime { get; }

    /// <summary>info.version of the spec (e.g. 2.3.0).</summary>
    public string? Version => Scalar(Child(Child(root, "info"), "version"));

    /// <summary>Names of every schema under components/schemas.</summary>
    public IReadOnlyCollection<string> SchemaNames => schemas.Keys;

    public static OpenApiSpec Load(string path)
    {
        var watch = Stopwatch.StartNew();
        var stream = new YamlStream();
        using (var reader = new StringReader(WorkAroundBlankBlockScalarLines(File.ReadAllText(path))))
        {
            try
            {
                stream.Load(reader);
            }
            catch (YamlException e)
            {
                throw new InvalidDataException($"{path} ({e.Start}): {e.Message}", e);
            }
        }

        if (stream.Documents.Count == 0 || stream.Documents[0].RootNode is not YamlMappingNode map)
        {
            throw new InvalidDataException($"{path} is not a YAML mapping.");
        }

        return new OpenApiSpec(path, map, watch.Elapsed);
    }

    /// <summary>
    /// YamlDotNet (18.1.0) rejects a block scalar whose leading empty lines hold more spaces than its indentation
    /// ("While scanning a literal block scalar, found extra spaces in first line"), which YAML and libyaml accept.
    /// The official spec has one (a chat completions <c>stop</c> example, <c>example: |+</c> followed by a line of
    /// 12 spaces). Such whitespace-only lines right after a block scalar header are emptied before parsing; only
    /// trailing spaces of an otherwise empty example line change.
    /// </summary>
    internal static string WorkAroundBlankBlockScalarLines(string text)
    {
        var lines = text.Split('\n');
        var afterHeader = false;
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].TrimEnd('\r');
            if (line.Length > 0 && line.Trim().Length == 0)
            {
                if (afterHeader)
                {
                    lines[i] = lines[i].EndsWith('\r') ? "\r" : string.Empty;
                }

                continue;
            }

            afterHeader = BlockScalarHeader().IsMatch(line);
        }

        return string.Join('\n', lines);
    }

    [GeneratedRegex(@"(^|[:\-]\s)[|>][-+0-9]*\s*$")]
    private static partial Regex BlockScalarHeader();

    public bool HasSchema(string schema) => schemas.ContainsKey(schema);

    public bool HasProperty(string schema, string property) =>
        HasSchema(schema) && FindProperty(Schema(schema), property) is not null;

    /// <summary>Property names of a schema (its own, then those of allOf branches), in spec order.</summary>
    public IReadOnlyList<string> Properties(string schema)
    {
        var names = new List<string>();
        foreach (var node in SelfAndAllOf(Schema(schema)))
        {
            if (Child(node, "properties") is YamlMappingNode props)
            {
                foreach (var key in props.Children.Keys)
                {
                    var name = ((YamlScalarNode)key).Value!;
                    if (!names.Contains(name))
                    {
                        names.Add(name);
                    }
                }
            }
        }

        return names;
    }

    /// <summary>The <c>required</c> list of a schema (its own, then those of allOf branches).</summary>
    public IReadOnlyList<string> Required(string schema)
    {
        var names = new List<string>();
        foreach (var node in SelfAndAllOf(Schema(schema)))
        {
            if (Child(node, "required") is YamlSequenceNode list)
            {
                foreach (var item in list.Children)
                {
                    if (Scalar(item) is { } name && !names.Contains(name))
                    {
                        names.Add(name);
                    }
                }
            }
        }

        return names;
    }

    /// <summary>
    /// Every <c>enum</c> value of a property: found directly or inside anyOf/oneOf/allOf branches, following
    /// <c>$ref</c>, merged in spec order without duplicates; a null member is ignored. Empty when the property
    /// has no enum (e.g. a free string).
    /// </summary>
    public IReadOnlyList<string> Enum(string schema, string property)
    {
        var values = new List<string>();
        foreach (var node in Walk(Property(schema, property)))
        {
            if (Child(node, "enum") is YamlSequenceNode list)
            {
                foreach (var item in list.Children)
                {
                    if (!IsNull(item) && Scalar(item) is { } value && !values.Contains(value))
                    {
                        values.Add(value);
                    }
                }
            }
        }

        return values;
    }

    /// <summary><c>minimum</c>/<c>maximum</c> of a property, directly or in a branch or a <c>$ref</c> (PartialImages).</summary>
    public (long? Min, long? Max) Range(string schema, string property)
    {
        long? min = null;
        long? max = null;
        foreach (var node in Walk(Property(schema, property)))
        {
            min ??= Integer(Child(node, "minimum"), schema, property);
            max ??= Integer(Child(node, "maximum"), schema, property);
        }

        return (min, max);
    }

    /// <summary>The property's <c>default</c> (its own first, then a branch's or a <c>$ref</c>'s), or null.</summary>
    public string? Default(string schema, string property) => First(schema, property, "default");

    /// <summary>The property's <c>description</c> (its own first, then a branch's or a <c>$ref</c>'s), or null.</summary>
    public string? Description(string schema, string property) => First(schema, property, "description");

    /// <summary>The JSON types a property allows (<c>type</c>, a <c>type</c> list, or branch types), null excluded.</summary>
    public IReadOnlyList<string> Types(string schema, string property)
    {
        var types = new List<string>();
        foreach (var node in Walk(Property(schema, property)))
        {
            switch (Child(node, "type"))
            {
                case YamlScalarNode scalar when scalar.Value is { } t && t != "null" && !types.Contains(t):
                    types.Add(t);
                    break;
                case YamlSequenceNode list:
                    foreach (var t in list.Children.Select(Scalar))
                    {
                        if (t is not null && t != "null" && !types.Contains(t))
                        {
                            types.Add(t);
                        }
                    }

                    break;
            }
        }

        return types;
    }

    /// <summary>Whether the property is marked <c>nullable: true</c> or allows a null type or member.</summary>
    public bool IsNullable(string schema, string property)
    {
        foreach (var node in Walk(Property(schema, property)))
        {
            if (Scalar(Child(node, "nullable")) == "true")
            {
                return true;
            }

            switch (Child(node, "type"))
            {
                case YamlScalarNode { Value: "null" }:
                    return true;
                case YamlSequenceNode list when list.Children.Any(t => Scalar(t) == "null"):
                    return true;
            }
        }

        return false;
    }

    private string? First(string schema, string property, string key)
    {
        foreach (var node in Walk(Property(schema, property)))
        {
            switch (Child(node, key))
            {
                case null:
                    continue;
                case YamlScalarNode scalar:
                    return IsNull(scalar) ? null : scalar.Value;
                case var other:
                    return other.ToString();
            }
        }

        return null;
    }

    private YamlNode Schema(string schema) =>
        schemas.TryGetValue(schema, out var node)
            ? node
            : throw new KeyNotFoundException($"Schema '{schema}' is not in components/schemas of {FilePath}.");

    private YamlNode Property(string schema, string property) =>
        FindProperty(Schema(schema), property)
        ?? throw new KeyNotFoundException(
            $"Schema '{schema}' has no property '{property}' (it has: {string.Join(", ", Properties(schema))}).");

    private YamlNode? FindProperty(YamlNode schemaNode, string property)
    {
        foreach (var node in SelfAndAllOf(schemaNode))
        {
            if (Child(Child(node, "properties"), property) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    /// <summary>The schema (after $ref) and, recursively, its allOf branches: the parts whose properties merge.</summary>
    private IEnumerable<YamlNode> SelfAndAllOf(YamlNode node)
    {
        var seen = new HashSet<YamlNode>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<YamlNode>();
        stack.Push(node);
        while (stack.Count > 0)
        {
            var current = Resolve(stack.Pop());
            if (!seen.Add(current))
            {
                continue;
            }

            yield return current;
            if (Child(current, "allOf") is YamlSequenceNode all)
            {
                for (var i = all.Children.Count - 1; i >= 0; i--)
                {
                    stack.Push(all.Children[i]);
                }
            }
        }
    }

    /// <summary>The node, what its $ref points to, and every anyOf/oneOf/allOf branch, depth first, in spec order.</summary>
    private IEnumerable<YamlNode> Walk(YamlNode start)
    {
        var seen = new HashSet<YamlNode>(ReferenceEqualityComparer.Instance);
        var stack = new Stack<YamlNode>();
        stack.Push(start);
        while (stack.Count > 0)
        {
            var node = stack.Pop();
            if (!seen.Add(node))
            {
                continue;
            }

            yield return node;
            var children = new List<YamlNode>();
            if (Scalar(Child(node, "$ref")) is { } reference)
            {
                children.Add(Pointer(reference));
            }

            foreach (var branch in Branches)
            {
                if (Child(node, branch) is YamlSequenceNode list)
                {
                    children.AddRange(list.Children);
                }
            }

            for (var i = children.Count - 1; i >= 0; i--)
            {
                stack.Push(children[i]);
            }
        }
    }

    private YamlNode Resolve(YamlNode node)
    {
        for (var hops = 0; hops < 32; hops++)
        {
            if (Scalar(Child(node, "$ref")) is not { } reference)
            {
                return node;
            }

            node = Pointer(reference);
        }

        throw new InvalidDataException("$ref chain longer than 32 hops (a cycle?).");
    }

    private YamlNode Pointer(string reference)
    {
        const string SchemaPrefix = "#/components/schemas/";
        if (reference.StartsWith(SchemaPrefix, StringComparison.Ordinal)
            && schemas.TryGetValue(reference[SchemaPrefix.Length..], out var schema))
        {
            return schema;
        }

        if (!reference.StartsWith("#/", StringComparison.Ordinal))
        {
            throw new NotSupportedException($"Only local $ref is supported: '{reference}'.");
        }

        YamlNode? node = root;
        foreach (var segment in reference[2..].Split('/'))
        {
            var key = segment.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal);
            node = Child(node, key);
        }

        return node ?? throw new KeyNotFoundException($"$ref '{reference}' does not resolve in {FilePath}.");
    }

    private static YamlNode? Child(YamlNode? node, string key)
    {
        if (node is not YamlMappingNode map)
        {
            return null;
        }

        foreach (var (k, v) in map.Children)
        {
            if (k is YamlScalarNode { Value: var name } && name == key)
            {
                return v;
            }
        }

        return null;
    }

    private static string? Scalar(YamlNode? node) => (node as YamlScalarNode)?.Value;

    /// <summary>A YAML null: a plain (unquoted) <c>null</c>, <c>~</c> or empty scalar. A quoted "null" is a string.</summary>
    private static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };

    private static long? Integer(YamlNode? node, string schema, string property)
    {
        if (Scalar(node) is not { } text)
        {
            return null;
        }

        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidDataException($"{schema}.{property}: bound '{text}' is not an integer.");
    }
}
