using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using static OpenAI.Images.FakeApi.Tests.TestSupport;

namespace OpenAI.Images.FakeApi.Tests;

public class FilesAndBatchesTests
{
    [Fact]
    public async Task BatchRoundTrip_UploadCreatePollDownload()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);
        string jsonl =
            """{"custom_id":"a","method":"POST","url":"/v1/images/generations","body":{"model":"gpt-image-1","prompt":"one","output_format":"webp"}}""" + "\n"
            + """{"custom_id":"b","method":"POST","url":"/v1/images/generations","body":{"model":"gpt-image-1"}}""" + "\n";
        using var upload = new MultipartFormDataContent
        {
            { new StringContent("batch"), "purpose" },
            { new ByteArrayContent(Encoding.UTF8.GetBytes(jsonl)), "file", "requests.jsonl" },
        };

        JsonObject file = await ReadJsonObjectAsync(await client.PostAsync("files", upload, Ct));
        Assert.StartsWith("file-", (string)file["id"]!);
        Assert.Equal("file", (string?)file["object"]);
        Assert.Equal(Encoding.UTF8.GetByteCount(jsonl), (int)file["bytes"]!);
        Assert.Equal("requests.jsonl", (string?)file["filename"]);
        Assert.Equal("batch", (string?)file["purpose"]);

        JsonObject batch = await ReadJsonObjectAsync(await client.PostAsync("batches", JsonBody($$$"""{"input_file_id":"{{{file["id"]}}}","endpoint":"/v1/images/generations","completion_window":"24h","metadata":{"k":"v"}}"""), Ct));
        string id = (string)batch["id"]!;
        Assert.Equal("validating", (string?)batch["status"]);
        Assert.Equal("v", (string?)batch["metadata"]!["k"]);
        foreach (string required in new[] { "id", "object", "endpoint", "input_file_id", "completion_window", "status", "created_at" })
        {
            Assert.NotNull(batch[required]);
        }

        string[] statuses = new string[3];
        for (int i = 0; i < 3; i++)
        {
            batch = await ReadJsonObjectAsync(await client.GetAsync("batches/" + id, Ct));
            statuses[i] = (string)batch["status"]!;
        }

        Assert.Equal(new[] { "in_progress", "finalizing", "completed" }, statuses);
        Assert.Equal(2, (int)batch["request_counts"]!["total"]!);
        Assert.Equal(1, (int)batch["request_counts"]!["completed"]!);
        Assert.Equal(1, (int)batch["request_counts"]!["failed"]!);

        string output = await client.GetStringAsync($"files/{batch["output_file_id"]}/content", Ct);
        JsonNode line = JsonNode.Parse(output.Trim())!;
        Assert.Equal("a", (string?)line["custom_id"]);
        Assert.Equal(200, (int)line["response"]!["status_code"]!);
        Assert.Equal(Asset("sample-8x8.webp"), DecodeB64(line["response"]!["body"]!["data"]![0]!["b64_json"]));

        string errors = await client.GetStringAsync($"files/{batch["error_file_id"]}/content", Ct);
        JsonNode errorLine = JsonNode.Parse(errors.Trim())!;
        Assert.Equal("b", (string?)errorLine["custom_id"]);
        Assert.Equal(400, (int)errorLine["response"]!["status_code"]!);
        Assert.Equal("prompt", (string?)errorLine["response"]!["body"]!["error"]!["param"]);

        JsonObject list = await ReadJsonObjectAsync(await client.GetAsync("batches?limit=5", Ct));
        Assert.Equal(id, (string?)list["data"]![0]!["id"]);
        Assert.False((bool)list["has_more"]!);

        JsonObject deleted = await ReadJsonObjectAsync(await client.DeleteAsync($"files/{file["id"]}", Ct));
        Assert.True((bool)deleted["deleted"]!);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"files/{file["id"]}", Ct)).StatusCode);
    }

    [Fact]
    public async Task Batch_CanBeCancelled_OrMadeToFail()
    {
        await using var server = await FakeOpenAIServer.StartAsync(new FakeServerOptions { BatchPollsUntilDone = 1, BatchFinalStatus = "failed" });
        using HttpClient client = Client(server);
        FakeFile input = server.AddFile("in.jsonl", "batch", "{}\n"u8.ToArray());
        string create = $$"""{"input_file_id":"{{input.Id}}","endpoint":"/v1/images/generations","completion_window":"24h"}""";

        string first = (string)(await ReadJsonObjectAsync(await client.PostAsync("batches", JsonBody(create), Ct)))["id"]!;
        JsonObject failed = await ReadJsonObjectAsync(await client.GetAsync("batches/" + first, Ct));
        Assert.Equal("failed", (string?)failed["status"]);
        Assert.NotNull(failed["failed_at"]);
        Assert.NotEmpty(failed["errors"]!["data"]!.AsArray());

        string second = (string)(await ReadJsonObjectAsync(await client.PostAsync("batches", JsonBody(create), Ct)))["id"]!;
        Assert.Equal("cancelling", (string?)(await ReadJsonObjectAsync(await client.PostAsync($"batches/{second}/cancel", null, Ct)))["status"]);
        Assert.Equal("cancelled", (string?)(await ReadJsonObjectAsync(await client.GetAsync("batches/" + second, Ct)))["status"]);
        Assert.Equal(HttpStatusCode.Conflict, (await client.PostAsync($"batches/{second}/cancel", null, Ct)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("batches/batch_nope", Ct)).StatusCode);
    }

    private static async Task<(JsonObject Batch, string[] Output, string[] Errors)> RunBatchAsync(FakeOpenAIServer server, HttpClient client, string jsonl, bool cancel = false)
    {
        FakeFile input = server.AddFile("in.jsonl", "batch", Encoding.UTF8.GetBytes(jsonl));
        string create = $$"""{"input_file_id":"{{input.Id}}","endpoint":"/v1/images/generations","completion_window":"24h"}""";
        string id = (string)(await ReadJsonObjectAsync(await client.PostAsync("batches", JsonBody(create), Ct)))["id"]!;
        if (cancel)
        {
            await client.PostAsync($"batches/{id}/cancel", null, Ct);
        }

        JsonObject batch = await ReadJsonObjectAsync(await client.GetAsync("batches/" + id, Ct));
        async Task<string[]> Lines(string? fileId) => fileId is null
            ? Array.Empty<string>()
            : (await client.GetStringAsync($"files/{fileId}/content", Ct)).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return (batch, await Lines((string?)batch["output_file_id"]), await Lines((string?)batch["error_file_id"]));
    }

    private static string Lines(int count) => string.Concat(Enumerable.Range(1, count).Select(i =>
        $$$"""{"custom_id":"r{{{i}}}","method":"POST","url":"/v1/images/generations","body":{"model":"gpt-image-2","prompt":"p{{{i}}}"}}""" + "\n"));

    [Fact]
    public async Task ExpiredBatch_RunsTheFirstHalf_AndWritesBatchExpiredErrorLinesForTheRest()
    {
        await using var server = await FakeOpenAIServer.StartAsync(new FakeServerOptions { BatchPollsUntilDone = 1, BatchFinalStatus = "expired" });
        using HttpClient client = Client(server);

        (JsonObject batch, string[] output, string[] errors) = await RunBatchAsync(server, client, Lines(4));

        Assert.Equal("expired", (string?)batch["status"]);
        Assert.Equal(2, (int)batch["request_counts"]!["completed"]!);
        Assert.Equal(2, (int)batch["request_counts"]!["failed"]!);
        Assert.Equal(new[] { "r1", "r2" }, output.Select(l => (string)JsonNode.Parse(l)!["custom_id"]!).ToArray());
        JsonNode error = JsonNode.Parse(errors[0])!;
        Assert.Equal("r3", (string?)error["custom_id"]);
        Assert.Null(error["response"]);
        Assert.Equal("batch_expired", (string?)error["error"]!["code"]);
        Assert.Equal(2, errors.Length);
    }

    [Fact]
    public async Task CancelledBatch_DeliversWhatRan_AndReportsTheRestAsBatchCancelled()
    {
        await using var server = await FakeOpenAIServer.StartAsync(new FakeServerOptions { BatchPollsUntilDone = 10 });
        using HttpClient client = Client(server);

        (JsonObject batch, string[] output, string[] errors) = await RunBatchAsync(server, client, Lines(2), cancel: true);

        Assert.Equal("cancelled", (string?)batch["status"]);
        Assert.Single(output);
        Assert.Equal("batch_cancelled", (string?)JsonNode.Parse(Assert.Single(errors))!["error"]!["code"]);
    }

    [Fact]
    public async Task LineFaults_AndUnknownFileIds_BecomeErrorLinesWithTheRealShape()
    {
        await using var server = await FakeOpenAIServer.StartAsync(new FakeServerOptions { BatchPollsUntilDone = 1 });
        server.BatchLineFault = line => (string?)line["custom_id"] == "r1" ? new BatchLineFault(400, "Blocked.", "image_generation_user_error", "moderation_blocked") : null;
        using HttpClient client = Client(server);
        string jsonl = Lines(2) + """{"custom_id":"e1","method":"POST","url":"/v1/images/edits","body":{"model":"gpt-image-2","prompt":"x","images":[{"file_id":"file-missing"}]}}""" + "\n";

        (JsonObject batch, string[] output, string[] errors) = await RunBatchAsync(server, client, jsonl);

        Assert.Equal("completed", (string?)batch["status"]);
        Assert.Equal("r2", (string?)JsonNode.Parse(Assert.Single(output))!["custom_id"]);
        Assert.Equal(2, errors.Length);
        JsonNode blocked = JsonNode.Parse(errors[0])!;
        Assert.Equal(400, (int)blocked["response"]!["status_code"]!);
        Assert.StartsWith("req_", (string?)blocked["response"]!["request_id"]);
        Assert.Equal("moderation_blocked", (string?)blocked["response"]!["body"]!["error"]!["code"]);
        Assert.Null(blocked["error"]);
        Assert.Contains("file-missing", (string?)JsonNode.Parse(errors[1])!["response"]!["body"]!["error"]!["message"]);
    }

    [Fact]
    public async Task AProcessedRequest_StoresTheBatch_ButTheClientGetsTheOtherReply()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);
        FakeFile file = server.AddFile("in.jsonl", "batch", Encoding.UTF8.GetBytes("{}\n"));
        string create = $$$"""{"input_file_id":"{{{file.Id}}}","endpoint":"/v1/images/generations","completion_window":"24h","metadata":{"job":"j"}}""";
        server.Enqueue(FakeResponse.Processed(FakeResponse.Html(502)), pathContains: "/batches");

        using HttpResponseMessage lost = await client.PostAsync("batches", JsonBody(create), Ct);

        Assert.Equal(HttpStatusCode.BadGateway, lost.StatusCode);
        Assert.Equal("text/html", lost.Content.Headers.ContentType!.MediaType);
        string id = Assert.Single(server.StoredBatchIds);
        JsonObject list = await ReadJsonObjectAsync(await client.GetAsync("batches?limit=1", Ct));
        Assert.Equal(id, (string?)list["data"]![0]!["id"]);
        Assert.Equal("j", (string?)list["data"]![0]!["metadata"]!["job"]);
        Assert.Throws<ArgumentException>(() => FakeResponse.Processed(FakeResponse.Stall(TimeSpan.Zero)));
    }
}
