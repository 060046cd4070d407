using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using OpenAI.Images.Imaging;

namespace OpenAI.Images.Validation
{
    /// <summary>
    /// Checks a request against the model table before anything is sent. The first broken rule throws an
    /// <see cref="OpenAIValidationException"/> naming the parameter (as the cmdlets spell it), the value and the rule.
    /// Only what the spec or OpenAI's own pages rule out for a model the table knows is refused; a model the table does
    /// not know gets its values sent as given (one line through <c>note</c> says so), and a value outside a list that
    /// only third parties give is sent with a note.
    /// </summary>
    public static class RequestValidator
    {
        /// <summary>Validates any image request.</summary>
        public static void Validate(ImageRequest request, Action<string>? note = null)
        {
            if (request is null)
            {
                throw new ArgumentNullException(nameof(request));
            }

            if (string.IsNullOrWhiteSpace(request.Model))
            {
                throw Fail("Model", request.Model, "ModelEmpty", "The model name is empty. Give -Model, for example gpt-image-2.");
            }

            ModelCapabilities? caps = ModelCatalog.Find(request.Model);
            if (caps is null)
            {
                note?.Invoke($"Model '{request.Model}' is not in this module's model table (checked on {ModelCatalog.CheckedOn.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)}): its values are sent as given and OpenAI will judge them.");
            }

            ValidateCommon(request, caps);
            switch (request)
            {
                case ImageGenerationRequest g:
                    ValidateGeneration(g, caps, note);
                    break;
                case ImageEditRequest e:
                    ValidateEdit(e, caps, note);
                    break;
                case ImageVariationRequest v:
                    ValidateVariation(v, caps);
                    break;
            }
        }

        private static void ValidateCommon(ImageRequest request, ModelCapabilities? caps)
        {
            if (request.Count.HasValue)
            {
                int n = request.Count.Value;
                if (n < ModelCatalog.MinCount || n > ModelCatalog.MaxCount)
                {
                    throw Fail("Count", n, "CountOutOfRange", $"-Count {n} is out of range: the API takes 1 to 10 images a request.");
                }

                if (caps != null && n > caps.MaxCount)
                {
                    throw Fail("Count", n, "CountNotSupported", $"-Count {n} is not supported by {request.Model}: it makes at most {caps.MaxCount} image a request. Send several requests instead.");
                }
            }

            if (request.ResponseFormat != null)
            {
                InList("ResponseFormat", request.ResponseFormat, ModelCatalog.ResponseFormats);
                if (caps != null && !caps.ResponseFormat)
                {
                    throw Fail("ResponseFormat", request.ResponseFormat, "ResponseFormatNotSupported", $"-ResponseFormat is only for the dall-e models; {request.Model} always returns base64 image data. Leave it out.");
                }
            }

            if (request.PromptText != null || request.Operation != ImageOperation.Variation)
            {
                string prompt = request.PromptText ?? string.Empty;
                if (prompt.Trim().Length == 0)
                {
                    throw Fail("Prompt", prompt, "PromptEmpty", "-Prompt is empty: describe the image you want.");
                }

                if (caps != null && prompt.Length > caps.MaxPromptLength)
                {
                    throw Fail("Prompt", prompt, "PromptTooLong", $"-Prompt is {prompt.Length} characters; {request.Model} takes at most {caps.MaxPromptLength}.");
                }
            }
        }

        private static void ValidateGeneration(ImageGenerationRequest r, ModelCapabilities? caps, Action<string>? note)
        {
            if (caps != null && !caps.Generations)
            {
                throw Fail("Model", r.Model, "GenerationNotSupported", $"-Model {r.Model} cannot generate images.");
            }

            ValidateSize(r.Size, r.Model, caps, ModelCatalog.GenerationSizes, caps?.GenerationSizes, note);
            ValidateValues(r, caps, note);
            ValidateGptOptions(r, caps);
        }

