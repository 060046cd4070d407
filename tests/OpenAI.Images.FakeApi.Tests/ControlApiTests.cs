using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using static OpenAI.Images.FakeApi.Tests.TestSupport;

namespace OpenAI.Images.FakeApi.Tests;

public class ControlApiTests
{
    private static async Task<JsonNode> ControlAsync(HttpClient client, HttpMethod method, string route, string? json = null, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var request = new HttpRequestMessage(method, "_fake/" + route);
        if (json is not null)
        {
            request.Content = JsonBody(json);
        }

        using HttpResponseMessage response = await client.SendAsync(request, Ct);
        string text = await response.Content.ReadAsStringAsync(Ct);
        Assert.True(expected == response.StatusCode, $"{method} {route}: {(int)response.StatusCode} {text}");
        return JsonNode.Parse(text)!;
    }

    [Fact]
    public async Task Enqueue_Requests_Reset_RoundTrip_AndControlCallsAreNotRecorded()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using var control = new HttpClient { BaseAddress = server.Root };
        using HttpClient api = Client(server);

        JsonNode queued = await ControlAsync(control, HttpMethod.Post, "enqueue",
            """[{"kind":"error","status":429,"message":"slow down","type":"requests","code":"rate_limit_exceeded","headers":{"retry-after-ms":"10"},"count":2},{"kind":"html","status":503}]""");
        Assert.Equal(3, (int)queued["pending"]!);

        using var form = new MultipartFormDataContent
        {
            { new StringContent("gpt-image-1"), "model" },
            { new ByteArrayContent(Asset("sample-8x8.png")) { Headers = { ContentType = new("image/png") } }, "image[]", "a.png" },
        };
        using HttpResponseMessage first = await api.PostAsync("images/edits", form, Ct);
        Assert.Equal(HttpStatusCode.TooManyRequests, first.StatusCode);
        Assert.Equal("10", first.Headers.GetValues("retry-after-ms").Single());
        Assert.Equal(HttpStatusCode.TooManyRequests, (await api.PostAsync("images/generations", JsonBody("""{"prompt":"é"}"""), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await api.PostAsync("images/generations", JsonBody("{}"), Ct)).StatusCode);
        Assert.Equal(0, (int)(await ControlAsync(control, HttpMethod.Get, "queue"))["pending"]!);

        JsonArray requests = (await ControlAsync(control, HttpMethod.Get, "requests")).AsArray();
        Assert.Equal(3, requests.Count);
        JsonNode edit = requests[0]!;
        Assert.Equal("POST", (string?)edit["method"]);
        Assert.Equal("/v1/images/edits", (string?)edit["path"]);
        Assert.Equal("Bearer sk-test", (string?)edit["headers"]!["authorization"]![0]);
        Assert.Null(edit["json"]);
        Assert.Null(edit["bodyText"]);
        Assert.Equal((int)edit["bodyLength"]!, Convert.FromBase64String((string)edit["bodyBase64"]!).Length);
        JsonArray parts = edit["parts"]!.AsArray();
        Assert.Equal("model", (string?)parts[0]!["name"]);
        Assert.Equal("gpt-image-1", (string?)parts[0]!["text"]);
        Assert.False((bool)parts[0]!["isFile"]!);
        Assert.Equal("image[]", (string?)parts[1]!["name"]);
        Assert.Equal("a.png", (string?)parts[1]!["fileName"]);
        Assert.Equal("image/png", (string?)parts[1]!["contentType"]);
        Assert.StartsWith("form-data; name=\"image[]\"", (string?)parts[1]!["contentDisposition"]);
        Assert.Null(parts[1]!["text"]);
        Assert.Equal(Asset("sample-8x8.png"), Convert.FromBase64String((string)parts[1]!["dataBase64"]!));
        JsonNode generation = requests[1]!;
        Assert.Equal("é", (string?)generation["json"]!["prompt"]);
        Assert.Equal("{\"prompt\":\"é\"}", (string?)generation["bodyText"]);
        Assert.Matches(new Regex("^\\d{4}-\\d\\d-\\d\\dT"), (string)generation["receivedAt"]!);

        await ControlAsync(control, HttpMethod.Delete, "requests");
        Assert.Empty(server.Requests);

        await ControlAsync(control, HttpMethod.Post, "enqueue", """{"kind":"empty","status":500}""");
        (await api.PostAsync("images/generations", JsonBody("{}"), Ct)).Dispose();
        await ControlAsync(control, HttpMethod.Post, "enqueue", """{"kind":"empty","status":500}""");
        await ControlAsync(control, HttpMethod.Post, "reset");
        Assert.Empty(server.Requests);
        Assert.Equal(0, server.PendingResponses);
    }

