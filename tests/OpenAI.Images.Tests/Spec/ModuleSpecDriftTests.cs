using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using System.Text.RegularExpressions;
using OpenAI.Images.Tests.Conformance;

namespace OpenAI.Images.Tests.Spec;

/// <summary>
/// Spec drift: the module's own value lists and limits, read from the loaded module (the cmdlets' tab completion and
/// [ValidateSet]/[ValidateRange] attributes through the hosted engine; OpenAI.Images.Validation.ModelCatalog's public
/// lists and constants by reflection), must cover the enums and limits of openai-openapi.yaml parsed at test time. The
/// lists OpenAI grows (models, qualities) may hold more than the spec: each extra value must come from a row of the
/// model table whose fact is not the spec's (models-2026-12.md). Replacing the spec file with a newer one shows at once what the module lacks (or still has): each failure
/// lists the missing and extra values. The per-model rules that exist only as prose in the spec (prompt lengths,
/// sizes per model, custom-size limits, which models take which parameter) are read from the descriptions.
/// </summary>
public sealed class ModuleSpecDriftTests
{
    private static OpenApiSpec Spec => OpenApiSpec.Official;

    private static readonly Lazy<ModuleFacts> Module = new(ModuleFacts.Load);

    public static TheoryData<string, string, string, string> CmdletEnums => new()
    {
        // cmdlet, parameter, schema, property: enums that stay a [ValidateSet]
        { "New-OpenAIImage", "ResponseFormat", "CreateImageRequest", "response_format" },
        { "Edit-OpenAIImage", "ResponseFormat", "CreateImageEditRequest", "response_format" },
        { "New-OpenAIImageVariation", "Size", "CreateImageVariationRequest", "size" },
        { "New-OpenAIImageVariation", "ResponseFormat", "CreateImageVariationRequest", "response_format" },
    };

    [Theory]
    [MemberData(nameof(CmdletEnums))]
    public void CmdletValidateSet_EqualsTheSpecEnum(string cmdlet, string parameter, string schema, string property)
    {
        var set = Module.Value.Parameter(cmdlet, parameter).Attributes.OfType<ValidateSetAttribute>().SingleOrDefault();
        Assert.True(set is not null, $"{cmdlet} -{parameter} has no [ValidateSet], but {schema}.{property} is an enum");
        AssertSameValues($"{cmdlet} -{parameter} [ValidateSet]", set.ValidValues, $"{schema}.{property}", Spec.Enum(schema, property));
    }

    public static TheoryData<string, string, string, string> GrowingEnums => new()
    {
        // cmdlet, parameter, schema, property: values OpenAI grows; completed from the model table, never a [ValidateSet]
        { "New-OpenAIImage", "Quality", "CreateImageRequest", "quality" },
        { "New-OpenAIImage", "Style", "CreateImageRequest", "style" },
        { "New-OpenAIImage", "Background", "CreateImageRequest", "background" },
        { "New-OpenAIImage", "Moderation", "CreateImageRequest", "moderation" },
        { "New-OpenAIImage", "OutputFormat", "CreateImageRequest", "output_format" },
        { "Edit-OpenAIImage", "Quality", "CreateImageEditRequest", "quality" },
        { "Edit-OpenAIImage", "Background", "CreateImageEditRequest", "background" },
        { "Edit-OpenAIImage", "InputFidelity", "CreateImageEditRequest", "input_fidelity" },
        { "Edit-OpenAIImage", "OutputFormat", "CreateImageEditRequest", "output_format" },
        { "Start-OpenAIImageBatch", "Quality", "CreateImageRequest", "quality" },
        { "Start-OpenAIImageBatch", "Style", "CreateImageRequest", "style" },
        { "Start-OpenAIImageBatch", "Background", "CreateImageRequest", "background" },
        { "Start-OpenAIImageBatch", "Moderation", "CreateImageRequest", "moderation" },
        { "Start-OpenAIImageBatch", "OutputFormat", "CreateImageRequest", "output_format" },
        { "Start-OpenAIImageBatch", "InputFidelity", "CreateImageEditRequest", "input_fidelity" },
    };

