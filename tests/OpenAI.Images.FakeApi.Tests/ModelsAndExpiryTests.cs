using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using static OpenAI.Images.FakeApi.Tests.TestSupport;

namespace OpenAI.Images.FakeApi.Tests;

/// <summary>GET /models (ListModelsResponse of Model objects) and output_expires_after on POST /batches (BatchFileExpirationAfter).</summary>
public class ModelsAndExpiryTests
{
    [Fact]
    public async Task Models_ListsTheDefaultModelsInOpenAIsWireFormat()
    {
        await using var server = await FakeOpenAIServer.StartAsync(new FakeServerOptions { ExpectedApiKey = "sk-test" });
        using HttpClient client = Client(server);

        using HttpResponseMessage response = await client.GetAsync("models", Ct);
        Assert.StartsWith("req_", response.Headers.GetValues("x-request-id").Single());
        JsonObject list = await ReadJsonObjectAsync(response);

        // The spec: ListModelsResponse requires object ("list") and data; Model requires id, object ("model"), created, owned_by.
        Assert.Equal("list", (string?)list["object"]);
        JsonArray data = list["data"]!.AsArray();
        Assert.Equal(FakeOpenAIServer.DefaultModels.Select(m => m.Id), data.Select(m => (string?)m!["id"]));
        foreach (JsonNode? model in data)
        {
            Assert.Equal("model", (string?)model!["object"]);
            Assert.True(model["created"]!.GetValue<long>() > 0);
            Assert.NotNull((string?)model["owned_by"]);
            Assert.True(model.AsObject().ContainsKey("shutdown_date"));
            Assert.Null(model["shutdown_date"]);
        }

        using HttpClient anonymous = Client(server, apiKey: null);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("models", Ct)).StatusCode);
    }

    [Fact]
    public async Task Models_AreSetThroughTheControlApi_DatesNullsMissingPropertiesAndNoRouteAtAll()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using var control = new HttpClient { BaseAddress = server.Root };
        using HttpClient client = Client(server);

        using (HttpResponseMessage set = await control.PostAsync("_fake/models", JsonBody("""{"models":[{"id":"gpt-image-2","shutdown_date":"2027-01-15","owned_by":"openai","created":5},{"id":"gpt-image-1.5"},{"id":"dall-e-3","shutdown_date":null}]}"""), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, set.StatusCode);
            Assert.Equal("""{"models":["gpt-image-2","gpt-image-1.5","dall-e-3"]}""", await set.Content.ReadAsStringAsync(Ct));
        }

        JsonArray data = (await ReadJsonObjectAsync(await client.GetAsync("models", Ct)))["data"]!.AsArray();
        Assert.Equal("2027-01-15", (string?)data[0]!["shutdown_date"]);
        Assert.Equal(5, (long)data[0]!["created"]!);
        Assert.Equal("openai", (string?)data[0]!["owned_by"]);
        Assert.False(data[1]!.AsObject().ContainsKey("shutdown_date"));
        Assert.True(data[2]!.AsObject().ContainsKey("shutdown_date"));
        Assert.Null(data[2]!["shutdown_date"]);

        await control.PostAsync("_fake/models", JsonBody("""{"models":null}"""), Ct);
        using (HttpResponseMessage missing = await client.GetAsync("models", Ct))
        {
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            Assert.Equal("Invalid URL (GET /v1/models)", (string?)(await ReadJsonObjectAsync(missing))["error"]!["message"]);
        }

        Assert.Equal(HttpStatusCode.BadRequest, (await control.PostAsync("_fake/models", JsonBody("""{"models":[{"name":"x"}]}"""), Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await control.PostAsync("_fake/models", JsonBody("""{"models":"gpt-image-2"}"""), Ct)).StatusCode);

        await control.PostAsync("_fake/models", JsonBody("""{"reset":true}"""), Ct);
        Assert.Equal(FakeOpenAIServer.DefaultModels.Count, (await ReadJsonObjectAsync(await client.GetAsync("models", Ct)))["data"]!.AsArray().Count);

        server.Models = null;
        server.Reset();
        Assert.Same(FakeOpenAIServer.DefaultModels, server.Models);
        Assert.Equal(HttpStatusCode.NotFound, (await client.PostAsync("models", JsonBody("{}"), Ct)).StatusCode); // GET only
    }

    [Theory]
    [InlineData("""{"anchor":"created_at","seconds":3600}""", HttpStatusCode.OK, null)]
    [InlineData("""{"anchor":"created_at","seconds":2592000}""", HttpStatusCode.OK, null)]
    [InlineData("""{"anchor":"created_at","seconds":3599}""", HttpStatusCode.BadRequest, "output_expires_after.seconds")]
    [InlineData("""{"anchor":"created_at","seconds":2592001}""", HttpStatusCode.BadRequest, "output_expires_after.seconds")]
    [InlineData("""{"anchor":"created_at","seconds":3600.5}""", HttpStatusCode.BadRequest, "output_expires_after.seconds")]
    [InlineData("""{"anchor":"created_at","seconds":"3600"}""", HttpStatusCode.BadRequest, "output_expires_after.seconds")]
    [InlineData("""{"anchor":"completed_at","seconds":3600}""", HttpStatusCode.BadRequest, "output_expires_after.anchor")]
    [InlineData("""{"seconds":3600}""", HttpStatusCode.BadRequest, "output_expires_after.anchor")]
    [InlineData("3600", HttpStatusCode.BadRequest, "output_expires_after.anchor")]
    public async Task CreateBatch_ChecksOutputExpiresAfterAsTheSpecDoes(string value, HttpStatusCode expected, string? param)
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);
        FakeFile input = server.AddFile("in.jsonl", "batch", Encoding.UTF8.GetBytes("""{"custom_id":"a","method":"POST","url":"/v1/images/generations","body":{"model":"gpt-image-2","prompt":"x"}}""" + "\n"));

        using HttpResponseMessage response = await client.PostAsync("batches", JsonBody($$"""{"input_file_id":"{{input.Id}}","endpoint":"/v1/images/generations","completion_window":"24h","output_expires_after":{{value}}}"""), Ct);

        Assert.Equal(expected, response.StatusCode);
        JsonObject body = await ReadJsonObjectAsync(response);
        if (param is not null)
        {
            Assert.Equal(param, (string?)body["error"]!["param"]);
            Assert.Empty(server.StoredBatchIds);
        }
    }

    [Fact]
    public async Task OutputAndErrorFiles_ExpireOutputExpiresAfterSecondsAfterTheyAreCreated()
    {
        await using var server = await FakeOpenAIServer.StartAsync(new FakeServerOptions { BatchPollsUntilDone = 1 });
        using HttpClient client = Client(server);
        FakeFile input = server.AddFile("in.jsonl", "batch", Encoding.UTF8.GetBytes(
            """{"custom_id":"a","method":"POST","url":"/v1/images/generations","body":{"model":"gpt-image-2","prompt":"x"}}""" + "\n"
            + """{"custom_id":"b","method":"POST","url":"/v1/images/generations","body":{"model":"gpt-image-2"}}""" + "\n"));

        JsonObject batch = await ReadJsonObjectAsync(await client.PostAsync("batches", JsonBody($$$"""{"input_file_id":"{{{input.Id}}}","endpoint":"/v1/images/generations","completion_window":"24h","output_expires_after":{"anchor":"created_at","seconds":86400}}"""), Ct));
        batch = await ReadJsonObjectAsync(await client.GetAsync("batches/" + batch["id"], Ct));

        Assert.Equal("completed", (string?)batch["status"]);
        foreach (string id in new[] { (string)batch["output_file_id"]!, (string)batch["error_file_id"]! })
        {
            JsonObject file = await ReadJsonObjectAsync(await client.GetAsync("files/" + id, Ct));
            Assert.Equal((long)file["created_at"]! + 86400, (long)file["expires_at"]!);
        }
    }
}
