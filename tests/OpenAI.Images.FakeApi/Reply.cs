using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Http;

namespace OpenAI.Images.FakeApi;

/// <summary>A reply ready to write: status, headers and the body as segments (one per SSE event, flushed as sent).</summary>
internal sealed class Reply
{
    private static readonly byte[] B64JsonKey = Encoding.ASCII.GetBytes("\"b64_json\":\"");

    public int Status { get; set; } = 200;

    public string? ContentType { get; set; }

    public List<byte[]> Segments { get; } = new();

    public bool IsStream { get; set; }

    public TimeSpan SegmentDelay { get; set; }

    /// <summary>Response headers in order (names compared case-insensitively).</summary>
    public List<KeyValuePair<string, string>> Headers { get; } = new();

    public static Reply FromBytes(int status, string? contentType, byte[] body)
    {
        var reply = new Reply { Status = status, ContentType = contentType };
        reply.Segments.Add(body);
        return reply;
    }

    /// <summary>OpenAI's error envelope with the usual OpenAI headers.</summary>
    public static Reply OpenAIError(int status, string message, string? type, string? code, string? param)
    {
        Reply reply = FromBytes(status, "application/json", ErrorBody(message, type, code, param));
        reply.AddOpenAIHeaders();
        return reply;
    }

    public static byte[] ErrorBody(string message, string? type, string? code, string? param) => Json.Write(w =>
    {
        w.WriteStartObject();
        w.WriteStartObject("error");
        w.WriteString("message", message);
        Json.WriteNullable(w, "type", type);
        Json.WriteNullable(w, "param", param);
        Json.WriteNullable(w, "code", code);
        w.WriteEndObject();
        w.WriteEndObject();
    }, indented: true);

    public void SetHeader(string name, string value)
    {
        RemoveHeader(name);
        Headers.Add(new KeyValuePair<string, string>(name, value));
    }

