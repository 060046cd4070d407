using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using OpenAI.Images.Imaging;

namespace OpenAI.Images.Validation
{
    /// <summary>Where a fact of the model table comes from, and so whether the module may refuse a request on it.</summary>
    public enum FactSource
    {
        /// <summary>OpenAI's OpenAPI spec (openai-openapi.yaml, 2026-08-21): may block.</summary>
        Spec,

        /// <summary>OpenAI's own pages (API reference for images, deprecations, model pages): may block.</summary>
        Reference,

        /// <summary>Only third-party relays and catalogues state it: never blocks; the server decides.</summary>
        ThirdParty,

        /// <summary>No source states it; the values are offered for completion only and never block.</summary>
        Undocumented,
    }

    /// <summary>
    /// One row of the model table: a model (its exact id and that id's dated snapshots, <c>ID-YYYY-MM-DD</c>), what it
    /// takes, where each fact comes from, and its shutdown at OpenAI. Facts from <see cref="FactSource.Spec"/> or
    /// <see cref="FactSource.Reference"/> may make the module refuse a request before sending it; the others never do.
    /// </summary>
    public sealed class ModelCapabilities
    {
        internal ModelCapabilities(string id, string family, FactSource source)
        {
            Id = id;
            Family = family;
            Source = source;
        }

        /// <summary>The model id as OpenAI spells it; the row also matches <c>Id-YYYY-MM-DD</c> snapshots.</summary>
        public string Id { get; }

        /// <summary>The family (dall-e-2, dall-e-3, gpt-image-1, gpt-image-2, gpt-image-2.5, gpt-image-2.6).</summary>
        public string Family { get; }

        /// <summary>Where the row (the model's existence and status) comes from.</summary>
        public FactSource Source { get; }

        /// <summary>The dated snapshots OpenAI names for this id (offered for completion; any <c>Id-YYYY-MM-DD</c> matches).</summary>
        public IReadOnlyList<string> Snapshots { get; internal set; } = Array.Empty<string>();

        /// <summary>Longest prompt, in characters.</summary>
        public int MaxPromptLength { get; internal set; }

        /// <summary>Largest n.</summary>
        public int MaxCount { get; internal set; } = 10;

        /// <summary>Sizes for generations.</summary>
        public IReadOnlyList<string> GenerationSizes { get; internal set; } = Array.Empty<string>();

        /// <summary>Sizes for edits.</summary>
        public IReadOnlyList<string> EditSizes { get; internal set; } = Array.Empty<string>();

        /// <summary>Arbitrary WIDTHxHEIGHT sizes are allowed (gpt-image-2, the 2.5 and 2.6 models).</summary>
        public bool CustomSizes { get; internal set; }

        /// <summary>Where <see cref="CustomSizes"/> and its limits come from.</summary>
        public FactSource CustomSizesSource { get; internal set; } = FactSource.Spec;

        /// <summary>Quality values for generations.</summary>
        public IReadOnlyList<string> GenerationQualities { get; internal set; } = Array.Empty<string>();

        /// <summary>Quality values for edits.</summary>
        public IReadOnlyList<string> EditQualities { get; internal set; } = Array.Empty<string>();

        /// <summary>Every quality value the model takes (generations and edits).</summary>
        public IReadOnlyList<string> Qualities => GenerationQualities.Union(EditQualities, StringComparer.Ordinal).ToArray();

        /// <summary>Where the quality lists come from.</summary>
        public FactSource QualitySource { get; internal set; } = FactSource.Spec;

        /// <summary>Accepts style (dall-e-3).</summary>
        public bool Style { get; internal set; }

        /// <summary>Style values.</summary>
        public IReadOnlyList<string> Styles => Style ? ModelCatalog.Styles : Array.Empty<string>();

        /// <summary>Accepts background, moderation, output_format and output_compression (GPT image models).</summary>
        public bool GptImageOptions { get; internal set; }

        /// <summary>Background values (GPT image models).</summary>
        public IReadOnlyList<string> Backgrounds => GptImageOptions ? ModelCatalog.Backgrounds : Array.Empty<string>();

