using System;
using System.Collections.Generic;
using System.Text;

namespace OpenAI.Images.FakeApi;

/// <summary>What kind of reply a <see cref="FakeResponse"/> produces.</summary>
public enum FakeResponseKind
{
    /// <summary>The route's normal success (optionally customised by <see cref="FakeResponse.Customize"/>).</summary>
    Success,
    /// <summary>OpenAI's error envelope <c>{"error":{"message","type","param","code"}}</c>.</summary>
    Error,
    /// <summary>A fixed JSON body.</summary>
    Json,
    /// <summary>A fixed body of any content type.</summary>
    Raw,
    /// <summary>A proxy's HTML error page (nginx style).</summary>
    Html,
    /// <summary>A status with an empty body.</summary>
    Empty,
    /// <summary>200 with the success body cut off mid <c>b64_json</c>; the response then ends cleanly (chunked, no Content-Length).</summary>
    Truncated,
    /// <summary>200, headers and the first bytes of the success body, then the connection is aborted.</summary>
    ResetMidBody,
    /// <summary>Waits (honouring cancellation) before sending the default success.</summary>
    Stall,
    /// <summary>The default success, written in small flushed chunks with a pause between them.</summary>
    Trickle,
    /// <summary>Nothing until the test releases the request (<see cref="FakeOpenAIServer.Release(int)"/>), then the default success.</summary>
    Hold,
    /// <summary>
    /// The request takes effect (the route runs: a file or batch is stored), but the client gets another reply
    /// (<see cref="FakeResponse.Then"/>): a proxy's 502/504 after the upstream did the work.
    /// </summary>
    Processed,
}

/// <summary>
/// A reply to inject (<see cref="FakeOpenAIServer.Enqueue"/>, <see cref="FakeOpenAIServer.Responder"/>).
/// Every factory takes extra response headers, e.g. <c>retry-after</c>, <c>retry-after-ms</c>, <c>x-should-retry</c>.
/// </summary>
public sealed class FakeResponse
{
    private FakeResponse(FakeResponseKind kind, int status, IDictionary<string, string>? headers)
    {
        Kind = kind;
        Status = status;
        Headers = headers is null
            ? new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
            : new Dictionary<string, string>(headers, StringComparer.OrdinalIgnoreCase);
    }

    /// <summary>The reply's kind.</summary>
    public FakeResponseKind Kind { get; private set; }

    /// <summary>HTTP status (200 for the success-based kinds).</summary>
    public int Status { get; private set; }

    /// <summary>Extra response headers (added after the defaults; same name replaces).</summary>
    public IReadOnlyDictionary<string, string> Headers { get; private set; }

    /// <summary>Error: the message. Null for other kinds.</summary>
    public string? ErrorMessage { get; private set; }

    /// <summary>Error: <c>type</c> (null → JSON null).</summary>
    public string? ErrorType { get; private set; }

    /// <summary>Error: <c>code</c> (null → JSON null).</summary>
    public string? ErrorCode { get; private set; }

    /// <summary>Error: <c>param</c> (null → JSON null).</summary>
    public string? ErrorParam { get; private set; }

    /// <summary>Json/Raw/Html: the body.</summary>
    public byte[]? Body { get; private set; }

    /// <summary>Json/Raw/Html: the content type.</summary>
    public string? ContentType { get; private set; }

    /// <summary>ResetMidBody: how many body bytes are sent before the connection is aborted.</summary>
    public int BytesBeforeReset { get; private set; }

    /// <summary>Stall: how long to wait before answering.</summary>
    public TimeSpan Delay { get; private set; }

    /// <summary>Trickle: bytes per chunk.</summary>
    public int ChunkSize { get; private set; }

    /// <summary>Trickle: pause between chunks.</summary>
    public TimeSpan Interval { get; private set; }

    /// <summary>Processed: the reply the client gets instead of the route's own. Hold: the reply once released (null: the success).</summary>
    public FakeResponse? Then { get; private set; }

    /// <summary>Success (and the kinds built on the success body): changes to the default shape.</summary>
    public Action<SuccessShape>? Customize { get; private set; }

