using System;
using System.Collections.Generic;
using System.Collections.Concurrent;
using System.IO;
using System.Linq;
using System.Net;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace OpenAI.Images.FakeApi;

/// <summary>
/// A loopback fake of the OpenAI Images API: Kestrel on 127.0.0.1 (port chosen at run time) speaking the real
/// wire format, recording every request and replying with injected faults on demand. See README.md.
/// </summary>
public sealed partial class FakeOpenAIServer : IAsyncDisposable
{
    /// <summary>Path prefix of the image host that dall-e <c>url</c> items point at.</summary>
    public const string DownloadPathPrefix = "/_fake/download/";

    private const string ControlPrefix = "/_fake/";

    private readonly object _gate = new();
    private readonly List<RecordedRequest> _requests = new();
    private readonly LinkedList<QueuedResponse> _queue = new();
    private readonly ConcurrentDictionary<string, byte[]> _downloads = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly TaskCompletionSource _shutdownRequested = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly FilesAndBatches _store;
    private readonly string? _expectedApiKey;
    private WebApplication? _app;
    private TaskCompletionSource _recorded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _sequence;
    private int _disposed;
    private int _inFlight;
    private int _maxInFlight;

    private FakeOpenAIServer(FakeServerOptions options)
    {
        _expectedApiKey = options.ExpectedApiKey;
        _store = new FilesAndBatches(this)
        {
            BatchPollsUntilDone = options.BatchPollsUntilDone,
            BatchFinalStatus = options.BatchFinalStatus,
        };
    }

    /// <summary><c>http://127.0.0.1:{port}/v1</c> — the base URL to give an OpenAI client.</summary>
    public Uri BaseUri { get; private set; } = null!;

    /// <summary><c>http://127.0.0.1:{port}/</c> — for Azure-style paths (<c>/openai/deployments/{d}/images/...</c>) and the control API.</summary>
    public Uri Root { get; private set; } = null!;

    /// <summary>The bound port.</summary>
    public int Port { get; private set; }

    /// <summary>
    /// Called for each recorded request (API and downloads) when no queued reply applies; a null result
    /// means the default. E.g. <c>r => Random.Shared.NextDouble() &lt; 0.3 ? FakeResponse.Error(500, "boom") : null</c>.
    /// May be called concurrently.
    /// </summary>
    public Func<RecordedRequest, FakeResponse?>? Responder { get; set; }

    /// <summary>
    /// Server latency: how long each API request (never a download) waits after it was read and recorded, before its
    /// reply (queued, <see cref="Responder"/> or default) is sent. Null or zero: none. May be called concurrently.
    /// </summary>
    public Func<RecordedRequest, TimeSpan>? Latency { get; set; }

    /// <summary>API requests (not downloads) read but not yet answered: from recording until the reply is written.</summary>
    public int InFlight => Volatile.Read(ref _inFlight);

    /// <summary>The most API requests in flight at once since the last <see cref="Reset"/> or <see cref="ResetInFlight"/>.</summary>
    public int MaxInFlight => Volatile.Read(ref _maxInFlight);

    /// <summary>Sets <see cref="MaxInFlight"/> and <see cref="MaxHeld"/> back to the current <see cref="InFlight"/> and <see cref="Held"/>.</summary>
    public void ResetInFlight()
    {
        Volatile.Write(ref _maxInFlight, InFlight);
        lock (_gate)
        {
            _maxHeld = _held.Count;
        }
    }

    /// <summary>Batch behaviour, changeable at run time (see <see cref="FakeServerOptions.BatchPollsUntilDone"/>).</summary>
    public int BatchPollsUntilDone
    {
        get => _store.BatchPollsUntilDone;
        set => _store.BatchPollsUntilDone = value;
    }

    /// <summary><c>completed</c>, <c>failed</c> or <c>expired</c> (see <see cref="FakeServerOptions.BatchFinalStatus"/>).</summary>
    public string BatchFinalStatus
    {
        get => _store.BatchFinalStatus;
        set => _store.BatchFinalStatus = value;
    }

