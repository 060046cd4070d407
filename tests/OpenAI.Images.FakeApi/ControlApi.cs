using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace OpenAI.Images.FakeApi;

/// <summary>The <c>/_fake/*</c> control routes (never recorded). Shapes are documented in README.md.</summary>
public sealed partial class FakeOpenAIServer
{
    private static readonly string[] CommonKeys = { "kind", "count", "pathContains", "headers", "status" };

    private static readonly string[] SuccessKeys =
    {
        "dataCount", "omitData", "responseFormat", "outputFormat", "size", "quality", "background", "includeMetadata",
        "omitUsage", "usage", "omitRequestId", "extraFields", "explicitNulls", "revisedPrompt", "created", "imageBase64",
        "padImageTo", "stream", "partialImages", "omitCompleted", "streamError", "streamErrorCode", "sseLineEnding",
        "eventDelayMs", "statusCode",
    };

    private async Task HandleControlAsync(HttpContext context, string path, CancellationToken cancellationToken)
    {
        string method = context.Request.Method.ToUpperInvariant();
        string route = path.Substring(ControlPrefix.Length).TrimEnd('/');
        Reply reply;
        try
        {
            switch ((method, route))
            {
                case ("GET", "requests"):
                    reply = ControlJson(200, WriteRequests(Requests));
                    break;
                case ("DELETE", "requests"):
                    ClearRequests();
                    reply = Ok();
                    break;
                case ("POST", "reset"):
                    Reset();
                    reply = Ok();
                    break;
                case ("GET", "queue"):
                    reply = Pending();
                    break;
                case ("DELETE", "queue"):
                    ClearQueue();
                    reply = Pending();
                    break;
                case ("POST", "enqueue"):
                    JsonNode? node = await ReadJsonAsync(context, cancellationToken).ConfigureAwait(false);
                    IEnumerable<JsonNode?> items = node is JsonArray array ? array : new[] { node };
                    var parsed = items.Select(ParseEnqueue).ToList();
                    foreach ((FakeResponse response, int count, string? pathContains) in parsed)
                    {
                        Enqueue(response, count, pathContains);
                    }

                    reply = Pending();
                    break;
                case ("POST", "chaos"):
                    reply = SetChaos(await ReadJsonAsync(context, cancellationToken).ConfigureAwait(false) as JsonObject);
                    break;
                case ("POST", "latency"):
                    reply = SetLatency(await ReadJsonAsync(context, cancellationToken).ConfigureAwait(false) as JsonObject);
                    break;
                case ("GET", "stats"):
                    reply = Stats();
                    break;
                case ("POST", "release"):
                    reply = ReleaseHeld(await ReadJsonAsync(context, cancellationToken).ConfigureAwait(false) as JsonObject);
                    break;
                case ("POST", "batches"):
                    reply = SetBatchBehaviour(await ReadJsonAsync(context, cancellationToken).ConfigureAwait(false) as JsonObject);
                    break;
                case ("POST", "models"):
                    reply = SetModels(await ReadJsonAsync(context, cancellationToken).ConfigureAwait(false) as JsonObject);
                    break;
                case ("GET", "health"):
                    reply = ControlJson(200, Json.Write(w =>
                    {
                        w.WriteStartObject();
                        w.WriteString("status", "ok");
                        w.WriteString("baseUri", BaseUri.ToString());
                        w.WriteEndObject();
                    }));
                    break;
                case ("POST", "shutdown"):
                    reply = Ok();
                    await reply.WriteAsync(context, cancellationToken).ConfigureAwait(false);
                    await context.Response.CompleteAsync().ConfigureAwait(false);
                    _shutdownRequested.TrySetResult();
                    return;
                default:
                    reply = ControlError(404, $"Unknown control route {method} {path}. See the fake's README.md.");
                    break;
            }
        }
        catch (Exception ex) when (ex is ControlException or FormatException or ArgumentException)
        {
            reply = ControlError(400, ex.Message);
        }

        await reply.WriteAsync(context, cancellationToken).ConfigureAwait(false);
    }

