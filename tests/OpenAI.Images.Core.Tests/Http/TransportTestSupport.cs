using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using OpenAI.Images.Http;

namespace OpenAI.Images.Core.Tests.Http;

/// <summary>One request as the stub handler saw it (the body is read while the request is alive).</summary>
internal sealed record SeenRequest(HttpMethod Method, Uri? Uri, string? Authorization, byte[] Body);

/// <summary>
/// An <see cref="HttpMessageHandler"/> that answers each attempt with the next scripted reply, recording what was sent.
/// It stands only for OpenAI's servers: replies are real HTTP responses (status, headers, body streams).
/// </summary>
internal sealed class StubHandler : HttpMessageHandler
{
    private readonly ConcurrentQueue<Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>> _replies = new();

    public List<SeenRequest> Requests { get; } = new();

    /// <summary>Used once the scripted replies run out.</summary>
    public Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>>? Fallback { get; set; }

    public StubHandler Then(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> reply)
    {
        _replies.Enqueue(reply);
        return this;
    }

    public StubHandler Then(Func<HttpResponseMessage> reply) => Then((_, _) => Task.FromResult(reply()));

    public StubHandler Then(int times, Func<HttpResponseMessage> reply)
    {
        for (int i = 0; i < times; i++)
        {
            Then(reply);
        }

        return this;
    }

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        byte[] body = request.Content is null ? Array.Empty<byte>() : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        lock (Requests)
        {
            Requests.Add(new SeenRequest(request.Method, request.RequestUri, request.Headers.Authorization?.ToString(), body));
        }

        if (_replies.TryDequeue(out var reply))
        {
            return await reply(request, cancellationToken);
        }

        if (Fallback != null)
        {
            return await Fallback(request, cancellationToken);
        }

        throw new InvalidOperationException("The test sent more requests than it scripted.");
    }
}

/// <summary>Builders for OpenAI-shaped responses and for the faults a real network produces.</summary>
internal static class Replies
{
    public const string RequestId = "req_0123456789abcdef0123456789abcdef";

    public static byte[] Png => TestAssets.Bytes("sample-8x8.png");

    public static string SuccessJson(int images = 1)
    {
        string b64 = Convert.ToBase64String(Png);
        var items = new List<string>();
        for (int i = 0; i < images; i++)
        {
            items.Add("{\"b64_json\":\"" + b64 + "\"}");
        }

        return "{\"created\":1713833628,\"data\":[" + string.Join(",", items) + "],\"usage\":{\"input_tokens\":5,\"output_tokens\":272,\"total_tokens\":277}}";
    }

    public static HttpResponseMessage Success(int images = 1) => Json(200, SuccessJson(images));

    public static HttpResponseMessage Json(int status, string json, params (string Name, string Value)[] headers) =>
        Body(status, "application/json", Encoding.UTF8.GetBytes(json), headers);

    public static HttpResponseMessage Error(int status, string message, string? type, string? code, string? param = null, params (string Name, string Value)[] headers)
    {
        string Quote(string? v) => v is null ? "null" : "\"" + v + "\"";
        string json = "{\"error\":{\"message\":" + Quote(message) + ",\"type\":" + Quote(type) + ",\"param\":" + Quote(param) + ",\"code\":" + Quote(code) + "}}";
        return Json(status, json, headers);
    }

    public static HttpResponseMessage Body(int status, string? contentType, byte[] body, params (string Name, string Value)[] headers) =>
        Stream(status, contentType, new MemoryStream(body), body.Length, headers);

    public static HttpResponseMessage Stream(int status, string? contentType, Stream body, long? length, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status) { Content = new StreamContent(body) };
        if (contentType != null)
        {
            response.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(contentType);
        }

        if (length.HasValue)
        {
            response.Content.Headers.ContentLength = length;
        }

        response.Headers.TryAddWithoutValidation("x-request-id", RequestId);
        foreach ((string name, string value) in headers)
        {
            response.Headers.Remove(name);
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    /// <summary>A 200 whose body breaks (as a reset connection does) after <paramref name="bytesBeforeReset"/> bytes.</summary>
    public static HttpResponseMessage ResetMidBody(int bytesBeforeReset)
    {
        byte[] body = Encoding.UTF8.GetBytes(SuccessJson());
        return Stream(200, "application/json", new FaultingStream(body, bytesBeforeReset, FaultingStream.Fault.Reset), body.Length);
    }

    /// <summary>A 200 whose body simply ends early (a chunked response closed cleanly in the middle of the JSON).</summary>
    public static HttpResponseMessage Truncated()
    {
        byte[] body = Encoding.UTF8.GetBytes(SuccessJson());
        return Stream(200, "application/json", new FaultingStream(body, body.Length / 2, FaultingStream.Fault.End), null);
    }

    /// <summary>A 200 whose body sends some bytes then goes silent until cancelled.</summary>
    public static HttpResponseMessage StallMidBody(int bytesBeforeStall)
    {
        byte[] body = Encoding.UTF8.GetBytes(SuccessJson());
        return Stream(200, "application/json", new FaultingStream(body, bytesBeforeStall, FaultingStream.Fault.Stall), body.Length);
    }

    /// <summary>A reply that never comes: waits until the attempt's token is cancelled.</summary>
    public static async Task<HttpResponseMessage> Never(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        await Task.Delay(Timeout.Infinite, cancellationToken);
        throw new InvalidOperationException("unreachable");
    }

    /// <summary>What SocketsHttpHandler throws when nothing listens on the port.</summary>
    public static Task<HttpResponseMessage> ConnectionRefused(HttpRequestMessage request, CancellationToken cancellationToken) =>
        Task.FromException<HttpResponseMessage>(new HttpRequestException(
            "Connection refused (api.openai.test:443)",
            new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionRefused)));
}

