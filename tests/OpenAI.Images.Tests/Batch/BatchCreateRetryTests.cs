using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Text.Json.Nodes;
using System.Threading;
using OpenAI.Images.FakeApi;

namespace OpenAI.Images.Tests.Batch;

/// <summary>
/// POST /batches is billed work: a retry after a failure that may have created the batch (no answer, a cut-off answer,
/// a proxy's 5xx) first looks the batch up by the job id and part in its metadata and adopts it, so that a job never
/// runs twice. The fake creates the batch and then loses the answer, like a proxy timing out in front of OpenAI.
/// </summary>
public sealed class BatchCreateRetryTests : BatchTest
{
    private static readonly Dictionary<string, string> Fast = new() { ["retry-after-ms"] = "5" };

    public BatchCreateRetryTests(FakeApiFixture fixture) : base(fixture)
    {
    }

    /// <summary>Answers the <paramref name="which"/>-th POST /batches with <paramref name="fault"/>; everything else normally.</summary>
    private void FailCreate(int which, FakeResponse fault)
    {
        int creates = 0;
        Fake.Responder = q => q.Method == "POST" && q.Path.EndsWith("/batches", StringComparison.Ordinal) && Interlocked.Increment(ref creates) == which
            ? fault
            : null;
    }

    private string[] JobBatchIds(string name) =>
        ((JsonArray)JobFile(name)["batches"]!).Select(b => (string)b!["batch"]!["id"]!).ToArray();

    public static TheoryData<string> LostAnswers => new() { "502 page", "504 page", "reset" };

    private static FakeResponse LostAnswer(string kind) => kind switch
    {
        "502 page" => FakeResponse.Processed(FakeResponse.Html(502, Fast)),
        "504 page" => FakeResponse.Processed(FakeResponse.Html(504, Fast)),
        _ => FakeResponse.ResetMidBody(40),
    };

    [Theory]
    [MemberData(nameof(LostAnswers))]
    public void ABatchCreatedButItsAnswerLost_IsAdopted_NotCreatedAgain(string lost)
    {
        // Two parts; the second part's batch is created, but its answer never arrives.
        FailCreate(2, LostAnswer(lost));

        ScriptResult r = RunChecked(LowerLimits(2, 1_000_000) + "1..3 | ForEach-Object { \"p $_\" } | Start-OpenAIImageBatch -JobPath lost.json -Verbose");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal(2, Fake.StoredBatchIds.Count);
        Assert.Equal(Fake.StoredBatchIds, JobBatchIds("lost.json"));
        Assert.Equal(2, Requests("POST", "/batches").Count);
        Assert.NotEmpty(Requests("GET", "/batches"));
        Assert.Equal(Fake.StoredBatchIds, (string[])Assert.Single(r.Objects("ImageBatchJob")).BatchIds);
        Assert.Contains(r.Verbose, v => v.StartsWith("POST /batches for part 2/2 may have created the batch although it failed", StringComparison.Ordinal));
        Assert.Contains($"Found batch {Fake.StoredBatchIds[1]} of part 2/2, created by the attempt that failed: using it instead of creating another.", r.Verbose);
    }

    [Fact]
    public void A500ThatCreatedNothing_IsLookedUp_ThenSentAgain_AndMakesOneBatch()
    {
        FailCreate(1, FakeResponse.Error(500, "The server had an error while processing your request.", headers: Fast));

        ScriptResult r = RunChecked("'a' | Start-OpenAIImageBatch -JobPath five.json -Verbose");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        string id = Assert.Single(Fake.StoredBatchIds);
        Assert.Equal(new[] { id }, JobBatchIds("five.json"));
        Assert.Equal(2, Requests("POST", "/batches").Count);
        Assert.Single(Requests("GET", "/batches"));
        Assert.Contains("No batch of part 1/1 was created: sending POST /batches again.", r.Verbose);
    }

    [Fact]
    public void A429_IsRetriedWithoutALookup_AndMakesOneBatch()
    {
        FailCreate(1, FakeResponse.RateLimited(retryAfterMs: 5));

        ScriptResult r = RunChecked("'a' | Start-OpenAIImageBatch -JobPath limited.json -Verbose");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Single(Fake.StoredBatchIds);
        Assert.Equal(2, Requests("POST", "/batches").Count);
        Assert.Empty(Requests("GET", "/batches"));
        Assert.DoesNotContain(r.Verbose, v => v.Contains("may have created the batch", StringComparison.Ordinal));
    }

    [Fact]
    public void AResumeAfterALostAnswer_AdoptsTheBatchTheFirstRunCreated()
    {
        FailCreate(1, FakeResponse.Processed(FakeResponse.Html(502)));
        ScriptResult first = RunChecked("'a' | Start-OpenAIImageBatch -JobPath resume.json -MaxRetries 0");

        ErrorRecord failed = Assert.Single(first.Errors);
        Assert.Equal("OpenAI.ServerError," + StartCmd, failed.FullyQualifiedErrorId);
        Assert.Null(((JsonArray)JobFile("resume.json")["batches"]!)[0]!["batch"]);
        string created = Assert.Single(Fake.StoredBatchIds);

        ScriptResult resumed = RunChecked("Start-OpenAIImageBatch -JobPath resume.json -Resume -Verbose");

        Assert.True(!resumed.AllErrors.Any(), resumed.Describe());
        Assert.Equal(new[] { created }, Fake.StoredBatchIds);
        Assert.Equal(new[] { created }, JobBatchIds("resume.json"));
        Assert.Single(Requests("POST", "/batches"));
        Assert.Contains($"Found batch {created} of part 1/1, created by an earlier run: using it.", resumed.Verbose);
    }
}
