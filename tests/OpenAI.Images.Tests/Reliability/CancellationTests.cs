using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using OpenAI.Images.FakeApi;

namespace OpenAI.Images.Tests.Reliability;

/// <summary>Ctrl+C (PowerShell.Stop from another thread) ends a running request within a second and leaves no file behind.</summary>
public sealed class CancellationTests : ReliabilityTest
{
    public CancellationTests(FakeApiFixture fixture) : base(fixture)
    {
    }

    /// <summary>
    /// Starts the script, waits until <paramref name="ready"/> holds, then stops it from another thread (as Ctrl+C does)
    /// and returns how long the stop took: PowerShell.Stop() returns once the pipeline has stopped and its commands
    /// were disposed.
    /// </summary>
    private TimeSpan StopWhen(string script, Func<bool> ready)
    {
        using PowerShell ps = ModuleHost.Create();
        ps.Runspace.SessionStateProxy.Path.SetLocation(Temp);
        ps.AddScript(script);
        IAsyncResult running = ps.BeginInvoke();

        var wait = Stopwatch.StartNew();
        while (!ready())
        {
            Assert.True(wait.Elapsed < TimeSpan.FromSeconds(10), "the request never got going");
            Assert.False(running.IsCompleted, "the script ended before it could be stopped");
            Thread.Sleep(10);
        }

        TimeSpan stop = TimeSpan.Zero;
        var stopper = new Thread(() =>
        {
            var clock = Stopwatch.StartNew();
            ps.Stop();
            stop = clock.Elapsed;
        });
        stopper.Start();
        Assert.True(stopper.Join(TimeSpan.FromSeconds(30)), "PowerShell.Stop() did not return");

        Assert.Equal(PSInvocationState.Stopped, ps.InvocationStateInfo.State);
        Assert.Throws<PipelineStoppedException>(() => ps.EndInvoke(running));
        Assert.DoesNotContain(TestKey, string.Join("\n", ps.Streams.Error.Select(e => e.ToString()).Concat(ps.Streams.Verbose.Select(v => v.Message))), StringComparison.Ordinal);
        return stop;
    }

    [Fact]
    public void StoppingWhileTheServerIsSilentEndsWithinASecondAndLeavesNoFile()
    {
        Fake.Enqueue(FakeResponse.Stall(TimeSpan.FromSeconds(30)));

        TimeSpan stop = StopWhen("New-OpenAIImage 'a slow fox' -OutFile fox.png", () => Fake.ApiRequests.Count == 1);

        Assert.True(stop < TimeSpan.FromSeconds(1), stop.ToString());
        Assert.Single(Fake.ApiRequests);
        Assert.Empty(FilesInTemp());
    }

    [Fact]
    public void StoppingWhileTheImageIsBeingWrittenDeletesTheTemporaryFile()
    {
        // A 400 KB image sent 4 KB at a time: the hidden temporary file exists while it arrives.
        Fake.Enqueue(FakeResponse.Trickle(4096, TimeSpan.FromMilliseconds(50), customize: s => s.PadImageTo = 400_000));

        TimeSpan stop = StopWhen(
            "New-OpenAIImage 'a slow fox' -OutFile fox.png",
            () => FilesInTemp().Any(f => Path.GetFileName(f).StartsWith(".openai-images-", StringComparison.Ordinal)));

        Assert.True(stop < TimeSpan.FromSeconds(1), stop.ToString());
        Assert.Empty(FilesInTemp());
    }

    [Fact]
    public void StoppingDuringTheWaitBeforeARetryEndsAtOnce()
    {
        Fake.Enqueue(FakeResponse.RateLimited().WithHeader("retry-after", "30"));
        Fake.Enqueue(FakeResponse.RateLimited().WithHeader("retry-after", "30"));

        // The first answer asks for 30 s, which is under the 60 s cap: the cmdlet is now waiting to retry.
        TimeSpan stop = StopWhen("New-OpenAIImage 'a fox' -OutFile fox.png", () => Fake.ApiRequests.Count == 1);

        Assert.True(stop < TimeSpan.FromSeconds(1), stop.ToString());
        Thread.Sleep(200);
        Assert.Single(Fake.ApiRequests);
        Assert.Empty(FilesInTemp());
    }

    [Fact]
    public void StoppingABatchCancelsEveryRunningRequest()
    {
        Fake.Responder = _ => FakeResponse.Stall(TimeSpan.FromSeconds(30));

        TimeSpan stop = StopWhen(
            "1..8 | ForEach-Object { \"fox $_\" } | New-OpenAIImage -OutputDirectory out -ThrottleLimit 4",
            () => Fake.ApiRequests.Count == 4);

        Assert.True(stop < TimeSpan.FromSeconds(1), stop.ToString());
        Assert.Equal(4, Fake.ApiRequests.Count);
        Assert.Empty(Directory.GetFiles(Path.Combine(Temp, "out")));
    }
}
