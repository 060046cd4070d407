using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using OpenAI.Images.FakeApi;

namespace OpenAI.Images.Tests.Batch;

/// <summary>Splitting, edits with uploaded images, resuming, failed lines, expired and cancelled batches, Ctrl+C and -WhatIf.</summary>
public sealed class BatchJobTests : BatchTest
{
    public BatchJobTests(FakeApiFixture fixture) : base(fixture)
    {
    }

    [Fact]
    public void AJobPastTheLineLimit_IsSplitIntoSeveralBatchesUnderOneJob()
    {
        ScriptResult r = RunChecked(NoPollDelay + LowerLimits(4, 1_000_000) + """
            $job = 1..10 | ForEach-Object { "prompt $_" } | Start-OpenAIImageBatch -JobPath split.json -Name split
            $null = Wait-OpenAIImageBatch -JobPath split.json
            Receive-OpenAIImageBatch -JobPath split.json -OutputDirectory out
            $job
            """);

        Assert.Empty(r.AllErrors);
        List<List<JsonObject>> inputs = UploadedInputs();
        Assert.Equal(new[] { 4, 4, 2 }, inputs.Select(i => i.Count).ToArray());
        Assert.Equal(Enumerable.Range(1, 10).Select(i => $"prompt {i}"), inputs.SelectMany(i => i).Select(l => (string)l["body"]!["prompt"]!));
        Assert.Equal(3, Requests("POST", "/batches").Count);
        Assert.Equal(new[] { "1/3", "2/3", "3/3" }, Requests("POST", "/batches").Select(b => (string)b.Json!["metadata"]!["openai_images_part"]!).ToArray());
        dynamic job = Assert.Single(r.Objects("ImageBatchJob"));
        Assert.Equal(3, ((string[])job.BatchIds).Length);
        Assert.Equal(10, r.Images.Count);
        Assert.Equal(10, Images(Path.Combine(Temp, "out")).Length);
        Assert.Equal(3, ((JsonArray)JobFile("split.json")["batches"]!).Count);
    }

    [Fact]
    public void AJobPastTheByteLimit_IsSplitSoNoInputFileIsLarger()
    {
        const long limit = 600;
        ScriptResult r = RunChecked(NoPollDelay + LowerLimits(50_000, limit) + """
            $null = 1..9 | ForEach-Object { "a prompt long enough to fill the lowered byte limit quickly, number $_" } | Start-OpenAIImageBatch -JobPath bytes.json
            """);

        Assert.Empty(r.AllErrors);
        var uploads = Requests("POST", "/files").Where(f => f.Field("purpose") == "batch").Select(f => f.Files("file").Single().Data.Length).ToList();
        Assert.True(uploads.Count >= 3, string.Join(",", uploads));
        Assert.All(uploads, size => Assert.True(size <= limit, size.ToString()));
        Assert.Equal(9, UploadedInputs().Sum(i => i.Count));
    }

