using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;
using System.Threading;
using OpenAI.Images.FakeApi;

namespace OpenAI.Images.Tests.Reliability;

/// <summary>
/// Batches against a fake with server latency: concurrency by default, output in input order (or as finished with
/// -Unordered), batch progress, the shared pause on 429, -ErrorAction Stop and Ctrl+C in the middle of a batch.
/// Timings are generous: the machine running them is shared and slow.
/// </summary>
public sealed class ThroughputTests : ReliabilityTest
{
    private static readonly Regex ParentStatus = new(@"^(?<done>\d+)( of (?<total>\d+))? done · (?<running>\d+) running( · (?<failed>\d+) failed)? · \d+:\d\d elapsed$");

    public ThroughputTests(FakeApiFixture fixture) : base(fixture)
    {
    }

    private static string Prompt(int i) => "p" + i.ToString("00", CultureInfo.InvariantCulture);

    private static string Prompts(int n) => "1.." + n + " | ForEach-Object { 'p{0:00}' -f $_ }";

    private static string PromptOf(RecordedRequest q) => (string?)q.Json?["prompt"] ?? string.Empty;

    /// <summary>A generated file name without its yyyyMMdd-HHmmss- prefix.</summary>
    private static string Unstamped(string path) => Regex.Replace(Path.GetFileName(path), @"^\d{8}-\d{6}-", string.Empty);

    private static int NumberOf(RecordedRequest q) => int.Parse(PromptOf(q).Substring(1), CultureInfo.InvariantCulture);

