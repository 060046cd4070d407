using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using static OpenAI.Images.FakeApi.Tests.TestSupport;

namespace OpenAI.Images.FakeApi.Tests;

public class StreamingTests
{
    [Fact]
    public async Task GenerationStream_SendsPartialsThenCompleted_EachWithEveryRequiredField()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);

        using HttpResponseMessage response = await client.PostAsync("images/generations", JsonBody("""{"model":"gpt-image-1","prompt":"p","stream":true,"partial_images":2,"output_format":"jpeg"}"""), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType!.MediaType);
        Assert.True(response.Headers.TransferEncodingChunked);
        List<SseEvent> events = ParseSse(await response.Content.ReadAsStringAsync(Ct));

        Assert.Equal(new[] { "image_generation.partial_image", "image_generation.partial_image", "image_generation.completed" }, events.Select(e => e.Event));
        for (int i = 0; i < events.Count; i++)
        {
            JsonObject data = JsonNode.Parse(events[i].Data)!.AsObject();
            Assert.Equal(events[i].Event, (string?)data["type"]);
            Assert.Equal(Asset("sample-8x8.jpg"), DecodeB64(data["b64_json"]));
            Assert.Equal("jpeg", (string?)data["output_format"]);
            if (i < 2)
            {
                HasRequired(data, SpecSchemas.Required["ImageGenPartialImageEvent"], "ImageGenPartialImageEvent");
                Assert.Equal(i, (int)data["partial_image_index"]!);
            }
            else
            {
                HasRequired(data, SpecSchemas.Required["ImageGenCompletedEvent"], "ImageGenCompletedEvent");
                HasRequired(data["usage"]!.AsObject(), SpecSchemas.Required["ImagesUsage"], "ImagesUsage");
                HasRequired(data["usage"]!["input_tokens_details"]!.AsObject(), SpecSchemas.Required["ImageGenInputUsageDetails"], "ImagesUsage.input_tokens_details");
            }
        }
    }

    [Fact]
    public async Task MultipartEditStream_UsesImageEditEvents_AndDefaultsToNoPartials()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);
        using var form = new MultipartFormDataContent
        {
            { new StringContent("gpt-image-1"), "model" },
            { new StringContent("p"), "prompt" },
            { new ByteArrayContent(Asset("sample-8x8.png")), "image[]", "a.png" },
            { new StringContent("true"), "stream" },
        };

        using HttpResponseMessage response = await client.PostAsync("images/edits", form, Ct);

        List<SseEvent> events = ParseSse(await response.Content.ReadAsStringAsync(Ct));
        SseEvent completed = Assert.Single(events);
        Assert.Equal("image_edit.completed", completed.Event);
        JsonObject data = JsonNode.Parse(completed.Data)!.AsObject();
        HasRequired(data, SpecSchemas.Required["ImageEditCompletedEvent"], "ImageEditCompletedEvent");
        Assert.Equal("image_edit.completed", (string?)data["type"]);
        Assert.True((int)data["usage"]!["input_tokens_details"]!["image_tokens"]! > 0);
    }

    [Fact]
    public async Task EditPartialEvents_CarryEveryRequiredField()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);

        using HttpResponseMessage response = await client.PostAsync("images/edits", JsonBody("""{"model":"gpt-image-1.5","prompt":"p","images":[{"file_id":"file-1"}],"stream":true,"partial_images":1}"""), Ct);

        List<SseEvent> events = ParseSse(await response.Content.ReadAsStringAsync(Ct));
        Assert.Equal(new[] { "image_edit.partial_image", "image_edit.completed" }, events.Select(e => e.Event));
        HasRequired(JsonNode.Parse(events[0].Data)!.AsObject(), SpecSchemas.Required["ImageEditPartialImageEvent"], "ImageEditPartialImageEvent");
    }

    [Fact]
    public async Task StreamFalse_OrAStringTrueInJson_GetsPlainJson()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);

        using HttpResponseMessage off = await client.PostAsync("images/generations", JsonBody("""{"model":"gpt-image-1","prompt":"p","stream":false,"partial_images":2}"""), Ct);
        using HttpResponseMessage text = await client.PostAsync("images/generations", JsonBody("""{"model":"gpt-image-1","prompt":"p","stream":"true"}"""), Ct);

        Assert.Equal("application/json", off.Content.Headers.ContentType!.MediaType);
        Assert.Equal("application/json", text.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Events_AreFlushedAsTheyAreSent_AndPausedByTheEventDelay()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);

        // Ten minutes between events: reading the first one at all shows it was flushed before the pause (the token
        // is a guard far from both, not a measure of speed).
        server.Enqueue(FakeResponse.Success(s => s.EventDelay = TimeSpan.FromMinutes(10)));
        using var guard = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        guard.CancelAfter(TimeSpan.FromSeconds(30));
        using (HttpRequestMessage request = OnePartialImageStream())
        using (HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, guard.Token))
        using (var reader = new StreamReader(await response.Content.ReadAsStreamAsync(guard.Token), Encoding.UTF8))
        {
            Assert.Equal("event: image_generation.partial_image", await reader.ReadLineAsync(guard.Token));
            Assert.StartsWith("data: {", await reader.ReadLineAsync(guard.Token));
        }

        // A short pause: the stream takes at least that long (a lower bound only: a pause may end late on a busy
        // machine, never early).
        server.Enqueue(FakeResponse.Success(s => s.EventDelay = TimeSpan.FromMilliseconds(300)));
        var watch = Stopwatch.StartNew();
        using (HttpRequestMessage request = OnePartialImageStream())
        using (HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct))
        {
            string all = await response.Content.ReadAsStringAsync(Ct);
            Assert.True(watch.Elapsed >= TimeSpan.FromMilliseconds(290), $"whole stream took only {watch.Elapsed}");
            Assert.Contains("event: image_generation.partial_image", all);
            Assert.Contains("event: image_generation.completed", all);
        }
    }

    private static HttpRequestMessage OnePartialImageStream() =>
        new(HttpMethod.Post, "images/generations") { Content = JsonBody("""{"model":"gpt-image-1","prompt":"p","stream":true,"partial_images":1}""") };

    [Fact]
    public async Task StreamKnobs_ErrorEvent_MissingCompleted_AndCrlf()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);
        const string streamRequest = """{"model":"gpt-image-1","prompt":"p","stream":true,"partial_images":1}""";

        server.Enqueue(FakeResponse.Success(s => { s.StreamErrorMessage = "Your request was rejected by the safety system."; s.StreamErrorCode = "moderation_blocked"; }));
        List<SseEvent> withError = ParseSse(await (await client.PostAsync("images/generations", JsonBody(streamRequest), Ct)).Content.ReadAsStringAsync(Ct));
        Assert.Equal(new[] { "image_generation.partial_image", "error" }, withError.Select(e => e.Event));
        JsonNode error = JsonNode.Parse(withError[1].Data)!;
        Assert.Equal("error", (string?)error["type"]);
        Assert.Equal("moderation_blocked", (string?)error["error"]!["code"]);

        server.Enqueue(FakeResponse.Success(s => s.OmitCompletedEvent = true));
        List<SseEvent> cut = ParseSse(await (await client.PostAsync("images/generations", JsonBody(streamRequest), Ct)).Content.ReadAsStringAsync(Ct));
        Assert.Equal("image_generation.partial_image", Assert.Single(cut).Event);

        server.Enqueue(FakeResponse.Success(s => s.SseLineEnding = "\r\n"));
        string crlf = await (await client.PostAsync("images/generations", JsonBody(streamRequest), Ct)).Content.ReadAsStringAsync(Ct);
        Assert.Contains("\r\ndata: ", crlf);
        Assert.EndsWith("\r\n\r\n", crlf);
        Assert.Equal(2, ParseSse(crlf).Count);
    }
}
