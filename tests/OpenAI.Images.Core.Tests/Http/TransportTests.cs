using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using OpenAI.Images.Http;

namespace OpenAI.Images.Core.Tests.Http;

/// <summary>
/// The client's transport over an injected handler: how many attempts each fault gets, the exact waits between them,
/// what the resulting exception carries, and that nothing is left on disk and no key leaks.
/// </summary>
public sealed class TransportTests : IDisposable
{
    private readonly ClientRig _rig = new();

    public void Dispose() => _rig.Dispose();

    private static async Task<OpenAIException> FailsAsync(ClientRig rig, ImageRequest? request = null)
    {
        OpenAIException ex = await Assert.ThrowsAsync<OpenAIException>(() => rig.SendAsync(request));
        Assert.DoesNotContain(ClientRig.Key, ex.ToString());
        Assert.Empty(rig.FilesLeft());
        return ex;
    }

    [Fact]
    public async Task ServerErrorThenSuccessIsRetriedOnceAfterTheBackoff()
    {
        _rig.Handler.Then(() => Replies.Error(500, "The server had an error while processing your request.", "server_error", null))
            .Then(() => Replies.Success());

        IReadOnlyList<ImageResult> results = await _rig.SendAsync();

        Assert.Equal(2, _rig.Handler.Requests.Count);
        Assert.Equal(new[] { TimeSpan.FromMilliseconds(500) }, _rig.Waits);
        ImageResult image = Assert.Single(results);
        ImageFiles.KeepInMemory(image);
        Assert.Equal(Replies.Png, image.Data);
        string verbose = Assert.Single(_rig.Verbose);
        Assert.Equal("Attempt 1 of 3 failed (HTTP 500); retrying in 0.5 s (backoff).", verbose);
        ImageFiles.Discard(image);
    }

    [Fact]
    public async Task EveryAttemptSendsTheSameRequestAgain()
    {
        _rig.Handler.Then(() => Replies.Error(502, "bad gateway", "server_error", null)).Then(() => Replies.Success());
        await _rig.SendAsync(toFiles: false);

        Assert.Equal(2, _rig.Handler.Requests.Count);
        SeenRequest first = _rig.Handler.Requests[0], second = _rig.Handler.Requests[1];
        Assert.Equal(first.Body, second.Body);
        Assert.Equal(first.Uri, second.Uri);
        Assert.Equal("Bearer " + ClientRig.Key, second.Authorization);
        Assert.Contains("\"prompt\":\"a lighthouse at dusk\"", Encoding.UTF8.GetString(second.Body));
    }

    [Theory]
    [InlineData("retry-after-ms", "250", 250)]
    [InlineData("retry-after-ms", "12.5", 12.5)]
    [InlineData("retry-after", "3", 3000)]
    [InlineData("retry-after", "0", 0)]
    public async Task RateLimitWaitsAsTheServerAsks(string header, string value, double expectedMs)
    {
        _rig.Handler.Then(() => Replies.Error(429, "Rate limit reached for images per minute.", "requests", "rate_limit_exceeded", null, (header, value)))
            .Then(() => Replies.Success());

        await _rig.SendAsync(toFiles: false);

        Assert.Equal(2, _rig.Handler.Requests.Count);
        Assert.Equal(new[] { TimeSpan.FromMilliseconds(expectedMs) }, _rig.Waits);
        Assert.Contains("HTTP 429 rate_limit_exceeded", Assert.Single(_rig.Verbose));
        Assert.Contains("(as the server asked)", _rig.Verbose[0]);
    }

    [Fact]
    public async Task RateLimitWithAnHttpDateWaitsUntilThen()
    {
        var now = new DateTimeOffset(2025, 6, 1, 8, 0, 0, TimeSpan.Zero);
        _rig.Policy.UtcNow = () => now;
        string date = now.AddSeconds(7).ToString("r", CultureInfo.InvariantCulture);
        _rig.Handler.Then(() => Replies.Error(429, "slow down", "requests", "rate_limit_exceeded", null, ("retry-after", date)))
            .Then(() => Replies.Success());

        await _rig.SendAsync(toFiles: false);

        Assert.Equal(new[] { TimeSpan.FromSeconds(7) }, _rig.Waits);
    }

