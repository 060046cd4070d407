using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;
using System.Threading;
using OpenAI.Images.FakeApi;

namespace OpenAI.Images.Tests.Reliability;

/// <summary>
/// Batches against the fake: concurrency by default, output in input order (or as finished with -Unordered), batch
/// progress, the shared pause on 429, -ErrorAction Stop and Ctrl+C in the middle of a batch. Nothing here races a
/// clock: the fake holds requests until the test releases them, so concurrency is asserted by what is held and order
/// by the order of the releases (see the fake's README, "Hold"). Waits for a state have a one-minute hang guard.
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

    /// <summary>
    /// Holds every request of <paramref name="prompts"/> prompts piped into New-OpenAIImage and shows the limit by state:
    /// <paramref name="limit"/> requests are held and no more have arrived; one answer lets exactly one more in.
    /// Then answers everything and returns the run.
    /// </summary>
    private ScriptResult AssertAtMostInFlight(int limit, int prompts, string parameters)
    {
        Fake.Responder = _ => FakeResponse.Hold();
        using RunningScript run = Start(Prompts(prompts) + " | New-OpenAIImage" + parameters);

        run.Until(() => Fake.Held == limit, $"{limit} requests held");
        Assert.Equal(limit, Fake.ApiRequests.Count);
        Assert.Equal(1, Fake.Release(1));
        run.Until(() => Fake.ApiRequests.Count == limit + 1 && Fake.Held == limit, "one more request once one was answered");

        // The rest are answered at once (nothing more is held: the workers were all busy until now).
        Fake.Responder = null;
        Fake.Release();
        ScriptResult r = run.Finish();
        AssertNoKeyAndNoTempFiles(r);
        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal(prompts, Fake.ApiRequests.Count);
        Assert.Equal(limit, Fake.MaxHeld);
        Assert.Equal(Enumerable.Range(1, prompts).Select(Prompt), r.Images.Select(i => (string)i.Prompt));
        return r;
    }

    [Fact]
    public void FourRequestsRunAtOnceByDefault() => AssertAtMostInFlight(4, 8, string.Empty);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public void ThrottleLimitCapsWhatIsInFlight(int limit) => AssertAtMostInFlight(limit, 4, " -ThrottleLimit " + limit);

    /// <summary>
    /// Answers held requests one at a time, in the order given (by prompt), each once the cmdlet has seen the one
    /// before finish (its child progress activity completed): the cmdlet gets the answers in exactly that order.
    /// </summary>
    private void AnswerInOrder(RunningScript run, IEnumerable<string> prompts)
    {
        foreach (string prompt in prompts)
        {
            run.Until(() => Fake.HeldRequests.Any(q => PromptOf(q) == prompt), prompt + " held");
            int finished = run.FinishedChildren;
            Assert.Equal(1, Fake.Release(q => PromptOf(q) == prompt));
            run.Until(() => run.FinishedChildren > finished, prompt + " finished");
        }
    }

    [Fact]
    public void OutputKeepsInputOrderWhenRequestsFinishOutOfOrder()
    {
        // Twelve prompts, four at a time; each answer goes to the latest prompt held, so p04 to p12 finish before
        // p03, p02 and p01 (4, 5, ... 12, 3, 2, 1).
        Fake.Responder = _ => FakeResponse.Hold();
        using RunningScript run = Start(Prompts(12) + " | New-OpenAIImage -OutputDirectory out");
        var answered = new List<string>();
        for (int i = 0; i < 12; i++)
        {
            int held = Math.Min(4, 12 - i);
            run.Until(() => Fake.Held == held, held + " requests held");
            string latest = PromptOf(Fake.HeldRequests.MaxBy(NumberOf)!);
            AnswerInOrder(run, new[] { latest });
            answered.Add(latest);
        }

        ScriptResult r = run.Finish();
        AssertNoKeyAndNoTempFiles(r);
        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal(new[] { 4, 5, 6, 7, 8, 9, 10, 11, 12, 3, 2, 1 }.Select(Prompt), answered);
        Assert.Equal(Enumerable.Range(1, 12).Select(Prompt), r.Images.Select(i => (string)i.Prompt));
        Assert.All(r.Images, i => Assert.True(File.Exists((string)i.File.FullName)));
        Assert.Equal(4, Fake.MaxHeld);
    }

    /// <summary>Four prompts, all held, answered last first (p04, p03, p02, p01).</summary>
    private ScriptResult AnsweredLastFirst(string script, Func<RecordedRequest, FakeResponse>? hold = null)
    {
        Fake.Responder = hold ?? (_ => FakeResponse.Hold());
        using RunningScript run = Start(script);
        run.Until(() => Fake.Held == 4, "four requests held");
        AnswerInOrder(run, new[] { 4, 3, 2, 1 }.Select(Prompt));
        ScriptResult r = run.Finish();
        AssertNoKeyAndNoTempFiles(r);
        Assert.True(!r.AllErrors.Any(), r.Describe());
        return r;
    }

    [Fact]
    public void UnorderedWritesEachAsItFinishes()
    {
        ScriptResult unordered = AnsweredLastFirst(Prompts(4) + " | New-OpenAIImage -Unordered");
        ScriptResult ordered = AnsweredLastFirst(Prompts(4) + " | New-OpenAIImage");

        Assert.Equal(new[] { "p04", "p03", "p02", "p01" }, unordered.Images.Select(i => (string)i.Prompt));
        Assert.Equal(new[] { "p01", "p02", "p03", "p04" }, ordered.Images.Select(i => (string)i.Prompt));
    }

    [Fact]
    public void AnErrorIsWrittenInItsPlace()
    {
        // p02's error comes back (and the cmdlet has it) while p01 and p03 are still held.
        Fake.Responder = q => PromptOf(q) == "p02" ? FakeResponse.Error(400, "Invalid size.", param: "size") : FakeResponse.Hold();
        using RunningScript run = Start(
            Prompts(3) + " | New-OpenAIImage 2>&1 | ForEach-Object { if ($_ -is [System.Management.Automation.ErrorRecord]) { \"error $($_.FullyQualifiedErrorId) $($_.TargetObject)\" } else { $_.Prompt } }");
        run.Until(() => Fake.Held == 2 && run.FinishedChildren == 1, "p02 answered while p01 and p03 are held");
        Assert.Equal(0, run.OutputCount);
        Fake.Release();

        // It is written in p02's place, after p01's image.
        ScriptResult r = run.Finish();
        Assert.Equal(new[] { "p01", "error OpenAI.InvalidRequest," + NewImage + " p02", "p03" }, r.Output.Select(o => o.ToString()));
    }

    /// <summary>Prompt N's image is told apart by its length: the fake pads its PNG to 1000 + 100·N bytes.</summary>
    private static FakeResponse HoldPadded(RecordedRequest q) => FakeResponse.Hold(customize: s => s.PadImageTo = LengthOf(NumberOf(q)));

    private static int LengthOf(int prompt) => 1000 + (100 * prompt);

    /// <summary>Each result's prompt with its file's name and length.</summary>
    private static string[] Saved(ScriptResult r) =>
        r.Images.Select(i => $"{(string)i.Prompt} {(bool)i.IsPartial} {(string)i.File.Name} {(long)new FileInfo((string)i.File.FullName).Length}").ToArray();

    [Fact]
    public void OutFileNamesFollowInputOrderWhenLaterItemsFinishFirst()
    {
        ScriptResult r = AnsweredLastFirst(Prompts(4) + " | New-OpenAIImage -OutFile x.png", HoldPadded);

        Assert.Equal(
            new[] { $"p01 False x.png {LengthOf(1)}", $"p02 False x-2.png {LengthOf(2)}", $"p03 False x-3.png {LengthOf(3)}", $"p04 False x-4.png {LengthOf(4)}" },
            Saved(r));
        Assert.Equal(LengthOf(1), new FileInfo(Path.Combine(Temp, "x.png")).Length);
    }

    [Fact]
    public void OutFileNamesOfSeveralImagesAndOfPartialImagesFollowInputOrder()
    {
        ScriptResult several = AnsweredLastFirst(Prompts(4) + " | New-OpenAIImage -Count 2 -OutFile set.png", HoldPadded);
        Fake.Reset();
        ScriptResult partial = AnsweredLastFirst(Prompts(4) + " | New-OpenAIImage -PartialImages 1 -OutFile s.png", HoldPadded);

        Assert.Equal(
            new[]
            {
                $"p01 False set-1.png {LengthOf(1)}", $"p01 False set-2.png {LengthOf(1)}",
                $"p02 False set-3.png {LengthOf(2)}", $"p02 False set-4.png {LengthOf(2)}",
                $"p03 False set-5.png {LengthOf(3)}", $"p03 False set-6.png {LengthOf(3)}",
                $"p04 False set-7.png {LengthOf(4)}", $"p04 False set-8.png {LengthOf(4)}",
            },
            Saved(several));
        Assert.Equal(
            new[]
            {
                $"p01 True s-partial0.png {LengthOf(1)}", $"p01 False s.png {LengthOf(1)}",
                $"p02 True s-2-partial0.png {LengthOf(2)}", $"p02 False s-2.png {LengthOf(2)}",
                $"p03 True s-3-partial0.png {LengthOf(3)}", $"p03 False s-3.png {LengthOf(3)}",
                $"p04 True s-4-partial0.png {LengthOf(4)}", $"p04 False s-4.png {LengthOf(4)}",
            },
            Saved(partial));
    }

    [Fact]
    public void OutputDirectoryNamesPromptsWithOneSlugByInputOrderWhenLaterItemsFinishFirst()
    {
        // Three prompts alike in their first 40 characters share a slug: the first item's file is TIMESTAMP-SLUG.png,
        // the second's -2, the third's -3, by input order whatever order they finish in (here the third first).
        const string Same = "The same picture of a lighthouse at dawn, ";
        const string Slug = "the-same-picture-of-a-lighthouse-at-dawn";
        Fake.Responder = q => FakeResponse.Hold(customize: s => s.PadImageTo = LengthOf(int.Parse(PromptOf(q).Substring(Same.Length + 1), CultureInfo.InvariantCulture)));
        using RunningScript run = Start(Prompts(3) + $" | ForEach-Object {{ '{Same}' + $_ }} | New-OpenAIImage -OutputDirectory out");
        run.Until(() => Fake.Held == 3, "three requests held");
        AnswerInOrder(run, new[] { 3, 2, 1 }.Select(i => Same + Prompt(i)));

        ScriptResult r = run.Finish();
        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal(
            new[] { $"{Slug}.png {LengthOf(1)}", $"{Slug}-2.png {LengthOf(2)}", $"{Slug}-3.png {LengthOf(3)}" },
            r.Images.Select(i => $"{Unstamped((string)i.File.FullName)} {new FileInfo((string)i.File.FullName).Length}"));
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

    /// <summary>
    /// p01-p04 are held; then p04 is answered 429 with <c>retry-after</c> (at the returned time, or later) while p01-p03
    /// are still held, and the cmdlet has the 429 (its verbose notice) before this returns.
    /// </summary>
    private RunningScript RateLimitedWhileThreeAreHeld(int retryAfterSeconds, out DateTimeOffset limitedAt)
    {
        var attempts = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        FakeResponse limited = FakeResponse.RateLimited().WithHeader("retry-after", retryAfterSeconds.ToString(CultureInfo.InvariantCulture));
        Fake.Responder = q => NumberOf(q) switch
        {
            4 when attempts.AddOrUpdate("p04", 1, (_, a) => a + 1) == 1 => FakeResponse.Hold(limited),
            < 4 => FakeResponse.Hold(),
            _ => null,
        };
        RunningScript run = Start(Prompts(16) + " | New-OpenAIImage -Verbose");
        run.Until(() => Fake.Held == 4, "p01-p04 held");
        limitedAt = DateTimeOffset.UtcNow;
        Assert.Equal(1, Fake.Release(q => PromptOf(q) == "p04"));
        run.Until(() => run.Verbose.Any(v => v.Contains("asked to wait", StringComparison.Ordinal)), "the 429 at the cmdlet");
        Assert.Equal(3, Fake.Held);
        return run;
    }

    [Fact]
    public void A429WithRetryAfterHoldsBackEveryNewRequestUntilTheWaitIsOver()
    {
        // A minute's wait (the longest the module honours), shown by state: the three requests already running
        // finish normally; the workers they free start p05-p07, which wait in the pause (their progress says so)
        // and send nothing; neither does p04's retry. Then Ctrl+C ends the wait at once.
        using RunningScript run = RateLimitedWhileThreeAreHeld(60, out _);
        Fake.Release();
        string[] paused = { "'p05'", "'p06'", "'p07'" };
        run.Until(
            () => paused.All(a => run.Progress.Any(p => p.Activity == a && p.StatusDescription.StartsWith("paused: OpenAI asked to wait", StringComparison.Ordinal))),
            "p05-p07 waiting in the pause");

        Assert.Equal(new[] { "p01", "p02", "p03", "p04" }, Fake.ApiRequests.Select(PromptOf).OrderBy(p => p, StringComparer.Ordinal));
        run.Stop();
        AssertNothingLeftInFlight();
        Assert.Equal(4, Fake.ApiRequests.Count);
        ScriptResult r = run.Finish();
        Assert.IsType<PipelineStoppedException>(r.TerminatingException);
        Assert.Equal(new[] { "p01", "p02", "p03" }, r.Images.Select(i => (string)i.Prompt));
    }

    [Fact]
    public void A429WithRetryAfterPausesTheWholeBatchOnce()
    {
        using RunningScript run = RateLimitedWhileThreeAreHeld(1, out DateTimeOffset t);
        Fake.Release();
        ScriptResult r = run.Finish();

        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal(Enumerable.Range(1, 16).Select(Prompt), r.Images.Select(i => (string)i.Prompt));
        List<RecordedRequest> requests = Fake.ApiRequests.OrderBy(q => q.Sequence).ToList();
        Assert.Equal(17, requests.Count);

        // Every request after the first four (p04's retry included) was sent after the cmdlet had the 429, and none
        // arrived before the second it asked for had passed (the module waits at least that long; no upper bound).
        Assert.Equal(new[] { "p01", "p02", "p03", "p04" }, requests.Take(4).Select(PromptOf).OrderBy(p => p, StringComparer.Ordinal));
        Assert.All(requests.Skip(4), q => Assert.True(q.ReceivedAt >= t.AddSeconds(1), $"{PromptOf(q)} arrived {(q.ReceivedAt - t).TotalMilliseconds:0} ms after the 429"));
        Assert.Equal(2, requests.Count(q => PromptOf(q) == "p04"));

        // The verbose stream says so once.
        string[] notices = r.Verbose.Where(v => v.Contains("asked to wait", StringComparison.Ordinal)).ToArray();
        Assert.Equal("OpenAI answered HTTP 429 and asked to wait 1 s: no new request of this call starts until then (requests already running go on).", Assert.Single(notices));
        Assert.Single(RetryNotices(r));
        Assert.Contains(r.Progress, p => p.ParentActivityId != -1 && p.Activity == "'p04'" && p.StatusDescription.StartsWith("retrying in ", StringComparison.Ordinal));
    }

    [Fact]
    public void ErrorActionStopMidBatchSendsNothingAfterTheError()
    {
        // p01-p04 are held; answering p01 frees a worker for p05, which fails at once. With that error waiting for
        // its turn, nothing else starts; p02-p04 then finish and are written, and the error stops the batch.
        Fake.Responder = q => PromptOf(q) == "p05" ? FakeResponse.Error(400, "Invalid size.", param: "size") : FakeResponse.Hold();
        using RunningScript run = Start(
            "$written = [System.Collections.Generic.List[string]]::new()\n" +
            "try { " + Prompts(10) + " | New-OpenAIImage -OutputDirectory out -ErrorAction Stop | ForEach-Object { $written.Add($_.Prompt) } }\n" +
            "catch { $written.Add('stopped by ' + $_.FullyQualifiedErrorId + ' ' + $_.TargetObject) }\n" +
            "$written");
        run.Until(() => Fake.Held == 4, "p01-p04 held");
        AnswerInOrder(run, new[] { "p01" });
        run.Until(() => run.FinishedChildren == 2, "p05's error at the cmdlet");
        Fake.Release();

        // The output written before the stop, then the error that stopped the batch.
        ScriptResult r = run.Finish();
        AssertNoKeyAndNoTempFiles(r);
        Assert.Equal(new[] { "p01", "p02", "p03", "p04", "stopped by OpenAI.InvalidRequest," + NewImage + " p05" }, r.Output.Select(o => o.ToString()));
        Assert.Equal(Enumerable.Range(1, 5).Select(Prompt), Fake.ApiRequests.Select(PromptOf).OrderBy(p => p, StringComparer.Ordinal));
        Assert.Equal(
            new[] { "p01.png", "p02.png", "p03.png", "p04.png" },
            Directory.GetFiles(Path.Combine(Temp, "out")).Select(Unstamped).OrderBy(n => n, StringComparer.Ordinal));
        Assert.Equal(ProgressRecordType.Completed, r.Progress.Last().RecordType);
    }

    [Fact]
    public void CtrlCMidBatchKeepsWhatFinishedAndLeavesNoPartialFile()
    {
        // p01 is held; p02 and p03 are answered at once but their output waits behind p01; p04 and later are held.
        Fake.Responder = q => NumberOf(q) is 2 or 3 ? null : FakeResponse.Hold();
        string outDir = Path.Combine(Temp, "out");
        using RunningScript run = Start(Prompts(8) + " | New-OpenAIImage -OutputDirectory out");
        run.Until(() => Directory.Exists(outDir) && Directory.GetFiles(outDir).Length == 2 && Fake.Held == 4, "p02 and p03 saved while four requests are held");

        // Stop returns long before any held answer would come (never): a guard against waiting for them.
        run.Stop();
        AssertNothingLeftInFlight();
        ScriptResult r = run.Finish();
        AssertNoKeyAndNoTempFiles(r);
        Assert.IsType<PipelineStoppedException>(r.TerminatingException);
        Assert.Equal(6, Fake.ApiRequests.Count);

        // What finished is on disk, whole; nothing partial or temporary is left.
        Assert.Equal(new[] { "p02.png", "p03.png" }, Directory.GetFiles(outDir).Select(Unstamped).OrderBy(n => n, StringComparer.Ordinal));
        byte[] png = File.ReadAllBytes(ModuleHost.Asset("sample-8x8.png"));
        Assert.All(Directory.GetFiles(outDir), f => Assert.Equal(png, File.ReadAllBytes(f)));
    }
}
