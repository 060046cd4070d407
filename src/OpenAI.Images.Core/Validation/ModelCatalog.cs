using System;
using System.Collections.Generic;
using System.Linq;
using OpenAI.Images.Imaging;

namespace OpenAI.Images.Validation
{
    /// <summary>What one model family accepts, taken from the descriptions in OpenAI's OpenAPI spec (2.3.0).</summary>
    public sealed class ModelCapabilities
    {
        internal ModelCapabilities(string family) => Family = family;

        /// <summary>The family name (dall-e-2, dall-e-3, gpt-image-1, gpt-image-2).</summary>
        public string Family { get; }

        /// <summary>Longest prompt, in characters.</summary>
        public int MaxPromptLength { get; internal set; }

        /// <summary>Largest n.</summary>
        public int MaxCount { get; internal set; } = 10;

        /// <summary>Sizes for generations.</summary>
        public IReadOnlyList<string> GenerationSizes { get; internal set; } = Array.Empty<string>();

        /// <summary>Sizes for edits.</summary>
        public IReadOnlyList<string> EditSizes { get; internal set; } = Array.Empty<string>();

        /// <summary>Arbitrary WIDTHxHEIGHT sizes are allowed (gpt-image-2).</summary>
        public bool CustomSizes { get; internal set; }

        /// <summary>Quality values for generations.</summary>
        public IReadOnlyList<string> GenerationQualities { get; internal set; } = Array.Empty<string>();

        /// <summary>Quality values for edits.</summary>
        public IReadOnlyList<string> EditQualities { get; internal set; } = Array.Empty<string>();

        /// <summary>Accepts style (dall-e-3).</summary>
        public bool Style { get; internal set; }

        /// <summary>Accepts background, moderation, output_format and output_compression (GPT image models).</summary>
        public bool GptImageOptions { get; internal set; }

        /// <summary>Accepts response_format (dall-e models; GPT image models always return base64).</summary>
        public bool ResponseFormat { get; internal set; }

        /// <summary>Accepts stream and partial_images.</summary>
        public bool Streaming { get; internal set; }

        /// <summary>Accepts input_fidelity on edits.</summary>
        public bool InputFidelity { get; internal set; }

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
    }

    /// <summary>The model table and the spec-wide value lists that drive validation and tab completion.</summary>
    public static class ModelCatalog
    {
        /// <summary>Default model for generations and edits: the newest image model in the spec.</summary>
        public const string DefaultModel = "gpt-image-2";

        /// <summary>Default (and only) model for variations.</summary>
        public const string DefaultVariationModel = "dall-e-2";

        /// <summary>Smallest and largest n.</summary>
        public const int MinCount = 1, MaxCount = 10;

        /// <summary>output_compression range.</summary>
        public const int MinCompression = 0, MaxCompression = 100;

        /// <summary>partial_images range.</summary>
        public const int MinPartialImages = 0, MaxPartialImages = 3;

        /// <summary>Largest mask file: the spec says less than 4 MB.</summary>
        public const long MaxMaskBytes = 4L * 1024 * 1024;

        /// <summary>gpt-image-2 custom sizes: both sides multiples of this.</summary>
        public const int SizeStep = 16;

        /// <summary>gpt-image-2 custom sizes: longest edge.</summary>
        public const int MaxEdge = 3840;

        /// <summary>gpt-image-2 custom sizes: most pixels (3840x2160).</summary>
        public const long MaxPixels = 3840L * 2160;

        /// <summary>gpt-image-2 custom sizes: widest aspect ratio (3:1).</summary>
        public const double MaxAspectRatio = 3.0;

        /// <summary>Generation models named in the spec.</summary>
        public static readonly IReadOnlyList<string> GenerationModels = new[] { "gpt-image-2", "gpt-image-2-2026-04-21", "gpt-image-1.5", "gpt-image-1", "gpt-image-1-mini", "dall-e-3", "dall-e-2" };

        /// <summary>Edit models named in the spec.</summary>
        public static readonly IReadOnlyList<string> EditModels = new[] { "gpt-image-2", "gpt-image-2-2026-04-21", "gpt-image-1.5", "gpt-image-1", "gpt-image-1-mini", "chatgpt-image-latest", "dall-e-2" };