    /// <summary>
    /// An OpenAI error: <c>{"error":{"message":…,"type":…,"param":…,"code":…}}</c> with an <c>x-request-id</c> header.
    /// <paramref name="type"/> defaults by status: 403 permission_error, 429 requests, 5xx server_error,
    /// anything else invalid_request_error.
    /// </summary>
    public static FakeResponse Error(int status, string message, string? type = null, string? code = null, string? param = null, IDictionary<string, string>? headers = null) =>
        new(FakeResponseKind.Error, status, headers)
        {
            ErrorMessage = message,
            ErrorType = type ?? DefaultErrorType(status),
            ErrorCode = code,
            ErrorParam = param,
        };

    /// <summary>429 rate limit (<c>type</c> and <c>code</c> <c>rate_limit_exceeded</c>), optionally with <c>retry-after-ms</c>.</summary>
    public static FakeResponse RateLimited(int? retryAfterMs = null, IDictionary<string, string>? headers = null)
    {
        var h = new Dictionary<string, string>(headers ?? new Dictionary<string, string>(), StringComparer.OrdinalIgnoreCase);
        if (retryAfterMs is int ms)
        {
            h["retry-after-ms"] = ms.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return Error(429, "Rate limit reached for gpt-image-1 in organization org-fake on images per minute (IPM): Limit 5, Used 5, Requested 1. Please try again in 12s.", "requests", "rate_limit_exceeded", null, h);
    }

    /// <summary>A fixed JSON body.</summary>
    public static FakeResponse Json(int status, string body, IDictionary<string, string>? headers = null) =>
        new(FakeResponseKind.Json, status, headers) { Body = Encoding.UTF8.GetBytes(body), ContentType = "application/json" };

    /// <summary>A fixed body with any content type.</summary>
    public static FakeResponse Raw(int status, string contentType, byte[] body, IDictionary<string, string>? headers = null) =>
        new(FakeResponseKind.Raw, status, headers) { Body = body, ContentType = contentType };

    /// <summary>A realistic reverse-proxy HTML error page (nginx style, e.g. "502 Bad Gateway"), <c>text/html</c>.</summary>
    public static FakeResponse Html(int status, IDictionary<string, string>? headers = null)
    {
        string title = $"{status} {ReasonPhrase(status)}";
        string page = "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title
            + "</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";
        return new FakeResponse(FakeResponseKind.Html, status, headers) { Body = Encoding.ASCII.GetBytes(page), ContentType = "text/html" };
    }

    /// <summary>The status with an empty body (<c>Content-Length: 0</c>).</summary>
    public static FakeResponse Empty(int status, IDictionary<string, string>? headers = null) =>
        new(FakeResponseKind.Empty, status, headers);

    /// <summary>200 with the success body cut off in the middle of the first <c>b64_json</c> value; the (chunked) response then ends normally.</summary>
    public static FakeResponse Truncated(IDictionary<string, string>? headers = null, Action<SuccessShape>? customize = null) =>
        new(FakeResponseKind.Truncated, 200, headers) { Customize = customize };

    /// <summary>200 headers (with the full Content-Length) and <paramref name="bytesBeforeReset"/> bytes of the success body, then the connection is aborted.</summary>
    public static FakeResponse ResetMidBody(int bytesBeforeReset = 200, IDictionary<string, string>? headers = null, Action<SuccessShape>? customize = null)
    {
        if (bytesBeforeReset < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(bytesBeforeReset));
        }

        return new FakeResponse(FakeResponseKind.ResetMidBody, 200, headers) { BytesBeforeReset = bytesBeforeReset, Customize = customize };
    }

    /// <summary>Waits <paramref name="delay"/> before sending anything (a client timeout or cancellation ends it), then the default success.</summary>
    public static FakeResponse Stall(TimeSpan delay, IDictionary<string, string>? headers = null, Action<SuccessShape>? customize = null) =>
        new(FakeResponseKind.Stall, 200, headers) { Delay = delay, Customize = customize };

