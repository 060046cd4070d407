using System;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenAI.Images.FakeApi;

/// <summary>The image endpoints' success replies: ImagesResponse JSON or the SSE events of the spec.</summary>
internal static class ImageRoutes
{
    /// <summary>Reads a request parameter by name (JSON property or multipart field).</summary>
    internal delegate string? ParameterReader(string name);

    /// <summary>Fills a <see cref="SuccessShape"/> from the request, the way the real service fills its reply.</summary>
    public static SuccessShape CreateShape(string endpoint, string? deployment, ParameterReader parameter, bool stream, int inputImages)
    {
        string model = NonEmpty(parameter("model")) ?? deployment ?? (endpoint == "edits" ? "gpt-image-1.5" : "dall-e-2");
        string? prompt = parameter("prompt");
        var shape = new SuccessShape(endpoint, model, prompt);
        bool gpt = shape.IsGptImage;

        shape.Count = ParseInt(parameter("n")) is int n && n >= 1 ? Math.Min(n, 100) : 1;
        shape.Stream = stream;
        shape.PartialImages = stream && ParseInt(parameter("partial_images")) is int p && p > 0 ? Math.Min(p, 10) : 0;

        if (gpt)
        {
            shape.ResponseFormat = "b64_json";
            shape.OutputFormat = NormalizeFormat(NonEmpty(parameter("output_format"))) ?? "png";
            shape.Size = NonEmpty(parameter("size")) is string size && size != "auto" ? size : "1024x1024";
            shape.Quality = NonEmpty(parameter("quality")) is string q && q != "auto" ? q : "high";
            shape.Background = NonEmpty(parameter("background")) is string b && b != "auto" ? b : "opaque";
            shape.IncludeMetadata = true;

            int text = Math.Max(1, (int)Math.Ceiling((prompt?.Length ?? 0) / 4.0));
            shape.Usage.InputTextTokens = text;
            shape.Usage.InputImageTokens = inputImages * 194;
            shape.Usage.OutputImageTokens = (OutputTokensPerImage(shape.Quality, shape.Size) * shape.Count) + (100 * shape.PartialImages);
        }
        else
        {
            shape.ResponseFormat = NonEmpty(parameter("response_format")) ?? "url";
            shape.OutputFormat = "png";
            shape.Size = NonEmpty(parameter("size")) ?? "1024x1024";
            shape.Quality = NonEmpty(parameter("quality")) ?? "standard";
            shape.Background = "opaque";
            shape.IncludeMetadata = false;
            shape.OmitUsage = true;
            if (model.StartsWith("dall-e-3", StringComparison.OrdinalIgnoreCase))
            {
                shape.RevisedPrompt = "A detailed, vivid rendering of: " + (prompt ?? string.Empty);
            }
        }

        return shape;
    }

    /// <summary>The reply for a finished shape: ImagesResponse JSON, or the stream of events.</summary>
    public static Reply BuildReply(SuccessShape shape, FakeOpenAIServer server)
    {
        byte[] image = ImageBytes(shape);
        Reply reply;
        if (shape.Stream)
        {
            reply = new Reply { Status = shape.StatusCode, ContentType = "text/event-stream; charset=utf-8", IsStream = true, SegmentDelay = shape.EventDelay };
            string prefix = shape.Endpoint == "edits" ? "image_edit" : "image_generation";
            string b64 = Convert.ToBase64String(image);
            for (int i = 0; i < shape.PartialImages; i++)
            {
                int index = i;
                reply.Segments.Add(Event(shape, prefix + ".partial_image", w => WriteEvent(w, shape, prefix + ".partial_image", b64, index)));
            }

            if (shape.StreamErrorMessage is not null)
            {
                reply.Segments.Add(Event(shape, "error", w =>
                {
                    w.WriteStartObject();
                    w.WriteString("type", "error");
                    w.WriteStartObject("error");
                    w.WriteString("type", "image_generation_user_error");
                    Json.WriteNullable(w, "code", shape.StreamErrorCode);
                    w.WriteString("message", shape.StreamErrorMessage);
                    w.WriteNull("param");
                    w.WriteEndObject();
                    w.WriteEndObject();
                }));
            }
            else if (!shape.OmitCompletedEvent)
            {
                reply.Segments.Add(Event(shape, prefix + ".completed", w => WriteEvent(w, shape, prefix + ".completed", b64, null)));
            }
        }
        else
        {
            reply = Reply.FromBytes(shape.StatusCode, "application/json", Json.Write(w => WriteImagesResponse(w, shape, image, server)));
        }

        reply.AddOpenAIHeaders();
        if (shape.OmitRequestId)
        {
            reply.RemoveHeader("x-request-id");
        }

        return reply;
    }

    public static bool IsGptImageModel(string? model) =>
        model is not null
        && (model.StartsWith("gpt-image", StringComparison.OrdinalIgnoreCase) || model.StartsWith("chatgpt-image", StringComparison.OrdinalIgnoreCase));

    private static byte[] ImageBytes(SuccessShape shape)
    {
        byte[] image = shape.ImageBytes ?? SampleImages.ForFormat(shape.OutputFormat, transparent: shape.Background == "transparent");
        if (shape.PadImageTo > image.Length)
        {
            byte[] padded = new byte[shape.PadImageTo];
            image.CopyTo(padded, 0);
            image = padded;
        }

        return image;
    }

