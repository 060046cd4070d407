using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using OpenAI.Images.Batch;
using OpenAI.Images.Core.Tests.Http;
using OpenAI.Images.Json;

namespace OpenAI.Images.Core.Tests.Batch;

/// <summary>POST /batches: which failures may have created the batch, and the look-up that runs before such a retry.</summary>
public sealed class BatchCreateRetryCoreTests
{
    private static readonly KeyValuePair<string, string>[] Metadata = { new("openai_images_job_id", "job-1") };

    private static string BatchJson(string id) =>
        "{\"id\":\"" + id + "\",\"object\":\"batch\",\"endpoint\":\"/v1/images/generations\",\"status\":\"validating\",\"input_file_id\":\"file-1\",\"completion_window\":\"24h\",\"created_at\":1700000000}";

    [Theory]
    [InlineData(null, true)]
    [InlineData(200, true)]
    [InlineData(500, true)]
    [InlineData(502, true)]
    [InlineData(504, true)]
    [InlineData(400, false)]
    [InlineData(408, false)]
    [InlineData(409, false)]
    [InlineData(429, false)]
    public void OnlyAFailureWithoutOpenAIsRefusal_MayHaveCreatedTheBatch(int? status, bool mayHave)
    {
        var failure = new OpenAIException(status is null ? OpenAIErrorKind.Network : OpenAIErrorKind.ServerError, "x") { StatusCode = status };

        Assert.Equal(mayHave, OpenAIBatchClient.MayHaveTakenEffect(failure));
    }

    [Fact]
    public async Task AfterA504_TheBatchFoundIsTheAnswer_AndThePostIsNotSentAgain()
    {
        using var rig = new ClientRig(maxRetries: 2);
        rig.Handler.Then(() => Replies.Body(504, "text/html", System.Text.Encoding.ASCII.GetBytes("<html><title>504 Gateway Time-out</title></html>")));
        var client = new OpenAIBatchClient(rig.Options, rig.Diagnostics, new HttpClient(rig.Handler), rig.Policy);
        var failures = new List<int?>();

        JsonValue batch = await client.CreateBatchAsync("file-1", "/v1/images/generations", Metadata, TestContext.Current.CancellationToken, (failure, _) =>
        {
            failures.Add(failure.StatusCode);
            return Task.FromResult<JsonValue?>(JsonValue.Parse(BatchJson("batch_found")));
        });

        Assert.Equal("batch_found", batch.GetStringProperty("id"));
        Assert.Equal(new int?[] { 504 }, failures);
        Assert.Single(rig.Handler.Requests);
        Assert.Single(rig.Waits);
    }

    [Fact]
    public async Task AfterA500_WithNothingFound_ThePostIsSentAgain_AndAfterA429_NothingIsLookedUp()
    {
        using var rig = new ClientRig(maxRetries: 2);
        rig.Handler
            .Then(() => Replies.Error(500, "The server had an error while processing your request.", "server_error", null))
            .Then(() => Replies.Error(429, "Rate limit reached", "requests", "rate_limit_exceeded"))
            .Then(() => Replies.Json(200, BatchJson("batch_new")));
        var client = new OpenAIBatchClient(rig.Options, rig.Diagnostics, new HttpClient(rig.Handler), rig.Policy);
        var failures = new List<int?>();

        JsonValue batch = await client.CreateBatchAsync("file-1", "/v1/images/generations", Metadata, TestContext.Current.CancellationToken, (failure, _) =>
        {
            failures.Add(failure.StatusCode);
            return Task.FromResult<JsonValue?>(null);
        });

        Assert.Equal("batch_new", batch.GetStringProperty("id"));
        Assert.Equal(new int?[] { 500 }, failures);
        Assert.Equal(3, rig.Handler.Requests.Count);
    }
}
