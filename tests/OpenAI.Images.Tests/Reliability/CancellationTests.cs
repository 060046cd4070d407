using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using OpenAI.Images.FakeApi;

namespace OpenAI.Images.Tests.Reliability;

/// <summary>
/// Ctrl+C (PowerShell.Stop from another thread) ends a running request at once and leaves no file behind. "At once" is
/// shown by cause, not by a stopwatch: whatever is interrupted (a silent server, a body, a retry wait) would last
/// minutes, and Stop must return within <see cref="StopGuard"/>, far below that and far above any machine's slowness.
/// </summary>
public sealed class CancellationTests : ReliabilityTest
{
    public CancellationTests(FakeApiFixture fixture) : base(fixture)
    {
    }

    /// <summary>How long Stop may take: a guard against waiting for the server (minutes), not a measure of speed.</summary>
    private static readonly TimeSpan StopGuard = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Starts the script, waits until <paramref name="ready"/> holds, then stops it from another thread (as Ctrl+C does):
    /// PowerShell.Stop() returns once the pipeline has stopped and its commands were disposed.
    /// </summary>
    private void StopWhen(string script, Func<bool> ready)
    {
        using PowerShell ps = ModuleHost.Create();
        ps.Runspace.SessionStateProxy.Path.SetLocation(Temp);
        ps.AddScript(script);
        IAsyncResult running = ps.BeginInvoke();

        var wait = Stopwatch.StartNew();
        while (!ready())
        {
            Assert.True(wait.Elapsed < TimeSpan.FromSeconds(60), "the request never got going");
            Assert.False(running.IsCompleted, "the script ended before it could be stopped");
            Thread.Sleep(10);
        }

        var stopper = new Thread(() => ps.Stop());
        stopper.Start();
        Assert.True(stopper.Join(StopGuard), "PowerShell.Stop() waited for what it should have interrupted");
        AssertNothingLeftInFlight();

        Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
        Assert.Throws<PipelineStoppedException>(() => ps.EndInvoke(running));
        Assert.DoesNotContain(TestKey, string.Join("\n", ps.Streams.Error.Select(e => e.ToString()).Concat(ps.Streams.Verbose.Select(v => v.Message))), StringComparison.Ordinal);
    }

    [Fact]
    public void StoppingWhileTheServerIsSilentEndsAtOnceAndLeavesNoFile()
    {
        Fake.Enqueue(FakeResponse.Stall(TimeSpan.FromMinutes(10)));

        StopWhen("New-OpenAIImage 'a slow fox' -OutFile fox.png", () => Fake.ApiRequests.Count == 1);

        Assert.Single(Fake.ApiRequests);
        Assert.Empty(FilesInTemp());
    }

    [Fact]
    public void StoppingWhileTheImageIsBeingWrittenDeletesTheTemporaryFile()
    {
        // A 400 KB image sent 4 KB every 10 s: the hidden temporary file exists while it arrives (for minutes).
        Fake.Enqueue(FakeResponse.Trickle(4096, TimeSpan.FromSeconds(10), customize: s => s.PadImageTo = 400_000));

        StopWhen(
            "New-OpenAIImage 'a slow fox' -OutFile fox.png",
            () => FilesInTemp().Any(f => Path.GetFileName(f).StartsWith(".openai-images-", StringComparison.Ordinal)));

        Assert.Empty(FilesInTemp());
    }

    [Fact]
    public void StoppingDuringTheWaitBeforeARetryEndsAtOnce()
    {
        Fake.Enqueue(FakeResponse.RateLimited().WithHeader("retry-after", "59"));
        Fake.Enqueue(FakeResponse.RateLimited().WithHeader("retry-after", "59"));

        // The first answer asks for 59 s, which is under the 60 s cap: the cmdlet is now waiting to retry.
        StopWhen("New-OpenAIImage 'a fox' -OutFile fox.png", () => Fake.ApiRequests.Count == 1);

        // Stopped and disposed: no retry can follow.
        Assert.Single(Fake.ApiRequests);
        Assert.Empty(FilesInTemp());
    }

    [Fact]
    public void StoppingABatchCancelsEveryRunningRequest()
    {
        Fake.Responder = _ => FakeResponse.Stall(TimeSpan.FromMinutes(10));

        StopWhen(
            "1..8 | ForEach-Object { \"fox $_\" } | New-OpenAIImage -OutputDirectory out -ThrottleLimit 4",
            () => Fake.ApiRequests.Count == 4);

        Assert.Equal(4, Fake.ApiRequests.Count);
        Assert.Empty(Directory.GetFiles(Path.Combine(Temp, "out")));
    }
}