    [Theory]
    [MemberData(nameof(GrowingEnums))]
    public void CmdletCompletion_OffersAtLeastTheSpecEnum_AndHasNoValidateSet(string cmdlet, string parameter, string schema, string property)
    {
        Assert.Empty(Module.Value.Parameter(cmdlet, parameter).Attributes.OfType<ValidateSetAttribute>());
        string prefix = cmdlet == "Start-OpenAIImageBatch" && property == "input_fidelity" ? "-Path a.png " : string.Empty;
        var offered = Module.Value.Complete($"{cmdlet} 'x' {prefix}-{parameter} ");
        var missing = Spec.Enum(schema, property).Except(offered, StringComparer.Ordinal).ToList();
        Assert.True(missing.Count == 0, $"{cmdlet} -{parameter} completion lacks {schema}.{property} values: [{string.Join(", ", missing)}]; it offers [{string.Join(", ", offered)}]");
    }

    public static TheoryData<string, string, string, string> CmdletRanges => new()
    {
        { "New-OpenAIImage", "Count", "CreateImageRequest", "n" },
        { "New-OpenAIImage", "PartialImages", "CreateImageRequest", "partial_images" },
        { "New-OpenAIImage", "OutputCompression", "EditImageBodyJsonParam", "output_compression" }, // CreateImageRequest has 0-100 only in prose (checked below)
        { "Edit-OpenAIImage", "Count", "CreateImageEditRequest", "n" },
        { "Edit-OpenAIImage", "PartialImages", "CreateImageEditRequest", "partial_images" },
        { "Edit-OpenAIImage", "OutputCompression", "EditImageBodyJsonParam", "output_compression" },
        { "New-OpenAIImageVariation", "Count", "CreateImageVariationRequest", "n" },
    };

    [Theory]
    [MemberData(nameof(CmdletRanges))]
    public void CmdletValidateRange_EqualsTheSpecRange(string cmdlet, string parameter, string schema, string property)
    {
        var range = Module.Value.Parameter(cmdlet, parameter).Attributes.OfType<ValidateRangeAttribute>().SingleOrDefault();
        Assert.True(range is not null, $"{cmdlet} -{parameter} has no [ValidateRange]");
        var (min, max) = Spec.Range(schema, property);
        Assert.True(min is not null && max is not null, $"{schema}.{property} has no minimum/maximum any more");
        Assert.True(
            Convert.ToInt64(range.MinRange, CultureInfo.InvariantCulture) == min && Convert.ToInt64(range.MaxRange, CultureInfo.InvariantCulture) == max,
            $"{cmdlet} -{parameter} [ValidateRange({range.MinRange}, {range.MaxRange})] but {schema}.{property} is {min}-{max}");
    }

    [Fact]
    public void OutputCompressionRange_InTheGenerationAndEditProse_IsZeroToHundred()
    {
        foreach (var schema in new[] { "CreateImageRequest", "CreateImageEditRequest" })
        {
            Assert.Contains("(0-100%)", Prose(schema, "output_compression"), StringComparison.Ordinal);
        }

        Assert.Equal((0, 100), (Module.Value.Constant("MinCompression"), Module.Value.Constant("MaxCompression")));
    }

    /// <summary>Which cmdlet parameter sends each spec property (snake_case → PascalCase unless named here).</summary>
    private static readonly Dictionary<string, string> ParameterFor = new() { ["n"] = "Count", ["image"] = "Path" };

    /// <summary>Cmdlet parameters that are not request fields: connection, output and pipeline settings.</summary>
    private static readonly HashSet<string> NotRequestFields = new(StringComparer.OrdinalIgnoreCase)
    {
        "LiteralPath", "Profile", "ApiKey", "BaseUri", "TimeoutSec", "MaxRetries", "OutFile", "OutputDirectory", "Force", "ThrottleLimit",
        "Unordered",

        // The escape hatch for fields the module has no parameter for: any field, not one of the spec's.
        "AdditionalBody",
    };

    [Theory]
    [InlineData("New-OpenAIImage", "CreateImageRequest")]
    [InlineData("Edit-OpenAIImage", "CreateImageEditRequest")]
    [InlineData("New-OpenAIImageVariation", "CreateImageVariationRequest")]
    public void EverySpecRequestProperty_HasACmdletParameter_AndBack(string cmdlet, string schema)
    {
        var parameters = Module.Value.Parameters(cmdlet).Keys
            .Where(p => !Cmdlet.CommonParameters.Contains(p) && !Cmdlet.OptionalCommonParameters.Contains(p) && !NotRequestFields.Contains(p))
            .ToList();
        var expected = Spec.Properties(schema).ToDictionary(p => ParameterFor.GetValueOrDefault(p) ?? Pascal(p), p => p);
        var lacking = expected.Where(e => !parameters.Contains(e.Key, StringComparer.OrdinalIgnoreCase)).Select(e => $"{schema}.{e.Value} (expected -{e.Key})").ToList();
        var extra = parameters.Where(p => !expected.ContainsKey(p)).Select(p => $"-{p}").ToList();
        Assert.True(
            lacking.Count == 0 && extra.Count == 0,
            $"{cmdlet} vs {schema}. The module lacks: [{string.Join(", ", lacking)}]. Not in the spec: [{string.Join(", ", extra)}].");
    }

