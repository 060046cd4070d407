using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using static OpenAI.Images.FakeApi.Tests.TestSupport;

namespace OpenAI.Images.FakeApi.Tests;

public class FaultTests
{
    private const string GptImage = """{"model":"gpt-image-1","prompt":"p"}""";

    private static Task<HttpResponseMessage> Generate(HttpClient client, string body = GptImage, HttpCompletionOption option = HttpCompletionOption.ResponseContentRead)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "images/generations") { Content = JsonBody(body) };
        return client.SendAsync(request, option, Ct);
    }

    [Fact]
    public async Task Error_WritesOpenAIsEnvelope_WithRequestIdAndExtraHeaders()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);
        server.Enqueue(FakeResponse.Error(429, "Rate limit reached", "requests", "rate_limit_exceeded", null,
            new Dictionary<string, string> { ["retry-after-ms"] = "10", ["retry-after"] = "1", ["x-should-retry"] = "true" }));
        server.Enqueue(FakeResponse.Error(500, "boom"));

        using HttpResponseMessage limited = await Generate(client);
        Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
        Assert.Equal("application/json", limited.Content.Headers.ContentType!.MediaType);
        Assert.Matches("^req_[0-9a-f]{32}$", limited.Headers.GetValues("x-request-id").Single());
        Assert.Equal("10", limited.Headers.GetValues("retry-after-ms").Single());
        Assert.Equal("1", limited.Headers.GetValues("retry-after").Single());
        Assert.Equal("true", limited.Headers.GetValues("x-should-retry").Single());
        JsonObject error = (await ReadJsonObjectAsync(limited))["error"]!.AsObject();
        Assert.Equal(new[] { "message", "type", "param", "code" }, error.Select(p => p.Key));
        Assert.Equal("Rate limit reached", (string?)error["message"]);
        Assert.Equal("requests", (string?)error["type"]);
        Assert.Equal("rate_limit_exceeded", (string?)error["code"]);
        Assert.Null(error["param"]);

        using HttpResponseMessage boom = await Generate(client);
        Assert.Equal(HttpStatusCode.InternalServerError, boom.StatusCode);
        JsonObject serverError = (await ReadJsonObjectAsync(boom))["error"]!.AsObject();
        Assert.Equal("server_error", (string?)serverError["type"]);
        Assert.True(serverError.ContainsKey("code"));
        Assert.Null(serverError["code"]);

        using HttpResponseMessage ok = await Generate(client);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task Queue_IsFifo_WithCounts_AndPathFilters()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);
        server.Enqueue(FakeResponse.Error(400, "edits only"), pathContains: "/images/edits");
        server.Enqueue(FakeResponse.Error(500, "first"), count: 2);
        server.Enqueue(FakeResponse.Empty(503));
        Assert.Equal(4, server.PendingResponses);

        var statuses = new List<int>();
        for (int i = 0; i < 4; i++)
        {
            using HttpResponseMessage r = await Generate(client);
            statuses.Add((int)r.StatusCode);
        }

        Assert.Equal(new[] { 500, 500, 503, 200 }, statuses);
        Assert.Equal(1, server.PendingResponses);
        using var form = new MultipartFormDataContent { { new StringContent("p"), "prompt" } };
        using HttpResponseMessage edit = await client.PostAsync("images/edits", form, Ct);
        Assert.Equal(HttpStatusCode.BadRequest, edit.StatusCode);
        Assert.Equal(0, server.PendingResponses);
    }

    [Fact]
    public async Task DefaultQueueEntries_SkipDownloads_ButADownloadFilterTargetsThem()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);
        using var plain = new HttpClient();
        string url = (string)(await ReadJsonObjectAsync(await Generate(client, """{"prompt":"p"}""")))["data"]![0]!["url"]!;

        server.Enqueue(FakeResponse.Error(500, "api only"));
        using (HttpResponseMessage download = await plain.GetAsync(url, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        }

        Assert.Equal(1, server.PendingResponses);
        server.ClearQueue();
        server.Enqueue(FakeResponse.Raw(403, "application/xml", "<Error><Code>AuthenticationFailed</Code></Error>"u8.ToArray()), pathContains: FakeOpenAIServer.DownloadPathPrefix);
        using (HttpResponseMessage download = await plain.GetAsync(url, Ct))
        {
            Assert.Equal(HttpStatusCode.Forbidden, download.StatusCode);
            Assert.Contains("AuthenticationFailed", await download.Content.ReadAsStringAsync(Ct));
        }
    }

    [Fact]
    public async Task Responder_IsUsedWhenTheQueueIsEmpty_AndNullMeansDefault()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);
        int calls = 0;
        server.Responder = r => Interlocked.Increment(ref calls) % 2 == 0 ? FakeResponse.Error(502, "every second one") : null;
        server.Enqueue(FakeResponse.Error(418, "queued first"));

        var statuses = new List<int>();
        for (int i = 0; i < 5; i++)
        {
            using HttpResponseMessage r = await Generate(client);
            statuses.Add((int)r.StatusCode);
        }

        Assert.Equal(new[] { 418, 200, 502, 200, 502 }, statuses);
        Assert.Equal(4, calls);
    }

    [Fact]
    public async Task AThrowingResponder_GetsA500ThatSaysWhy()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);
        server.Responder = _ => throw new InvalidOperationException("bug in the test's responder");

        using HttpResponseMessage response = await Generate(client);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        JsonNode error = (await ReadJsonObjectAsync(response))["error"]!;
        Assert.Equal("fake_server_error", (string?)error["type"]);
        Assert.Contains("bug in the test's responder", (string)error["message"]!);
    }

    [Fact]
    public async Task JsonRawHtmlAndEmpty_AreSentAsGiven()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);
        server.Enqueue(
            FakeResponse.Json(200, """{"created":1,"data":[]}"""),
            FakeResponse.Raw(200, "text/plain", "not json"u8.ToArray()),
            FakeResponse.Html(502),
            FakeResponse.Empty(500));

        using HttpResponseMessage json = await Generate(client);
        Assert.Equal("""{"created":1,"data":[]}""", await json.Content.ReadAsStringAsync(Ct));
        Assert.Equal("application/json", json.Content.Headers.ContentType!.MediaType);

        using HttpResponseMessage raw = await Generate(client);
        Assert.Equal("text/plain", raw.Content.Headers.ContentType!.MediaType);
        Assert.Equal("not json", await raw.Content.ReadAsStringAsync(Ct));

        using HttpResponseMessage html = await Generate(client);
        Assert.Equal(HttpStatusCode.BadGateway, html.StatusCode);
        Assert.Equal("text/html", html.Content.Headers.ContentType!.MediaType);
        string page = await html.Content.ReadAsStringAsync(Ct);
        Assert.Contains("<title>502 Bad Gateway</title>", page);
        Assert.Contains("nginx", page);

        using HttpResponseMessage empty = await Generate(client);
        Assert.Equal(HttpStatusCode.InternalServerError, empty.StatusCode);
        Assert.Equal(0, empty.Content.Headers.ContentLength);
        Assert.Empty(await empty.Content.ReadAsByteArrayAsync(Ct));

        server.Enqueue(FakeResponse.Empty(204));
        using HttpResponseMessage noContent = await Generate(client);
        Assert.Equal(HttpStatusCode.NoContent, noContent.StatusCode);
        Assert.Empty(await noContent.Content.ReadAsByteArrayAsync(Ct));
    }

    [Fact]
    public async Task Truncated_Is200_EndsCleanly_ButIsNotValidJson()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);
        server.Enqueue(FakeResponse.Truncated());

        using HttpResponseMessage response = await Generate(client);
        string body = await response.Content.ReadAsStringAsync(Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Headers.TransferEncodingChunked);
        Assert.StartsWith("{\"created\":", body);
        Assert.Contains("\"b64_json\":\"", body);
        Assert.DoesNotContain("usage", body);
        Assert.ThrowsAny<JsonException>(() => JsonDocument.Parse(body));

        using HttpResponseMessage next = await Generate(client);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task ResetMidBody_FailsTheRead_AfterTheHeadersAndSomeBytes()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);
        server.Enqueue(FakeResponse.ResetMidBody(20), FakeResponse.ResetMidBody());

        using HttpResponseMessage response = await Generate(client, option: HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True(response.Content.Headers.ContentLength > 20);
        Stream stream = await response.Content.ReadAsStreamAsync(Ct);
        var received = new MemoryStream();
        Exception error = await Assert.ThrowsAnyAsync<Exception>(() => stream.CopyToAsync(received, Ct));
        Assert.True(error is IOException or HttpRequestException, error.ToString());
        Assert.Equal(20, received.Length);

        Exception buffered = await Assert.ThrowsAnyAsync<Exception>(() => Generate(client));
        Assert.True(buffered is HttpRequestException or IOException, buffered.ToString());

        using HttpResponseMessage next = await Generate(client);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task ResetMidBody_OnAStream_CutsTheEvents()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);
        server.Enqueue(FakeResponse.ResetMidBody(60));

        using HttpResponseMessage response = await Generate(client, """{"model":"gpt-image-1","prompt":"p","stream":true}""", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(Ct));

        Assert.Equal("event: image_generation.completed", await reader.ReadLineAsync(Ct));
        await Assert.ThrowsAnyAsync<Exception>(() => reader.ReadToEndAsync(Ct));
    }

    [Fact]
    public async Task Stall_HonoursCancellation_AndLaterRequestsStillWork()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);
        server.Enqueue(FakeResponse.Stall(TimeSpan.FromMinutes(10)));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        Task<HttpResponseMessage> stalled = client.PostAsync("images/generations", JsonBody(GptImage), cts.Token);
        await server.WaitForRequestAsync(cancellationToken: Ct);

        // The stall lasts ten minutes: ending within the one-minute guard proves the cancellation ended it.
        var watch = Stopwatch.StartNew();
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => stalled);
        await UntilAsync(() => server.InFlight == 0, "the stalled request ended at the server");
        Assert.True(watch.Elapsed < TimeSpan.FromMinutes(1), $"cancel took {watch.Elapsed}");

        using HttpResponseMessage next = await Generate(client);
        Assert.Equal(HttpStatusCode.OK, next.StatusCode);
    }

    [Fact]
    public async Task Stall_ThenAnswersWithTheDefaultSuccess()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);
        server.Enqueue(FakeResponse.Stall(TimeSpan.FromMilliseconds(400), new Dictionary<string, string> { ["x-stalled"] = "yes" }));

        var watch = Stopwatch.StartNew();
        using HttpResponseMessage response = await Generate(client);

        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(380), $"answered after {watch.Elapsed}");
        Assert.Equal("yes", response.Headers.GetValues("x-stalled").Single());
        Assert.NotNull((await ReadJsonObjectAsync(response))["data"]![0]!["b64_json"]);
    }

    [Fact]
    public async Task ServerDispose_EndsAStalledRequest()
    {
        var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);
        server.Enqueue(FakeResponse.Stall(TimeSpan.FromMinutes(10)));
        Task<HttpResponseMessage> pending = Generate(client);
        await server.WaitForRequestAsync(cancellationToken: Ct);

        // The stall lasts ten minutes: ending within the one-minute guard proves the dispose cut it off.
        var watch = Stopwatch.StartNew();
        await server.DisposeAsync();

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => pending);
        Assert.True(watch.Elapsed < TimeSpan.FromMinutes(1), $"dispose took {watch.Elapsed}");
    }

    [Fact]
    public async Task Trickle_SendsTheWholeBodyInSmallFlushedChunks()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);
        server.Enqueue(FakeResponse.Trickle(100, TimeSpan.FromMilliseconds(30)));

        var watch = Stopwatch.StartNew();
        using HttpResponseMessage response = await Generate(client, option: HttpCompletionOption.ResponseHeadersRead);
        Stream stream = await response.Content.ReadAsStreamAsync(Ct);
        var body = new MemoryStream();
        byte[] buffer = new byte[4096];
        int reads = 0;
        int n;
        while ((n = await stream.ReadAsync(buffer, Ct)) > 0)
        {
            body.Write(buffer, 0, n);
            reads++;
        }

        long length = body.Length;
        Assert.Equal(response.Content.Headers.ContentLength, length);
        int chunks = (int)((length + 99) / 100);
        Assert.True(reads >= chunks - 1, $"{reads} reads for {chunks} chunks");
        Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(30 * (chunks - 1) * 0.8), $"took {watch.Elapsed} for {chunks} chunks");
        JsonNode json = JsonNode.Parse(body.ToArray())!;
        Assert.Equal(Asset("sample-8x8.png"), DecodeB64(json["data"]![0]!["b64_json"]));
    }

    [Fact]
    public async Task Success_Knobs_ChangeTheShape()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);
        server.Enqueue(FakeResponse.Success(s =>
        {
            s.OmitUsage = true;
            s.OmitRequestId = true;
            s.ExtraFields = true;
            s.RevisedPrompt = "revised!";
            s.Count = 2;
        }));
        server.Enqueue(FakeResponse.Success(s => s.ExplicitNulls = true));

        using HttpResponseMessage response = await Generate(client);
        Assert.False(response.Headers.Contains("x-request-id"));
        JsonObject body = await ReadJsonObjectAsync(response);
        Assert.False(body.ContainsKey("usage"));
        Assert.True(body.ContainsKey("x_fake_unknown_object"));
        Assert.Equal(2, body["data"]!.AsArray().Count);
        Assert.Equal("revised!", (string?)body["data"]![1]!["revised_prompt"]);
        Assert.True(body["data"]![0]!.AsObject().ContainsKey("x_fake_unknown_string"));

        JsonObject nulls = await ReadJsonObjectAsync(await Generate(client));
        Assert.True(nulls["data"]![0]!.AsObject().ContainsKey("url"));
        Assert.Null(nulls["data"]![0]!["url"]);
        Assert.True(nulls["data"]![0]!.AsObject().ContainsKey("revised_prompt"));

        server.Enqueue(FakeResponse.Success(s => s.ExtraFields = true));
        JsonObject extra = await ReadJsonObjectAsync(await Generate(client));
        Assert.True(extra["usage"]!.AsObject().ContainsKey("x_fake_unknown_bool"));
        Assert.True(extra["usage"]!["input_tokens_details"]!.AsObject().ContainsKey("x_fake_unknown_null"));
        Assert.True(extra["usage"]!["output_tokens_details"]!.AsObject().ContainsKey("x_fake_unknown_number"));
    }

    [Fact]
    public async Task Success_PadImageTo_GivesALargePayloadThatStillStartsLikeThePng()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);
        server.Enqueue(FakeResponse.Success(s => s.PadImageTo = 3_000_000));

        byte[] image = DecodeB64((await ReadJsonObjectAsync(await Generate(client)))["data"]![0]!["b64_json"]);

        Assert.Equal(3_000_000, image.Length);
        byte[] png = Asset("sample-8x8.png");
        Assert.Equal(png, image[..png.Length]);
    }
}