    private static void WriteImagesResponse(Utf8JsonWriter w, SuccessShape shape, byte[] image, FakeOpenAIServer server)
    {
        w.WriteStartObject();
        w.WriteNumber("created", shape.Created);
        if (shape.IncludeMetadata)
        {
            w.WriteString("background", shape.Background);
        }

        if (!shape.OmitData)
        {
            string? b64 = shape.ResponseFormat == "url" ? null : Convert.ToBase64String(image);
            w.WriteStartArray("data");
            for (int i = 0; i < shape.Count; i++)
            {
                w.WriteStartObject();
                if (b64 is null)
                {
                    w.WriteString("url", server.RegisterDownload(image, ".png"));
                    if (shape.ExplicitNulls)
                    {
                        w.WriteNull("b64_json");
                    }
                }
                else
                {
                    w.WriteString("b64_json", b64);
                    if (shape.ExplicitNulls)
                    {
                        w.WriteNull("url");
                    }
                }

                if (shape.RevisedPrompt is not null)
                {
                    w.WriteString("revised_prompt", shape.RevisedPrompt);
                }
                else if (shape.ExplicitNulls)
                {
                    w.WriteNull("revised_prompt");
                }

                WriteExtraFields(w, shape, "image");
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        if (shape.IncludeMetadata)
        {
            w.WriteString("output_format", shape.OutputFormat);
            w.WriteString("quality", shape.Quality);
            w.WriteString("size", shape.Size);
        }

        if (!shape.OmitUsage)
        {
            WriteUsage(w, shape, withOutputDetails: true);
        }
        else if (shape.ExplicitNulls)
        {
            w.WriteNull("usage");
        }

        WriteExtraFields(w, shape, "response");
        w.WriteEndObject();
    }

    private static void WriteUsage(Utf8JsonWriter w, SuccessShape shape, bool withOutputDetails)
    {
        FakeUsage u = shape.Usage;
        w.WriteStartObject("usage");
        w.WriteNumber("input_tokens", u.InputTokens);
        w.WriteStartObject("input_tokens_details");
        w.WriteNumber("image_tokens", u.InputImageTokens);
        w.WriteNumber("text_tokens", u.InputTextTokens);
        WriteExtraFields(w, shape, "input_tokens_details");
        w.WriteEndObject();
        w.WriteNumber("output_tokens", u.OutputTokens);
        if (withOutputDetails)
        {
            w.WriteStartObject("output_tokens_details");
            w.WriteNumber("image_tokens", u.OutputImageTokens);
            w.WriteNumber("text_tokens", u.OutputTextTokens);
            WriteExtraFields(w, shape, "output_tokens_details");
            w.WriteEndObject();
        }

        w.WriteNumber("total_tokens", u.TotalTokens);
        WriteExtraFields(w, shape, "usage");
        w.WriteEndObject();
    }

    private static void WriteEvent(Utf8JsonWriter w, SuccessShape shape, string type, string b64, int? partialIndex)
    {
        w.WriteStartObject();
        w.WriteString("type", type);
        w.WriteString("b64_json", b64);
        w.WriteNumber("created_at", shape.Created);
        w.WriteString("size", shape.Size);
        w.WriteString("quality", shape.Quality);
        w.WriteString("background", shape.Background);
        w.WriteString("output_format", shape.OutputFormat);
        if (partialIndex is int index)
        {
            w.WriteNumber("partial_image_index", index);
        }
        else if (!shape.OmitUsage)
        {
            // ImagesUsage (the streaming schema) has no output_tokens_details.
            WriteUsage(w, shape, withOutputDetails: false);
        }

        WriteExtraFields(w, shape, "event");
        w.WriteEndObject();
    }

    private static byte[] Event(SuccessShape shape, string name, Action<Utf8JsonWriter> data)
    {
        string nl = shape.SseLineEnding;
        string text = "event: " + name + nl + "data: " + Encoding.UTF8.GetString(Json.Write(data)) + nl + nl;
        return Encoding.UTF8.GetBytes(text);
    }

    private static void WriteExtraFields(Utf8JsonWriter w, SuccessShape shape, string where)
    {
        if (!shape.ExtraFields)
        {
            return;
        }

        w.WriteString("x_fake_unknown_string", "unknown field on " + where);
        w.WriteNumber("x_fake_unknown_number", 1.5);
        w.WriteBoolean("x_fake_unknown_bool", true);
        w.WriteNull("x_fake_unknown_null");
        w.WriteStartObject("x_fake_unknown_object");
        w.WriteStartArray("items");
        w.WriteNumberValue(1);
        w.WriteStringValue("two");
        w.WriteStartObject();
        w.WriteNull("three");
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static int OutputTokensPerImage(string quality, string size)
    {
        bool square = size is "1024x1024" or "auto";
        return quality switch
        {
            "low" => square ? 272 : 408,
            "medium" => square ? 1056 : 1584,
            _ => square ? 4160 : 6240,
        };
    }

    private static string? NormalizeFormat(string? format) =>
        format?.ToLowerInvariant() switch
        {
            null => null,
            "jpg" => "jpeg",
            string f => f,
        };

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    private static int? ParseInt(string? value) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out int result) ? result : null;

    /// <summary>A parameter reader over a JSON object (batch lines, JSON bodies).</summary>
    public static ParameterReader FromJson(JsonObject? obj) => name =>
    {
        if (obj is not null && obj.TryGetPropertyValue(name, out JsonNode? node) && node is not null)
        {
            return node is JsonValue value && value.TryGetValue(out string? s) ? s : node.ToJsonString();
        }

        return null;
    };

    /// <summary>A random-looking signature for url items, like a SAS token.</summary>
    public static string Signature() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(12));
}