    /// <summary>ModelCatalog field → the spec enums (schema.property) it must equal (or, for <see cref="Grown"/>, cover).</summary>
    private static readonly Dictionary<string, string[]> CatalogListSources = new()
    {
        ["GenerationModels"] = ["CreateImageRequest.model"],
        ["EditModels"] = ["CreateImageEditRequest.model"],
        ["VariationModels"] = ["CreateImageVariationRequest.model"],
        ["GenerationSizes"] = ["CreateImageRequest.size"],
        ["EditSizes"] = ["CreateImageEditRequest.size"],
        ["VariationSizes"] = ["CreateImageVariationRequest.size"],
        ["GenerationQualities"] = ["CreateImageRequest.quality"],
        ["EditQualities"] = ["CreateImageEditRequest.quality"],
        ["Styles"] = ["CreateImageRequest.style"],
        ["Backgrounds"] = ["CreateImageRequest.background", "CreateImageEditRequest.background"],
        ["Moderations"] = ["CreateImageRequest.moderation"],
        ["OutputFormats"] = ["CreateImageRequest.output_format", "CreateImageEditRequest.output_format"],
        ["ResponseFormats"] = ["CreateImageRequest.response_format", "CreateImageEditRequest.response_format", "CreateImageVariationRequest.response_format"],
        ["InputFidelities"] = ["CreateImageEditRequest.input_fidelity"],
    };

    /// <summary>
    /// The lists OpenAI grew after the spec: each extra value must come from a table row whose fact for it is not the
    /// spec's (a model row from OpenAI's pages, a quality list from OpenAI's pages or third parties).
    /// </summary>
    private static readonly Dictionary<string, Func<string, bool>> Grown = new()
    {
        ["GenerationModels"] = NotSpecModel,
        ["EditModels"] = NotSpecModel,
        ["GenerationQualities"] = q => Module.Value.Rows().Any(r => r.QualitySource.ToString() != "Spec" && ((IEnumerable<string>)r.GenerationQualities).Contains(q)),
        ["EditQualities"] = q => Module.Value.Rows().Any(r => r.QualitySource.ToString() != "Spec" && ((IEnumerable<string>)r.EditQualities).Contains(q)),
    };

    /// <summary>A model the spec does not name must be a table row (or its snapshot) that openapi/models-2026-12.md names.</summary>
    private static bool NotSpecModel(string model) =>
        Module.Value.Find(model) is not null && SheetNames.Value.Contains(model);

    /// <summary>Every `name` in openapi/models-2026-12.md, with its dated snapshots spelled out ("(+ `-2026-09-08`)").</summary>
    private static readonly Lazy<HashSet<string>> SheetNames = new(() =>
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var line in System.IO.File.ReadAllLines(System.IO.Path.Combine(RepoLayout.SpecDirectory, "models-2026-12.md")))
        {
            var ids = Regex.Matches(line, "`((?:gpt|chatgpt|dall)-[a-z0-9.-]+)`").Select(m => m.Groups[1].Value).ToList();
            var suffixes = Regex.Matches(line, @"`(-\d{4}-\d{2}-\d{2})`").Select(m => m.Groups[1].Value).ToList();
            names.UnionWith(ids);
            names.UnionWith(ids.SelectMany(id => suffixes.Select(suffix => id + suffix)));
        }