    /// <summary>
    /// Answers chosen batch input lines with an error instead of images, e.g.
    /// <c>line => ((string?)line["body"]?["prompt"])?.Contains("forbidden") == true ? new BatchLineFault(400, "Blocked.", "image_generation_user_error", "moderation_blocked") : null</c>.
    /// </summary>
    public Func<System.Text.Json.Nodes.JsonObject, BatchLineFault?>? BatchLineFault
    {
        get => _store.BatchLineFault;
        set => _store.BatchLineFault = value;
    }

    /// <summary>Changes the success body of each batch line, e.g. <c>(line, shape) => shape.PadImageTo = 16 &lt;&lt; 20</c>.</summary>
    public Action<System.Text.Json.Nodes.JsonObject, SuccessShape>? BatchLineShape
    {
        get => _store.BatchLineShape;
        set => _store.BatchLineShape = value;
    }

    /// <summary>A thread-safe snapshot of every recorded request, oldest first (control routes are never recorded).</summary>
    public IReadOnlyList<RecordedRequest> Requests
    {
        get
        {
            lock (_gate)
            {
                return _requests.ToArray();
            }
        }
    }

    /// <summary>The recorded API requests only (without image downloads).</summary>
    public IReadOnlyList<RecordedRequest> ApiRequests => Requests.Where(r => !r.IsDownload).ToArray();

    /// <summary>Queued replies not yet used (each entry counted as many times as it will still be used).</summary>
    public int PendingResponses
    {
        get
        {
            lock (_gate)
            {
                return _queue.Sum(q => q.Remaining);
            }
        }
    }

    /// <summary>Completes when <c>POST /_fake/shutdown</c> is called (the standalone host exits on it).</summary>
    public Task ShutdownRequested => _shutdownRequested.Task;

    /// <summary>The files in the fake's <c>/files</c> store.</summary>
    public IReadOnlyList<FakeFile> StoredFiles => _store.FilesSnapshot();

    /// <summary>The ids of the batches in the fake's <c>/batches</c> store, oldest first.</summary>
    public IReadOnlyList<string> StoredBatchIds => _store.BatchIdsSnapshot();