        private static void ValidateEdit(ImageEditRequest r, ModelCapabilities? caps, Action<string>? note)
        {
            if (caps != null && !caps.Edits)
            {
                throw Fail("Model", r.Model, "EditNotSupported", $"-Model {r.Model} cannot edit images; use gpt-image-2 (or another GPT image model) or dall-e-2.");
            }

            ValidateSize(r.Size, r.Model, caps, ModelCatalog.EditSizes, caps?.EditSizes, note);
            ValidateValues(r, caps, note);
            ValidateGptOptions(r, caps);

            if (r.Images.Count == 0)
            {
                throw Fail("Path", null, "ImageMissing", "No image to edit: give -Path or -LiteralPath.");
            }

            int maxImages = caps?.MaxEditImages ?? 16;
            if (r.Images.Count > maxImages)
            {
                throw Fail("Path", r.Images.Select(i => i.Path).ToArray(), "TooManyImages",
                    $"-Path names {r.Images.Count} images; {(caps is null ? "the API" : r.Model)} takes at most {maxImages} in one edit.");
            }

            foreach (ImageInputFile image in r.Images)
            {
                ValidateInputImage("Path", image, r.Model, caps);
            }

            if (r.Mask is null && caps?.Family == "dall-e-2")
            {
                // Without a mask, dall-e-2 edits the image's fully transparent area: an image without one is refused.
                ImageInputFile image = r.Images[0];
                if (image.Info?.Format == ImageFormat.Png && PngTransparency.HasTransparentPixel(image.Path) == false)
                {
                    throw Fail("Path", image.Path, "ImageNoTransparency",
                        $"'{image.Path}' has no transparent pixel, and without -Mask {r.Model} edits only the image's fully transparent area. Give -Mask (a PNG of the same size whose transparent pixels mark where to edit), or erase the area to edit in the image, or use -Model gpt-image-2, which edits without a mask.");
                }
            }

            if (r.Mask != null)
            {
                ImageInputFile mask = r.Mask;
                if (mask.Info?.Format != ImageFormat.Png)
                {
                    throw Fail("Mask", mask.Path, "MaskNotPng", $"The -Mask file '{mask.Path}' is {Describe(mask)}; a mask must be a PNG file.");
                }

                if (mask.Length >= ModelCatalog.MaxMaskBytes)
                {
                    throw Fail("Mask", mask.Path, "MaskTooLarge", $"The -Mask file '{mask.Path}' is {Mb(mask.Length)}; it must be less than 4 MB.");
                }

                if (!mask.Info.HasAlpha)
                {
                    throw Fail("Mask", mask.Path, "MaskNoAlpha", $"The -Mask file '{mask.Path}' has no alpha channel; its fully transparent pixels mark where to edit, so save it as a PNG with transparency.");
                }

                ImageInfo? first = r.Images[0].Info;
                if (first != null && (first.Width != mask.Info.Width || first.Height != mask.Info.Height))
                {
                    throw Fail("Mask", mask.Path, "MaskSizeMismatch",
                        $"The -Mask file '{mask.Path}' is {mask.Info.Width}x{mask.Info.Height} but the image '{r.Images[0].FileName}' is {first.Width}x{first.Height}; they must be the same size.");
                }
            }
        }

        private static void ValidateVariation(ImageVariationRequest r, ModelCapabilities? caps)
        {
            if (caps != null && !caps.Variations)
            {
                throw Fail("Model", r.Model, "VariationNotSupported", $"-Model {r.Model} cannot make variations; the variations endpoint takes dall-e-2 only.");
            }

            if (r.Size != null)
            {
                InList("Size", r.Size, ModelCatalog.VariationSizes, "SizeNotSupported");
            }

            if (r.Image is null)
            {
                throw Fail("Path", null, "ImageMissing", "No image given: give -Path or -LiteralPath.");
            }

            ImageInputFile image = r.Image;
            if (image.Length == 0)
            {
                throw Fail("Path", image.Path, "ImageEmpty", $"'{image.Path}' is empty.");
            }

            if (image.Info?.Format != ImageFormat.Png)
            {
                throw Fail("Path", image.Path, "ImageFormatNotSupported", $"'{image.Path}' is {Describe(image)}; variations take a square PNG file.");
            }

            if (image.Length >= 4L * 1024 * 1024)
            {
                throw Fail("Path", image.Path, "ImageTooLarge", $"'{image.Path}' is {Mb(image.Length)}; variations take a PNG of less than 4 MB.");
            }

            if (image.Info.Width != image.Info.Height)
            {
                throw Fail("Path", image.Path, "ImageNotSquare", $"'{image.Path}' is {image.Info.Width}x{image.Info.Height}; variations take a square PNG.");
            }
        }