        return names;
    });

    public static TheoryData<string> CatalogLists => new(CatalogListSources.Keys);

    [Theory]
    [MemberData(nameof(CatalogLists))]
    public void ModelCatalogList_EqualsTheSpecEnum(string field)
    {
        var values = Module.Value.List(field);
        foreach (var qualified in CatalogListSources[field])
        {
            var (schema, property) = (qualified[..qualified.IndexOf('.')], qualified[(qualified.IndexOf('.') + 1)..]);
            var spec = Spec.Enum(schema, property).ToList();
            if (!Grown.TryGetValue(field, out var fromTheTable))
            {
                AssertSameValues($"ModelCatalog.{field}", values, qualified, spec);
                continue;
            }

            var lacking = spec.Except(values, StringComparer.Ordinal).ToList();
            var unexplained = values.Except(spec, StringComparer.Ordinal).Where(v => !fromTheTable(v)).ToList();
            Assert.True(
                lacking.Count == 0 && unexplained.Count == 0,
                $"ModelCatalog.{field} vs {qualified}. Missing in the module: [{string.Join(", ", lacking)}]. Neither in the spec nor from a non-spec table fact: [{string.Join(", ", unexplained)}].");
        }
    }

    [Fact]
    public void TheGrownListsHoldWhatOpenAIShippedAfterTheSpec()
    {
        Assert.Contains("xhigh", Module.Value.List("GenerationQualities"));
        Assert.Contains("max", Module.Value.List("EditQualities"));
        Assert.Contains("gpt-image-2.6-sunburst", Module.Value.List("GenerationModels"));
        Assert.Contains("gpt-image-2.5-flare-2026-09-08", Module.Value.List("EditModels"));
        Assert.DoesNotContain("xhigh", Spec.Enum("CreateImageRequest", "quality"));
        Assert.Contains("gpt-image-1.5-2025-12-16", SheetNames.Value);
        Assert.DoesNotContain("gpt-image-2.6-flare-2026-09-08", Module.Value.List("GenerationModels"));
    }

    [Fact]
    public void EveryPublicModelCatalogList_IsComparedWithTheSpec()
    {
        var compared = CatalogListSources.Keys.ToHashSet();
        var lists = Module.Value.Catalog.GetFields(BindingFlags.Public | BindingFlags.Static)
            .Where(f => typeof(IEnumerable<string>).IsAssignableFrom(f.FieldType))
            .Where(f => f.Name != "Sources") // the table's source citations, not a value list
            .Select(f => f.Name)
            .ToList();
        Assert.NotEmpty(lists);
        var unchecked_ = lists.Where(l => !compared.Contains(l)).ToList();
        Assert.True(unchecked_.Count == 0, "ModelCatalog lists no drift test compares with the spec: " + string.Join(", ", unchecked_));
    }

    [Theory]
    [InlineData("CreateImageRequest")]
    [InlineData("CreateImageEditRequest")]
    [InlineData("CreateImageVariationRequest")]
    [InlineData("EditImageBodyJsonParam")]
    public void ModelCatalogCountRange_EqualsTheSpec(string schema) =>
        Assert.Equal(Spec.Range(schema, "n"), ((long?)Module.Value.Constant("MinCount"), (long?)Module.Value.Constant("MaxCount")));

    [Theory]
    [InlineData("CreateImageRequest")]
    [InlineData("CreateImageEditRequest")]
    [InlineData("EditImageBodyJsonParam")]
    public void ModelCatalogPartialImagesRange_EqualsTheSpec(string schema) =>
        Assert.Equal(Spec.Range(schema, "partial_images"), ((long?)Module.Value.Constant("MinPartialImages"), (long?)Module.Value.Constant("MaxPartialImages")));

    [Fact]
    public void ModelCatalogCompressionRange_EqualsTheSpec() =>
        Assert.Equal(Spec.Range("EditImageBodyJsonParam", "output_compression"), ((long?)Module.Value.Constant("MinCompression"), (long?)Module.Value.Constant("MaxCompression")));

    [Fact]
    public void DefaultModels_AreSpecModels()
    {
        var defaultModel = Module.Value.StringConstant("DefaultModel");
        Assert.Contains(defaultModel, Spec.Enum("CreateImageRequest", "model"));
        Assert.Contains(defaultModel, Spec.Enum("CreateImageEditRequest", "model"));
        Assert.Contains(Module.Value.StringConstant("DefaultVariationModel"), Spec.Enum("CreateImageVariationRequest", "model"));
    }

    // ---------- per-model rules that the spec states in prose ----------

    [Theory]
    [InlineData("CreateImageRequest")]
    [InlineData("CreateImageEditRequest")]
    public void PromptLengths_PerModel_MatchTheDescription(string schema)
    {
        var prose = Prose(schema, "prompt");
        var found = Regex.Matches(prose, @"(?<n>\d+) characters for (?<who>the GPT image models|`[^`]+`)").ToList();
        Assert.True(found.Count >= 2, $"no per-model prompt lengths in {schema}.prompt: {prose}");
        foreach (Match m in found)
        {
            var limit = int.Parse(m.Groups["n"].Value, CultureInfo.InvariantCulture);
            foreach (var model in ModelsNamed(m.Groups["who"].Value, schema))
            {
                Assert.True((int)Module.Value.Caps(model).MaxPromptLength == limit, $"{model}: module's MaxPromptLength {Module.Value.Caps(model).MaxPromptLength}, spec says {limit} ({schema}.prompt)");
            }
        }
    }

    [Fact]
    public void DallE3_CountOfOne_MatchesTheDescription()
    {
        Assert.Contains("For `dall-e-3`, only `n=1` is supported.", Prose("CreateImageRequest", "n"), StringComparison.Ordinal);
        Assert.Equal(1, (int)Module.Value.Caps("dall-e-3").MaxCount);
        Assert.All(Module.Value.List("GenerationModels").Where(m => m != "dall-e-3"), m => Assert.Equal(10, (int)Module.Value.Caps(m).MaxCount));
    }

    [Theory]
    [InlineData("CreateImageRequest", "GenerationSizes")]
    [InlineData("CreateImageEditRequest", "EditSizes")]
    public void Sizes_PerModel_MatchTheDescription(string schema, string capability)
    {
        var prose = Prose(schema, "size");
        var models = SpecModels(schema);
        foreach (Match m in Regex.Matches(prose, @"For `(?<model>dall-e-\d)`, use one of (?<sizes>[^.]+)\."))
        {
            var model = m.Groups["model"].Value;
            if (!models.Contains(model))
            {
                continue; // the edit description also names dall-e-3, which cannot edit
            }

            var sizes = Regex.Matches(m.Groups["sizes"].Value, "`([^`]+)`").Select(s => s.Groups[1].Value).ToList();
            AssertSameValues($"ModelCatalog.Find(\"{model}\").{capability}", (IEnumerable<string>)Module.Value.CapsProperty(model, capability), $"{schema}.size prose", sizes);
        }

        var standard = Regex.Match(prose, @"The standard sizes (?<sizes>.+?) are supported by the GPT image models; `auto` is supported");
        Assert.True(standard.Success, $"GPT sizes not found in {schema}.size: {prose}");
        var gptSizes = Regex.Matches(standard.Groups["sizes"].Value, "`([^`]+)`").Select(s => s.Groups[1].Value).Append("auto").ToList();
        foreach (var model in models.Where(IsGpt))
        {
            AssertSameValues($"ModelCatalog.Find(\"{model}\").{capability}", (IEnumerable<string>)Module.Value.CapsProperty(model, capability), $"{schema}.size prose (GPT)", gptSizes);
        }
    }

    [Theory]
    [InlineData("CreateImageRequest")]
    [InlineData("CreateImageEditRequest")]
    public void CustomSizeLimits_MatchTheDescription(string schema)
    {
        var prose = Prose(schema, "size");
        var custom = Regex.Match(prose, @"For (?<models>`[^.]+?`), arbitrary resolutions are supported");
        Assert.True(custom.Success, prose);
        var customModels = Regex.Matches(custom.Groups["models"].Value, "`([^`]+)`").Select(s => s.Groups[1].Value).ToList();
        foreach (var model in SpecModels(schema))
        {
            Assert.True((bool)Module.Value.Caps(model).CustomSizes == customModels.Contains(model), $"{model}: module CustomSizes={Module.Value.Caps(model).CustomSizes}; spec names [{string.Join(", ", customModels)}]");
        }

        var step = Regex.Match(prose, @"divisible by (\d+)");
        Assert.Equal(int.Parse(step.Groups[1].Value, CultureInfo.InvariantCulture), Module.Value.Constant("SizeStep"));
        var ratio = Regex.Match(prose, @"between 1:(\d+) and (\d+):1");
        Assert.Equal(double.Parse(ratio.Groups[2].Value, CultureInfo.InvariantCulture), (double)Module.Value.Catalog.GetField("MaxAspectRatio")!.GetValue(null)!);
        var max = Regex.Match(prose, @"maximum supported resolution is `(\d+)x(\d+)`");
        var (w, h) = (long.Parse(max.Groups[1].Value, CultureInfo.InvariantCulture), long.Parse(max.Groups[2].Value, CultureInfo.InvariantCulture));
        Assert.Equal(w * h, (long)Module.Value.Catalog.GetField("MaxPixels")!.GetValue(null)!);
        Assert.Equal(Math.Max(w, h), Module.Value.Constant("MaxEdge"));
    }

    [Fact]
    public void WhichModelsTakeWhichParameter_MatchesTheDescriptions()
    {
        var problems = new List<string>();
        void Expect(string model, string capability, bool expected, string source)
        {
            bool actual = (bool)Module.Value.CapsProperty(model, capability);
            if (actual != expected)
            {
                problems.Add($"{model}: module {capability}={actual}, spec says {expected} ({source})");
            }
        }

        Assert.Contains("only supported for `dall-e-3`", Prose("CreateImageRequest", "style"), StringComparison.Ordinal);
        Assert.Contains("isn't supported for the GPT image models", Prose("CreateImageRequest", "response_format"), StringComparison.Ordinal);
        Assert.Contains("only supported for the GPT image models", Prose("CreateImageRequest", "stream"), StringComparison.Ordinal);
        foreach (var property in new[] { "background", "output_format", "output_compression" })
        {
            Assert.Contains("only supported for the GPT image models", Prose("CreateImageRequest", property), StringComparison.Ordinal);
        }

        foreach (var model in SpecModels("CreateImageRequest"))
        {
            Expect(model, "Style", model == "dall-e-3", "CreateImageRequest.style");
            Expect(model, "ResponseFormat", !IsGpt(model), "CreateImageRequest.response_format");
            Expect(model, "Streaming", IsGpt(model), "CreateImageRequest.stream");
            Expect(model, "GptImageOptions", IsGpt(model), "CreateImageRequest.background/output_format/output_compression/moderation");
        }

        // InputFidelity: "only supported for `gpt-image-1` and `gpt-image-1.5` and later models, unsupported for `gpt-image-1-mini`".
        // OpenAI's images reference has since said gpt-image-1-mini "supports only low": the table's row says so, from [ref].
        var fidelity = Prose("CreateImageEditRequest", "input_fidelity");
        var unsupported = Regex.Matches(Regex.Match(fidelity, @"unsupported for (.+?)\.").Groups[1].Value, "`([^`]+)`").Select(m => m.Groups[1].Value).ToList();
        Assert.Contains("gpt-image-1-mini", unsupported);
        foreach (var model in SpecModels("CreateImageEditRequest"))
        {
            bool byReference = Module.Value.Caps(model).InputFidelitySource.ToString() == "Reference";
            Expect(model, "InputFidelity", IsGpt(model) && (byReference || !unsupported.Contains(model)), "InputFidelity description");
        }

        Assert.Equal(new[] { "low" }, ((IEnumerable<string>)Module.Value.Caps("gpt-image-1-mini").InputFidelities).ToArray());

        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Fact]
    public void EditInputLimits_MatchTheDescriptions()
    {
        var image = Prose("CreateImageEditRequest", "image");
        Assert.Contains("You can provide up to 16 images.", image, StringComparison.Ordinal);
        Assert.Contains("file less than 50MB", image, StringComparison.Ordinal);
        Assert.Contains("For `dall-e-2`, you can only provide one image, and it should be a square `png` file less than 4MB.", image, StringComparison.Ordinal);
        Assert.Contains("less than 4MB", Prose("CreateImageEditRequest", "mask"), StringComparison.Ordinal);
        foreach (var model in Module.Value.List("EditModels"))
        {
            var caps = Module.Value.Caps(model);
            bool gpt = IsGpt(model);
            // The 2.5 and 2.6 models: "unchanged" input limits (models-2026-12.md), so the spec's GPT limits apply to them too.
            Assert.Equal(gpt ? 16 : 1, (int)caps.MaxEditImages);
            Assert.Equal(gpt ? 50L * 1024 * 1024 : 4L * 1024 * 1024, (long)caps.MaxImageBytes);
            Assert.Equal(!gpt, (bool)caps.SquareInput);
        }

        Assert.Equal(4L * 1024 * 1024, (long)Module.Value.Catalog.GetField("MaxMaskBytes")!.GetValue(null)!);
    }

    // ---------- helpers ----------

    private static bool IsGpt(string model) => model.StartsWith("gpt-image", StringComparison.Ordinal) || model.StartsWith("chatgpt-image", StringComparison.Ordinal);

    /// <summary>The models the spec's enum names for a request schema (the per-model prose speaks of these only).</summary>
    private static List<string> SpecModels(string schema) => Spec.Enum(schema, "model").ToList();

    private static IEnumerable<string> ModelsNamed(string who, string schema)
    {
        var models = SpecModels(schema);
        return who == "the GPT image models" ? models.Where(IsGpt) : [who.Trim('`')];
    }

    private static string Prose(string schema, string property) =>
        Regex.Replace(Spec.Description(schema, property) ?? throw new KeyNotFoundException($"{schema}.{property} has no description"), @"\s+", " ");

    private static void AssertSameValues(string moduleName, IEnumerable<string> module, string specName, IEnumerable<string> spec)
    {
        var m = module.ToList();
        var s = spec.ToList();
        var lacking = s.Except(m, StringComparer.Ordinal).ToList();
        var extra = m.Except(s, StringComparer.Ordinal).ToList();
        Assert.True(
            lacking.Count == 0 && extra.Count == 0,
            $"{moduleName} differs from {specName}. Missing in the module: [{string.Join(", ", lacking)}]. Not in the spec: [{string.Join(", ", extra)}].");
    }

    private static string Pascal(string snake) =>
        string.Concat(snake.Split('_').Select(w => char.ToUpperInvariant(w[0]) + w[1..]));

    /// <summary>What the loaded module says about itself.</summary>
    private sealed class ModuleFacts
    {
        private readonly Dictionary<string, Dictionary<string, ParameterMetadata>> cmdlets = new(StringComparer.OrdinalIgnoreCase);

        private ModuleFacts(Type catalog) => Catalog = catalog;

        public Type Catalog { get; }

        public static ModuleFacts Load()
        {
            using var ps = ModuleHost.Create();
            var facts = new ModuleFacts(ModuleTypes.Core(ps).GetType("OpenAI.Images.Validation.ModelCatalog", throwOnError: true)!);
            foreach (var name in new[] { "New-OpenAIImage", "Edit-OpenAIImage", "New-OpenAIImageVariation", "Start-OpenAIImageBatch" })
            {
                var info = (CmdletInfo)ModuleHost.Run(ps, $"Get-Command {name}").Output.Single().BaseObject;
                facts.cmdlets[name] = new Dictionary<string, ParameterMetadata>(info.Parameters, StringComparer.OrdinalIgnoreCase);
            }

            return facts;
        }

        public Dictionary<string, ParameterMetadata> Parameters(string cmdlet) => cmdlets[cmdlet];

        /// <summary>What Tab offers at the end of <paramref name="line"/> (TabExpansion2, as the Tab key).</summary>
        public List<string> Complete(string line) =>
            ModuleHost.Run("(TabExpansion2 -inputScript $args[0] -cursorColumn $args[0].Length).CompletionMatches | ForEach-Object CompletionText", null, line)
                .Output.Select(o => o.ToString()).ToList();

        public IEnumerable<dynamic> Rows() =>
            ((System.Collections.IEnumerable)Catalog.GetField("Models", BindingFlags.Public | BindingFlags.Static)!.GetValue(null)!).Cast<dynamic>();

        public dynamic? Find(string model) => Catalog.GetMethod("Find")!.Invoke(null, [model]);

        public ParameterMetadata Parameter(string cmdlet, string name) =>
            cmdlets[cmdlet].TryGetValue(name, out var meta) ? meta : throw new KeyNotFoundException($"{cmdlet} has no -{name}");

        public List<string> List(string field) =>
            ((IEnumerable<string>)(Catalog.GetField(field, BindingFlags.Public | BindingFlags.Static) ?? throw new KeyNotFoundException($"ModelCatalog.{field} is gone")).GetValue(null)!).ToList();

        public int Constant(string name) => Convert.ToInt32(Catalog.GetField(name)!.GetValue(null), CultureInfo.InvariantCulture);

        public string StringConstant(string name) => (string)Catalog.GetField(name)!.GetValue(null)!;

        public dynamic Caps(string model) =>
            Catalog.GetMethod("Find")!.Invoke(null, [model]) ?? throw new KeyNotFoundException($"ModelCatalog.Find(\"{model}\") returned null: the module does not know a spec model");

        public object CapsProperty(string model, string property)
        {
            object caps = Caps(model);
            return caps.GetType().GetProperty(property)!.GetValue(caps)!;
        }
    }
}