    /// <summary>Starts a server on 127.0.0.1 and returns once it is listening.</summary>
    public static async Task<FakeOpenAIServer> StartAsync(FakeServerOptions? options = null)
    {
        options ??= new FakeServerOptions();
        var server = new FakeOpenAIServer(options);

        WebApplicationBuilder builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
        {
            ApplicationName = typeof(FakeOpenAIServer).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.WebHost.UseKestrelCore();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, options.Port);
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;
            kestrel.Limits.MinRequestBodyDataRate = null;
            kestrel.Limits.MinResponseDataRate = null;
        });
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = options.ShutdownTimeout);

        WebApplication app = builder.Build();
        ((IApplicationBuilder)app).Run(server.HandleAsync);
        await app.StartAsync().ConfigureAwait(false);

        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.Port = new Uri(address).Port;
        server.Root = new Uri($"http://127.0.0.1:{server.Port}/");
        server.BaseUri = new Uri($"http://127.0.0.1:{server.Port}/v1");
        server._app = app;
        return server;
    }

    /// <summary>Queues a reply for the next matching request(s), used in FIFO order.</summary>
    /// <param name="response">The reply.</param>
    /// <param name="count">How many requests it answers (default 1).</param>
    /// <param name="pathContains">
    /// Only requests whose path and query contain this text (e.g. <c>"/images/edits"</c>, <c>"/_fake/download/"</c>).
    /// Null: any API request, but never an image download.
    /// </param>
    public void Enqueue(FakeResponse response, int count = 1, string? pathContains = null)
    {
        ArgumentNullException.ThrowIfNull(response);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        lock (_gate)
        {
            _queue.AddLast(new QueuedResponse(response, count, pathContains));
        }
    }

    /// <summary>Queues several replies, one request each, in order.</summary>
    public void Enqueue(params FakeResponse[] responses)
    {
        foreach (FakeResponse response in responses)
        {
            Enqueue(response);
        }
    }

    /// <summary>Forgets the recorded requests.</summary>
    public void ClearRequests()
    {
        lock (_gate)
        {
            _requests.Clear();
        }
    }

    /// <summary>Drops every queued reply.</summary>
    public void ClearQueue()
    {
        lock (_gate)
        {
            _queue.Clear();
        }
    }

    /// <summary>Back to a fresh state: no requests, no queue, no <see cref="Responder"/>, empty file/batch store; held requests are cut off.</summary>
    public void Reset()
    {
        lock (_gate)
        {
            _requests.Clear();
            _queue.Clear();
            Responder = null;
            Latency = null;
            Models = DefaultModels;
        }

        CutHeld();
        ResetInFlight();
        _downloads.Clear();
        _store.Clear();
    }

    /// <summary>Adds a file to the <c>/files</c> store without a request (to seed batch tests).</summary>
    public FakeFile AddFile(string fileName, string purpose, byte[] content) => _store.AddFile(fileName, purpose, content);

    /// <summary>
    /// Waits until a recorded request matches <paramref name="predicate"/> (any request when null), including
    /// ones recorded before the call. Throws <see cref="TimeoutException"/> after <paramref name="timeout"/> (default a minute: a hang guard).
    /// </summary>
    public async Task<RecordedRequest> WaitForRequestAsync(Func<RecordedRequest, bool>? predicate = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        using var timer = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timer.CancelAfter(timeout ?? TimeSpan.FromMinutes(1));
        while (true)
        {
            Task signal;
            lock (_gate)
            {
                RecordedRequest? found = _requests.FirstOrDefault(r => predicate is null || predicate(r));
                if (found is not null)
                {
                    return found;
                }

                signal = _recorded.Task;
            }

            try
            {
                await signal.WaitAsync(timer.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException("No matching request was recorded in time.");
            }
        }
    }

    /// <summary>Stops the server; requests still running are cut off.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        if (_app is not null)
        {
            try
            {
                await _app.StopAsync().ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            await _app.DisposeAsync().ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    /// <summary><c>generations</c>, <c>edits</c> or <c>variations</c> when the path ends in /images/{that}; else null.</summary>
    internal static string? ImageEndpointOf(string path)
    {
        Match m = ImagePath().Match(path);
        return m.Success ? m.Groups[1].Value.ToLowerInvariant() : null;
    }

    /// <summary>Stores bytes for the download route and returns their absolute URL (with a SAS-like query).</summary>
    internal string RegisterDownload(byte[] data, string extension)
    {
        string id = "img-" + ImageRoutes.Signature();
        _downloads[id + extension] = data;
        long expires = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeSeconds();
        return $"{Root}{DownloadPathPrefix.TrimStart('/')}{id}{extension}?se={expires}&sp=r&sig={ImageRoutes.Signature()}";
    }

    private async Task HandleAsync(HttpContext context)
    {
        DateTimeOffset receivedAt = DateTimeOffset.UtcNow;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        CancellationToken cancellationToken = linked.Token;
        string path = context.Request.Path.Value ?? "/";
        try
        {
            if (path.StartsWith(ControlPrefix, StringComparison.Ordinal) && !path.StartsWith(DownloadPathPrefix, StringComparison.Ordinal))
            {
                await HandleControlAsync(context, path, cancellationToken).ConfigureAwait(false);
                return;
            }

            RecordedRequest request = await RequestReader.ReadAsync(context, receivedAt, cancellationToken).ConfigureAwait(false);
            Reply? unauthorized = request.IsDownload ? null : CheckApiKey(request);
            FakeResponse? injected = Record(request, takeQueued: unauthorized is null);
            if (unauthorized is not null)
            {
                await unauthorized.WriteAsync(context, cancellationToken).ConfigureAwait(false);
                return;
            }

            injected ??= Responder?.Invoke(request);
            if (request.IsDownload)
            {
                await RespondAsync(context, request, injected, cancellationToken).ConfigureAwait(false);
                return;
            }

            int now = Interlocked.Increment(ref _inFlight);
            for (int max = Volatile.Read(ref _maxInFlight); now > max; max = Volatile.Read(ref _maxInFlight))
            {
                if (Interlocked.CompareExchange(ref _maxInFlight, now, max) == max)
                {
                    break;
                }
            }

            try
            {
                if (Latency?.Invoke(request) is TimeSpan latency && latency > TimeSpan.Zero)
                {
                    await Task.Delay(latency, cancellationToken).ConfigureAwait(false);
                }

                await RespondAsync(context, request, injected, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }
        catch (OperationCanceledException)
        {
            // The client went away, or the server is stopping: cut the connection.
            context.Abort();
        }
        catch (IOException)
        {
            context.Abort();
        }
        catch (Exception ex) when (!context.Response.HasStarted)
        {
            // A Responder or customiser from a test threw: say so instead of a bare 500.
            context.Response.Clear();
            await Reply.OpenAIError(500, "FakeOpenAIServer: " + ex, "fake_server_error", null, null).WriteAsync(context, CancellationToken.None).ConfigureAwait(false);
        }
    }

    private async Task RespondAsync(HttpContext context, RecordedRequest request, FakeResponse? injected, CancellationToken cancellationToken)
    {
        if (injected is null)
        {
            await DefaultReply(request, null).WriteAsync(context, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (injected.Kind == FakeResponseKind.Hold && injected.Then is not null)
        {
            await HoldAsync(request, cancellationToken).ConfigureAwait(false);
            await RespondAsync(context, request, injected.Then, cancellationToken).ConfigureAwait(false);
            return;
        }

        if (injected.Kind == FakeResponseKind.Processed)
        {
            // The route runs for its effect (a stored batch or file); its answer is lost on the way back.
            _ = DefaultReply(request, injected.Customize);
            await RespondAsync(context, request, injected.Then!, cancellationToken).ConfigureAwait(false);
            return;
        }

        Reply reply;
        switch (injected.Kind)
        {
            case FakeResponseKind.Error:
                reply = Reply.OpenAIError(injected.Status, injected.ErrorMessage ?? string.Empty, injected.ErrorType, injected.ErrorCode, injected.ErrorParam);
                break;
            case FakeResponseKind.Json:
            case FakeResponseKind.Raw:
            case FakeResponseKind.Html:
                reply = Reply.FromBytes(injected.Status, injected.ContentType, injected.Body ?? Array.Empty<byte>());
                if (injected.Kind == FakeResponseKind.Json)
                {
                    reply.AddOpenAIHeaders();
                }

                break;
            case FakeResponseKind.Empty:
                reply = Reply.FromBytes(injected.Status, null, Array.Empty<byte>());
                break;
            case FakeResponseKind.Stall:
                await Task.Delay(injected.Delay, cancellationToken).ConfigureAwait(false);
                reply = DefaultReply(request, injected.Customize);
                break;
            case FakeResponseKind.Hold:
                await HoldAsync(request, cancellationToken).ConfigureAwait(false);
                reply = DefaultReply(request, injected.Customize);
                break;
            default:
                reply = DefaultReply(request, injected.Customize);
                break;
        }

        foreach (KeyValuePair<string, string> header in injected.Headers)
        {
            reply.SetHeader(header.Key, header.Value);
        }

        switch (injected.Kind)
        {
            case FakeResponseKind.Truncated:
                await reply.WriteTruncatedAsync(context, cancellationToken).ConfigureAwait(false);
                break;
            case FakeResponseKind.ResetMidBody:
                await reply.WriteThenResetAsync(context, injected.BytesBeforeReset, cancellationToken).ConfigureAwait(false);
                break;
            case FakeResponseKind.Trickle:
                await reply.WriteTrickleAsync(context, injected.ChunkSize, injected.Interval, cancellationToken).ConfigureAwait(false);
                break;
            default:
                await reply.WriteAsync(context, cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>The route's normal reply (with a success customiser for image routes).</summary>
    private Reply DefaultReply(RecordedRequest request, Action<SuccessShape>? customize)
    {
        string path = request.Path;
        string method = request.Method.ToUpperInvariant();

        if (request.IsDownload)
        {
            string key = path.Substring(DownloadPathPrefix.Length);
            if (method == "GET" && _downloads.TryGetValue(key, out byte[]? bytes))
            {
                return Reply.FromBytes(200, "image/png", bytes);
            }

            return Reply.FromBytes(404, "application/xml", System.Text.Encoding.UTF8.GetBytes(
                "<?xml version=\"1.0\" encoding=\"utf-8\"?><Error><Code>BlobNotFound</Code><Message>The specified blob does not exist.</Message></Error>"));
        }

        if (request.MultipartError is not null)
        {
            return Reply.OpenAIError(400, "Could not parse multipart form: " + request.MultipartError, "invalid_request_error", null, null);
        }

        if (request.Json is null && request.Body.Length > 0 && request.ContentType is string ct && ct.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            return Reply.OpenAIError(400, InvalidJsonMessage, "invalid_request_error", null, null);
        }

        if (method == "POST" && ImageEndpointOf(path) is string endpoint)
        {
            SuccessShape shape = CreateImageShape(request, endpoint);
            customize?.Invoke(shape);
            return ImageRoutes.BuildReply(shape, this);
        }

        Match files = FilesPath().Match(path);
        if (files.Success)
        {
            string? id = files.Groups["id"].Success ? files.Groups["id"].Value : null;
            bool content = files.Groups["content"].Success;
            switch (method)
            {
                case "POST" when id is null:
                    return _store.CreateFile(request);
                case "GET" when id is null:
                    return _store.ListFiles(request);
                case "GET" when content:
                    return _store.FileContent(id!);
                case "GET":
                    return _store.RetrieveFile(id!);
                case "DELETE" when !content && id is not null:
                    return _store.DeleteFile(id);
            }
        }

        Match batches = BatchesPath().Match(path);
        if (batches.Success)
        {
            string? id = batches.Groups["id"].Success ? batches.Groups["id"].Value : null;
            bool cancel = batches.Groups["cancel"].Success;
            switch (method)
            {
                case "POST" when id is null:
                    return _store.CreateBatch(request);
                case "GET" when id is null:
                    return _store.ListBatches(request);
                case "POST" when cancel:
                    return _store.CancelBatch(id!);
                case "GET" when !cancel:
                    return _store.RetrieveBatch(id!);
            }
        }

        if (ModelsPath().IsMatch(path) && ListModels(method) is Reply models)
        {
            return models;
        }

        return Reply.OpenAIError(404, $"Invalid URL ({method} {path})", "invalid_request_error", null, null);
    }

    private const string InvalidJsonMessage =
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. "
        + "The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, "
        + "please contact us through our help center at help.openai.com.)";

    private static SuccessShape CreateImageShape(RecordedRequest request, string endpoint)
    {
        Match deployment = DeploymentPath().Match(request.Path);
        bool stream = request.Parts.Count > 0
            ? string.Equals(request.Field("stream")?.Trim(), "true", StringComparison.OrdinalIgnoreCase)
            : request.Json is System.Text.Json.Nodes.JsonObject obj && obj["stream"] is System.Text.Json.Nodes.JsonValue v && v.TryGetValue(out bool b) && b;
        int inputImages = request.Parts.Count > 0
            ? request.Parts.Count(p => p.IsFile && (p.Name == "image" || p.Name == "image[]"))
            : (request.Json?["images"] as System.Text.Json.Nodes.JsonArray)?.Count ?? 0;
        return ImageRoutes.CreateShape(endpoint, deployment.Success ? Uri.UnescapeDataString(deployment.Groups[1].Value) : null, request.Parameter, stream, inputImages);
    }

    private Reply? CheckApiKey(RecordedRequest request)
    {
        if (_expectedApiKey is null)
        {
            return null;
        }

        string? authorization = request.Header("Authorization");
        string? apiKey = request.Header("api-key");
        if (authorization is null && apiKey is null)
        {
            return Reply.OpenAIError(
                401,
                "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), "
                + "or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username. "
                + "You can obtain an API key from https://platform.openai.com/account/api-keys.",
                "invalid_request_error",
                null,
                null);
        }

        string? bearer = authorization is not null && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            ? authorization.Substring("Bearer ".Length).Trim()
            : authorization;
        if (string.Equals(bearer, _expectedApiKey, StringComparison.Ordinal) || string.Equals(apiKey, _expectedApiKey, StringComparison.Ordinal))
        {
            return null;
        }

        return Reply.OpenAIError(
            401,
            $"Incorrect API key provided: {MaskKey(bearer ?? apiKey ?? string.Empty)}. You can find your API key at https://platform.openai.com/account/api-keys.",
            "invalid_request_error",
            "invalid_api_key",
            null);
    }

    /// <summary>Like OpenAI: the first 3 and last 4 characters, stars between (all stars when short).</summary>
    internal static string MaskKey(string key) =>
        key.Length <= 8 ? new string('*', key.Length) : key[..3] + new string('*', key.Length - 7) + key[^4..];

    /// <summary>
    /// Numbers and records a request whose body has been read and, with <paramref name="takeQueued"/>, takes the queued
    /// reply for it, in one step: queued replies go to requests in the order of their sequence numbers, also when
    /// concurrent requests finish sending their bodies in another order than they started.
    /// </summary>
    private FakeResponse? Record(RecordedRequest request, bool takeQueued)
    {
        TaskCompletionSource signal;
        FakeResponse? queued;
        lock (_gate)
        {
            request.Sequence = ++_sequence;
            _requests.Add(request);
            queued = takeQueued ? Dequeue(request) : null;
            signal = _recorded;
            _recorded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        signal.TrySetResult();
        return queued;
    }

    private FakeResponse? Dequeue(RecordedRequest request)
    {
        lock (_gate)
        {
            for (LinkedListNode<QueuedResponse>? node = _queue.First; node is not null; node = node.Next)
            {
                QueuedResponse entry = node.Value;
                bool matches = entry.PathContains is null
                    ? !request.IsDownload
                    : request.PathAndQuery.Contains(entry.PathContains, StringComparison.OrdinalIgnoreCase);
                if (!matches)
                {
                    continue;
                }

                if (--entry.Remaining == 0)
                {
                    _queue.Remove(node);
                }

                return entry.Response;
            }
        }

        return null;
    }

    [GeneratedRegex(@"/images/(generations|edits|variations)/?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ImagePath();

    [GeneratedRegex(@"/deployments/([^/]+)/", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex DeploymentPath();

    [GeneratedRegex(@"/files(?:/(?<id>[^/]+)(?:/(?<content>content))?)?/?$", RegexOptions.CultureInvariant)]
    private static partial Regex FilesPath();

    [GeneratedRegex(@"/batches(?:/(?<id>[^/]+)(?:/(?<cancel>cancel))?)?/?$", RegexOptions.CultureInvariant)]
    private static partial Regex BatchesPath();

    [GeneratedRegex(@"/models/?$", RegexOptions.CultureInvariant)]
    private static partial Regex ModelsPath();

    private sealed class QueuedResponse
    {
        public QueuedResponse(FakeResponse response, int remaining, string? pathContains)
        {
            Response = response;
            Remaining = remaining;
            PathContains = pathContains;
        }

        public FakeResponse Response { get; }

        public int Remaining { get; set; }

        public string? PathContains { get; }
    }
}