        private static void ValidateInputImage(string parameter, ImageInputFile image, string model, ModelCapabilities? caps)
        {
            if (image.Length == 0)
            {
                throw Fail(parameter, image.Path, "ImageEmpty", $"'{image.Path}' is empty.");
            }

            ImageFormat format = image.Info?.Format ?? ImageFormat.Unknown;
            IReadOnlyList<ImageFormat> formats = caps?.EditFormats ?? new[] { ImageFormat.Png, ImageFormat.Webp, ImageFormat.Jpeg };
            if (!formats.Contains(format))
            {
                string allowed = string.Join(", ", formats.Select(f => f.ToString().ToUpperInvariant()));
                throw Fail(parameter, image.Path, "ImageFormatNotSupported", $"'{image.Path}' is {Describe(image)}; {(caps is null ? "edits" : model)} take {allowed} files.");
            }

            if (caps != null && image.Length >= caps.MaxImageBytes)
            {
                throw Fail(parameter, image.Path, "ImageTooLarge", $"'{image.Path}' is {Mb(image.Length)}; {model} takes images of less than {Mb(caps.MaxImageBytes)}.");
            }

            if (caps != null && caps.SquareInput && image.Info!.Width != image.Info.Height)
            {
                throw Fail(parameter, image.Path, "ImageNotSquare", $"'{image.Path}' is {image.Info.Width}x{image.Info.Height}; {model} takes a square image.");
            }
        }

        private static void ValidateSize(string? size, string model, ModelCapabilities? caps, IReadOnlyList<string> specSizes, IReadOnlyList<string>? modelSizes, Action<string>? note)
        {
            if (size is null || caps is null || (modelSizes != null && modelSizes.Contains(size, StringComparer.Ordinal)))
            {
                // A model the table does not know: the size is sent as given.
                return;
            }

            if (!caps.CustomSizes)
            {
                throw Fail("Size", size, "SizeNotSupported", $"-Size '{size}' is not supported by {model}; use one of {string.Join(", ", modelSizes ?? specSizes)}.");
            }

            OpenAIValidationException? problem = CustomSizeProblem(size, model);
            if (problem is null)
            {
                return;
            }

            if (ModelCapabilities.Blocks(caps.CustomSizesSource))
            {
                throw problem;
            }

            note?.Invoke($"{problem.Reason} Only third parties give these limits for {model}: the size is sent as given and OpenAI will judge it.");
        }

        private static OpenAIValidationException? CustomSizeProblem(string size, string model)
        {
            if (!TryParseSize(size, out int w, out int h))
            {
                return Fail("Size", size, "SizeFormat", $"-Size '{size}' is not a size: use WIDTHxHEIGHT (for example 1536x864) or auto.");
            }

            if (w % ModelCatalog.SizeStep != 0 || h % ModelCatalog.SizeStep != 0)
            {
                return Fail("Size", size, "SizeNotMultipleOf16", $"-Size '{size}': {model} needs both width and height to be multiples of 16.");
            }

            if (Math.Max(w, h) > ModelCatalog.MaxEdge)
            {
                return Fail("Size", size, "SizeTooLarge", $"-Size '{size}': {model} allows at most {ModelCatalog.MaxEdge} pixels on the long edge.");
            }

            if ((double)Math.Max(w, h) / Math.Min(w, h) > ModelCatalog.MaxAspectRatio)
            {
                return Fail("Size", size, "SizeAspectRatio", $"-Size '{size}': {model} allows aspect ratios between 1:3 and 3:1.");
            }

            if ((long)w * h > ModelCatalog.MaxPixels)
            {
                return Fail("Size", size, "SizeTooManyPixels", $"-Size '{size}': {model} allows at most {ModelCatalog.MaxPixels:N0} pixels (3840x2160).");
            }

            return null;
        }