    [Fact]
    public async Task PersistentServerErrorsGiveUpAfterThreeAttemptsWithDoublingWaits()
    {
        _rig.Handler.Then(3, () => Replies.Error(503, "The engine is currently overloaded, please try again later.", "server_error", null));

        OpenAIException ex = await FailsAsync(_rig);

        Assert.Equal(3, _rig.Handler.Requests.Count);
        Assert.Equal(new[] { 500.0, 1000.0 }, _rig.Waits.Select(w => w.TotalMilliseconds));
        Assert.Equal(OpenAIErrorKind.ServerError, ex.Kind);
        Assert.Equal("OpenAI.ServerError", ex.ErrorId);
        Assert.Equal(503, ex.StatusCode);
        Assert.Equal("server_error", ex.Type);
        Assert.Equal(Replies.RequestId, ex.RequestId);
        Assert.Equal("The engine is currently overloaded, please try again later.", ex.ServerMessage);
        Assert.Equal(3, ex.Attempts);
        Assert.Contains("Gave up after 3 attempts", ex.Message);
        Assert.Equal(new[] { "Attempt 1 of 3", "Attempt 2 of 3" }, _rig.Verbose.Select(v => v.Substring(0, 14)));
    }

    [Fact]
    public async Task XShouldRetryFalseStopsAtTheFirstAttempt()
    {
        _rig.Handler.Then(() => Replies.Error(503, "Service unavailable", "server_error", null, null, ("x-should-retry", "false")));

        OpenAIException ex = await FailsAsync(_rig);

        Assert.Single(_rig.Handler.Requests);
        Assert.Empty(_rig.Waits);
        Assert.Equal(OpenAIErrorKind.ServerError, ex.Kind);
        Assert.Equal(1, ex.Attempts);
        Assert.DoesNotContain("Gave up", ex.Message);
    }

    [Fact]
    public async Task XShouldRetryTrueRetriesEvenABadRequest()
    {
        _rig.Handler.Then(() => Replies.Error(400, "try again", "invalid_request_error", null, null, ("x-should-retry", "true")))
            .Then(() => Replies.Success());

        await _rig.SendAsync(toFiles: false);

        Assert.Equal(2, _rig.Handler.Requests.Count);
    }

    [Fact]
    public async Task InsufficientQuotaIsNotRetried()
    {
        _rig.Handler.Then(() => Replies.Error(429, "You exceeded your current quota, please check your plan and billing details.", "insufficient_quota", "insufficient_quota", null, ("retry-after-ms", "5")));

        OpenAIException ex = await FailsAsync(_rig);

        Assert.Single(_rig.Handler.Requests);
        Assert.Empty(_rig.Waits);
        Assert.Equal(OpenAIErrorKind.QuotaExceeded, ex.Kind);
        Assert.Equal("OpenAI.QuotaExceeded", ex.ErrorId);
        Assert.Equal("insufficient_quota", ex.Code);
        Assert.StartsWith("You exceeded your current quota", ex.Message);
        Assert.Contains("billing", ex.Message);
    }

    [Theory]
    [InlineData(400, "invalid_request_error", "invalid_value", "size", OpenAIErrorKind.InvalidRequest)]
    [InlineData(401, "invalid_request_error", "invalid_api_key", null, OpenAIErrorKind.Authentication)]
    [InlineData(403, "permission_error", null, null, OpenAIErrorKind.PermissionDenied)]
    [InlineData(404, "invalid_request_error", "model_not_found", "model", OpenAIErrorKind.NotFound)]
    [InlineData(422, "invalid_request_error", null, "prompt", OpenAIErrorKind.InvalidRequest)]
    [InlineData(400, "image_generation_user_error", "moderation_blocked", null, OpenAIErrorKind.ContentPolicy)]
    [InlineData(400, "invalid_request_error", "content_policy_violation", null, OpenAIErrorKind.ContentPolicy)]
    public async Task ClientErrorsAreNotRetriedAndCarryTheServersFields(int status, string type, string? code, string? param, OpenAIErrorKind kind)
    {
        _rig.Handler.Then(() => Replies.Error(status, "The server says no.", type, code, param));

        OpenAIException ex = await FailsAsync(_rig);

        Assert.Single(_rig.Handler.Requests);
        Assert.Empty(_rig.Waits);
        Assert.Empty(_rig.Verbose);
        Assert.Equal(kind, ex.Kind);
        Assert.Equal("OpenAI." + kind, ex.ErrorId);
        Assert.Equal(status, ex.StatusCode);
        Assert.Equal(type, ex.Type);
        Assert.Equal(code, ex.Code);
        Assert.Equal(param, ex.Param);
        Assert.Equal(Replies.RequestId, ex.RequestId);
        Assert.Equal("The server says no.", ex.ServerMessage);
        Assert.StartsWith("The server says no. (HTTP " + status, ex.Message);
        Assert.Contains("request " + Replies.RequestId, ex.Message);
    }