    [Fact]
    public async Task Enqueue_EveryKind_ParsesAndBehaves()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using var control = new HttpClient { BaseAddress = server.Root };
        using HttpClient api = Client(server);
        const string body = """{"model":"gpt-image-1","prompt":"p"}""";

        await ControlAsync(control, HttpMethod.Post, "enqueue", """
            [
              {"kind":"json","status":202,"body":{"created":5,"data":[]}},
              {"kind":"raw","status":200,"contentType":"text/plain","body":"hello"},
              {"kind":"raw","status":200,"contentType":"application/octet-stream","bodyBase64":"AAEC"},
              {"kind":"truncated"},
              {"kind":"stall","ms":50},
              {"kind":"trickle","chunk":64,"intervalMs":1},
              {"kind":"success","omitUsage":true,"omitRequestId":true,"extraFields":true,"revisedPrompt":"r","dataCount":2,"usage":{"outputImageTokens":7}},
              {"kind":"success","usage":{"outputImageTokens":7,"inputTextTokens":1,"inputImageTokens":0}},
              {"kind":"reset","bytes":10}
            ]
            """);

        using (HttpResponseMessage r = await api.PostAsync("images/generations", JsonBody(body), Ct))
        {
            Assert.Equal(HttpStatusCode.Accepted, r.StatusCode);
            Assert.Equal(5, (int)(await ReadJsonObjectAsync(r))["created"]!);
        }

        Assert.Equal("hello", await (await api.PostAsync("images/generations", JsonBody(body), Ct)).Content.ReadAsStringAsync(Ct));
        Assert.Equal(new byte[] { 0, 1, 2 }, await (await api.PostAsync("images/generations", JsonBody(body), Ct)).Content.ReadAsByteArrayAsync(Ct));
        string truncated = await (await api.PostAsync("images/generations", JsonBody(body), Ct)).Content.ReadAsStringAsync(Ct);
        Assert.ThrowsAny<System.Text.Json.JsonException>(() => JsonNode.Parse(truncated));
        Assert.NotNull((await ReadJsonObjectAsync(await api.PostAsync("images/generations", JsonBody(body), Ct)))["usage"]);
        Assert.NotNull((await ReadJsonObjectAsync(await api.PostAsync("images/generations", JsonBody(body), Ct)))["usage"]);

        using (HttpResponseMessage r = await api.PostAsync("images/generations", JsonBody(body), Ct))
        {
            Assert.False(r.Headers.Contains("x-request-id"));
            JsonObject shaped = await ReadJsonObjectAsync(r);
            Assert.False(shaped.ContainsKey("usage"));
            Assert.Equal(2, shaped["data"]!.AsArray().Count);
            Assert.Equal("r", (string?)shaped["data"]![0]!["revised_prompt"]);
            Assert.True(shaped.ContainsKey("x_fake_unknown_string"));
        }

        JsonObject usage = (await ReadJsonObjectAsync(await api.PostAsync("images/generations", JsonBody(body), Ct)))["usage"]!.AsObject();
        Assert.Equal(8, (int)usage["total_tokens"]!);