    private Reply Pending() => ControlJson(200, Json.Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("pending", PendingResponses);
        w.WriteEndObject();
    }));

    private static Reply Ok() => ControlJson(200, Encoding.UTF8.GetBytes("{\"ok\":true}"));

    private static Reply ControlJson(int status, byte[] body) => Reply.FromBytes(status, "application/json", body);

    private static Reply ControlError(int status, string message) => ControlJson(status, Json.Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("error", message);
        w.WriteEndObject();
    }));

    private static async Task<JsonNode?> ReadJsonAsync(HttpContext context, CancellationToken cancellationToken)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (buffer.Length == 0)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(buffer.ToArray());
        }
        catch (JsonException ex)
        {
            throw new ControlException("The body is not valid JSON: " + ex.Message);
        }
    }

    private Reply SetChaos(JsonObject? body)
    {
        double rate = GetDouble(body, "rate") ?? 0;
        if (rate <= 0)
        {
            Responder = null;
            return Ok();
        }

        if (body?["response"] is not JsonObject responseJson)
        {
            throw new ControlException("chaos needs a \"response\" object (same shape as an enqueue entry).");
        }

        (FakeResponse response, _, string? pathContains) = ParseEnqueue(responseJson);
        var random = GetInt(body, "seed") is int seed ? new Random(seed) : new Random();
        object randomGate = new();
        Responder = request =>
        {
            if (request.IsDownload && pathContains is null)
            {
                return null;
            }

            if (pathContains is not null && !request.PathAndQuery.Contains(pathContains, StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            lock (randomGate)
            {
                return random.NextDouble() < rate ? response : null;
            }
        };
        return Ok();
    }

    private Reply SetLatency(JsonObject? body)
    {
        CheckKeys(body, "latency", new[] { "ms", "minMs", "maxMs", "seed" });
        double? ms = GetDouble(body, "ms");
        double? min = GetDouble(body, "minMs");
        double? max = GetDouble(body, "maxMs");
        if (ms is double fixedMs)
        {
            if (min is not null || max is not null)
            {
                throw new ControlException("latency takes either \"ms\" or \"minMs\"/\"maxMs\", not both.");
            }

            Latency = fixedMs > 0 ? _ => TimeSpan.FromMilliseconds(fixedMs) : null;
        }
        else if (min is double low && max is double high)
        {
            if (low < 0 || high < low)
            {
                throw new ControlException("latency needs 0 <= minMs <= maxMs.");
            }

            var random = GetInt(body, "seed") is int seed ? new Random(seed) : new Random();
            object randomGate = new();
            Latency = _ =>
            {
                lock (randomGate)
                {
                    return TimeSpan.FromMilliseconds(low + (random.NextDouble() * (high - low)));
                }
            };
        }
        else
        {
            throw new ControlException("latency needs \"ms\" (0 turns it off), or \"minMs\" and \"maxMs\" (and an optional \"seed\").");
        }

        ResetInFlight();
        return Ok();
    }

    private Reply Stats() => ControlJson(200, Json.Write(w =>
    {
        w.WriteStartObject();
        w.WriteNumber("inFlight", InFlight);
        w.WriteNumber("maxInFlight", MaxInFlight);
        w.WriteNumber("held", Held);
        w.WriteNumber("maxHeld", MaxHeld);
        w.WriteEndObject();
    }));

    private Reply ReleaseHeld(JsonObject? body)
    {
        CheckKeys(body, "release", new[] { "count", "sequences" });
        int released;
        if (body?["sequences"] is JsonNode list)
        {
            if (GetInt(body, "count") is not null)
            {
                throw new ControlException("release takes either \"count\" or \"sequences\", not both.");
            }

            if (list is not JsonArray array)
            {
                throw new ControlException("\"sequences\" must be an array of request sequence numbers.");
            }

            var sequences = array.Select(n => n is JsonValue v && v.TryGetValue(out long l) ? l : throw new ControlException("\"sequences\" must hold numbers.")).ToHashSet();
            released = Release(r => sequences.Contains(r.Sequence));
        }
        else
        {
            int count = GetInt(body, "count") ?? int.MaxValue;
            if (count < 0)
            {
                throw new ControlException("\"count\" must not be negative.");
            }

            released = Release(count);
        }

        return ControlJson(200, Json.Write(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("released", released);
            w.WriteNumber("held", Held);
            w.WriteEndObject();
        }));
    }

    private Reply SetBatchBehaviour(JsonObject? body)
    {
        CheckKeys(body, "batches", new[] { "pollsUntilDone", "finalStatus" });
        if (GetInt(body, "pollsUntilDone") is int polls)
        {
            BatchPollsUntilDone = polls;
        }

        if (GetString(body, "finalStatus") is string status)
        {
            if (status is not ("completed" or "failed" or "expired"))
            {
                throw new ControlException("finalStatus must be completed, failed or expired.");
            }

            BatchFinalStatus = status;
        }

        return ControlJson(200, Json.Write(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("pollsUntilDone", BatchPollsUntilDone);
            w.WriteString("finalStatus", BatchFinalStatus);
            w.WriteEndObject();
        }));
    }

    /// <summary>Parses one enqueue entry (see README.md) into a reply, its repeat count and its path filter.</summary>
    internal static (FakeResponse Response, int Count, string? PathContains) ParseEnqueue(JsonNode? node)
    {
        if (node is not JsonObject o)
        {
            throw new ControlException("Each enqueue entry must be a JSON object with a \"kind\".");
        }

        string kind = (GetString(o, "kind") ?? throw new ControlException("Missing \"kind\".")).ToLowerInvariant();
        Dictionary<string, string>? headers = null;
        if (o["headers"] is JsonObject h)
        {
            headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach (KeyValuePair<string, JsonNode?> pair in h)
            {
                headers[pair.Key] = pair.Value is JsonValue v && v.TryGetValue(out string? s) ? s : pair.Value?.ToJsonString() ?? string.Empty;
            }
        }
        else if (o["headers"] is not null)
        {
            throw new ControlException("\"headers\" must be an object of name → value.");
        }

        int? status = GetInt(o, "status");
        Action<SuccessShape>? customize = ParseSuccessKnobs(o);
        FakeResponse response;
        switch (kind)
        {
            case "error":
                CheckKeys(o, kind, new[] { "message", "type", "code", "param" });
                response = FakeResponse.Error(
                    status ?? 500,
                    GetString(o, "message") ?? "The server had an error while processing your request. Sorry about that!",
                    GetString(o, "type"),
                    GetString(o, "code"),
                    GetString(o, "param"),
                    headers);
                break;
            case "json":
                CheckKeys(o, kind, new[] { "body" });
                string jsonBody = o["body"] switch
                {
                    null => "{}",
                    JsonValue v when v.TryGetValue(out string? s) => s,
                    JsonNode n => n.ToJsonString(),
                };
                response = FakeResponse.Json(status ?? 200, jsonBody, headers);
                break;
            case "raw":
                CheckKeys(o, kind, new[] { "contentType", "body", "bodyBase64" });
                byte[] rawBody = GetString(o, "bodyBase64") is string b64
                    ? Convert.FromBase64String(b64)
                    : Encoding.UTF8.GetBytes(GetString(o, "body") ?? string.Empty);
                response = FakeResponse.Raw(status ?? 200, GetString(o, "contentType") ?? "text/plain", rawBody, headers);
                break;
            case "html":
                CheckKeys(o, kind, Array.Empty<string>());
                response = FakeResponse.Html(status ?? 502, headers);
                break;
            case "empty":
                CheckKeys(o, kind, Array.Empty<string>());
                response = FakeResponse.Empty(status ?? 500, headers);
                break;
            case "truncated":
                CheckKeys(o, kind, SuccessKeys);
                response = FakeResponse.Truncated(headers, customize);
                break;
            case "reset":
                CheckKeys(o, kind, SuccessKeys.Append("bytes").ToArray());
                response = FakeResponse.ResetMidBody(GetInt(o, "bytes") ?? 200, headers, customize);
                break;
            case "stall":
                CheckKeys(o, kind, SuccessKeys.Append("ms").ToArray());
                response = FakeResponse.Stall(TimeSpan.FromMilliseconds(GetDouble(o, "ms") ?? throw new ControlException("stall needs \"ms\".")), headers, customize);
                break;
            case "hold":
                CheckKeys(o, kind, SuccessKeys.Append("then").ToArray());
                if (o["then"] is JsonNode then)
                {
                    if (headers is not null || customize is not null || status is not null)
                    {
                        throw new ControlException("A hold with \"then\" takes its reply's properties inside \"then\".");
                    }

                    (FakeResponse thenResponse, int thenCount, string? thenPath) = ParseEnqueue(then);
                    if (thenCount != 1 || thenPath is not null)
                    {
                        throw new ControlException("\"then\" takes no \"count\" or \"pathContains\" (put them on the hold).");
                    }

                    response = FakeResponse.Hold(thenResponse);
                }
                else
                {
                    response = FakeResponse.Hold(headers, customize);
                }

                break;
            case "trickle":
                CheckKeys(o, kind, SuccessKeys.Concat(new[] { "chunk", "intervalMs" }).ToArray());
                response = FakeResponse.Trickle(GetInt(o, "chunk") ?? 16, TimeSpan.FromMilliseconds(GetDouble(o, "intervalMs") ?? 50), headers, customize);
                break;
            case "success":
                CheckKeys(o, kind, SuccessKeys);
                response = FakeResponse.Success(customize, headers);
                break;
            default:
                throw new ControlException($"Unknown kind '{kind}' (error, json, raw, html, empty, truncated, reset, stall, hold, trickle, success).");
        }

        int count = GetInt(o, "count") ?? 1;
        if (count < 1)
        {
            throw new ControlException("\"count\" must be at least 1.");
        }

        return (response, count, GetString(o, "pathContains"));
    }

    private static Action<SuccessShape>? ParseSuccessKnobs(JsonObject o)
    {
        if (!SuccessKeys.Any(o.ContainsKey))
        {
            return null;
        }

        int? dataCount = GetInt(o, "dataCount");
        bool? omitData = GetBool(o, "omitData");
        string? responseFormat = GetString(o, "responseFormat");
        string? outputFormat = GetString(o, "outputFormat");
        string? size = GetString(o, "size");
        string? quality = GetString(o, "quality");
        string? background = GetString(o, "background");
        bool? includeMetadata = GetBool(o, "includeMetadata");
        bool? omitUsage = GetBool(o, "omitUsage");
        JsonObject? usage = o["usage"] as JsonObject;
        bool? omitRequestId = GetBool(o, "omitRequestId");
        bool? extraFields = GetBool(o, "extraFields");
        bool? explicitNulls = GetBool(o, "explicitNulls");
        string? revisedPrompt = GetString(o, "revisedPrompt");
        long? created = GetInt(o, "created");
        byte[]? image = GetString(o, "imageBase64") is string b64 ? Convert.FromBase64String(b64) : null;
        int? padImageTo = GetInt(o, "padImageTo");
        bool? stream = GetBool(o, "stream");
        int? partialImages = GetInt(o, "partialImages");
        bool? omitCompleted = GetBool(o, "omitCompleted");
        string? streamError = GetString(o, "streamError");
        string? streamErrorCode = GetString(o, "streamErrorCode");
        string? sseLineEnding = GetString(o, "sseLineEnding");
        double? eventDelayMs = GetDouble(o, "eventDelayMs");
        int? statusCode = GetInt(o, "statusCode");
        int? inText = GetInt(usage, "inputTextTokens");
        int? inImage = GetInt(usage, "inputImageTokens");
        int? outImage = GetInt(usage, "outputImageTokens");
        int? outText = GetInt(usage, "outputTextTokens");

        return shape =>
        {
            if (dataCount is int c) shape.Count = c;
            if (omitData is bool od) shape.OmitData = od;
            if (responseFormat is not null) shape.ResponseFormat = responseFormat;
            if (outputFormat is not null) shape.OutputFormat = outputFormat;
            if (size is not null) shape.Size = size;
            if (quality is not null) shape.Quality = quality;
            if (background is not null) shape.Background = background;
            if (includeMetadata is bool im) shape.IncludeMetadata = im;
            if (omitUsage is bool ou) shape.OmitUsage = ou;
            if (inText is int a) shape.Usage.InputTextTokens = a;
            if (inImage is int b) shape.Usage.InputImageTokens = b;
            if (outImage is int d) shape.Usage.OutputImageTokens = d;
            if (outText is int e) shape.Usage.OutputTextTokens = e;
            if (omitRequestId is bool ori) shape.OmitRequestId = ori;
            if (extraFields is bool ef) shape.ExtraFields = ef;
            if (explicitNulls is bool en) shape.ExplicitNulls = en;
            if (revisedPrompt is not null) shape.RevisedPrompt = revisedPrompt;
            if (created is long cr) shape.Created = cr;
            if (image is not null) shape.ImageBytes = image;
            if (padImageTo is int pad) shape.PadImageTo = pad;
            if (stream is bool st) shape.Stream = st;
            if (partialImages is int pi) shape.PartialImages = pi;
            if (omitCompleted is bool oc) shape.OmitCompletedEvent = oc;
            if (streamError is not null) shape.StreamErrorMessage = streamError;
            if (streamErrorCode is not null) shape.StreamErrorCode = streamErrorCode;
            if (sseLineEnding is not null) shape.SseLineEnding = sseLineEnding;
            if (eventDelayMs is double ms) shape.EventDelay = TimeSpan.FromMilliseconds(ms);
            if (statusCode is int sc) shape.StatusCode = sc;
        };
    }

    private static void CheckKeys(JsonObject? o, string kind, string[] allowed)
    {
        if (o is null)
        {
            return;
        }

        foreach (string key in o.Select(p => p.Key))
        {
            if (!(kind is not ("batches" or "models" or "release") && CommonKeys.Contains(key)) && !allowed.Contains(key))
            {
                throw new ControlException($"Unknown property '{key}' for kind '{kind}'.");
            }
        }
    }

    private static string? GetString(JsonObject? o, string name) =>
        o?[name] switch
        {
            null => null,
            JsonValue v when v.TryGetValue(out string? s) => s,
            JsonNode n => throw new ControlException($"\"{name}\" must be a string, not {n.ToJsonString()}."),
        };

    private static int? GetInt(JsonObject? o, string name) =>
        o?[name] switch
        {
            null => null,
            JsonValue v when v.TryGetValue(out int i) => i,
            JsonValue v when v.TryGetValue(out string? s) && int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out int j) => j,
            JsonNode n => throw new ControlException($"\"{name}\" must be an integer, not {n.ToJsonString()}."),
        };

    private static double? GetDouble(JsonObject? o, string name) =>
        o?[name] switch
        {
            null => null,
            JsonValue v when v.TryGetValue(out double d) => d,
            JsonNode n => throw new ControlException($"\"{name}\" must be a number, not {n.ToJsonString()}."),
        };

    private static bool? GetBool(JsonObject? o, string name) =>
        o?[name] switch
        {
            null => null,
            JsonValue v when v.TryGetValue(out bool b) => b,
            JsonNode n => throw new ControlException($"\"{name}\" must be true or false, not {n.ToJsonString()}."),
        };

    /// <summary>GET /_fake/requests: every recorded request as JSON.</summary>
    internal static byte[] WriteRequests(IReadOnlyList<RecordedRequest> requests) => Json.Write(w =>
    {
        var strictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);
        w.WriteStartArray();
        foreach (RecordedRequest r in requests)
        {
            w.WriteStartObject();
            w.WriteNumber("sequence", r.Sequence);
            w.WriteString("method", r.Method);
            w.WriteString("path", r.Path);
            w.WriteString("queryString", r.QueryString);
            w.WriteString("pathAndQuery", r.PathAndQuery);
            w.WriteBoolean("isDownload", r.IsDownload);
            WriteHeaders(w, r.Headers);
            Json.WriteNullable(w, "contentType", r.ContentType);
            w.WriteNumber("bodyLength", r.Body.Length);
            w.WriteBase64String("bodyBase64", r.Body);
            Json.WriteNullable(w, "bodyText", r.Parts.Count > 0 ? null : TryUtf8(strictUtf8, r.Body));
            w.WritePropertyName("json");
            if (r.Json is null)
            {
                w.WriteNullValue();
            }
            else
            {
                r.Json.WriteTo(w);
            }

            Json.WriteNullable(w, "multipartError", r.MultipartError);
            w.WriteStartArray("parts");
            foreach (RecordedPart p in r.Parts)
            {
                w.WriteStartObject();
                Json.WriteNullable(w, "name", p.Name);
                Json.WriteNullable(w, "fileName", p.FileName);
                Json.WriteNullable(w, "contentType", p.ContentType);
                Json.WriteNullable(w, "contentDisposition", p.ContentDisposition);
                w.WriteBoolean("isFile", p.IsFile);
                w.WriteNumber("length", p.Data.Length);
                w.WriteBase64String("dataBase64", p.Data);
                Json.WriteNullable(w, "text", TryUtf8(strictUtf8, p.Data));
                WriteHeaders(w, p.Headers);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteString("receivedAt", r.ReceivedAt.ToString("O", CultureInfo.InvariantCulture));
            w.WriteString("connectionId", r.ConnectionId);
            w.WriteString("protocol", r.Protocol);
            w.WriteEndObject();
        }

        w.WriteEndArray();
    });

    private static void WriteHeaders(Utf8JsonWriter w, IReadOnlyDictionary<string, string[]> headers)
    {
        w.WriteStartObject("headers");
        foreach (KeyValuePair<string, string[]> header in headers.OrderBy(h => h.Key, StringComparer.OrdinalIgnoreCase))
        {
            w.WriteStartArray(header.Key.ToLowerInvariant());
            foreach (string value in header.Value)
            {
                w.WriteStringValue(value);
            }

            w.WriteEndArray();
        }

        w.WriteEndObject();
    }

    private static string? TryUtf8(UTF8Encoding strict, byte[] data)
    {
        try
        {
            return strict.GetString(data);
        }
        catch (ArgumentException)
        {
            return null;
        }
    }

    private sealed class ControlException : Exception
    {
        public ControlException(string message)
            : base(message)
        {
        }
    }
}
