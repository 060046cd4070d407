using System;
using System.Collections.Generic;
using System.IO;
using OpenAI.Images.Imaging;

namespace OpenAI.Images
{
    /// <summary>What every image request has in common.</summary>
    public abstract class ImageRequest
    {
        /// <summary>The model; always sent so a script gets the same model tomorrow.</summary>
        public string Model { get; set; } = string.Empty;

        /// <summary>How many images (the API's <c>n</c>); null leaves the API's default (1).</summary>
        public int? Count { get; set; }

        /// <summary>Image size, for example 1024x1024 or auto.</summary>
        public string? Size { get; set; }

        /// <summary>url or b64_json (dall-e models only).</summary>
        public string? ResponseFormat { get; set; }

        /// <summary>An end-user id for abuse monitoring.</summary>
        public string? User { get; set; }

        /// <summary>
        /// Fields merged last into the body (-AdditionalBody): string keys; string, number, boolean, null (removes the
        /// field) or, in JSON bodies, nested dictionaries and lists. Checked by <see cref="OpenAI.Images.AdditionalBody.Validate"/>.
        /// </summary>
        public System.Collections.IDictionary? AdditionalBody { get; set; }

        /// <summary>The endpoint this request goes to.</summary>
        public abstract ImageOperation Operation { get; }

        /// <summary>The prompt, where the endpoint takes one.</summary>
        public virtual string? PromptText => null;

        /// <summary>True when the response is streamed as server-sent events.</summary>
        public virtual bool IsStreaming => false;
    }

    /// <summary>What generations and edits share: a prompt and the GPT image model options.</summary>
    public abstract class PromptImageRequest : ImageRequest
    {
        /// <summary>The text prompt (required).</summary>
        public string Prompt { get; set; } = string.Empty;

        /// <summary>standard, low, medium, high or auto (generations also take hd).</summary>
        public string? Quality { get; set; }

        /// <summary>transparent, opaque or auto (GPT image models).</summary>
        public string? Background { get; set; }

        /// <summary>png, jpeg or webp (GPT image models).</summary>
        public string? OutputFormat { get; set; }

        /// <summary>0-100, for jpeg and webp output (GPT image models).</summary>
        public int? OutputCompression { get; set; }

        /// <summary>Stream the response as server-sent events.</summary>
        public bool Stream { get; set; }

        /// <summary>Partial images to stream (0-3); implies <see cref="Stream"/>.</summary>
        public int? PartialImages { get; set; }

        /// <inheritdoc />
        public override string? PromptText => Prompt;

        /// <inheritdoc />
        public override bool IsStreaming => Stream || PartialImages.HasValue;
    }

    /// <summary>POST /images/generations.</summary>
    public sealed class ImageGenerationRequest : PromptImageRequest
    {
        /// <summary>vivid or natural (dall-e-3).</summary>
        public string? Style { get; set; }

        /// <summary>low or auto (GPT image models).</summary>
        public string? Moderation { get; set; }

        /// <inheritdoc />
        public override ImageOperation Operation => ImageOperation.Generation;
    }

    /// <summary>POST /images/edits (multipart/form-data).</summary>
    public sealed class ImageEditRequest : PromptImageRequest
    {
        /// <summary>The images to edit (1 to 16).</summary>
        public IList<ImageInputFile> Images { get; } = new List<ImageInputFile>();

        /// <summary>A PNG whose transparent areas mark where to edit (applies to the first image).</summary>
        public ImageInputFile? Mask { get; set; }

        /// <summary>high or low: how closely to keep the input's features.</summary>
        public string? InputFidelity { get; set; }

        /// <inheritdoc />
        public override ImageOperation Operation => ImageOperation.Edit;
    }

    /// <summary>POST /images/variations (multipart/form-data; dall-e-2).</summary>
    public sealed class ImageVariationRequest : ImageRequest
    {
        /// <summary>The square PNG to vary.</summary>
        public ImageInputFile? Image { get; set; }

        /// <inheritdoc />
        public override ImageOperation Operation => ImageOperation.Variation;
    }

    /// <summary>An image file to upload, with what its header says about it.</summary>
    public sealed class ImageInputFile
    {
        private ImageInputFile(string path, long length, ImageInfo? info)
        {
            Path = path;
            Length = length;
            Info = info;
        }

        /// <summary>The full file-system path.</summary>
        public string Path { get; }

        /// <summary>The file name sent in the multipart part.</summary>
        public string FileName => System.IO.Path.GetFileName(Path);

        /// <summary>Size in bytes.</summary>
        public long Length { get; }

        /// <summary>Format, dimensions and alpha from the file's header; null when not a recognised image.</summary>
        public ImageInfo? Info { get; }

        /// <summary>The part's Content-Type: from the file's signature, not its extension.</summary>
        public string ContentType => Info?.MediaType ?? "application/octet-stream";

        /// <summary>Reads the file's length and header.</summary>
        public static ImageInputFile FromPath(string fullPath)
        {
            var file = new FileInfo(fullPath);
            if (!file.Exists)
            {
                throw new FileNotFoundException($"The file '{fullPath}' does not exist.", fullPath);
            }

            return new ImageInputFile(file.FullName, file.Length, ImageInfo.TryReadFile(file.FullName));
        }

        /// <inheritdoc />
        public override string ToString() => Path;
    }
}