        await Assert.ThrowsAnyAsync<HttpRequestException>(() => api.PostAsync("images/generations", JsonBody(body), Ct));
    }

    [Theory]
    [InlineData("""{"kind":"nope"}""", "Unknown kind")]
    [InlineData("""{"kind":"error","mesage":"typo"}""", "Unknown property 'mesage'")]
    [InlineData("""{"kind":"stall"}""", "stall needs")]
    [InlineData("""{"kind":"error","status":"x"}""", "must be an integer")]
    [InlineData("""{"kind":"error","count":0}""", "count")]
    [InlineData("""not json""", "not valid JSON")]
    [InlineData("""{"kind":"raw","bodyBase64":"***"}""", "base-64")]
    public async Task Enqueue_RejectsMistakesWith400(string json, string message)
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using var control = new HttpClient { BaseAddress = server.Root };

        JsonNode error = await ControlAsync(control, HttpMethod.Post, "enqueue", json, HttpStatusCode.BadRequest);

        Assert.Contains(message, (string)error["error"]!, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(0, server.PendingResponses);
    }

    [Fact]
    public async Task Chaos_FailsTheGivenShareOfRequests_Reproducibly()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using var control = new HttpClient { BaseAddress = server.Root };
        using HttpClient api = Client(server);
        await ControlAsync(control, HttpMethod.Post, "chaos", """{"rate":0.3,"seed":7,"response":{"kind":"error","status":500,"message":"chaos"}}""");

        int failures = 0;
        for (int i = 0; i < 60; i++)
        {
            using HttpResponseMessage r = await api.PostAsync("images/generations", JsonBody("{}"), Ct);
            failures += r.StatusCode == HttpStatusCode.InternalServerError ? 1 : 0;
        }

        Assert.InRange(failures, 8, 30);
        await ControlAsync(control, HttpMethod.Post, "chaos", """{"rate":0}""");
        Assert.Null(server.Responder);
    }

    [Fact]
    public async Task Latency_DelaysEachApiReply_AndStatsCountWhatIsInFlight()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using var control = new HttpClient { BaseAddress = server.Root };
        using HttpClient api = Client(server);

        await ControlAsync(control, HttpMethod.Post, "latency", """{"ms":600}""");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        Task<HttpResponseMessage>[] three = Enumerable.Range(0, 3).Select(_ => api.PostAsync("images/generations", JsonBody("""{"prompt":"x","model":"gpt-image-1"}"""), Ct)).ToArray();
        // Counted in flight from when each is recorded until its reply is written.
        await UntilAsync(() => server.InFlight == 3, "three requests in flight");
        Assert.Equal(3, (int)(await ControlAsync(control, HttpMethod.Get, "stats"))["inFlight"]!);
        HttpResponseMessage[] replies = await Task.WhenAll(three);
        Assert.All(replies, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(550), clock.Elapsed.ToString());
        JsonNode stats = await ControlAsync(control, HttpMethod.Get, "stats");
        Assert.Equal(0, (int)stats["inFlight"]!);
        Assert.Equal(3, (int)stats["maxInFlight"]!);

        // Random latencies stay within their bounds; a reset clears latency and the high-water mark.
        await ControlAsync(control, HttpMethod.Post, "latency", """{"minMs":0,"maxMs":20,"seed":1}""");
        Assert.Equal(0, (int)(await ControlAsync(control, HttpMethod.Get, "stats"))["maxInFlight"]!);
        Assert.Equal(HttpStatusCode.OK, (await api.PostAsync("images/generations", JsonBody("{}"), Ct)).StatusCode);
        await ControlAsync(control, HttpMethod.Post, "reset");
        Assert.Null(server.Latency);
        Assert.Equal(0, server.MaxInFlight);

        await ControlAsync(control, HttpMethod.Post, "latency", """{"ms":5,"minMs":1}""", HttpStatusCode.BadRequest);
        await ControlAsync(control, HttpMethod.Post, "latency", """{"minMs":9,"maxMs":1}""", HttpStatusCode.BadRequest);
        await ControlAsync(control, HttpMethod.Post, "latency", """{"millis":5}""", HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Hold_WaitsUntilReleased_ByCountOrSequence_AndStatsCountWhatIsHeld()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using var control = new HttpClient { BaseAddress = server.Root };
        using HttpClient api = Client(server);

        await ControlAsync(control, HttpMethod.Post, "enqueue", """{"kind":"hold","count":3,"headers":{"x-held":"yes"}}""");
        Task<HttpResponseMessage>[] three = Enumerable.Range(1, 3).Select(i => api.PostAsync("images/generations", JsonBody($$"""{"prompt":"p{{i}}","model":"gpt-image-1"}"""), Ct)).ToArray();
        await UntilAsync(() => server.Held == 3, "three requests held");
        JsonNode stats = await ControlAsync(control, HttpMethod.Get, "stats");
        Assert.Equal((3, 3, 3), ((int)stats["held"]!, (int)stats["maxHeld"]!, (int)stats["inFlight"]!));
        Assert.Equal(server.Requests.Select(r => r.Sequence), server.HeldRequests.Select(r => r.Sequence));
        Assert.DoesNotContain(three, t => t.IsCompleted);

        // By sequence: only that one is answered (the default success, with the entry's headers).
        long second = server.Requests.Single(r => (string?)r.Json!["prompt"] == "p2").Sequence;
        JsonNode released = await ControlAsync(control, HttpMethod.Post, "release", $$"""{"sequences":[{{second}}]}""");
        Assert.Equal((1, 2), ((int)released["released"]!, (int)released["held"]!));
        HttpResponseMessage p2 = await three[1];
        Assert.Equal(HttpStatusCode.OK, p2.StatusCode);
        Assert.Equal("yes", p2.Headers.GetValues("x-held").Single());
        Assert.NotNull((await ReadJsonObjectAsync(p2))["data"]);
        Assert.False(three[0].IsCompleted || three[2].IsCompleted);

        // By count: the oldest held first. Releasing what is no longer held releases nothing.
        RecordedRequest oldest = server.HeldRequests[0];
        Assert.Equal(server.HeldRequests.Min(r => r.Sequence), oldest.Sequence);
        Task<HttpResponseMessage> oldestReply = three[int.Parse(((string)oldest.Json!["prompt"]!)[1..], System.Globalization.CultureInfo.InvariantCulture) - 1];
        Assert.Equal(1, (int)(await ControlAsync(control, HttpMethod.Post, "release", """{"count":1}"""))["released"]!);
        Assert.Equal(HttpStatusCode.OK, (await oldestReply).StatusCode);
        Assert.Equal(0, (int)(await ControlAsync(control, HttpMethod.Post, "release", $$"""{"sequences":[{{oldest.Sequence}}]}"""))["released"]!);
        Assert.Equal(1, server.Held);
        Task<HttpResponseMessage> last = three.Single(t => !t.IsCompleted);

        // A reset cuts off what is still held; a request the client gives up on leaves the count.
        await ControlAsync(control, HttpMethod.Post, "reset");
        await Assert.ThrowsAnyAsync<HttpRequestException>(() => last);
        Assert.Equal((0, 0), (server.Held, server.MaxHeld));
        server.Enqueue(FakeResponse.Hold());
        using (var giveUp = CancellationTokenSource.CreateLinkedTokenSource(Ct))
        {
            Task<HttpResponseMessage> abandoned = api.PostAsync("images/generations", JsonBody("{}"), giveUp.Token);
            await UntilAsync(() => server.Held == 1, "the request held");
            await giveUp.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        }

        await UntilAsync(() => server.Held == 0 && server.InFlight == 0, "the abandoned request no longer held");

        // Without a body: every held request. Mistakes are 400s.
        server.Enqueue(FakeResponse.Hold(), 2);
        Task<HttpResponseMessage>[] two = Enumerable.Range(0, 2).Select(_ => api.PostAsync("images/generations", JsonBody("{}"), Ct)).ToArray();
        await UntilAsync(() => server.Held == 2, "two requests held");
        Assert.Equal(2, (int)(await ControlAsync(control, HttpMethod.Post, "release"))["released"]!);
        Assert.All(await Task.WhenAll(two), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));

        // "then": held, then that reply instead of the success.
        await ControlAsync(control, HttpMethod.Post, "enqueue", """{"kind":"hold","then":{"kind":"error","status":429,"headers":{"retry-after":"60"}}}""");
        Task<HttpResponseMessage> limited = api.PostAsync("images/generations", JsonBody("{}"), Ct);
        await UntilAsync(() => server.Held == 1, "the request held");
        Assert.False(limited.IsCompleted);
        server.Release();
        using (HttpResponseMessage reply = await limited)
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, reply.StatusCode);
            Assert.Equal("60", reply.Headers.GetValues("retry-after").Single());
        }

        await ControlAsync(control, HttpMethod.Post, "enqueue", """{"kind":"hold","then":{"kind":"hold"}}""", HttpStatusCode.BadRequest);
        await ControlAsync(control, HttpMethod.Post, "enqueue", """{"kind":"hold","status":500,"then":{"kind":"empty"}}""", HttpStatusCode.BadRequest);
        await ControlAsync(control, HttpMethod.Post, "enqueue", """{"kind":"hold","then":{"kind":"empty","count":2}}""", HttpStatusCode.BadRequest);
        await ControlAsync(control, HttpMethod.Post, "release", """{"count":-1}""", HttpStatusCode.BadRequest);
        await ControlAsync(control, HttpMethod.Post, "release", """{"count":1,"sequences":[1]}""", HttpStatusCode.BadRequest);
        await ControlAsync(control, HttpMethod.Post, "release", """{"sequences":1}""", HttpStatusCode.BadRequest);
        await ControlAsync(control, HttpMethod.Post, "release", """{"kind":"hold"}""", HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task UnknownControlRoute_Is404_AndNotRecorded()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using var control = new HttpClient { BaseAddress = server.Root };

        await ControlAsync(control, HttpMethod.Get, "nope", expected: HttpStatusCode.NotFound);
        Assert.Equal("ok", (string?)(await ControlAsync(control, HttpMethod.Get, "health"))["status"]);

        Assert.Empty(server.Requests);
    }
}
