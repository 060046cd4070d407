using System;
using System.Linq;
using System.Management.Automation;
using System.Text.Json.Nodes;
using OpenAI.Images.FakeApi;

namespace OpenAI.Images.Tests.Batch;

/// <summary>
/// Start-OpenAIImageBatch -OutputExpiresAfter (issue 17): output_expires_after {anchor: created_at, seconds} on
/// POST /batches, 1 hour to 30 days in whole seconds, kept in the job file for -Resume; the fake checks the field as
/// the spec's BatchFileExpirationAfter does and dates the output files by it.
/// </summary>
public sealed class BatchOutputExpiryTests : BatchTest
{
    public BatchOutputExpiryTests(FakeApiFixture fixture) : base(fixture)
    {
    }

    [Fact]
    public void SendsOutputExpiresAfter_KeepsItInTheJobFile_AndTheOutputFilesExpireByIt()
    {
        ScriptResult r = RunChecked(NoPollDelay + """
            $job = 'a fox', 'an owl' | Start-OpenAIImageBatch -JobPath keep.imagebatch.json -OutputExpiresAfter '7.00:00:00'
            $job.OutputExpiresAfter.TotalSeconds
            $null = Wait-OpenAIImageBatch -JobPath keep.imagebatch.json -PollIntervalSec 1
            """);

        Assert.Empty(r.AllErrors);
        RecordedRequest create = Assert.Single(Requests("POST", "/batches"));
        Assert.Equal("""{"anchor":"created_at","seconds":604800}""", create.Json!["output_expires_after"]!.ToJsonString());
        Assert.Equal("604800", r.Output.Last().ToString());
        Assert.Equal(604800, (long)JobFile("keep.imagebatch.json")["outputExpiresAfterSeconds"]!);
        FakeFile output = Fake.StoredFiles.Single(f => f.Purpose == "batch_output");
        Assert.Equal(output.CreatedAt + 604800, output.ExpiresAt);
    }

    [Fact]
    public void WithoutIt_NothingIsSent_AndTheOutputKeepsOpenAIsDefault()
    {
        RunChecked(NoPollDelay + "$null = 'a fox' | Start-OpenAIImageBatch -JobPath plain.imagebatch.json; $null = Wait-OpenAIImageBatch -JobPath plain.imagebatch.json -PollIntervalSec 1");

        Assert.False(Assert.Single(Requests("POST", "/batches")).Json!.AsObject().ContainsKey("output_expires_after"));
        Assert.False(JobFile("plain.imagebatch.json").ContainsKey("outputExpiresAfterSeconds"));
        Assert.Null(Fake.StoredFiles.Single(f => f.Purpose == "batch_output").ExpiresAt);
    }

    [Theory]
    [InlineData("01:00:00", 3600)]
    [InlineData("30.00:00:00", 2592000)]
    public void BothEndsOfTheRange_AreAccepted(string value, long seconds)
    {
        ScriptResult r = RunChecked($"$null = 'a fox' | Start-OpenAIImageBatch -JobPath ends.imagebatch.json -OutputExpiresAfter '{value}'");

        Assert.Empty(r.AllErrors);
        var create = Assert.Single(Requests("POST", "/batches"));
        Assert.Equal(seconds, (long)create.Json!["output_expires_after"]!["seconds"]!);
        Assert.Single(Fake.StoredBatchIds); // the fake, which checks the range as the spec does, created it
    }

    [Theory]
    [InlineData("'00:59:59'", "OutputExpiresAfterOutOfRange")]
    [InlineData("'30.00:00:01'", "OutputExpiresAfterOutOfRange")]
    [InlineData("'-01:00:00'", "OutputExpiresAfterOutOfRange")]
    [InlineData("'02:00:00.5'", "OutputExpiresAfterNotWholeSeconds")]
    [InlineData("3600", "OutputExpiresAfterNotWholeSeconds")] // PowerShell reads a number as ticks
    public void BadValues_AreAClearErrorBeforeAnythingIsSent(string value, string rule)
    {
        ScriptResult r = Run($"'a fox' | Start-OpenAIImageBatch -JobPath bad.imagebatch.json -OutputExpiresAfter {value}");

        ErrorRecord error = Assert.Single(r.AllErrors);
        Assert.StartsWith("OpenAI.Validation." + rule, error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.IsType<TimeSpan>(error.TargetObject);
        Assert.Contains("New-TimeSpan", error.ErrorDetails!.Message, StringComparison.Ordinal);
        Assert.Empty(Fake.ApiRequests);
        Assert.DoesNotContain(FilesInTemp(), f => f.EndsWith(".json", StringComparison.Ordinal) || f.EndsWith(".jsonl", StringComparison.Ordinal));
    }

    [Fact]
    public void Resume_CreatesTheRemainingBatchWithTheSameExpiry()
    {
        Fake.Enqueue(FakeResponse.Error(400, "The fake refused this batch."), pathContains: "/batches");
        ScriptResult first = Run("'a fox' | Start-OpenAIImageBatch -JobPath resume.imagebatch.json -OutputExpiresAfter '2.00:00:00' -MaxRetries 0");
        Assert.Contains(first.AllErrors, e => e.FullyQualifiedErrorId.StartsWith("OpenAI.InvalidRequest", StringComparison.Ordinal));

        ScriptResult again = RunChecked("Start-OpenAIImageBatch -JobPath resume.imagebatch.json -Resume");

        Assert.Empty(again.AllErrors);
        var creates = Requests("POST", "/batches");
        Assert.Equal(2, creates.Count);
        Assert.All(creates, c => Assert.Equal(172800, (long)c.Json!["output_expires_after"]!["seconds"]!));
        Assert.Single(Fake.StoredBatchIds);
    }

    [Fact]
    public void WhatIf_SaysHowLongTheOutputIsKept_AndSendsNothing()
    {
        ScriptResult r = RunChecked("'a fox' | Start-OpenAIImageBatch -JobPath w.imagebatch.json -OutputExpiresAfter '3.00:00:00' -WhatIf -Verbose");

        Assert.Contains(r.Verbose, v => v.Contains("output files expire 3.00:00:00 after they are created", StringComparison.Ordinal));
        Assert.Empty(Fake.ApiRequests);
    }
}