        /// <summary>Moderation values (GPT image models).</summary>
        public IReadOnlyList<string> Moderations => GptImageOptions ? ModelCatalog.Moderations : Array.Empty<string>();

        /// <summary>output_format values (GPT image models).</summary>
        public IReadOnlyList<string> OutputFormats => GptImageOptions ? ModelCatalog.OutputFormats : Array.Empty<string>();

        /// <summary>Where the background, moderation and output_format lists come from (2.6: third parties name more formats).</summary>
        public FactSource OptionsSource { get; internal set; } = FactSource.Spec;

        /// <summary>background transparent is taken (with png or webp output).</summary>
        public bool Transparency { get; internal set; }

        /// <summary>Where <see cref="Transparency"/> comes from.</summary>
        public FactSource TransparencySource { get; internal set; } = FactSource.Spec;

        /// <summary>Accepts response_format (dall-e models; GPT image models always return base64).</summary>
        public bool ResponseFormat { get; internal set; }

        /// <summary>Accepts stream and partial_images.</summary>
        public bool Streaming { get; internal set; }

        /// <summary>Accepts input_fidelity on edits.</summary>
        public bool InputFidelity => InputFidelities.Count > 0;

        /// <summary>input_fidelity values on edits.</summary>
        public IReadOnlyList<string> InputFidelities { get; internal set; } = Array.Empty<string>();

        /// <summary>Where <see cref="InputFidelities"/> comes from.</summary>
        public FactSource InputFidelitySource { get; internal set; } = FactSource.Spec;

        /// <summary>What OpenAI's pages add about input_fidelity for this model, shown as a verbose line when it is sent (or null).</summary>
        public string? InputFidelityNote { get; internal set; }

        /// <summary>Can be used with /images/generations.</summary>
        public bool Generations { get; internal set; }

        /// <summary>Can be used with /images/edits.</summary>
        public bool Edits { get; internal set; }

        /// <summary>Can be used with /images/variations.</summary>
        public bool Variations { get; internal set; }

        /// <summary>How many input images an edit takes.</summary>
        public int MaxEditImages { get; internal set; } = 1;

        /// <summary>Largest input image, in bytes.</summary>
        public long MaxImageBytes { get; internal set; }

        /// <summary>Input image formats for edits.</summary>
        public IReadOnlyList<ImageFormat> EditFormats { get; internal set; } = Array.Empty<ImageFormat>();

        /// <summary>Edit inputs must be square (dall-e-2).</summary>
        public bool SquareInput { get; internal set; }

        /// <summary>The day OpenAI shuts the model down (UTC), or null when none is announced.</summary>
        public DateTime? ShutdownDate { get; internal set; }

        /// <summary>The models OpenAI recommends instead, when it retires this one.</summary>
        public IReadOnlyList<string> Replacements { get; internal set; } = Array.Empty<string>();

        /// <summary>Where <see cref="ShutdownDate"/> and <see cref="Replacements"/> come from.</summary>
        public string? LifecycleSource { get; internal set; }

        /// <summary>The ids this row offers for completion: the id, then its known snapshots.</summary>
        public IEnumerable<string> Names => new[] { Id }.Concat(Snapshots);