    [Fact]
    public void Edits_UploadEachLocalImageOnce_ByContentHash_AndReferenceItByFileId()
    {
        CopyAsset("sample-8x8.png", "a.png");
        CopyAsset("sample-8x8.png", "b.png"); // same bytes as a.png
        CopyAsset("sample-8x8-rgba.png", "c.png");
        ScriptResult r = RunChecked(NoPollDelay + """
            $items = @(
                [pscustomobject]@{ Prompt = 'watercolor'; Path = 'a.png' }
                [pscustomobject]@{ Prompt = 'pencil'; Path = 'b.png' }
                [pscustomobject]@{ Prompt = 'oil'; Path = 'c.png' }
                [pscustomobject]@{ Prompt = 'ink'; Path = 'a.png' }
            )
            $null = $items | Start-OpenAIImageBatch -JobPath edits.json
            $null = Wait-OpenAIImageBatch -JobPath edits.json
            Receive-OpenAIImageBatch -JobPath edits.json -OutputDirectory out
            """);

        Assert.Empty(r.AllErrors);
        var imageUploads = Requests("POST", "/files").Where(f => f.Field("purpose") == "vision").ToList();
        Assert.Equal(2, imageUploads.Count);
        Assert.Equal(File.ReadAllBytes(Path.Combine(Temp, "a.png")), imageUploads[0].Files("file").Single().Data);
        Assert.Equal("image/png", imageUploads[0].Files("file").Single().ContentType);
        Assert.Equal(File.ReadAllBytes(Path.Combine(Temp, "c.png")), imageUploads[1].Files("file").Single().Data);

        List<JsonObject> lines = Assert.Single(UploadedInputs());
        string[] ids = lines.Select(l => (string)l["body"]!["images"]![0]!["file_id"]!).ToArray();
        Assert.All(lines, l => Assert.Equal("/v1/images/edits", (string?)l["url"]));
        Assert.Equal(ids[0], ids[1]);
        Assert.Equal(ids[0], ids[3]);
        Assert.NotEqual(ids[0], ids[2]);
        Assert.All(ids, id => Assert.Contains(Fake.StoredFiles, f => f.Id == id && f.Purpose == "vision"));
        Assert.Equal("/v1/images/edits", (string?)Assert.Single(Requests("POST", "/batches")).Json!["endpoint"]);

        Assert.Equal(4, r.Images.Count);
        dynamic pencil = r.Images.Single(i => (string)i.Prompt == "pencil");
        Assert.Equal("Edit", ((object)pencil.Operation).ToString());
        Assert.Equal(Path.Combine(Temp, "a.png"), (string)Assert.Single((IEnumerable<string>)pencil.SourceFiles)); // the file uploaded for that content
        JsonArray uploads = (JsonArray)JobFile("edits.json")["uploads"]!;
        Assert.Equal(2, uploads.Count);
        Assert.All(uploads, u => Assert.StartsWith("file-", (string)u!["fileId"]!));
    }