    [Fact]
    public async Task AWaitLongerThanTheCapFailsAtOnceAndSaysSo()
    {
        _rig.Handler.Then(() => Replies.Error(429, "Rate limit reached.", "requests", "rate_limit_exceeded", null, ("retry-after", "3600")));

        OpenAIException ex = await FailsAsync(_rig);

        Assert.Single(_rig.Handler.Requests);
        Assert.Empty(_rig.Waits);
        Assert.Equal(OpenAIErrorKind.RateLimited, ex.Kind);
        Assert.Equal(TimeSpan.FromHours(1), ex.RetryAfter);
        Assert.Contains("asked to wait 3600 s", ex.Message);
        Assert.Contains("60 s", ex.Message);
        Assert.Contains("try again later", ex.Message);
    }

    [Fact]
    public async Task ConnectionFailuresAreRetriedThenReportedAsNetworkErrors()
    {
        _rig.Handler.Fallback = Replies.ConnectionRefused;

        OpenAIException ex = await FailsAsync(_rig);

        Assert.Equal(3, _rig.Handler.Requests.Count);
        Assert.Equal(new[] { 500.0, 1000.0 }, _rig.Waits.Select(w => w.TotalMilliseconds));
        Assert.Equal(OpenAIErrorKind.Network, ex.Kind);
        Assert.Null(ex.StatusCode);
        Assert.Contains("api.openai.test", ex.Message);
        Assert.Contains("Connection refused", ex.Message);
        Assert.IsType<System.Net.Http.HttpRequestException>(ex.InnerException);
        Assert.Contains("connection failed", _rig.Verbose[0]);
    }

    [Fact]
    public async Task AConnectionResetMidBodyIsRetriedAndLeavesNoTempFile()
    {
        _rig.Handler.Then(() => Replies.ResetMidBody(120)).Then(() => Replies.Success());

        IReadOnlyList<ImageResult> results = await _rig.SendAsync();

        Assert.Equal(2, _rig.Handler.Requests.Count);
        Assert.Equal(new[] { TimeSpan.FromMilliseconds(500) }, _rig.Waits);
        ImageResult image = Assert.Single(results);
        Assert.Equal(new[] { image.PendingFile }, _rig.FilesLeft());
        ImageFiles.KeepInMemory(image);
        Assert.Equal(Replies.Png, image.Data);
        Assert.Empty(_rig.FilesLeft());
    }

    [Fact]
    public async Task ResetsOnEveryAttemptEndAsANetworkErrorNamingTheBrokenResponse()
    {
        _rig.Handler.Then(3, () => Replies.ResetMidBody(120));

        OpenAIException ex = await FailsAsync(_rig);

        Assert.Equal(3, _rig.Handler.Requests.Count);
        Assert.Equal(OpenAIErrorKind.Network, ex.Kind);
        Assert.Equal(200, ex.StatusCode);
        Assert.Equal(Replies.RequestId, ex.RequestId);
        Assert.Contains("broke while the response was being read", ex.Message);
    }

    [Fact]
    public async Task ABodyThatEndsInTheMiddleOfTheJsonIsRetried()
    {
        _rig.Handler.Then(() => Replies.Truncated()).Then(() => Replies.Success());

        IReadOnlyList<ImageResult> results = await _rig.SendAsync();

        Assert.Equal(2, _rig.Handler.Requests.Count);
        Assert.Single(results);
        ImageFiles.Discard(results[0]);
        Assert.Empty(_rig.FilesLeft());
    }

    [Fact]
    public async Task TruncatedOnEveryAttemptIsAnInvalidResponse()
    {
        _rig.Handler.Then(3, () => Replies.Truncated());

        OpenAIException ex = await FailsAsync(_rig);

        Assert.Equal(3, _rig.Handler.Requests.Count);
        Assert.Equal(OpenAIErrorKind.InvalidResponse, ex.Kind);
        Assert.Equal("OpenAI.InvalidResponse", ex.ErrorId);
        Assert.Contains("cut off", ex.Message);
        Assert.Contains(Replies.RequestId, ex.Message);
    }