        /// <summary>Parses WIDTHxHEIGHT with positive integers.</summary>
        public static bool TryParseSize(string size, out int width, out int height)
        {
            width = height = 0;
            string[] parts = size.Split('x', 'X');
            return parts.Length == 2
                && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out width)
                && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out height)
                && width > 0 && height > 0;
        }

        /// <summary>
        /// The values the model table lists per model (quality, background, output_format, moderation, input_fidelity,
        /// style): a model the table does not know sends any value; a known model refuses a parameter it does not take and
        /// a value outside its list when the list comes from the spec or OpenAI's pages, and notes one outside a list that
        /// only third parties give (or nobody documents).
        /// </summary>
        private static void ValidateValues(PromptImageRequest r, ModelCapabilities? caps, Action<string>? note)
        {
            if (caps is null)
            {
                return;
            }

            ImageGenerationRequest? g = r as ImageGenerationRequest;
            ImageEditRequest? e = r as ImageEditRequest;
            CheckValue("Quality", r.Quality, r, caps, note);
            CheckValue("Background", r.Background, r, caps, note);
            CheckValue("OutputFormat", r.OutputFormat, r, caps, note);
            CheckValue("Moderation", g?.Moderation, r, caps, note);
            CheckValue("Style", g?.Style, r, caps, note);
            CheckValue("InputFidelity", e?.InputFidelity, r, caps, note);
            if (e?.InputFidelity != null && caps.InputFidelityNote != null)
            {
                note?.Invoke(caps.InputFidelityNote);
            }
        }

        private static void CheckValue(string parameter, string? value, ImageRequest request, ModelCapabilities caps, Action<string>? note)
        {
            if (value is null)
            {
                return;
            }

            (IReadOnlyList<string> values, FactSource source) = caps.ValuesFor(parameter, request.Operation);
            if (values.Contains(value, StringComparer.Ordinal))
            {
                return;
            }

            string model = request.Model;
            if (values.Count == 0)
            {
                string message = parameter switch
                {
                    "Style" => $"-Style is only supported by dall-e-3, not {model}.",
                    "InputFidelity" => $"-InputFidelity is not supported by {model}; use a GPT image model, or leave it out.",
                    "Quality" => $"-Quality is not supported by {model} for this operation; leave it out.",
                    _ => $"-{parameter} is only for the GPT image models, not {model}.",
                };
                throw Fail(parameter, value, parameter + "NotSupported", message);
            }

            string allowed = string.Join(", ", values);
            if (ModelCapabilities.Blocks(source))
            {
                throw Fail(parameter, value, parameter + "NotSupported", $"-{parameter} '{value}' is not supported by {model}; it takes {allowed}.");
            }

            string who = source == FactSource.ThirdParty ? "third parties list" : "the module offers (OpenAI documents none)";
            note?.Invoke($"-{parameter} '{value}' is not among the values {who} for {model} ({allowed}): it is sent as given and OpenAI will judge it.");
        }

        private static void ValidateGptOptions(PromptImageRequest r, ModelCapabilities? caps)
        {
            ValidateGptOutput(r.Model, caps, r.Background, r.OutputFormat, r.OutputCompression);
            ValidateStreaming(r.Model, caps, r.IsStreaming, r.PartialImages);
        }

        private static void ValidateGptOutput(string model, ModelCapabilities? caps, string? background, string? outputFormat, int? compression)
        {
            if (compression.HasValue)
            {
                int c = compression.Value;
                if (c < ModelCatalog.MinCompression || c > ModelCatalog.MaxCompression)
                {
                    throw Fail("OutputCompression", c, "OutputCompressionOutOfRange", $"-OutputCompression {c} is out of range: use 0 to 100.");
                }

                GptOnly("OutputCompression", c, model, caps);
                if (caps != null && outputFormat != "jpeg" && outputFormat != "webp")
                {
                    throw Fail("OutputCompression", c, "OutputCompressionNeedsJpegOrWebp", "-OutputCompression applies to jpeg and webp output only: add -OutputFormat jpeg or -OutputFormat webp.");
                }
            }

            if (caps != null && background == "transparent" && outputFormat == "jpeg")
            {
                throw Fail("Background", background, "TransparentNeedsPngOrWebp", "-Background transparent needs -OutputFormat png or webp: JPEG has no transparency.");
            }
        }

        private static void ValidateStreaming(string model, ModelCapabilities? caps, bool streaming, int? partialImages)
        {
            if (partialImages.HasValue && (partialImages < ModelCatalog.MinPartialImages || partialImages > ModelCatalog.MaxPartialImages))
            {
                throw Fail("PartialImages", partialImages.Value, "PartialImagesOutOfRange", $"-PartialImages {partialImages} is out of range: use 0 to 3.");
            }

            if (streaming && caps != null && !caps.Streaming)
            {
                throw Fail(partialImages.HasValue ? "PartialImages" : "Stream", partialImages.HasValue ? (object)partialImages.Value : true, "StreamingNotSupported",
                    $"Streaming (-Stream, -PartialImages) is only for the GPT image models, not {model}.");
            }
        }

        private static void GptOnly(string parameter, object value, string model, ModelCapabilities? caps)
        {
            if (caps != null && !caps.GptImageOptions)
            {
                throw Fail(parameter, value, parameter + "NotSupported", $"-{parameter} is only for the GPT image models, not {model}.");
            }
        }

        private static void InList(string parameter, string value, IReadOnlyList<string> allowed, string rule = "ValueNotAllowed")
        {
            if (!allowed.Contains(value, StringComparer.Ordinal))
            {
                throw Fail(parameter, value, rule, $"-{parameter} '{value}' is not allowed; use one of {string.Join(", ", allowed)}.");
            }
        }

        private static string Describe(ImageInputFile file) =>
            file.Info is null ? "not a PNG, JPEG or WebP image" : "a " + file.Info.Format.ToString().ToUpperInvariant() + " image";

        private static string Mb(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0.##", CultureInfo.InvariantCulture) + " MB";

        private static OpenAIValidationException Fail(string parameter, object? value, string rule, string message) =>
            new OpenAIValidationException(parameter, value, rule, message);
    }
}
