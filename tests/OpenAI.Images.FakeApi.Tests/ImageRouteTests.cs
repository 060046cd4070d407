using System;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using static OpenAI.Images.FakeApi.Tests.TestSupport;

namespace OpenAI.Images.FakeApi.Tests;

public class ImageRouteTests
{
    [Fact]
    public async Task GptImageGeneration_HasTheImagesResponseShape_AndTheRealSampleBytes()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);

        using HttpResponseMessage response = await client.PostAsync("images/generations", JsonBody("""{"model":"gpt-image-1","prompt":"a sea otter","n":3,"size":"1536x1024","quality":"low"}"""), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Matches("^req_[0-9a-f]{32}$", response.Headers.GetValues("x-request-id").Single());
        Assert.True(int.TryParse(response.Headers.GetValues("openai-processing-ms").Single(), out _));

        JsonObject body = await ReadJsonObjectAsync(response);
        HasRequired(body, SpecSchemas.Required["ImagesResponse"], "ImagesResponse");
        Assert.InRange((long)body["created"]!, DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddMinutes(1).ToUnixTimeSeconds());
        Assert.Equal("opaque", (string?)body["background"]);
        Assert.Equal("png", (string?)body["output_format"]);
        Assert.Equal("1536x1024", (string?)body["size"]);
        Assert.Equal("low", (string?)body["quality"]);

        JsonArray data = body["data"]!.AsArray();
        Assert.Equal(3, data.Count);
        byte[] png = Asset("sample-8x8.png");
        foreach (JsonNode? item in data)
        {
            Assert.Equal(png, DecodeB64(item!["b64_json"]));
            Assert.False(item.AsObject().ContainsKey("url"));
            Assert.False(item.AsObject().ContainsKey("revised_prompt"));
        }

        JsonObject usage = body["usage"]!.AsObject();
        HasRequired(usage, SpecSchemas.Required["ImageGenUsage"], "ImageGenUsage");
        HasRequired(usage["input_tokens_details"]!.AsObject(), SpecSchemas.Required["ImageGenInputUsageDetails"], "ImageGenInputUsageDetails");
        HasRequired(usage["output_tokens_details"]!.AsObject(), SpecSchemas.Required["ImageGenOutputTokensDetails"], "ImageGenOutputTokensDetails");
        Assert.Equal((int)usage["input_tokens"]! + (int)usage["output_tokens"]!, (int)usage["total_tokens"]!);
        Assert.Equal((int)usage["input_tokens_details"]!["text_tokens"]! + (int)usage["input_tokens_details"]!["image_tokens"]!, (int)usage["input_tokens"]!);
        Assert.True((int)usage["output_tokens"]! > 0);
    }

    [Fact]
    public async Task B64Json_IsWrittenLikeOpenAI_WithoutUnicodeEscapes()
    {
        // Base64 has '+' and '/': the real API writes them as they are, never as \u002B.
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);
        server.Enqueue(FakeResponse.Success(s => s.ImageBytes = new byte[] { 0xFB, 0xEF, 0xFF, 0xFE }));

        string raw = await (await client.PostAsync("images/generations", JsonBody("""{"model":"gpt-image-1","prompt":"p"}"""), Ct)).Content.ReadAsStringAsync(Ct);

        Assert.Contains("\"b64_json\":\"++//", raw);
        Assert.DoesNotContain("\\u", raw);
    }

    [Theory]
    [InlineData("png", "sample-8x8.png")]
    [InlineData("jpeg", "sample-8x8.jpg")]
    [InlineData("webp", "sample-8x8.webp")]
    public async Task OutputFormat_SelectsTheMatchingSampleImage(string format, string asset)
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);

        JsonObject body = await ReadJsonObjectAsync(await client.PostAsync("images/generations", JsonBody($$"""{"model":"gpt-image-1-mini","prompt":"p","output_format":"{{format}}"}"""), Ct));

        Assert.Equal(format, (string?)body["output_format"]);
        Assert.Equal(Asset(asset), DecodeB64(body["data"]![0]!["b64_json"]));
    }

    [Fact]
    public async Task TransparentBackground_ReturnsThePngWithAlpha()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);

        JsonObject body = await ReadJsonObjectAsync(await client.PostAsync("images/generations", JsonBody("""{"model":"gpt-image-1","prompt":"p","background":"transparent"}"""), Ct));

        Assert.Equal("transparent", (string?)body["background"]);
        Assert.Equal(Asset("sample-8x8-rgba.png"), DecodeB64(body["data"]![0]!["b64_json"]));
    }

    [Fact]
    public async Task DallE2_DefaultsToUrlItems_ServedByTheDownloadRoute_WhichIsRecordedWithoutAuth()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);

        JsonObject body = await ReadJsonObjectAsync(await client.PostAsync("images/generations", JsonBody("""{"prompt":"p","n":2}"""), Ct));

        Assert.False(body.ContainsKey("usage"));
        Assert.False(body.ContainsKey("output_format"));
        JsonArray data = body["data"]!.AsArray();
        Assert.Equal(2, data.Count);
        string url = (string)data[0]!["url"]!;
        Assert.StartsWith(server.Root + "_fake/download/", url);
        Assert.Contains("sig=", url);
        Assert.NotEqual(url, (string?)data[1]!["url"]);

        using var plain = new HttpClient();
        using HttpResponseMessage download = await plain.GetAsync(url, Ct);
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("image/png", download.Content.Headers.ContentType!.MediaType);
        Assert.Equal(Asset("sample-8x8.png"), await download.Content.ReadAsByteArrayAsync(Ct));

        RecordedRequest recorded = server.Requests.Last();
        Assert.True(recorded.IsDownload);
        Assert.Equal("GET", recorded.Method);
        Assert.False(recorded.HasHeader("Authorization"));
        Assert.True(server.Requests[0].HasHeader("authorization"));
        Assert.Single(server.ApiRequests);

        using HttpResponseMessage missing = await plain.GetAsync(server.Root + "_fake/download/img-nope.png", Ct);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task DallE3_ItemsCarryARevisedPrompt_AndB64WhenAsked()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);

        JsonObject body = await ReadJsonObjectAsync(await client.PostAsync("images/generations", JsonBody("""{"model":"dall-e-3","prompt":"an otter","response_format":"b64_json"}"""), Ct));

        JsonNode item = body["data"]![0]!;
        Assert.Contains("an otter", (string)item["revised_prompt"]!);
        Assert.NotEqual("an otter", (string)item["revised_prompt"]!);
        Assert.Equal(Asset("sample-8x8.png"), DecodeB64(item["b64_json"]));
    }

    [Fact]
    public async Task Variations_AreMultipartDallE2_WithUrlItems()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);
        using var form = new MultipartFormDataContent
        {
            { new ByteArrayContent(Asset("sample-8x8.png")), "image", "otter.png" },
            { new StringContent("2"), "n" },
        };

        JsonObject body = await ReadJsonObjectAsync(await client.PostAsync("images/variations", form, Ct));

        Assert.Equal(2, body["data"]!.AsArray().Count);
        Assert.NotNull(body["data"]![0]!["url"]);
        Assert.Equal(Asset("sample-8x8.png"), server.Requests.Single().Files("image").Single().Data);
    }

    [Theory]
    [InlineData("/openai/deployments/gpt-image-1/images/generations?api-version=2025-04-01-preview")]
    [InlineData("/openai/v1/images/generations?api-version=preview")]
    [InlineData("/v1/images/generations")]
    public async Task ImageRoutes_MatchAnyPathEndingInTheEndpoint(string pathAndQuery)
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using var client = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.Root, pathAndQuery)) { Content = JsonBody("""{"prompt":"p","model":"gpt-image-1"}""") };
        request.Headers.Add("api-key", "azure-key");

        using HttpResponseMessage response = await client.SendAsync(request, Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.NotNull((await ReadJsonObjectAsync(response))["data"]![0]!["b64_json"]);
        RecordedRequest recorded = server.Requests.Single();
        Assert.Equal(pathAndQuery, recorded.PathAndQuery);
        Assert.Equal("azure-key", recorded.Header("API-KEY"));
    }

    [Fact]
    public async Task AzureDeploymentName_IsTheModelWhenTheBodyHasNone()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using var client = new HttpClient();

        using HttpResponseMessage response = await client.PostAsync(new Uri(server.Root, "/openai/deployments/gpt-image-1/images/generations?api-version=2025-04-01-preview"), JsonBody("""{"prompt":"p"}"""), Ct);

        JsonObject body = await ReadJsonObjectAsync(response);
        Assert.NotNull(body["usage"]);
        Assert.NotNull(body["data"]![0]!["b64_json"]);
    }

    [Fact]
    public async Task UnknownRoute_And_BadJson_GetOpenAIErrors()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);

        using HttpResponseMessage notFound = await client.PostAsync("images/nope", JsonBody("{}"), Ct);
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);
        Assert.Equal("Invalid URL (POST /v1/images/nope)", (string?)(await ReadJsonObjectAsync(notFound))["error"]!["message"]);

        using HttpResponseMessage badJson = await client.PostAsync("images/generations", JsonBody("{\"prompt\":"), Ct);
        Assert.Equal(HttpStatusCode.BadRequest, badJson.StatusCode);
        JsonNode error = (await ReadJsonObjectAsync(badJson))["error"]!;
        Assert.StartsWith("We could not parse the JSON body", (string)error["message"]!);
        Assert.Equal("invalid_request_error", (string?)error["type"]);
        Assert.Equal(2, server.Requests.Count);
    }

    [Fact]
    public async Task Starts_OnLoopbackOnly()
    {
        // How long the start takes is reported, not asserted: it depends on the machine's load.
        var watch = Stopwatch.StartNew();
        await using var server = await FakeOpenAIServer.StartAsync();
        watch.Stop();

        Assert.Equal("127.0.0.1", server.BaseUri.Host);
        Assert.Equal($"http://127.0.0.1:{server.Port}/v1", server.BaseUri.AbsoluteUri);
        Assert.Equal($"http://127.0.0.1:{server.Port}/", server.Root.AbsoluteUri);
        TestContext.Current.SendDiagnosticMessage($"in-process start: {watch.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task ConcurrentRequests_AreAllRecorded_AndAPooledConnectionKeepsItsId()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);

        await Task.WhenAll(Enumerable.Range(0, 20).Select(i => client.PostAsync("images/generations", JsonBody($$"""{"model":"gpt-image-1","prompt":"p{{i}}"}"""), Ct)));

        Assert.Equal(20, server.Requests.Count);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => "p" + i).Order(), server.Requests.Select(r => r.Parameter("prompt")!).Order());
        Assert.Equal(20, server.Requests.Select(r => r.Sequence).Distinct().Count());

        server.ClearRequests();
        using var single = new HttpClient();
        (await single.PostAsync(new Uri(server.BaseUri + "/images/generations"), JsonBody("""{"prompt":"a"}"""), Ct)).Dispose();
        (await single.PostAsync(new Uri(server.BaseUri + "/images/generations"), JsonBody("""{"prompt":"b"}"""), Ct)).Dispose();
        Assert.Equal(server.Requests[0].ConnectionId, server.Requests[1].ConnectionId);
    }

    [Fact]
    public async Task WaitForRequestAsync_SeesEarlierAndLaterRequests()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);
        (await client.PostAsync("images/generations", JsonBody("""{"prompt":"first"}"""), Ct)).Dispose();

        Assert.Equal("first", (await server.WaitForRequestAsync(cancellationToken: Ct)).Parameter("prompt"));

        Task<RecordedRequest> waiting = server.WaitForRequestAsync(r => r.Parameter("prompt") == "second", TimeSpan.FromMinutes(1), Ct);
        Assert.False(waiting.IsCompleted);
        (await client.PostAsync("images/generations", JsonBody("""{"prompt":"second"}"""), Ct)).Dispose();
        Assert.Equal("second", (await waiting).Parameter("prompt"));

        await Assert.ThrowsAsync<TimeoutException>(() => server.WaitForRequestAsync(r => r.Path == "/never", TimeSpan.FromMilliseconds(100), Ct));
    }
}
