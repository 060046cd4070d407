using System;

namespace OpenAI.Images.FakeApi;

/// <summary>
/// The success reply of an image route, pre-filled from the request (model, n, formats, size...) before a
/// <see cref="FakeResponse.Success"/> customiser runs; change any property to change the reply.
/// </summary>
public sealed class SuccessShape
{
    internal SuccessShape(string endpoint, string model, string? prompt)
    {
        Endpoint = endpoint;
        Model = model;
        Prompt = prompt;
    }

    /// <summary><c>generations</c>, <c>edits</c> or <c>variations</c>.</summary>
    public string Endpoint { get; }

    /// <summary>The model the request named (or the endpoint's default, or the Azure deployment name).</summary>
    public string Model { get; }

    /// <summary>The request's prompt, if any.</summary>
    public string? Prompt { get; }

    /// <summary>True for gpt-image* / chatgpt-image* models: b64_json only, metadata and usage in the reply.</summary>
    public bool IsGptImage => ImageRoutes.IsGptImageModel(Model);

    /// <summary>Number of <c>data</c> items (the request's <c>n</c>, default 1).</summary>
    public int Count { get; set; } = 1;

    /// <summary>Leave the <c>data</c> property out altogether.</summary>
    public bool OmitData { get; set; }

    /// <summary><c>b64_json</c> or <c>url</c> (url items point at the fake's <c>/_fake/download/</c> route).</summary>
    public string ResponseFormat { get; set; } = "b64_json";

    /// <summary>png, jpeg or webp: the reported <c>output_format</c> and the sample image returned.</summary>
    public string OutputFormat { get; set; } = "png";

    /// <summary>Reported <c>size</c> (gpt-image metadata / stream events).</summary>
    public string Size { get; set; } = "1024x1024";

    /// <summary>Reported <c>quality</c>.</summary>
    public string Quality { get; set; } = "high";

    /// <summary>Reported <c>background</c>.</summary>
    public string Background { get; set; } = "opaque";

    /// <summary>Include <c>background</c>, <c>output_format</c>, <c>size</c>, <c>quality</c> at the top level (true for gpt-image).</summary>
    public bool IncludeMetadata { get; set; }

    /// <summary>Leave <c>usage</c> out (it is only sent for gpt-image models anyway).</summary>
    public bool OmitUsage { get; set; }

    /// <summary>The token counts reported in <c>usage</c>.</summary>
    public FakeUsage Usage { get; } = new();

    /// <summary>Leave the <c>x-request-id</c> response header out.</summary>
    public bool OmitRequestId { get; set; }

    /// <summary>Add unknown properties to every object (top level, data items, usage and its details, stream events).</summary>
    public bool ExtraFields { get; set; }

    /// <summary>Write the optional properties that do not apply as explicit nulls (<c>"url": null</c>, <c>"revised_prompt": null</c>).</summary>
    public bool ExplicitNulls { get; set; }

    /// <summary><c>revised_prompt</c> on every data item (dall-e-3 gets one by default); null → none.</summary>
    public string? RevisedPrompt { get; set; }

    /// <summary>The <c>created</c> / <c>created_at</c> timestamp (Unix seconds).</summary>
    public long Created { get; set; } = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    /// <summary>The image bytes to return; null → the sample matching <see cref="OutputFormat"/> (RGBA PNG for a transparent background).</summary>
    public byte[]? ImageBytes { get; set; }

    /// <summary>Zero bytes appended after the image (after PNG's IEND) until it is this long: a large payload that still starts like a real image.</summary>
    public int PadImageTo { get; set; }

    /// <summary>Answer with server-sent events (true when the request had <c>stream</c> true).</summary>
    public bool Stream { get; set; }

    /// <summary>Number of partial-image events before the completed one (the request's <c>partial_images</c>, default 0).</summary>
    public int PartialImages { get; set; }

    /// <summary>Stream: end after the partial events, without the completed event.</summary>
    public bool OmitCompletedEvent { get; set; }

    /// <summary>Stream: send <c>event: error</c> with this message instead of the completed event.</summary>
    public string? StreamErrorMessage { get; set; }

    /// <summary>Stream: <c>code</c> of the error event.</summary>
    public string? StreamErrorCode { get; set; }

    /// <summary>Stream: line ending of the event lines ("\n" by default; "\r\n" is also valid SSE).</summary>
    public string SseLineEnding { get; set; } = "\n";

    /// <summary>Stream: pause before each event after the first.</summary>
    public TimeSpan EventDelay { get; set; }

    /// <summary>Status code of the success reply (200).</summary>
    public int StatusCode { get; set; } = 200;
}

/// <summary>Token counts reported in <c>usage</c> (ImageGenUsage).</summary>
public sealed class FakeUsage
{
    /// <summary><c>input_tokens_details.text_tokens</c>.</summary>
    public int InputTextTokens { get; set; }

    /// <summary><c>input_tokens_details.image_tokens</c>.</summary>
    public int InputImageTokens { get; set; }

    /// <summary><c>output_tokens_details.image_tokens</c>.</summary>
    public int OutputImageTokens { get; set; }

    /// <summary><c>output_tokens_details.text_tokens</c>.</summary>
    public int OutputTextTokens { get; set; }

    /// <summary><c>input_tokens</c>.</summary>
    public int InputTokens => InputTextTokens + InputImageTokens;

    /// <summary><c>output_tokens</c>.</summary>
    public int OutputTokens => OutputImageTokens + OutputTextTokens;

    /// <summary><c>total_tokens</c>.</summary>
    public int TotalTokens => InputTokens + OutputTokens;
}
