using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;

namespace OpenAI.Images.FakeApi;

/// <summary>One request the fake received, exactly as it arrived (recorded before any reply is chosen).</summary>
public sealed class RecordedRequest
{
    internal RecordedRequest(
        long sequence,
        string method,
        string path,
        string queryString,
        IReadOnlyDictionary<string, string[]> headers,
        string? contentType,
        byte[] body,
        JsonNode? json,
        IReadOnlyList<RecordedPart> parts,
        string? multipartError,
        DateTimeOffset receivedAt,
        string connectionId,
        string protocol)
    {
        Sequence = sequence;
        Method = method;
        Path = path;
        QueryString = queryString;
        Headers = headers;
        ContentType = contentType;
        Body = body;
        Json = json;
        Parts = parts;
        MultipartError = multipartError;
        ReceivedAt = receivedAt;
        ConnectionId = connectionId;
        Protocol = protocol;
    }

    /// <summary>
    /// 1-based arrival number since the server started (not reset by <see cref="FakeOpenAIServer.ClearRequests"/>): the
    /// order in which requests were read whole, which is also the order in which they take queued replies.
    /// </summary>
    public long Sequence { get; internal set; }

    /// <summary>HTTP method, e.g. <c>POST</c>.</summary>
    public string Method { get; }

    /// <summary>Path without the query, e.g. <c>/v1/images/generations</c>.</summary>
    public string Path { get; }

    /// <summary>Query string including the leading <c>?</c>, or empty.</summary>
    public string QueryString { get; }

    /// <summary>Request headers; names are case-insensitive. Every value of a repeated header is kept.</summary>
    public IReadOnlyDictionary<string, string[]> Headers { get; }

    /// <summary>The <c>Content-Type</c> header, or null.</summary>
    public string? ContentType { get; }

    /// <summary>The raw request body (empty when there was none).</summary>
    public byte[] Body { get; }

    /// <summary>The body parsed as JSON when the content type is JSON and the body parses; otherwise null.</summary>
    public JsonNode? Json { get; }

    /// <summary>The parts of a <c>multipart/form-data</c> body in the order sent; empty otherwise.</summary>
    public IReadOnlyList<RecordedPart> Parts { get; }

    /// <summary>Why a multipart body could not be parsed (null when it parsed or was not multipart).</summary>
    public string? MultipartError { get; }

    /// <summary>When the request line arrived (UTC).</summary>
    public DateTimeOffset ReceivedAt { get; }

    /// <summary>Kestrel's connection id: equal ids mean the client reused a pooled connection.</summary>
    public string ConnectionId { get; }

    /// <summary>e.g. <c>HTTP/1.1</c>.</summary>
    public string Protocol { get; }

    /// <summary>Path and query, e.g. <c>/openai/deployments/d/images/edits?api-version=2025-04-01-preview</c>.</summary>
    public string PathAndQuery => Path + QueryString;

    /// <summary>True for <c>GET /_fake/download/...</c> (the image host that dall-e <c>url</c> items point at).</summary>
    public bool IsDownload => Path.StartsWith(FakeOpenAIServer.DownloadPathPrefix, StringComparison.Ordinal);

    /// <summary>The body decoded as UTF-8 (lossy for binary bodies).</summary>
    public string BodyText => Encoding.UTF8.GetString(Body);

    /// <summary>First value of a header, or null when absent.</summary>
    public string? Header(string name) =>
        Headers.TryGetValue(name, out string[]? values) && values.Length > 0 ? values[0] : null;

    /// <summary>True when the header is present (with any value).</summary>
    public bool HasHeader(string name) => Headers.ContainsKey(name);

    /// <summary>Text of the LAST multipart part with this name (as a server that keeps the last value sees it), or null.</summary>
    public string? Field(string name)
    {
        for (int i = Parts.Count - 1; i >= 0; i--)
        {
            if (string.Equals(Parts[i].Name, name, StringComparison.Ordinal))
            {
                return Parts[i].Text;
            }
        }

        return null;
    }

    /// <summary>Every multipart part with this name, in order (text fields and files).</summary>
    public IReadOnlyList<RecordedPart> PartsNamed(string name) =>
        Parts.Where(p => string.Equals(p.Name, name, StringComparison.Ordinal)).ToArray();

    /// <summary>Every multipart FILE part (one with a filename) with this name, e.g. <c>"image[]"</c>, in order.</summary>
    public IReadOnlyList<RecordedPart> Files(string name) =>
        Parts.Where(p => p.IsFile && string.Equals(p.Name, name, StringComparison.Ordinal)).ToArray();

    /// <summary>
    /// A request parameter by name, whatever the encoding: the JSON property (string value, or raw JSON text
    /// for numbers, booleans, objects) or the last multipart field. Null when absent or JSON null.
    /// </summary>
    public string? Parameter(string name)
    {
        return Parts.Count > 0 ? Field(name) : ImageRoutes.FromJson(Json as JsonObject)(name);
    }

    /// <inheritdoc />
    public override string ToString() => $"{Method} {PathAndQuery} ({Body.Length} bytes)";
}

/// <summary>One part of a recorded multipart/form-data body.</summary>
public sealed class RecordedPart
{
    internal RecordedPart(string? name, string? fileName, string? contentType, string? contentDisposition, IReadOnlyDictionary<string, string[]> headers, byte[] data)
    {
        Name = name;
        FileName = fileName;
        ContentType = contentType;
        ContentDisposition = contentDisposition;
        Headers = headers;
        Data = data;
    }

    /// <summary>The <c>name</c> parameter of Content-Disposition (unquoted), or null.</summary>
    public string? Name { get; }

    /// <summary>
    /// The file name as a server sees it: <c>filename*</c> (RFC 5987) when present, else <c>filename</c>
    /// (unquoted; a MIME encoded-word like <c>=?utf-8?B?…?=</c> is decoded). Null for a text field.
    /// Look at <see cref="ContentDisposition"/> to check the exact form the client used.
    /// </summary>
    public string? FileName { get; }

    /// <summary>The part's own <c>Content-Type</c> header, or null when the client sent none.</summary>
    public string? ContentType { get; }

    /// <summary>The raw Content-Disposition header value, exactly as sent (decoded as UTF-8).</summary>
    public string? ContentDisposition { get; }

    /// <summary>All headers of the part (case-insensitive names).</summary>
    public IReadOnlyDictionary<string, string[]> Headers { get; }

    /// <summary>The part's bytes.</summary>
    public byte[] Data { get; }

    /// <summary>True when Content-Disposition carries a filename (or filename*).</summary>
    public bool IsFile => FileName is not null;

    /// <summary>The part's bytes decoded as UTF-8.</summary>
    public string Text => Encoding.UTF8.GetString(Data);

    /// <inheritdoc />
    public override string ToString() => IsFile ? $"{Name} (file '{FileName}', {ContentType}, {Data.Length} bytes)" : $"{Name}={Text}";
}