/// <summary>A body stream that serves some bytes and then fails the way a network does.</summary>
internal sealed class FaultingStream : Stream
{
    private readonly byte[] _data;
    private readonly int _goodBytes;
    private readonly Fault _fault;
    private int _position;

    public enum Fault
    {
        /// <summary>An IOException, as when the peer resets the connection.</summary>
        Reset,

        /// <summary>A clean end of stream.</summary>
        End,

        /// <summary>Silence until the read is cancelled.</summary>
        Stall,
    }

    public FaultingStream(byte[] data, int goodBytes, Fault fault)
    {
        _data = data;
        _goodBytes = Math.Min(goodBytes, data.Length);
        _fault = fault;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        if (_position < _goodBytes)
        {
            int n = Math.Min(count, _goodBytes - _position);
            Array.Copy(_data, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        switch (_fault)
        {
            case Fault.End:
                return 0;
            case Fault.Stall:
                await Task.Delay(Timeout.Infinite, cancellationToken);
                return 0;
            default:
                throw new IOException("Unable to read data from the transport connection: Connection reset by peer.",
                    new System.Net.Sockets.SocketException((int)System.Net.Sockets.SocketError.ConnectionReset));
        }
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

/// <summary>A client over a stub handler, with the retry waits recorded instead of slept.</summary>
internal sealed class ClientRig : IDisposable
{
    public const string Key = "sk-proj-TESTKEY0123456789abcdefSECRETwxyz";

    public ClientRig(int maxRetries = 2, TimeSpan? timeout = null, bool realDelays = false)
    {
        Options = new OpenAIClientOptions
        {
            ApiKey = new ApiKey(Key),
            BaseUri = new Uri("https://api.openai.test/v1"),
            MaxRetries = maxRetries,
            Timeout = timeout ?? TimeSpan.FromSeconds(30),
        };
        Policy = new RetryPolicy(maxRetries) { Random = () => 0 };
        if (!realDelays)
        {
            Policy.Delay = (d, ct) =>
            {
                lock (Waits)
                {
                    Waits.Add(d);
                }

                ct.ThrowIfCancellationRequested();
                return Task.CompletedTask;
            };
        }

        Diagnostics = new ClientDiagnostics
        {
            Verbose = m => { lock (Verbose) { Verbose.Add(m); } },
            Debug = m => { lock (Debug) { Debug.Add(m); } },
        };
        Client = new OpenAIImagesClient(Options, Diagnostics, new HttpClient(Handler) { Timeout = Timeout.InfiniteTimeSpan }, Policy);
        TempDirectory = Directory.CreateTempSubdirectory("openai-images-core-").FullName;
    }

    public StubHandler Handler { get; } = new();

    public OpenAIClientOptions Options { get; }

    public RetryPolicy Policy { get; }

    public ClientDiagnostics Diagnostics { get; }

    public OpenAIImagesClient Client { get; }

    public List<TimeSpan> Waits { get; } = new();

    public List<string> Verbose { get; } = new();

    public List<string> Debug { get; } = new();

    public string TempDirectory { get; }

    public static ImageGenerationRequest Generation(string prompt = "a lighthouse at dusk") =>
        new ImageGenerationRequest { Model = "gpt-image-1", Prompt = prompt };

    public Task<IReadOnlyList<ImageResult>> SendAsync(ImageRequest? request = null, bool toFiles = true) =>
        Client.SendAsync(request ?? Generation(), toFiles ? TempDirectory : null, null, TestContext.Current.CancellationToken);

    public Task<IReadOnlyList<ImageResult>> SendCancellableAsync(CancellationToken cancellationToken) =>
        Client.SendAsync(Generation(), TempDirectory, null, cancellationToken);

    public string[] FilesLeft() => Directory.GetFiles(TempDirectory);

    public void Dispose()
    {
        try
        {
            Directory.Delete(TempDirectory, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