        /// <summary>True for the row's exact id and its dated snapshots (<c>Id-YYYY-MM-DD</c>), in any case; never a mere prefix.</summary>
        public bool Matches(string? model)
        {
            if (string.IsNullOrWhiteSpace(model))
            {
                return false;
            }

            string m = model!.Trim();
            if (string.Equals(m, Id, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            return m.Length == Id.Length + 11
                && m.StartsWith(Id + "-", StringComparison.OrdinalIgnoreCase)
                && DateTime.TryParseExact(m.Substring(Id.Length + 1), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out _);
        }

        /// <summary>True when a fact from <paramref name="source"/> may make the module refuse a request (the spec or OpenAI's pages).</summary>
        public static bool Blocks(FactSource source) => source == FactSource.Spec || source == FactSource.Reference;

        /// <summary>
        /// The values this model takes for a request parameter (Quality, Background, OutputFormat, Moderation,
        /// InputFidelity, Style) and where the list comes from; an empty list means the model does not take the parameter.
        /// </summary>
        public (IReadOnlyList<string> Values, FactSource Source) ValuesFor(string parameter, ImageOperation operation)
        {
            switch (parameter)
            {
                case "Quality":
                    return (operation == ImageOperation.Edit ? EditQualities : GenerationQualities, QualitySource);
                case "Background":
                    return (Backgrounds, OptionsSource);
                case "OutputFormat":
                    return (OutputFormats, OptionsSource);
                case "Moderation":
                    return (Moderations, OptionsSource);
                case "InputFidelity":
                    return (InputFidelities, InputFidelitySource);
                case "Style":
                    return (Styles, FactSource.Spec);
                default:
                    throw new ArgumentOutOfRangeException(nameof(parameter), parameter, "Not a value list of the model table.");
            }
        }
    }

    /// <summary>
    /// The one model table (<see cref="Models"/>: what each model takes, where each fact comes from, and retirements) and
    /// the value lists that drive validation and tab completion. Update the rows and <see cref="CheckedOn"/> together,
    /// from <see cref="Sources"/>. A name the table does not know is never refused: its values are sent as given.
    /// </summary>
    public static class ModelCatalog
    {
        /// <summary>Default model for generations and edits.</summary>
        public const string DefaultModel = "gpt-image-2";

        /// <summary>Default (and only) model for variations.</summary>
        public const string DefaultVariationModel = "dall-e-2";

        /// <summary>The day the table was last compared with <see cref="Sources"/>.</summary>
        public static readonly DateTime CheckedOn = new DateTime(2026, 12, 7);

        /// <summary>Where the table's facts come from.</summary>
        public static readonly IReadOnlyList<string> Sources = new[]
        {
            "[spec] OpenAI's OpenAPI spec, openai/openai-openapi f85dbe2 (2026-08-21)",
            "[ref] https://platform.openai.com/docs/api-reference/images",
            "[ref] https://platform.openai.com/docs/deprecations",
            "[3P] third-party relays and model catalogues (never used to refuse a request)",
        };

        /// <summary>Smallest and largest n.</summary>
        public const int MinCount = 1, MaxCount = 10;

        /// <summary>output_compression range.</summary>
        public const int MinCompression = 0, MaxCompression = 100;

        /// <summary>partial_images range.</summary>
        public const int MinPartialImages = 0, MaxPartialImages = 3;

        /// <summary>Largest mask file: the spec says less than 4 MB.</summary>
        public const long MaxMaskBytes = 4L * 1024 * 1024;

        /// <summary>Custom sizes: both sides multiples of this.</summary>
        public const int SizeStep = 16;

        /// <summary>Custom sizes: longest edge.</summary>
        public const int MaxEdge = 3840;

        /// <summary>Custom sizes: most pixels (3840x2160).</summary>
        public const long MaxPixels = 3840L * 2160;

        /// <summary>Custom sizes: widest aspect ratio (3:1).</summary>
        public const double MaxAspectRatio = 3.0;

        private static readonly string[] GptSizes = { "1024x1024", "1536x1024", "1024x1536", "auto" };
        private static readonly string[] GptQualities = { "low", "medium", "high", "auto" };
        private static readonly string[] TopQualities = { "low", "medium", "high", "xhigh", "max", "auto" };
        private static readonly string[] Fidelities = { "high", "low" };
        private const string Deprecations = "[ref] https://platform.openai.com/docs/deprecations";
        private const string ImagesReference = "[ref] https://platform.openai.com/docs/api-reference/images";
        private static readonly string[] Latest = { "gpt-image-2.6-sunburst", "gpt-image-2.6-flare" };

        /// <summary>The model table, newest first. Checked on <see cref="CheckedOn"/> against <see cref="Sources"/>.</summary>
        public static readonly IReadOnlyList<ModelCapabilities> Models = new[]
        {
            // 2.6 [ref deprecations page: live, the recommended replacement]; what they take [3P] only: never blocks.
            TopTier("gpt-image-2.6-sunburst", "gpt-image-2.6", FactSource.ThirdParty, null),
            TopTier("gpt-image-2.6-flare", "gpt-image-2.6", FactSource.ThirdParty, null),

            // 2.5 [ref images reference]: xhigh and max for generations and edits, custom sizes, transparency.
            TopTier("gpt-image-2.5-sunburst", "gpt-image-2.5", FactSource.Reference, "2026-09-08"),
            TopTier("gpt-image-2.5-flare", "gpt-image-2.5", FactSource.Reference, "2026-09-08"),

            // gpt-image-2 [spec][ref]: stops at high [ref]; custom sizes [spec]; transparency "preview" [spec] (reported off, [3P]).
            Gpt("gpt-image-2", "gpt-image-2", FactSource.Spec, s =>
            {
                s.Snapshots = new[] { "gpt-image-2-2026-04-21" };
                s.CustomSizes = true;
                s.InputFidelityNote = "OpenAI's images reference says \"For gpt-image-2, omit this parameter\" (input_fidelity); it is sent as given.";
            }),

            Gpt("gpt-image-1.5", "gpt-image-1", FactSource.Spec, s =>
            {
                s.Snapshots = new[] { "gpt-image-1.5-2025-12-16" };
                Retire(s, new DateTime(2026, 12, 1), Deprecations, Latest);
            }),
            Gpt("gpt-image-1", "gpt-image-1", FactSource.Spec, s =>
                Retire(s, new DateTime(2026, 10, 23), ImagesReference, "gpt-image-2.5-sunburst", "gpt-image-2.5-flare")),

            // The spec: input_fidelity "unsupported for gpt-image-1-mini"; OpenAI's reference now: "supports only low".
            Gpt("gpt-image-1-mini", "gpt-image-1", FactSource.Spec, s =>
            {
                s.InputFidelities = new[] { "low" };
                s.InputFidelitySource = FactSource.Reference;
                Retire(s, new DateTime(2026, 12, 1), Deprecations, Latest);
            }),
            Gpt("chatgpt-image-latest", "gpt-image-1", FactSource.Spec, s => Retire(s, new DateTime(2026, 12, 1), Deprecations, Latest)),

            Retire(
                new ModelCapabilities("dall-e-3", "dall-e-3", FactSource.Spec)
                {
                    MaxPromptLength = 4000,
                    MaxCount = 1,
                    GenerationSizes = new[] { "1024x1024", "1792x1024", "1024x1792" },
                    GenerationQualities = new[] { "standard", "hd", "auto" },
                    Style = true,
                    ResponseFormat = true,
                    Generations = true,
                },
                new DateTime(2026, 5, 12),
                Deprecations,
                DefaultModel),
            Retire(
                new ModelCapabilities("dall-e-2", "dall-e-2", FactSource.Spec)
                {
                    MaxPromptLength = 1000,
                    GenerationSizes = new[] { "256x256", "512x512", "1024x1024" },
                    EditSizes = new[] { "256x256", "512x512", "1024x1024" },
                    GenerationQualities = new[] { "standard", "auto" },
                    EditQualities = new[] { "standard", "auto" },
                    ResponseFormat = true,
                    Generations = true,
                    Edits = true,
                    Variations = true,
                    MaxEditImages = 1,
                    MaxImageBytes = 4L * 1024 * 1024,
                    EditFormats = new[] { ImageFormat.Png },
                    SquareInput = true,
                },
                new DateTime(2026, 5, 12),
                Deprecations,
                DefaultModel),
        };

        // The spec's enums (openai-openapi.yaml); the public lists below are these plus what the table adds.
        private static readonly string[] SpecGenerationModels = { "gpt-image-2", "gpt-image-2-2026-04-21", "gpt-image-1.5", "gpt-image-1", "gpt-image-1-mini", "dall-e-3", "dall-e-2" };
        private static readonly string[] SpecEditModels = { "gpt-image-2", "gpt-image-2-2026-04-21", "gpt-image-1.5", "gpt-image-1", "gpt-image-1-mini", "chatgpt-image-latest", "dall-e-2" };
        private static readonly string[] SpecGenerationQualities = { "standard", "hd", "low", "medium", "high", "auto" };
        private static readonly string[] SpecEditQualities = { "standard", "low", "medium", "high", "auto" };

        /// <summary>Generation models: the table's (ids and known snapshots, newest first) and the spec's CreateImageRequest.model enum.</summary>
        public static readonly IReadOnlyList<string> GenerationModels = Union(Models.Where(m => m.Generations).SelectMany(m => m.Names), SpecGenerationModels);

        /// <summary>Edit models: the table's and the spec's CreateImageEditRequest.model enum.</summary>
        public static readonly IReadOnlyList<string> EditModels = Union(Models.Where(m => m.Edits).SelectMany(m => m.Names), SpecEditModels);

        /// <summary>Variation models named in the spec.</summary>
        public static readonly IReadOnlyList<string> VariationModels = new[] { "dall-e-2" };

        /// <summary>CreateImageRequest.size enum.</summary>
        public static readonly IReadOnlyList<string> GenerationSizes = new[] { "auto", "1024x1024", "1536x1024", "1024x1536", "256x256", "512x512", "1792x1024", "1024x1792" };

        /// <summary>CreateImageEditRequest.size enum.</summary>
        public static readonly IReadOnlyList<string> EditSizes = new[] { "256x256", "512x512", "1024x1024", "1536x1024", "1024x1536", "auto" };

        /// <summary>CreateImageVariationRequest.size enum.</summary>
        public static readonly IReadOnlyList<string> VariationSizes = new[] { "256x256", "512x512", "1024x1024" };

        /// <summary>Generation qualities: the table's (xhigh and max of the 2.5 and 2.6 models) and the spec's CreateImageRequest.quality enum.</summary>
        public static readonly IReadOnlyList<string> GenerationQualities = Union(Models.SelectMany(m => m.GenerationQualities), SpecGenerationQualities);

        /// <summary>Edit qualities: the table's and the spec's CreateImageEditRequest.quality enum.</summary>
        public static readonly IReadOnlyList<string> EditQualities = Union(Models.SelectMany(m => m.EditQualities), SpecEditQualities);

        /// <summary>style enum.</summary>
        public static readonly IReadOnlyList<string> Styles = new[] { "vivid", "natural" };

        /// <summary>background enum.</summary>
        public static readonly IReadOnlyList<string> Backgrounds = new[] { "transparent", "opaque", "auto" };

        /// <summary>moderation enum.</summary>
        public static readonly IReadOnlyList<string> Moderations = new[] { "low", "auto" };

        /// <summary>output_format enum.</summary>
        public static readonly IReadOnlyList<string> OutputFormats = new[] { "png", "jpeg", "webp" };

        /// <summary>response_format enum.</summary>
        public static readonly IReadOnlyList<string> ResponseFormats = new[] { "url", "b64_json" };

        /// <summary>input_fidelity enum.</summary>
        public static readonly IReadOnlyList<string> InputFidelities = Fidelities;

        /// <summary>
        /// A 2.5 or 2.6 model: xhigh and max, custom sizes, transparency; <paramref name="takes"/> is where those facts come
        /// from (OpenAI's reference for 2.5, third parties only for 2.6). Input fidelity is documented for neither.
        /// </summary>
        private static ModelCapabilities TopTier(string id, string family, FactSource takes, string? snapshotDate) => Gpt(id, family, FactSource.Reference, s =>
        {
            s.Snapshots = snapshotDate is null ? Array.Empty<string>() : new[] { id + "-" + snapshotDate };
            s.GenerationQualities = s.EditQualities = TopQualities;
            s.CustomSizes = true;
            s.QualitySource = s.CustomSizesSource = s.TransparencySource = s.OptionsSource = takes;
            s.InputFidelitySource = FactSource.Undocumented;
        });

        private static ModelCapabilities Gpt(string id, string family, FactSource source, Action<ModelCapabilities> adjust)
        {
            var caps = new ModelCapabilities(id, family, source)
            {
                MaxPromptLength = 32000,
                GenerationSizes = GptSizes,
                EditSizes = GptSizes,
                GenerationQualities = GptQualities,
                EditQualities = GptQualities,
                GptImageOptions = true,
                Transparency = true,
                Streaming = true,
                InputFidelities = Fidelities,
                Generations = true,
                Edits = true,
                MaxEditImages = 16,
                MaxImageBytes = 50L * 1024 * 1024,
                EditFormats = new[] { ImageFormat.Png, ImageFormat.Webp, ImageFormat.Jpeg },
            };
            adjust(caps);
            return caps;
        }

        private static ModelCapabilities Retire(ModelCapabilities caps, DateTime shutdown, string source, params string[] replacements)
        {
            caps.ShutdownDate = shutdown;
            caps.LifecycleSource = source;
            caps.Replacements = replacements;
            return caps;
        }

        private static string[] Union(IEnumerable<string> first, IEnumerable<string> second) =>
            first.Concat(second).Distinct(StringComparer.Ordinal).ToArray();

        /// <summary>
        /// The row of a model: its exact id or one of that id's dated snapshots (<c>ID-YYYY-MM-DD</c>), in any case; null
        /// for a name the table does not know (no prefix matching: gpt-image-2-foo and gpt-image-2.7-nova are unknown).
        /// </summary>
        public static ModelCapabilities? Find(string? model) =>
            string.IsNullOrWhiteSpace(model) ? null : Models.FirstOrDefault(m => m.Matches(model));

        /// <summary>
        /// The value to send for <paramref name="value"/>: a value the module knows for <paramref name="parameter"/>, given
        /// in another case, goes in the module's spelling (lower case); any other value goes exactly as given.
        /// </summary>
        public static string? Normalize(string parameter, string? value)
        {
            if (value is null)
            {
                return null;
            }

            return KnownValues(parameter).FirstOrDefault(v => string.Equals(v, value, StringComparison.OrdinalIgnoreCase)) ?? value;
        }

        private static IEnumerable<string> KnownValues(string parameter)
        {
            switch (parameter)
            {
                case "Quality":
                    return GenerationQualities.Concat(EditQualities);
                case "Background":
                    return Backgrounds;
                case "OutputFormat":
                    return OutputFormats;
                case "Moderation":
                    return Moderations;
                case "InputFidelity":
                    return InputFidelities;
                case "Style":
                    return Styles;
                case "ResponseFormat":
                    return ResponseFormats;
                default:
                    return Array.Empty<string>();
            }
        }

        /// <summary>
        /// The values to offer for <paramref name="parameter"/> (Quality, Background, OutputFormat, Moderation,
        /// InputFidelity, Style) in tab completion: the chosen model's, or every value the module knows (the spec's and the
        /// table's) when no model or one the table does not know is chosen.
        /// </summary>
        public static IReadOnlyList<string> ValuesFor(string parameter, string? model, ImageOperation operation)
        {
            ModelCapabilities? caps = Find(model);
            if (caps != null)
            {
                return caps.ValuesFor(parameter, operation).Values;
            }

            if (parameter == "Quality")
            {
                return operation == ImageOperation.Edit ? EditQualities : GenerationQualities;
            }

            return KnownValues(parameter).ToArray();
        }

        /// <summary>Sizes to offer for a model and operation (tab completion).</summary>
        public static IReadOnlyList<string> SizesFor(string? model, ImageOperation operation)
        {
            if (operation == ImageOperation.Variation)
            {
                return VariationSizes;
            }

            ModelCapabilities? caps = Find(model);
            if (caps is null)
            {
                return operation == ImageOperation.Edit ? EditSizes : GenerationSizes;
            }

            IReadOnlyList<string> sizes = operation == ImageOperation.Edit ? caps.EditSizes : caps.GenerationSizes;
            if (caps.CustomSizes)
            {
                sizes = sizes.Concat(new[] { "2048x2048", "2048x1152", "1152x2048", "3840x2160", "2160x3840" }).ToArray();
            }

            return sizes;
        }
    }
}