    [Fact]
    public void FourRequestsRunAtOnceByDefault()
    {
        Fake.Latency = _ => TimeSpan.FromSeconds(1.5);

        ScriptResult r = RunChecked(Prompts(8) + " | New-OpenAIImage");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal(8, Fake.ApiRequests.Count);
        Assert.Equal(4, Fake.MaxInFlight);
        Assert.Equal(Enumerable.Range(1, 8).Select(Prompt), r.Images.Select(i => (string)i.Prompt));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ThrottleLimitCapsWhatIsInFlight(int limit)
    {
        Fake.Latency = _ => TimeSpan.FromSeconds(0.6);

        ScriptResult r = RunChecked(Prompts(4) + " | New-OpenAIImage -ThrottleLimit " + limit);

        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal(limit, Fake.MaxInFlight);
        Assert.Equal(Enumerable.Range(1, 4).Select(Prompt), r.Images.Select(i => (string)i.Prompt));
    }

    [Fact]
    public void OutputKeepsInputOrderWhenRequestsFinishOutOfOrder()
    {
        // Seeded "random" latencies from 50 to 950 ms: later prompts often finish first.
        var latencies = new ConcurrentDictionary<string, TimeSpan>(StringComparer.Ordinal);
        var random = new Random(20261203);
        for (int i = 1; i <= 12; i++)
        {
            latencies[Prompt(i)] = TimeSpan.FromMilliseconds(50 + random.Next(0, 900));
        }

        Fake.Latency = q => latencies[PromptOf(q)];

        ScriptResult r = RunChecked(Prompts(12) + " | New-OpenAIImage -OutputDirectory out");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        string[] expected = Enumerable.Range(1, 12).Select(Prompt).ToArray();
        Assert.Equal(expected, r.Images.Select(i => (string)i.Prompt));
        Assert.All(r.Images, i => Assert.True(File.Exists((string)i.File.FullName)));

        // The test means something only if the server really finished them in another order.
        string[] finished = Fake.ApiRequests.OrderBy(q => q.ReceivedAt + latencies[PromptOf(q)]).Select(PromptOf).ToArray();
        Assert.NotEqual(expected, finished);
    }

    [Fact]
    public void UnorderedWritesEachAsItFinishes()
    {
        // All four start together; the last prompt is answered first.
        Fake.Latency = q => TimeSpan.FromSeconds(0.3 + (0.7 * (4 - NumberOf(q))));

        ScriptResult unordered = RunChecked(Prompts(4) + " | New-OpenAIImage -Unordered");
        ScriptResult ordered = RunChecked(Prompts(4) + " | New-OpenAIImage");

        Assert.True(!unordered.AllErrors.Any(), unordered.Describe());
        Assert.Equal(new[] { "p04", "p03", "p02", "p01" }, unordered.Images.Select(i => (string)i.Prompt));
        Assert.Equal(new[] { "p01", "p02", "p03", "p04" }, ordered.Images.Select(i => (string)i.Prompt));
    }

    [Fact]
    public void AnErrorIsWrittenInItsPlace()
    {
        Fake.Latency = q => TimeSpan.FromMilliseconds(PromptOf(q) == "p02" ? 0 : 800);
        Fake.Responder = q => PromptOf(q) == "p02" ? FakeResponse.Error(400, "Invalid size.", param: "size") : null;

        ScriptResult r = RunChecked(
            Prompts(3) + " | New-OpenAIImage 2>&1 | ForEach-Object { if ($_ -is [System.Management.Automation.ErrorRecord]) { \"error $($_.FullyQualifiedErrorId) $($_.TargetObject)\" } else { $_.Prompt } }");

        // p02's error came back first but is written in p02's place, after p01's image.
        Assert.Equal(new[] { "p01", "error OpenAI.InvalidRequest," + NewImage + " p02", "p03" }, r.Output.Select(o => o.ToString()));
    }

    /// <summary>
    /// The later the prompt, the sooner its answer (p01 last), and each prompt's image is told apart by its length:
    /// the fake pads prompt N's PNG to 1000 + 100·N bytes.
    /// </summary>
    private void LaterPromptsFinishFirst()
    {
        Fake.Latency = q => TimeSpan.FromSeconds(0.2 + (0.5 * (4 - NumberOf(q))));
        Fake.Responder = q => FakeResponse.Success(s => s.PadImageTo = LengthOf(NumberOf(q)));
    }

    private static int LengthOf(int prompt) => 1000 + (100 * prompt);

    /// <summary>Each result's prompt with its file's name and length.</summary>
    private static string[] Saved(ScriptResult r) =>
        r.Images.Select(i => $"{(string)i.Prompt} {(bool)i.IsPartial} {(string)i.File.Name} {(long)new FileInfo((string)i.File.FullName).Length}").ToArray();

    [Fact]
    public void OutFileNamesFollowInputOrderWhenLaterItemsFinishFirst()
    {
        LaterPromptsFinishFirst();

        ScriptResult r = RunChecked(Prompts(3) + " | New-OpenAIImage -OutFile x.png");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal(
            new[] { $"p01 False x.png {LengthOf(1)}", $"p02 False x-2.png {LengthOf(2)}", $"p03 False x-3.png {LengthOf(3)}" },
            Saved(r));
        Assert.Equal(LengthOf(1), new FileInfo(Path.Combine(Temp, "x.png")).Length);

        // The test means something only if the server really answered p03 first.
        Assert.Equal("p03", PromptOf(Fake.ApiRequests.OrderBy(q => q.ReceivedAt + Fake.Latency!(q)).First()));
    }

    [Fact]
    public void OutFileNamesOfSeveralImagesAndOfPartialImagesFollowInputOrder()
    {
        LaterPromptsFinishFirst();

        ScriptResult several = RunChecked(Prompts(3) + " | New-OpenAIImage -Count 2 -OutFile set.png");
        ScriptResult partial = RunChecked(Prompts(3) + " | New-OpenAIImage -PartialImages 1 -OutFile s.png");

        Assert.True(!several.AllErrors.Any(), several.Describe());
        Assert.Equal(
            new[]
            {
                $"p01 False set-1.png {LengthOf(1)}", $"p01 False set-2.png {LengthOf(1)}",
                $"p02 False set-3.png {LengthOf(2)}", $"p02 False set-4.png {LengthOf(2)}",
                $"p03 False set-5.png {LengthOf(3)}", $"p03 False set-6.png {LengthOf(3)}",
            },
            Saved(several));
        Assert.True(!partial.AllErrors.Any(), partial.Describe());
        Assert.Equal(
            new[]
            {
                $"p01 True s-partial0.png {LengthOf(1)}", $"p01 False s.png {LengthOf(1)}",
                $"p02 True s-2-partial0.png {LengthOf(2)}", $"p02 False s-2.png {LengthOf(2)}",
                $"p03 True s-3-partial0.png {LengthOf(3)}", $"p03 False s-3.png {LengthOf(3)}",
            },
            Saved(partial));
    }

    [Fact]
    public void OutputDirectoryNamesPromptsWithOneSlugByInputOrderWhenLaterItemsFinishFirst()
    {
        // Three prompts alike in their first 40 characters share a slug: the first item's file is TIMESTAMP-SLUG.png,
        // the second's -2, the third's -3, by input order whatever order they finish in.
        const string Same = "The same picture of a lighthouse at dawn, ";
        const string Slug = "the-same-picture-of-a-lighthouse-at-dawn";
        static int Number(RecordedRequest q) => int.Parse(PromptOf(q).Substring(Same.Length + 1), CultureInfo.InvariantCulture);
        Fake.Latency = q => TimeSpan.FromSeconds(0.2 + (0.5 * (4 - Number(q))));
        Fake.Responder = q => FakeResponse.Success(s => s.PadImageTo = LengthOf(Number(q)));

        ScriptResult r = RunChecked(Prompts(3) + $" | ForEach-Object {{ '{Same}' + $_ }} | New-OpenAIImage -OutputDirectory out");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal(
            new[] { $"{Slug}.png {LengthOf(1)}", $"{Slug}-2.png {LengthOf(2)}", $"{Slug}-3.png {LengthOf(3)}" },
            r.Images.Select(i => $"{Unstamped((string)i.File.FullName)} {new FileInfo((string)i.File.FullName).Length}"));
        Assert.Equal(Same + "p03", PromptOf(Fake.ApiRequests.OrderBy(q => q.ReceivedAt + Fake.Latency!(q)).First()));
    }

    [Fact]
    public void BatchProgressCountsTheWorkAndNestsOneChildPerRequest()
    {
        Fake.Latency = _ => TimeSpan.FromMilliseconds(400);
        Fake.Responder = q => PromptOf(q) == "p03" ? FakeResponse.Error(400, "Invalid size.", param: "size") : null;

        ScriptResult r = Run(Prompts(6) + " | New-OpenAIImage -ThrottleLimit 2");

        Assert.Equal(5, r.Images.Count);
        List<ProgressRecord> parent = r.Progress.Where(p => p.ParentActivityId == -1).ToList();
        List<ProgressRecord> children = r.Progress.Where(p => p.ParentActivityId != -1).ToList();
        Assert.NotEmpty(parent);
        Assert.All(parent, p => Assert.Equal("New-OpenAIImage", p.Activity));
        int parentId = parent[0].ActivityId;
        Assert.All(parent, p => Assert.Equal(parentId, p.ActivityId));

        // Status text: "N done · M running[ · K failed] · m:ss elapsed"; never more than the limit running.
        var updates = parent.Where(p => p.RecordType == ProgressRecordType.Processing).ToList();
        Assert.All(updates, p => Assert.Matches(ParentStatus, p.StatusDescription));
        Assert.All(updates, p => Assert.InRange(int.Parse(ParentStatus.Match(p.StatusDescription).Groups["running"].Value, CultureInfo.InvariantCulture), 0, 2));
        Assert.All(updates, p => Assert.Equal(-1, p.PercentComplete));
        Assert.StartsWith("5 done · 0 running · 1 failed · ", updates.Last().StatusDescription, StringComparison.Ordinal);
        int[] done = updates.Select(p => int.Parse(ParentStatus.Match(p.StatusDescription).Groups["done"].Value, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(done.OrderBy(d => d), done);

        // An estimate of the time left appears once the first item is done.
        Assert.Equal(-1, updates.First().SecondsRemaining);
        Assert.Contains(updates, p => p.SecondsRemaining >= 0);

        // One child per request, nested under the parent, each with its own status, each completed.
        Assert.All(children, c => Assert.Equal(parentId, c.ParentActivityId));
        var byChild = children.GroupBy(c => c.ActivityId).ToList();
        Assert.Equal(6, byChild.Count);
        Assert.Equal(Enumerable.Range(1, 6).Select(i => "'" + Prompt(i) + "'"), byChild.Select(g => g.First().Activity));
        Assert.All(byChild, g => Assert.Equal(ProgressRecordType.Completed, g.Last().RecordType));
        Assert.All(byChild, g => Assert.Contains(g, c => c.StatusDescription.StartsWith("sending", StringComparison.Ordinal)));
        Assert.All(children, c => Assert.Equal("Generation of 1 image with gpt-image-2", c.CurrentOperation));

        // The parent is closed last.
        Assert.Equal(ProgressRecordType.Completed, r.Progress.Last().RecordType);
        Assert.Equal(parentId, r.Progress.Last().ActivityId);
    }

    [Fact]
    public void WithSeveralPathsTheTotalIsKnown()
    {
        string[] files = Enumerable.Range(1, 3).Select(i => CopyAsset("sample-8x8.png", $"in{i}.png")).ToArray();
        Fake.Latency = _ => TimeSpan.FromMilliseconds(300);

        ScriptResult r = RunChecked("New-OpenAIImageVariation -Path in1.png, in2.png, in3.png -ThrottleLimit 2");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal(3, r.Images.Count);
        var updates = r.Progress.Where(p => p.ParentActivityId == -1 && p.RecordType == ProgressRecordType.Processing).ToList();
        Assert.All(updates, p => Assert.Equal("New-OpenAIImageVariation", p.Activity));
        Assert.All(updates, p => Assert.Equal("3", ParentStatus.Match(p.StatusDescription).Groups["total"].Value));
        Assert.StartsWith("3 of 3 done · 0 running · ", updates.Last().StatusDescription, StringComparison.Ordinal);
        Assert.Equal(100, updates.Last().PercentComplete);
        Assert.Equal(0, updates.First().PercentComplete);
        Assert.Equal(0, updates.Last().SecondsRemaining);
        Assert.Equal(ProgressRecordType.Completed, r.Progress.Last().RecordType);
    }

    [Fact]
    public void NoProgressWhenProgressPreferenceIsSilent()
    {
        Fake.Latency = _ => TimeSpan.FromMilliseconds(1200);

        ScriptResult r = RunChecked("$ProgressPreference = 'SilentlyContinue'\n" + Prompts(3) + " | New-OpenAIImage");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal(3, r.Images.Count);
        Assert.Empty(r.Progress);
    }

    [Fact]
    public void A429WithRetryAfterPausesTheWholeBatchOnce()
    {
        var attempts = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        Fake.Latency = q => PromptOf(q) == "p06" ? TimeSpan.Zero : TimeSpan.FromMilliseconds(300);
        Fake.Responder = q => PromptOf(q) == "p06" && attempts.AddOrUpdate("p06", 1, (_, n) => n + 1) == 1
            ? FakeResponse.RateLimited().WithHeader("retry-after", "2")
            : null;

        ScriptResult r = RunChecked(Prompts(16) + " | New-OpenAIImage -Verbose");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal(Enumerable.Range(1, 16).Select(Prompt), r.Images.Select(i => (string)i.Prompt));
        List<RecordedRequest> requests = Fake.ApiRequests.OrderBy(q => q.ReceivedAt).ToList();
        Assert.Equal(17, requests.Count);
        RecordedRequest limited = requests.First(q => PromptOf(q) == "p06");
        RecordedRequest retry = requests.Last(q => PromptOf(q) == "p06");
        DateTimeOffset t = limited.ReceivedAt;

        // Requests already on their way finish normally; none starts during the wait (the first half second covers
        // the 429's trip back to the client on a busy machine). Without the shared pause, four workers cycling every
        // 0.3 s would send about twenty requests in that window.
        Assert.DoesNotContain(requests, q => q.ReceivedAt > t.AddSeconds(0.5) && q.ReceivedAt < t.AddSeconds(1.95));
        Assert.True(retry.ReceivedAt >= t.AddSeconds(1.95), (retry.ReceivedAt - t).ToString());
        Assert.Contains(requests, q => q.ReceivedAt >= t.AddSeconds(1.95) && PromptOf(q) != "p06");

        // The verbose stream says so once.
        string[] notices = r.Verbose.Where(v => v.Contains("asked to wait", StringComparison.Ordinal)).ToArray();
        Assert.Equal("OpenAI answered HTTP 429 and asked to wait 2 s: no new request of this call starts until then (requests already running go on).", Assert.Single(notices));
        Assert.Single(RetryNotices(r));

        // The waiting requests said so in their progress.
        Assert.Contains(r.Progress, p => p.ParentActivityId != -1 && p.StatusDescription.StartsWith("paused: OpenAI asked to wait", StringComparison.Ordinal));
        Assert.Contains(r.Progress, p => p.ParentActivityId != -1 && p.Activity == "'p06'" && p.StatusDescription.StartsWith("retrying in ", StringComparison.Ordinal));
    }

    [Fact]
    public void ErrorActionStopMidBatchSendsNothingAfterTheError()
    {
        Fake.Latency = q => PromptOf(q) == "p05" ? TimeSpan.Zero : TimeSpan.FromSeconds(2);
        Fake.Responder = q => PromptOf(q) == "p05" ? FakeResponse.Error(400, "Invalid size.", param: "size") : null;

        // The output written before the stop, then the error that stopped the batch.
        ScriptResult r = RunChecked(
            "$written = [System.Collections.Generic.List[string]]::new()\n" +
            "try { " + Prompts(10) + " | New-OpenAIImage -OutputDirectory out -ErrorAction Stop | ForEach-Object { $written.Add($_.Prompt) } }\n" +
            "catch { $written.Add('stopped by ' + $_.FullyQualifiedErrorId + ' ' + $_.TargetObject) }\n" +
            "$written");

        Assert.Equal(new[] { "p01", "p02", "p03", "p04", "stopped by OpenAI.InvalidRequest," + NewImage + " p05" }, r.Output.Select(o => o.ToString()));

        // p05 started when the first four were done; p06-p08 may have started alongside it, but once its error was
        // back nothing else was sent.
        int[] sent = Fake.ApiRequests.Select(NumberOf).OrderBy(n => n).ToArray();
        Assert.Contains(5, sent);
        Assert.All(sent, n => Assert.InRange(n, 1, 8));
        Assert.Equal(
            new[] { "p01.png", "p02.png", "p03.png", "p04.png" },
            Directory.GetFiles(Path.Combine(Temp, "out")).Select(Unstamped).OrderBy(n => n, StringComparer.Ordinal));
        Assert.Equal(ProgressRecordType.Completed, r.Progress.Last().RecordType);
    }

    [Fact]
    public void CtrlCMidBatchKeepsWhatFinishedAndLeavesNoPartialFile()
    {
        // p01 is slow (ten minutes); p02 and p03 finish quickly but their output waits behind p01; p04 and later are slow.
        Fake.Latency = q => NumberOf(q) is 2 or 3 ? TimeSpan.FromMilliseconds(100) : TimeSpan.FromMinutes(10);
        string outDir = Path.Combine(Temp, "out");

        using PowerShell ps = ModuleHost.Create();
        ps.Runspace.SessionStateProxy.Path.SetLocation(Temp);
        ps.AddScript(Prompts(8) + " | New-OpenAIImage -OutputDirectory out");
        IAsyncResult running = ps.BeginInvoke();
        var wait = Stopwatch.StartNew();
        while (!(Directory.Exists(outDir) && Directory.GetFiles(outDir).Length == 2 && Fake.InFlight == 4))
        {
            Assert.True(wait.Elapsed < TimeSpan.FromSeconds(60), "the batch never got going");
            Assert.False(running.IsCompleted, "the script ended before it could be stopped");
            Thread.Sleep(20);
        }

        // Stop returns long before any slow answer would come: a guard against waiting for them, not a stopwatch.
        IAsyncResult stopping = ps.BeginStop(null, null);
        Assert.True(stopping.AsyncWaitHandle.WaitOne(TimeSpan.FromSeconds(30)), "Ctrl+C waited for the requests in flight");
        ps.EndStop(stopping);
        AssertNothingLeftInFlight();

        Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
        Assert.Throws<PipelineStoppedException>(() => ps.EndInvoke(running));
        Assert.Equal(6, Fake.ApiRequests.Count);

        // What finished is on disk, whole; nothing partial or temporary is left.
        Assert.Equal(new[] { "p02.png", "p03.png" }, Directory.GetFiles(outDir).Select(Unstamped).OrderBy(n => n, StringComparer.Ordinal));
        byte[] png = File.ReadAllBytes(ModuleHost.Asset("sample-8x8.png"));
        Assert.All(Directory.GetFiles(outDir), f => Assert.Equal(png, File.ReadAllBytes(f)));
        Assert.DoesNotContain(FilesInTemp(), f => Path.GetFileName(f).StartsWith(".openai-images-", StringComparison.Ordinal) || f.EndsWith(".tmp", StringComparison.Ordinal));
    }
}