    [Fact]
    public void BatchEdits_WithADallEModel_AreRejectedBeforeAnythingIsSent()
    {
        CopyAsset("sample-8x8.png", "a.png");
        ScriptResult r = Run("Start-OpenAIImageBatch -Prompt 'x' -Path a.png -Model dall-e-2 -JobPath v.json");

        Assert.Equal(2, r.Errors.Count);
        ErrorRecord error = r.Errors[0];
        Assert.Equal("OpenAI.Validation.BatchEditModel," + StartCmd, error.FullyQualifiedErrorId);
        Assert.Equal("OpenAI.Batch.InvalidRequests," + StartCmd, r.Errors[1].FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Equal("dall-e-2", error.TargetObject);
        Assert.Empty(Fake.ApiRequests);
        Assert.False(File.Exists(Path.Combine(Temp, "v.json")));
    }

    [Fact]
    public void OneInvalidItem_StopsTheWholeJobBeforeAnyUpload_AndNamesTheItem()
    {
        ScriptResult r = Run("""
            $items = @([pscustomobject]@{ Prompt = 'fine' }, [pscustomobject]@{ Prompt = 'too big'; Size = '9999x9999' }, [pscustomobject]@{ Prompt = 'also fine' })
            $items | Start-OpenAIImageBatch -JobPath invalid.json
            """);

        Assert.Equal(2, r.Errors.Count);
        ErrorRecord item = r.Errors[0];
        Assert.StartsWith("OpenAI.Validation.", item.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal("9999x9999", item.TargetObject);
        ErrorRecord job = r.Errors[1];
        Assert.Equal("OpenAI.Batch.InvalidRequests," + StartCmd, job.FullyQualifiedErrorId);
        Assert.Contains("1 of 3", job.Exception.Message, StringComparison.Ordinal);
        Assert.Empty(Fake.ApiRequests);
        Assert.False(File.Exists(Path.Combine(Temp, "invalid.json")));
    }

    [Fact]
    public void WhatIf_UploadsNothing_WritesNothing_AndSaysWhatWouldBeSent()
    {
        CopyAsset("sample-8x8.png", "a.png");
        using PowerShell ps = ModuleHost.Create();
        ps.Runspace.SessionStateProxy.Path.SetLocation(Temp);
        // -WhatIf messages go to the host; the verbose stream carries the same description.
        ScriptResult r = ModuleHost.Run(ps, LowerLimits(3, 1_000_000) + """
            $items = @(1..5 | ForEach-Object { [pscustomobject]@{ Prompt = "p $_" } }) + [pscustomobject]@{ Prompt = 'edit it'; Path = 'a.png' }
            $items | Start-OpenAIImageBatch -JobPath whatif.json -WhatIf -Verbose
            """);

        Assert.Empty(r.AllErrors);
        Assert.Empty(r.Output);
        Assert.Empty(Fake.ApiRequests);
        Assert.Equal(new[] { "a.png" }, Directory.GetFiles(Temp).Select(Path.GetFileName).Where(f => !f!.StartsWith('.')).ToArray());
        string said = Assert.Single(r.Verbose, v => v.StartsWith("Start OpenAI image batch job", StringComparison.Ordinal));
        Assert.Contains("1 local image", said, StringComparison.Ordinal);
        Assert.Contains("create 3 batches", said, StringComparison.Ordinal);
        Assert.Contains("batch 1: 3 requests to /v1/images/generations", said, StringComparison.Ordinal);
        Assert.Contains("batch 2: 2 requests to /v1/images/generations", said, StringComparison.Ordinal);
        Assert.Contains("batch 3: 1 request to /v1/images/edits", said, StringComparison.Ordinal);
    }

    [Fact]
    public void AnExistingJobFile_IsNotOverwrittenWithoutForce()
    {
        File.WriteAllText(Path.Combine(Temp, "keep.json"), "precious");
        ScriptResult r = Run("'x' | Start-OpenAIImageBatch -JobPath keep.json");

        ErrorRecord e = Assert.Single(r.AllErrors);
        Assert.Equal("OpenAI.Batch.JobFileExists," + StartCmd, e.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceExists, e.CategoryInfo.Category);
        Assert.Equal(Path.Combine(Temp, "keep.json"), e.TargetObject);
        Assert.Equal("precious", File.ReadAllText(Path.Combine(Temp, "keep.json")));
        Assert.Empty(Fake.ApiRequests);
    }

    [Fact]
    public void FailedLines_BecomeNonTerminatingErrors_NamingCustomIdPromptAndOpenAIsCodeAndMessage()
    {
        Fake.BatchLineFault = line => ((string?)line["body"]?["prompt"])?.Contains("forbidden", StringComparison.Ordinal) == true
            ? new BatchLineFault(400, "Your request was rejected by the safety system.", "image_generation_user_error", "moderation_blocked")
            : null;
        ScriptResult r = RunChecked(NoPollDelay + """
            $null = 'a calm lake', 'something forbidden', 'a quiet forest' | Start-OpenAIImageBatch -JobPath err.json
            $null = Wait-OpenAIImageBatch -JobPath err.json
            Receive-OpenAIImageBatch -JobPath err.json -OutputDirectory out
            """);

        Assert.Equal(2, r.Images.Count);
        ErrorRecord error = Assert.Single(r.Errors);
        Assert.Equal("OpenAI.Batch.RequestFailed," + ReceiveCmd, error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.SecurityError, error.CategoryInfo.Category);
        Assert.Equal("something forbidden", error.TargetObject);
        string message = error.Exception.Message;
        Assert.Contains("00002-something-forbidden", message, StringComparison.Ordinal);
        Assert.Contains("'something forbidden'", message, StringComparison.Ordinal);
        Assert.Contains("moderation_blocked", message, StringComparison.Ordinal);
        Assert.Contains("Your request was rejected by the safety system.", message, StringComparison.Ordinal);
        dynamic ex = error.Exception;
        Assert.Equal("moderation_blocked", (string)ex.Code);
        Assert.Equal(400, (int)ex.StatusCode);
        Assert.StartsWith("req_", (string)ex.RequestId);
        Assert.Equal("00002-something-forbidden", (string)ex.CustomId);
        Assert.Equal(2, Images(Path.Combine(Temp, "out")).Length);
    }

    [Fact]
    public void AnExpiredBatch_DeliversWhatCompleted_AndReportsTheRestPerLine()
    {
        Fake.BatchFinalStatus = "expired";
        ScriptResult r = RunChecked(NoPollDelay + """
            $null = 1..6 | ForEach-Object { "late $_" } | Start-OpenAIImageBatch -JobPath late.json
            Wait-OpenAIImageBatch -JobPath late.json
            Receive-OpenAIImageBatch -JobPath late.json -OutputDirectory out
            """);

        dynamic job = Assert.Single(r.Objects("ImageBatchJob"));
        Assert.Equal("expired", (string)job.Status);
        Assert.Equal(3, (int)job.Completed);
        Assert.Equal(3, (int)job.Failed);
        Assert.Equal(new[] { "late 1", "late 2", "late 3" }, r.Images.Select(i => (string)i.Prompt).OrderBy(p => p).ToArray());
        Assert.Equal(3, Images(Path.Combine(Temp, "out")).Length);
        Assert.Equal(3, r.Errors.Count);
        Assert.All(r.Errors, e =>
        {
            Assert.Equal("OpenAI.Batch.RequestFailed," + ReceiveCmd, e.FullyQualifiedErrorId);
            Assert.Contains("batch_expired", e.Exception.Message, StringComparison.Ordinal);
            Assert.Equal(ErrorCategory.OperationTimeout, e.CategoryInfo.Category);
        });
        Assert.Equal(new[] { "late 4", "late 5", "late 6" }, r.Errors.Select(e => (string)e.TargetObject).OrderBy(p => p).ToArray());
    }

    [Fact]
    public void StoppedBatch_IsCancelled_AndStillDeliversWhatCompleted()
    {
        Fake.BatchPollsUntilDone = 50;
        ScriptResult r = RunChecked(NoPollDelay + """
            $job = 1..4 | ForEach-Object { "stop $_" } | Start-OpenAIImageBatch -JobPath stop.json
            $stopped = Stop-OpenAIImageBatch -JobPath stop.json -Confirm:$false
            $final = Wait-OpenAIImageBatch -JobPath stop.json
            $images = Receive-OpenAIImageBatch -JobPath stop.json -OutputDirectory out 2>$null
            $stopped; $final; $images
            """);

        var cancel = Assert.Single(Requests("POST", "/cancel"));
        List<dynamic> jobs = r.Objects("ImageBatchJob");
        Assert.Equal("cancelling", (string)jobs[0].Status);
        Assert.Equal("cancelled", (string)jobs[1].Status);
        Assert.Equal(2, r.Images.Count);
        Assert.Equal(2, Images(Path.Combine(Temp, "out")).Length);
    }

    [Fact]
    public void StopWithWhatIf_SendsNoCancel()
    {
        Fake.BatchPollsUntilDone = 50;
        ScriptResult r = RunChecked("""
            $null = 'x' | Start-OpenAIImageBatch -JobPath s.json
            Stop-OpenAIImageBatch -JobPath s.json -WhatIf
            """);

        Assert.Empty(Requests("POST", "/cancel"));
        Assert.Equal("in_progress", (string)Assert.Single(r.Objects("ImageBatchJob")).Status);
    }

    [Fact]
    public void AReceiveInterruptedHalfWay_ResumesWithoutDownloadingSavedImagesAgain()
    {
        // The first download of the output file breaks half way (no retries): the images before the break are saved.
        int contentDownloads = 0;
        string? outputFileId = null;
        Fake.Responder = q =>
        {
            if (q.Method == "GET" && outputFileId != null && q.Path.EndsWith($"/files/{outputFileId}/content", StringComparison.Ordinal)
                && Interlocked.Increment(ref contentDownloads) == 1)
            {
                int size = Fake.StoredFiles.Single(f => f.Id == outputFileId).Content.Length;
                return FakeResponse.ResetMidBody(size / 2);
            }

            return null;
        };
        ScriptResult started = RunChecked(NoPollDelay + """
            $null = 1..40 | ForEach-Object { "resume $_" } | Start-OpenAIImageBatch -JobPath resume.json
            Wait-OpenAIImageBatch -JobPath resume.json
            """);
        outputFileId = (string)Assert.Single(started.Objects("ImageBatchJob")).Batches[0].OutputFileId;

        ScriptResult first = RunChecked("Receive-OpenAIImageBatch -JobPath resume.json -OutputDirectory out -MaxRetries 0");
        ErrorRecord broken = Assert.Single(first.Errors);
        Assert.Equal("OpenAI.Network," + ReceiveCmd, broken.FullyQualifiedErrorId);
        string[] saved = Images(Path.Combine(Temp, "out"));
        Assert.InRange(saved.Length, 10, 30);
        Assert.Equal(saved.Length, first.Images.Count);
        var stamps = saved.ToDictionary(f => f, File.GetLastWriteTimeUtc);
        foreach (string f in saved)
        {
            File.SetLastWriteTimeUtc(f, new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        }

        ScriptResult second = RunChecked("Receive-OpenAIImageBatch -JobPath resume.json -OutputDirectory out -Verbose");
        Assert.Empty(second.AllErrors);
        Assert.Equal(40, second.Images.Count);
        Assert.Equal(40, Images(Path.Combine(Temp, "out")).Length);
        Assert.All(saved, f => Assert.Equal(new DateTime(2020, 1, 1, 0, 0, 0, DateTimeKind.Utc), File.GetLastWriteTimeUtc(f))); // not rewritten
        Assert.Contains(second.Verbose, v => v.Contains($"saved {40 - saved.Length} image(s), {saved.Length} already saved before", StringComparison.Ordinal));

        // A third run finds everything saved.
        ScriptResult third = RunChecked("Receive-OpenAIImageBatch -JobPath resume.json -OutputDirectory out -Verbose");
        Assert.Equal(40, third.Images.Count);
        Assert.Contains(third.Verbose, v => v.Contains("saved 0 image(s), 40 already saved before", StringComparison.Ordinal));
    }

    [Fact]
    public void CtrlCWhileWaiting_StopsWaitingAtOnce_SaysHowToResume_LeavesTheBatchRunning_AndWaitingAgainFinishes()
    {
        Fake.BatchPollsUntilDone = 1000;
        RunChecked("$null = 'x', 'y' | Start-OpenAIImageBatch -JobPath wait.json");

        // A host with a UI, as in a console: after Ctrl+C the pipeline can no longer write, the host still can.
        var host = new RecordingHost();
        using var runspace = System.Management.Automation.Runspaces.RunspaceFactory.CreateRunspace(host, System.Management.Automation.Runspaces.InitialSessionState.CreateDefault2());
        runspace.Open();
        using PowerShell ps = PowerShell.Create();
        ps.Runspace = runspace;
        ps.AddCommand("Import-Module").AddParameter("Name", ModuleHost.ManifestPath).AddParameter("ErrorAction", "Stop").Invoke();
        ps.Commands.Clear();
        runspace.SessionStateProxy.Path.SetLocation(Temp);
        // Real time and an hour between polls: "at once" is shown by cause (Stop returns long before the next poll
        // would come), not by a stopwatch.
        ps.AddScript("Wait-OpenAIImageBatch -JobPath wait.json -PollIntervalSec 3600");
        IAsyncResult running = ps.BeginInvoke();
        // Stop once the first poll's answer is in the job file (not merely sent: Stop could land between the two).
        var wait = Stopwatch.StartNew();
        while (Fake.ApiRequests.Count(q => q.Method == "GET" && q.Path.Contains("/batches/", StringComparison.Ordinal)) < 1
            || (string?)JobFile("wait.json")["batches"]![0]!["batch"]!["status"] != "in_progress")
        {
            Assert.True(wait.Elapsed < TimeSpan.FromSeconds(60), "Wait-OpenAIImageBatch never polled");
            Thread.Sleep(10);
        }

        IAsyncResult stopping = ps.BeginStop(null, null);
        Assert.True(stopping.AsyncWaitHandle.WaitOne(RunningScript.Guard), "Ctrl+C waited for the next poll");
        ps.EndStop(stopping);
        Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
        Assert.Single(Fake.ApiRequests, q => q.Method == "GET" && q.Path.Contains("/batches/", StringComparison.Ordinal));
        Assert.Empty(Requests("POST", "/cancel"));
        Assert.Equal("in_progress", (string?)JobFile("wait.json")["batches"]![0]!["batch"]!["status"]);
        string said = Assert.Single(host.WarningLines);
        Assert.Contains("keep running at OpenAI", said, StringComparison.Ordinal);
        Assert.Contains($"Wait-OpenAIImageBatch -JobPath '{Path.Combine(Temp, "wait.json")}'", said, StringComparison.Ordinal);
        Assert.Contains("Receive-OpenAIImageBatch", said, StringComparison.Ordinal);

        Fake.BatchPollsUntilDone = 1;
        ScriptResult again = RunChecked(NoPollDelay + "Wait-OpenAIImageBatch -JobPath wait.json");
        Assert.Equal("completed", (string)Assert.Single(again.Objects("ImageBatchJob")).Status);
    }

    [Fact]
    public void WaitTimeout_IsAnErrorThatSaysHowToWaitAgain()
    {
        Fake.BatchPollsUntilDone = 1000;
        ScriptResult r = RunChecked("""
            $null = 'x' | Start-OpenAIImageBatch -JobPath t.json
            Wait-OpenAIImageBatch -JobPath t.json -PollIntervalSec 1 -TimeoutSec 1
            """);

        ErrorRecord e = Assert.Single(r.Errors);
        Assert.Equal("OpenAI.Batch.WaitTimeout," + WaitCmd, e.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.OperationTimeout, e.CategoryInfo.Category);
        Assert.Contains("Wait-OpenAIImageBatch -JobPath", e.Exception.Message, StringComparison.Ordinal);
        Assert.Equal("in_progress", (string)Assert.Single(r.Objects("ImageBatchJob")).Status);
    }

    [Fact]
    public void ReceiveBeforeTheBatchIsFinished_SaysSo_AndSavesNothing()
    {
        Fake.BatchPollsUntilDone = 1000;
        ScriptResult r = RunChecked("""
            $null = 'x' | Start-OpenAIImageBatch -JobPath early.json
            Receive-OpenAIImageBatch -JobPath early.json -OutputDirectory out
            """);

        ErrorRecord e = Assert.Single(r.Errors);
        Assert.Equal("OpenAI.Batch.NotFinished," + ReceiveCmd, e.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceBusy, e.CategoryInfo.Category);
        Assert.False(Directory.Exists(Path.Combine(Temp, "out")));
    }

    [Fact]
    public void AFailedBatch_IsReportedWithOpenAIsReason()
    {
        Fake.BatchFinalStatus = "failed";
        ScriptResult r = RunChecked(NoPollDelay + """
            $null = 'x' | Start-OpenAIImageBatch -JobPath f.json
            $null = Wait-OpenAIImageBatch -JobPath f.json
            Receive-OpenAIImageBatch -JobPath f.json -OutputDirectory out
            """);

        ErrorRecord e = Assert.Single(r.Errors);
        Assert.Equal("OpenAI.Batch.Failed," + ReceiveCmd, e.FullyQualifiedErrorId);
        Assert.Contains("invalid_request", e.Exception.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetById_AndTheRecentList_ShowTheImageBatchesOnly_AndReceiveByIdWorksWithoutTheJobFile()
    {
        Fake.BatchPollsUntilDone = 1;
        Fake.AddFile("other.jsonl", "batch", Encoding.UTF8.GetBytes("{}\n"));
        ScriptResult r = RunChecked(NoPollDelay + """
            $job = 'a lighthouse', 'a harbour' | Start-OpenAIImageBatch -JobPath byid.json -Name harbour
            $id = $job.BatchIds[0]
            [IO.File]::Delete("$Temp/byid.json"); [IO.File]::Delete("$Temp/byid.part1.jsonl")
            Get-OpenAIImageBatch -Id $id
            Get-OpenAIImageBatch
            Receive-OpenAIImageBatch -Id $id -OutputDirectory out
            """);

        Assert.Empty(r.AllErrors);
        List<dynamic> jobs = r.Objects("ImageBatchJob");
        Assert.Equal(2, jobs.Count);
        Assert.All(jobs, j => Assert.Equal("harbour", (string)j.Name));
        Assert.Null((string?)jobs[0].JobPath);
        Assert.Equal("completed", (string)jobs[0].Status);
        Assert.Equal(new[] { "a harbour", "a lighthouse" }, r.Images.Select(i => (string)i.Prompt).OrderBy(p => p).ToArray()); // prompts read from the input file at OpenAI
        Assert.Equal(2, Images(Path.Combine(Temp, "out")).Length);
    }

    [Fact]
    public void AMissingJobFile_IsANotFoundError()
    {
        ScriptResult r = Run("Get-OpenAIImageBatch -JobPath nothing.json");
        ErrorRecord e = Assert.Single(r.AllErrors);
        Assert.Equal("OpenAI.Batch.JobFileNotFound,OpenAI.Images.PowerShell.Commands.GetOpenAIImageBatchCommand", e.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
        Assert.Empty(Fake.ApiRequests);
    }

    [Fact]
    public void AStartInterruptedBeforeTheBatchWasCreated_IsFinishedWithResume_WithoutUploadingAgain()
    {
        int creates = 0;
        Fake.Responder = q => q.Method == "POST" && q.Path.EndsWith("/batches", StringComparison.Ordinal) && Interlocked.Increment(ref creates) == 1
            ? FakeResponse.Error(400, "The organization has too many enqueued tokens.", "invalid_request_error", "token_limit_exceeded")
            : null;
        ScriptResult first = RunChecked(LowerLimits(2, 1_000_000) + "1..3 | ForEach-Object { \"p $_\" } | Start-OpenAIImageBatch -JobPath r.json -MaxRetries 0");

        ErrorRecord failed = Assert.Single(first.Errors);
        Assert.Equal("OpenAI.InvalidRequest," + StartCmd, failed.FullyQualifiedErrorId);
        Assert.Contains("token_limit_exceeded", failed.Exception.Message, StringComparison.Ordinal);
        Assert.Contains(first.Warnings, w => w.Contains($"Start-OpenAIImageBatch -JobPath '{Path.Combine(Temp, "r.json")}' -Resume", StringComparison.Ordinal));
        JsonArray batches = (JsonArray)JobFile("r.json")["batches"]!;
        Assert.Equal(2, batches.Count);
        Assert.StartsWith("file-", (string?)batches[0]!["inputFileId"]);
        Assert.Null(batches[0]!["batch"]);
        int uploads = Requests("POST", "/files").Count;

        ScriptResult resumed = RunChecked("Start-OpenAIImageBatch -JobPath r.json -Resume");

        Assert.Empty(resumed.AllErrors);
        dynamic job = Assert.Single(resumed.Objects("ImageBatchJob"));
        Assert.Equal(2, ((string[])job.BatchIds).Length);
        Assert.Equal(uploads + 1, Requests("POST", "/files").Count); // only the second input file, never uploaded before
        Assert.Equal(3, Requests("POST", "/batches").Count);
        Assert.Equal(new[] { "p 1", "p 2", "p 3" }, UploadedInputs().SelectMany(i => i).Select(l => (string)l["body"]!["prompt"]!).ToArray());
    }

    [Fact]
    public void Force_NeverReplacesAJobFileWhoseBatchesAreStillRunning()
    {
        Fake.BatchPollsUntilDone = 1000;
        ScriptResult r = RunChecked("""
            $first = 'x' | Start-OpenAIImageBatch -JobPath running.json
            'y' | Start-OpenAIImageBatch -JobPath running.json -Force
            $first
            """);

        ErrorRecord e = Assert.Single(r.Errors);
        Assert.Equal("OpenAI.Batch.JobFileHasRunningBatches," + StartCmd, e.FullyQualifiedErrorId);
        Assert.Single(Requests("POST", "/batches"));
        string firstId = (string)Assert.Single(r.Objects("ImageBatchJob")).BatchIds[0];
        Assert.Equal(firstId, (string?)JobFile("running.json")["batches"]![0]!["batch"]!["id"]); // the running batch's id is kept
    }

    [Fact]
    public void AnUnknownBatchId_IsANotFoundErrorWithOpenAIsMessageAndTheIdAsTarget()
    {
        ScriptResult r = RunChecked("Get-OpenAIImageBatch -Id batch_nope");

        ErrorRecord e = Assert.Single(r.AllErrors);
        Assert.Equal("OpenAI.NotFound,OpenAI.Images.PowerShell.Commands.GetOpenAIImageBatchCommand", e.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, e.CategoryInfo.Category);
        Assert.Equal("batch_nope", e.TargetObject);
        Assert.Contains("No batch found with id 'batch_nope'.", e.Exception.Message, StringComparison.Ordinal);
        Assert.Contains("Check the id", e.Exception.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("-Model", e.Exception.Message, StringComparison.Ordinal);
        Assert.StartsWith("req_", (string)((dynamic)e.Exception).RequestId);
    }
}
