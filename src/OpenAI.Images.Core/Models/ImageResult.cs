using System;
using System.Collections.Generic;
using System.IO;

namespace OpenAI.Images
{
    /// <summary>Which endpoint produced an image.</summary>
    public enum ImageOperation
    {
        /// <summary>POST /images/generations.</summary>
        Generation,
        /// <summary>POST /images/edits.</summary>
        Edit,
        /// <summary>POST /images/variations.</summary>
        Variation,
    }

    /// <summary>One image returned by the OpenAI Images API, with the request it came from.</summary>
    public sealed class ImageResult
    {
        /// <summary>Position of the image in the response (0-based).</summary>
        public int Index { get; set; }

        /// <summary>The model the request asked for.</summary>
        public string? Model { get; set; }

        /// <summary>The prompt that was sent (null for variations).</summary>
        public string? Prompt { get; set; }

        /// <summary>The prompt the model actually used, when the API returns one (dall-e-3).</summary>
        public string? RevisedPrompt { get; set; }

        /// <summary>The image URL, when the API returned one (dall-e models with response_format url; valid for 60 minutes).</summary>
        public Uri? Url { get; set; }

        /// <summary>The decoded image bytes, when the image was kept in memory (no -OutFile/-OutputDirectory).</summary>
        public byte[]? Data { get; set; }

        /// <summary>The saved file, when the image was written to disk.</summary>
        public FileInfo? File { get; set; }

        /// <summary>Image size as reported by the API (or requested).</summary>
        public string? Size { get; set; }

        /// <summary>Quality as reported by the API (or requested).</summary>
        public string? Quality { get; set; }

        /// <summary>Background as reported by the API (or requested).</summary>
        public string? Background { get; set; }

        /// <summary>Image file format: png, jpeg or webp.</summary>
        public string? OutputFormat { get; set; }

        /// <summary>When the API created the image.</summary>
        public DateTimeOffset? Created { get; set; }

        /// <summary>Token usage of the whole request (GPT image models), shared by all images of one response.</summary>
        public ImageUsage? Usage { get; set; }

        /// <summary>The x-request-id response header; quote it to OpenAI support.</summary>
        public string? RequestId { get; set; }

        /// <summary>True for a partial image emitted while streaming.</summary>
        public bool IsPartial { get; set; }

        /// <summary>0-based index of a partial image while streaming; null for final images.</summary>
        public int? PartialImageIndex { get; set; }

        /// <summary>The endpoint that produced this image.</summary>
        public ImageOperation Operation { get; set; }

        /// <summary>The input files of an edit or variation.</summary>
        public IReadOnlyList<string> SourceFiles { get; set; } = Array.Empty<string>();

        /// <summary>The custom_id of the batch request that produced this image (Receive-OpenAIImageBatch); null otherwise.</summary>
        public string? CustomId { get; set; }

        /// <summary>A decoded image waiting in a temporary file to be moved to its final name (or discarded).</summary>
        internal string? PendingFile { get; set; }

        /// <summary>
        /// The open, unshared handle on <see cref="PendingFile"/>: while it is held, no clean-up of orphaned temporary
        /// files (<see cref="OrphanedTempFiles"/>, in this or another session) can take the file, however long it waits.
        /// </summary>
        internal IDisposable? PendingHandle { get; set; }

        /// <summary>Closes the handle on the pending file (before the file is renamed, read or deleted) and returns its path.</summary>
        internal string? ReleasePending()
        {
            PendingHandle?.Dispose();
            PendingHandle = null;
            return PendingFile;
        }

        /// <summary>The format found in the image bytes themselves.</summary>
        internal Imaging.ImageFormat DetectedFormat { get; set; }

        /// <inheritdoc />
        public override string ToString() => File?.FullName ?? Url?.ToString() ?? $"{Operation} image {Index}";
    }

    /// <summary>Token usage reported for GPT image models.</summary>
    public sealed class ImageUsage
    {
        /// <summary>Input tokens (text and images).</summary>
        public long InputTokens { get; set; }

        /// <summary>Output (image) tokens.</summary>
        public long OutputTokens { get; set; }

        /// <summary>All tokens of the request.</summary>
        public long TotalTokens { get; set; }

        /// <summary>Breakdown of the input tokens, when returned.</summary>
        public ImageTokenDetails? InputTokensDetails { get; set; }

        /// <summary>Breakdown of the output tokens, when returned.</summary>
        public ImageTokenDetails? OutputTokensDetails { get; set; }

        /// <inheritdoc />
        public override string ToString() => $"{TotalTokens} tokens (in {InputTokens}, out {OutputTokens})";
    }

    /// <summary>Text and image token counts.</summary>
    public sealed class ImageTokenDetails
    {
        /// <summary>Text tokens.</summary>
        public long TextTokens { get; set; }

        /// <summary>Image tokens.</summary>
        public long ImageTokens { get; set; }

        /// <inheritdoc />
        public override string ToString() => $"text {TextTokens}, image {ImageTokens}";
    }
}