    [Fact]
    public async Task ASuccessStatusWithAnHtmlBodyIsAReadableInvalidResponseAndNotRetried()
    {
        _rig.Handler.Then(() => Replies.Body(200, "text/html", Encoding.ASCII.GetBytes("<html><head><title>Sign in</title></head><body>portal</body></html>")));

        OpenAIException ex = await FailsAsync(_rig);

        Assert.Single(_rig.Handler.Requests);
        Assert.Equal(OpenAIErrorKind.InvalidResponse, ex.Kind);
        Assert.Contains("text/html", ex.Message);
        Assert.Contains("not valid JSON", ex.Message);
    }

    [Fact]
    public async Task AnEmptySuccessBodyIsAReadableInvalidResponse()
    {
        _rig.Handler.Then(() => Replies.Body(200, null, Array.Empty<byte>()));

        OpenAIException ex = await FailsAsync(_rig);

        Assert.Single(_rig.Handler.Requests);
        Assert.Equal(OpenAIErrorKind.InvalidResponse, ex.Kind);
        Assert.Contains("empty response body", ex.Message);
    }

    [Fact]
    public async Task ASuccessWithoutImagesIsAnInvalidResponse()
    {
        _rig.Handler.Then(() => Replies.Json(200, "{\"created\":1,\"data\":[]}"));

        OpenAIException ex = await FailsAsync(_rig);

        Assert.Equal(OpenAIErrorKind.InvalidResponse, ex.Kind);
        Assert.Contains("no images", ex.Message);
    }

    [Fact]
    public async Task AProxysHtmlErrorPageIsRetriedAndThenSummarised()
    {
        byte[] page = Encoding.ASCII.GetBytes("<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n");
        _rig.Handler.Then(3, () => Replies.Body(502, "text/html", page));

        OpenAIException ex = await FailsAsync(_rig);

        Assert.Equal(3, _rig.Handler.Requests.Count);
        Assert.Equal(OpenAIErrorKind.ServerError, ex.Kind);
        Assert.Equal(502, ex.StatusCode);
        Assert.Null(ex.Type);
        Assert.Contains("HTTP 502 Bad Gateway with a text/html body, not an OpenAI error: \"502 Bad Gateway\"", ex.Message);
        Assert.DoesNotContain("<center>", ex.Message);
    }

    [Theory]
    [InlineData(500, "", "with an empty body")]
    [InlineData(400, "{\"detail\":\"Not supported\"}", "not an OpenAI error: \"{\"detail\":\"Not supported\"}\"")]
    [InlineData(400, "{\"error\":\"plain string error\"}", "plain string error")]
    [InlineData(400, "Bad request: missing prompt", "Bad request: missing prompt")]
    public async Task ErrorBodiesThatAreNotOpenAIJsonStillReadWell(int status, string body, string expected)
    {
        _rig.Handler.Fallback = (_, _) => Task.FromResult(Replies.Body(status, body.StartsWith('{') ? "application/json" : "text/plain", Encoding.UTF8.GetBytes(body)));

        OpenAIException ex = await FailsAsync(_rig);

        Assert.Contains(expected, ex.Message);
        Assert.Equal(status, ex.StatusCode);
    }

    [Fact]
    public async Task ATimeoutIsItsOwnErrorAndIsRetried()
    {
        using var rig = new ClientRig(maxRetries: 1, timeout: TimeSpan.FromMilliseconds(150));
        rig.Handler.Fallback = Replies.Never;

        var clock = Stopwatch.StartNew();
        OpenAIException ex = await FailsAsync(rig);
        clock.Stop();

        Assert.Equal(2, rig.Handler.Requests.Count);
        Assert.Equal(OpenAIErrorKind.Timeout, ex.Kind);
        Assert.Equal("OpenAI.Timeout", ex.ErrorId);
        Assert.IsAssignableFrom<OperationCanceledException>(ex.InnerException);
        Assert.Contains("did not answer within 0.15 s", ex.Message);
        Assert.Contains("-TimeoutSec", ex.Message);
        Assert.Contains("timed out", rig.Verbose[0]);
        Assert.InRange(clock.Elapsed.TotalSeconds, 0.29, 5);
    }