    public void RemoveHeader(string name) =>
        Headers.RemoveAll(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase));

    /// <summary><c>x-request-id: req_{32 hex}</c>, <c>openai-processing-ms</c>, <c>openai-version</c>.</summary>
    public void AddOpenAIHeaders()
    {
        SetHeader("openai-version", "2020-10-01");
        SetHeader("openai-processing-ms", RandomNumberGenerator.GetInt32(40, 4000).ToString(System.Globalization.CultureInfo.InvariantCulture));
        SetHeader("x-request-id", NewRequestId());
    }

    public static string NewRequestId() => "req_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public byte[] Concat()
    {
        if (Segments.Count == 1)
        {
            return Segments[0];
        }

        using var all = new MemoryStream();
        foreach (byte[] segment in Segments)
        {
            all.Write(segment);
        }

        return all.ToArray();
    }

    /// <summary>Where <see cref="FakeResponseKind.Truncated"/> cuts: half way into the first b64_json value, else half way.</summary>
    public static int TruncationPoint(byte[] body)
    {
        int key = body.AsSpan().IndexOf(B64JsonKey);
        if (key >= 0)
        {
            int start = key + B64JsonKey.Length;
            int end = body.AsSpan(start).IndexOf((byte)'"');
            int length = end < 0 ? body.Length - start : end;
            return start + Math.Max(1, length / 2);
        }

        return body.Length / 2;
    }

    private void ApplyHeaders(HttpResponse response, bool contentLength, long length)
    {
        response.StatusCode = Status;
        if (ContentType is not null)
        {
            response.ContentType = ContentType;
        }

        foreach (KeyValuePair<string, string> header in Headers)
        {
            response.Headers[header.Key] = header.Value;
        }

        if (contentLength)
        {
            response.ContentLength = length;
        }
    }

    /// <summary>The normal write: Content-Length for plain bodies, chunked and flushed per segment for streams.</summary>
    public async Task WriteAsync(HttpContext context, CancellationToken cancellationToken)
    {
        HttpResponse response = context.Response;
        if (IsStream)
        {
            ApplyHeaders(response, contentLength: false, 0);
            response.Headers.CacheControl = "no-cache";
            await response.StartAsync(cancellationToken).ConfigureAwait(false);
            for (int i = 0; i < Segments.Count; i++)
            {
                if (i > 0 && SegmentDelay > TimeSpan.Zero)
                {
                    await Task.Delay(SegmentDelay, cancellationToken).ConfigureAwait(false);
                }

                await response.Body.WriteAsync(Segments[i], cancellationToken).ConfigureAwait(false);
                await response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
            }

            return;
        }

        byte[] body = Concat();
        ApplyHeaders(response, contentLength: true, body.Length);
        if (body.Length > 0)
        {
            await response.Body.WriteAsync(body, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The body cut mid b64_json, no Content-Length; the chunked response then ends normally.</summary>
    public async Task WriteTruncatedAsync(HttpContext context, CancellationToken cancellationToken)
    {
        byte[] body = Concat();
        ApplyHeaders(context.Response, contentLength: false, 0);
        await context.Response.StartAsync(cancellationToken).ConfigureAwait(false);
        await context.Response.Body.WriteAsync(body.AsMemory(0, TruncationPoint(body)), cancellationToken).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Headers (with the full Content-Length unless streaming), the first bytes, then the connection is aborted.</summary>
    public async Task WriteThenResetAsync(HttpContext context, int bytesBeforeReset, CancellationToken cancellationToken)
    {
        byte[] body = Concat();
        int count = Math.Min(bytesBeforeReset, Math.Max(0, body.Length - 1));
        ApplyHeaders(context.Response, contentLength: !IsStream, body.Length);
        await context.Response.StartAsync(cancellationToken).ConfigureAwait(false);
        if (count > 0)
        {
            await context.Response.Body.WriteAsync(body.AsMemory(0, count), cancellationToken).ConfigureAwait(false);
        }

        await context.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);

        // Let the flushed bytes reach the socket before the connection is torn down.
        await Task.Delay(50, cancellationToken).ConfigureAwait(false);
        context.Abort();
    }

    /// <summary>The whole body in flushed chunks with a pause between them.</summary>
    public async Task WriteTrickleAsync(HttpContext context, int chunkSize, TimeSpan interval, CancellationToken cancellationToken)
    {
        byte[] body = Concat();
        ApplyHeaders(context.Response, contentLength: !IsStream, body.Length);
        if (IsStream)
        {
            context.Response.Headers.CacheControl = "no-cache";
        }

        await context.Response.StartAsync(cancellationToken).ConfigureAwait(false);
        for (int offset = 0; offset < body.Length; offset += chunkSize)
        {
            if (offset > 0 && interval > TimeSpan.Zero)
            {
                await Task.Delay(interval, cancellationToken).ConfigureAwait(false);
            }

            await context.Response.Body.WriteAsync(body.AsMemory(offset, Math.Min(chunkSize, body.Length - offset)), cancellationToken).ConfigureAwait(false);
            await context.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}

/// <summary>Small Utf8JsonWriter helpers (no reflection serialization anywhere in the fake).</summary>
internal static class Json
{
    // Like OpenAI's servers: '+', '/', '&' and non-ASCII are written as they are, not as \uXXXX escapes
    // (a client's incremental base64 decoder must see the same bytes the real API sends).
    private static readonly JsonWriterOptions Compact = new() { Indented = false, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private static readonly JsonWriterOptions Pretty = new() { Indented = true, IndentSize = 4, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Write(Action<Utf8JsonWriter> write, bool indented = false)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, indented ? Pretty : Compact))
        {
            write(writer);
        }

        return buffer.ToArray();
    }

    public static void WriteNullable(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    public static void WriteNullable(Utf8JsonWriter writer, string name, long? value)
    {
        if (value is long v)
        {
            writer.WriteNumber(name, v);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