        /// <summary>Variation models named in the spec.</summary>
        public static readonly IReadOnlyList<string> VariationModels = new[] { "dall-e-2" };

        /// <summary>CreateImageRequest.size enum.</summary>
        public static readonly IReadOnlyList<string> GenerationSizes = new[] { "auto", "1024x1024", "1536x1024", "1024x1536", "256x256", "512x512", "1792x1024", "1024x1792" };

        /// <summary>CreateImageEditRequest.size enum.</summary>
        public static readonly IReadOnlyList<string> EditSizes = new[] { "256x256", "512x512", "1024x1024", "1536x1024", "1024x1536", "auto" };

        /// <summary>CreateImageVariationRequest.size enum.</summary>
        public static readonly IReadOnlyList<string> VariationSizes = new[] { "256x256", "512x512", "1024x1024" };

        /// <summary>CreateImageRequest.quality enum.</summary>
        public static readonly IReadOnlyList<string> GenerationQualities = new[] { "standard", "hd", "low", "medium", "high", "auto" };

        /// <summary>CreateImageEditRequest.quality enum.</summary>
        public static readonly IReadOnlyList<string> EditQualities = new[] { "standard", "low", "medium", "high", "auto" };

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
        public static readonly IReadOnlyList<string> InputFidelities = new[] { "high", "low" };

        private static readonly ModelCapabilities DallE2 = new ModelCapabilities("dall-e-2")
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
        };

        private static readonly ModelCapabilities DallE3 = new ModelCapabilities("dall-e-3")
        {
            MaxPromptLength = 4000,
            MaxCount = 1,
            GenerationSizes = new[] { "1024x1024", "1792x1024", "1024x1792" },
            GenerationQualities = new[] { "standard", "hd", "auto" },
            Style = true,
            ResponseFormat = true,
            Generations = true,
        };

        private static readonly ModelCapabilities GptImage1 = GptImage("gpt-image-1", customSizes: false);

        // The spec's InputFidelity: "only supported for gpt-image-1 and gpt-image-1.5 and later models, unsupported for gpt-image-1-mini".
        private static readonly ModelCapabilities GptImage1Mini = WithoutInputFidelity(GptImage("gpt-image-1-mini", customSizes: false));

        private static readonly ModelCapabilities GptImage2 = GptImage("gpt-image-2", customSizes: true);

        private static ModelCapabilities WithoutInputFidelity(ModelCapabilities caps)
        {
            caps.InputFidelity = false;
            return caps;
        }

        private static ModelCapabilities GptImage(string family, bool customSizes) => new ModelCapabilities(family)
        {
            MaxPromptLength = 32000,
            GenerationSizes = new[] { "1024x1024", "1536x1024", "1024x1536", "auto" },
            EditSizes = new[] { "1024x1024", "1536x1024", "1024x1536", "auto" },
            CustomSizes = customSizes,
            GenerationQualities = new[] { "low", "medium", "high", "auto" },
            EditQualities = new[] { "low", "medium", "high", "auto" },
            GptImageOptions = true,
            Streaming = true,
            InputFidelity = true,
            Generations = true,
            Edits = true,
            MaxEditImages = 16,
            MaxImageBytes = 50L * 1024 * 1024,
            EditFormats = new[] { ImageFormat.Png, ImageFormat.Webp, ImageFormat.Jpeg },
        };

        /// <summary>The capabilities of a model, or null for a name this table does not know (its rules are then skipped).</summary>
        public static ModelCapabilities? Find(string? model)
        {
            if (string.IsNullOrWhiteSpace(model))
            {
                return null;
            }

            string m = model!.Trim().ToLowerInvariant();
            if (m == "dall-e-2")
            {
                return DallE2;
            }

            if (m == "dall-e-3")
            {
                return DallE3;
            }

            if (m.StartsWith("gpt-image-2", StringComparison.Ordinal))
            {
                return GptImage2;
            }

            if (m.StartsWith("gpt-image-1-mini", StringComparison.Ordinal))
            {
                return GptImage1Mini;
            }

            if (m.StartsWith("gpt-image-1", StringComparison.Ordinal) || m == "chatgpt-image-latest")
            {
                return GptImage1;
            }

            return null;
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