    [Fact]
    public async Task TheTimeoutCoversTheWholeAttemptIncludingTheBody()
    {
        using var rig = new ClientRig(maxRetries: 0, timeout: TimeSpan.FromMilliseconds(200));
        rig.Handler.Then(() => Replies.StallMidBody(60));

        OpenAIException ex = await FailsAsync(rig);

        Assert.Equal(OpenAIErrorKind.Timeout, ex.Kind);
        Assert.Equal(200, ex.StatusCode);
        Assert.Equal(Replies.RequestId, ex.RequestId);
        Assert.Contains("started answering but did not finish within 0.2 s", ex.Message);
    }

    [Fact]
    public async Task CancellingIsACancellationNotAnErrorAndIsPrompt()
    {
        using var rig = new ClientRig(timeout: TimeSpan.FromMinutes(10));
        rig.Handler.Fallback = Replies.Never;
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(100));

        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => rig.SendCancellableAsync(cts.Token));

        // The server never answers and the timeout is ten minutes: ending at all shows the token ended it; the bound is a
        // guard far from both, not a measure of speed.
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), clock.Elapsed.ToString());
        Assert.Single(rig.Handler.Requests);
        Assert.Empty(rig.Waits);
        Assert.Empty(rig.FilesLeft());
    }

    [Fact]
    public async Task CancellingMidBodyLeavesNoTempFileEvenWhenTheStreamThrowsIOException()
    {
        using var cts = new CancellationTokenSource();
        byte[] body = Encoding.UTF8.GetBytes(Replies.SuccessJson());
        int b64Start = Encoding.UTF8.GetString(body).IndexOf("\"b64_json\":\"", StringComparison.Ordinal) + 20;
        _rig.Handler.Then(() => Replies.Stream(200, "application/json", new CancelThenResetStream(body, b64Start, cts), body.Length));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => _rig.SendCancellableAsync(cts.Token));

        Assert.Single(_rig.Handler.Requests);
        Assert.Empty(_rig.FilesLeft());
    }

    [Fact]
    public async Task CancellingDuringTheWaitBetweenAttemptsStopsRetrying()
    {
        using var rig = new ClientRig(realDelays: true);
        using var cts = new CancellationTokenSource();
        rig.Handler.Then(() =>
        {
            cts.CancelAfter(50);
            return Replies.Error(429, "slow down", "requests", "rate_limit_exceeded", null, ("retry-after", "30"));
        });

        var clock = Stopwatch.StartNew();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => rig.SendCancellableAsync(cts.Token));

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(5), clock.Elapsed.ToString());
        Assert.Single(rig.Handler.Requests);
    }

    [Fact]
    public async Task StreamedResponsesAreNotRetriedOnceTheBodyStarted()
    {
        byte[] events = Encoding.UTF8.GetBytes("event: image_generation.partial_image\ndata: {\"type\":\"image_generation.partial_image\",\"b64_json\":\""
            + Convert.ToBase64String(Replies.Png) + "\",\"partial_image_index\":0}\n\n");
        _rig.Handler.Then(() => Replies.Stream(200, "text/event-stream", new FaultingStream(events, events.Length, FaultingStream.Fault.Reset), null));
        var request = new ImageGenerationRequest { Model = "gpt-image-1", Prompt = "x", Stream = true, PartialImages = 1 };
        var partials = new List<ImageResult>();

        OpenAIException ex = await Assert.ThrowsAsync<OpenAIException>(() => _rig.Client.SendAsync(request, _rig.TempDirectory, partials.Add, TestContext.Current.CancellationToken));

        Assert.Single(_rig.Handler.Requests);
        Assert.Equal(OpenAIErrorKind.Network, ex.Kind);
        ImageResult partial = Assert.Single(partials);
        Assert.True(partial.IsPartial);
        ImageFiles.Discard(partial);
        Assert.Empty(_rig.FilesLeft());
    }

    [Fact]
    public async Task TheKeyNeverAppearsInErrorsVerboseOrDebugOutput()
    {
        _rig.Handler
            .Then(() => Replies.Error(500, "upstream echoed Bearer " + ClientRig.Key, "server_error", null))
            .Then((_, _) => Task.FromException<System.Net.Http.HttpResponseMessage>(new System.Net.Http.HttpRequestException("proxy refused key " + ClientRig.Key)))
            .Then(() => Replies.Error(401, "Incorrect API key provided: " + ClientRig.Key + ".", "invalid_request_error", "invalid_api_key"));

        OpenAIException ex = await FailsAsync(_rig);

        Assert.Equal(OpenAIErrorKind.Authentication, ex.Kind);
        Assert.Equal(3, _rig.Handler.Requests.Count);
        Assert.All(_rig.Handler.Requests, r => Assert.Equal("Bearer " + ClientRig.Key, r.Authorization));
        string everything = string.Join("\n", _rig.Verbose.Concat(_rig.Debug)) + ex + ex.ServerMessage;
        Assert.DoesNotContain(ClientRig.Key, everything);
        Assert.Contains("sk-…wxyz", everything);
        Assert.Contains(_rig.Debug, d => d.Contains("Authorization: Bearer sk-…wxyz", StringComparison.Ordinal));
    }

    [Fact]
    public async Task DownloadsAreRetriedAndLeaveNoTempFileWhenTheyFail()
    {
        var result = new ImageResult { Url = new Uri("https://files.example.test/img.png?sig=abc") };
        _rig.Handler.Then(() => Replies.Body(503, "text/plain", Encoding.ASCII.GetBytes("busy")))
            .Then(() => Replies.Stream(200, "image/png", new FaultingStream(Replies.Png, 20, FaultingStream.Fault.Reset), Replies.Png.Length))
            .Then(() => Replies.Body(200, "image/png", Replies.Png));

        await _rig.Client.DownloadAsync(result, _rig.TempDirectory, TestContext.Current.CancellationToken);

        Assert.Equal(3, _rig.Handler.Requests.Count);
        Assert.All(_rig.Handler.Requests, r => Assert.Null(r.Authorization));
        Assert.Equal(new[] { result.PendingFile }, _rig.FilesLeft());
        ImageFiles.KeepInMemory(result);
        Assert.Equal(Replies.Png, result.Data);
        Assert.Empty(_rig.FilesLeft());

        var failing = new ImageResult { Url = new Uri("https://files.example.test/other.png") };
        _rig.Handler.Fallback = (_, _) => Task.FromResult(Replies.Stream(200, "image/png", new FaultingStream(Replies.Png, 20, FaultingStream.Fault.Reset), Replies.Png.Length));
        OpenAIException ex = await Assert.ThrowsAsync<OpenAIException>(() => _rig.Client.DownloadAsync(failing, _rig.TempDirectory, TestContext.Current.CancellationToken));
        Assert.Equal(OpenAIErrorKind.Network, ex.Kind);
        Assert.Empty(_rig.FilesLeft());
    }

    [Fact]
    public async Task NumbersInMessagesDoNotDependOnTheCulture()
    {
        CultureInfo old = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        Assert.Equal("0,5", 0.5.ToString(CultureInfo.CurrentCulture));
        try
        {
            _rig.Handler.Then(() => Replies.Error(500, "boom", "server_error", null))
                .Then(() => Replies.Error(429, "slow down", "requests", "rate_limit_exceeded", null, ("retry-after", "90.5")));

            OpenAIException ex = await FailsAsync(_rig);

            Assert.Contains("retrying in 0.5 s", Assert.Single(_rig.Verbose));
            Assert.Contains("asked to wait 90.5 s", ex.Message);
        }
        finally
        {
            CultureInfo.CurrentCulture = old;
        }
    }

    [Fact]
    public async Task RetriesOffMeansOneAttempt()
    {
        using var rig = new ClientRig(maxRetries: 0);
        rig.Handler.Then(() => Replies.Error(500, "boom", "server_error", null));

        OpenAIException ex = await FailsAsync(rig);

        Assert.Single(rig.Handler.Requests);
        Assert.Equal(1, ex.Attempts);
        Assert.Empty(rig.Waits);
    }

    /// <summary>Serves bytes, then cancels the caller's token and throws the IOException a torn-down socket gives.</summary>
    private sealed class CancelThenResetStream : Stream
    {
        private readonly byte[] _data;
        private readonly int _goodBytes;
        private readonly CancellationTokenSource _cts;
        private int _position;

        public CancelThenResetStream(byte[] data, int goodBytes, CancellationTokenSource cts)
        {
            _data = data;
            _goodBytes = goodBytes;
            _cts = cts;
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position < _goodBytes)
            {
                int n = Math.Min(count, _goodBytes - _position);
                Array.Copy(_data, _position, buffer, offset, n);
                _position += n;
                return n;
            }

            _cts.Cancel();
            throw new IOException("The operation was aborted because the connection was closed.");
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