    /// <summary>
    /// Sends nothing until the test releases the request (<see cref="FakeOpenAIServer.Release(int)"/>,
    /// <c>POST /_fake/release</c>), then the default success. Client cancellation, <see cref="FakeOpenAIServer.Reset"/>
    /// and server dispose cut it off. While it waits it counts in <see cref="FakeOpenAIServer.Held"/>: a test asserts
    /// concurrency by that state and order by the order it releases in, never by time.
    /// </summary>
    public static FakeResponse Hold(IDictionary<string, string>? headers = null, Action<SuccessShape>? customize = null) =>
        new(FakeResponseKind.Hold, 200, headers) { Customize = customize };

    /// <summary>Like <see cref="Hold(IDictionary{string, string}?, Action{SuccessShape}?)"/>, then <paramref name="then"/> (e.g. a 429) instead of the success.</summary>
    public static FakeResponse Hold(FakeResponse then)
    {
        ArgumentNullException.ThrowIfNull(then);
        if (then.Kind is FakeResponseKind.Hold or FakeResponseKind.Processed)
        {
            throw new ArgumentException($"A held request's reply must not be {then.Kind}.", nameof(then));
        }

        return new FakeResponse(FakeResponseKind.Hold, then.Status, null) { Then = then };
    }

    /// <summary>
    /// The default success sent <paramref name="chunkSize"/> bytes at a time, flushed, with <paramref name="interval"/> between chunks.
    /// A long interval gives "headers and a first chunk, then silence".
    /// </summary>
    public static FakeResponse Trickle(int chunkSize, TimeSpan interval, IDictionary<string, string>? headers = null, Action<SuccessShape>? customize = null)
    {
        if (chunkSize <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(chunkSize));
        }

        return new FakeResponse(FakeResponseKind.Trickle, 200, headers) { ChunkSize = chunkSize, Interval = interval, Customize = customize };
    }

    /// <summary>The default success, changed by <paramref name="customize"/> (omit usage or x-request-id, add unknown fields, ...).</summary>
    public static FakeResponse Success(Action<SuccessShape>? customize = null, IDictionary<string, string>? headers = null) =>
        new(FakeResponseKind.Success, 200, headers) { Customize = customize };

    /// <summary>
    /// The request takes effect as usual (POST /batches stores the batch, POST /files the file), then the client gets
    /// <paramref name="then"/> instead of the route's answer, e.g. <c>Processed(Html(502))</c>: the response was lost on
    /// the way back. <paramref name="then"/> must be a reply that does not run the route again (error, json, raw, html, empty).
    /// </summary>
    public static FakeResponse Processed(FakeResponse then)
    {
        if (then.Kind is not (FakeResponseKind.Error or FakeResponseKind.Json or FakeResponseKind.Raw or FakeResponseKind.Html or FakeResponseKind.Empty))
        {
            throw new ArgumentException($"A processed request's reply must not run the route again, not {then.Kind}.", nameof(then));
        }

        return new FakeResponse(FakeResponseKind.Processed, then.Status, null) { Then = then };
    }

    /// <summary>A copy with one more response header.</summary>
    public FakeResponse WithHeader(string name, string value)
    {
        FakeResponse copy = (FakeResponse)MemberwiseClone();
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (KeyValuePair<string, string> h in Headers)
        {
            headers[h.Key] = h.Value;
        }

        headers[name] = value;
        copy.Headers = headers;
        return copy;
    }

    /// <inheritdoc />
    public override string ToString() => Kind switch
    {
        FakeResponseKind.Error => $"Error {Status} {ErrorType}/{ErrorCode}: {ErrorMessage}",
        FakeResponseKind.Stall => $"Stall {Delay}",
        FakeResponseKind.Hold => Then is null ? "Hold until released" : $"Hold until released, then {Then}",
        FakeResponseKind.Trickle => $"Trickle {ChunkSize} bytes every {Interval}",
        FakeResponseKind.ResetMidBody => $"ResetMidBody after {BytesBeforeReset} bytes",
        FakeResponseKind.Processed => $"Processed, then {Then}",
        _ => $"{Kind} {Status}",
    };

    internal static string DefaultErrorType(int status) => status switch
    {
        401 => "invalid_request_error",
        403 => "permission_error",
        429 => "requests",
        >= 500 => "server_error",
        _ => "invalid_request_error",
    };

    internal static string ReasonPhrase(int status)
    {
        string phrase = Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);
        return phrase.Length == 0 ? "Error" : phrase;
    }
}
