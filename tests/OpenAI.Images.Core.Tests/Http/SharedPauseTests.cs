using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Threading.Tasks;
using OpenAI.Images.Http;

namespace OpenAI.Images.Core.Tests.Http;

/// <summary>
/// The batch-wide pause: a 429/503 with retry-after stops every request that shares the pause from starting an
/// attempt until the wait is over. An injected clock where the exact waits matter; real time only for lower bounds (a wait
/// may end late on a busy machine, never early).
/// </summary>
public sealed class SharedPauseTests : IDisposable
{
    private readonly ClientRig _rig = new();

    public void Dispose() => _rig.Dispose();

    [Fact]
    public async Task APauseStartsOnceAndIsOnlyEverLengthened()
    {
        // The pause's own clock, advanced only by its waits: nothing here depends on how fast the test runs.
        long now = 0;
        var slept = new List<TimeSpan>();
        var pause = new SharedPause
        {
            Timestamp = () => now,
            Delay = (delay, _) =>
            {
                slept.Add(delay);
                now += (long)(delay.TotalSeconds * Stopwatch.Frequency);
                return Task.CompletedTask;
            },
        };
        var started = new List<(TimeSpan Delay, int Status)>();
        pause.Started = (d, s) => started.Add((d, s));
        Assert.Equal(TimeSpan.Zero, pause.Remaining);

        pause.Begin(TimeSpan.FromMilliseconds(300), 429);
        now += Stopwatch.Frequency / 10; // 100 ms later
        pause.Begin(TimeSpan.FromMilliseconds(50), 429); // ends before the running pause: no change
        Assert.Equal(200, pause.Remaining.TotalMilliseconds, 3);
        pause.Begin(TimeSpan.FromMilliseconds(600), 503); // ends after it: lengthened, not a new pause
        Assert.Equal(600, pause.Remaining.TotalMilliseconds, 3);

        await pause.WaitAsync(TestContext.Current.CancellationToken);

        // One sleep to the end of the pause (and a millisecond more, as Task.Delay may end early on some clocks).
        Assert.Equal(601, Assert.Single(slept).TotalMilliseconds, 3);
        Assert.Equal(TimeSpan.Zero, pause.Remaining);
        Assert.Equal(new[] { (TimeSpan.FromMilliseconds(300), 429) }, started);

        // Over: the next one is a new pause; WaitAsync without a pause does not sleep.
        await pause.WaitAsync(TestContext.Current.CancellationToken);
        Assert.Single(slept);
        pause.Begin(TimeSpan.FromMilliseconds(10), 503);
        Assert.Equal(2, started.Count);
    }

    [Fact]
    public async Task TheRealPauseSleepsUntilItIsOver()
    {
        var pause = new SharedPause();
        var clock = Stopwatch.StartNew();
        pause.Begin(TimeSpan.FromMilliseconds(200), 429);

        await pause.WaitAsync(TestContext.Current.CancellationToken);

        // A lower bound only: the wait may end late on a busy machine, never early.
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(200), clock.Elapsed.ToString());
        Assert.Equal(TimeSpan.Zero, pause.Remaining);
    }

    [Theory]
    [InlineData(429, "rate_limit_exceeded")]
    [InlineData(503, null)]
    public async Task ARetryAfterAnswerPausesTheNextAttemptOfEveryRequestSharingThePause(int status, string? code)
    {
        var pause = new SharedPause();
        int notices = 0;
        pause.Started = (_, _) => notices++;
        var paused = new List<TimeSpan>();
        _rig.Diagnostics.Paused = paused.Add;
        _rig.Client.Pause = pause;
        var clock = Stopwatch.StartNew();
        var stamps = new List<TimeSpan>();
        _rig.Handler
            .Then((_, _) => { stamps.Add(clock.Elapsed); return Task.FromResult(Replies.Error(status, "slow down", "requests", code, null, ("retry-after-ms", "400"))); })
            .Then((_, _) => { stamps.Add(clock.Elapsed); return Task.FromResult(Replies.Success()); });

        await _rig.SendAsync(toFiles: false);

        // The rig's retry delay returns at once; the shared pause still holds the retry back for the 400 ms.
        Assert.Equal(new[] { TimeSpan.FromMilliseconds(400) }, _rig.Waits);
        Assert.Equal(2, stamps.Count);
        Assert.True(stamps[1] - stamps[0] >= TimeSpan.FromMilliseconds(390), (stamps[1] - stamps[0]).ToString());
        Assert.Equal(1, notices);
        Assert.Single(paused);
    }

    [Theory]
    [InlineData(500, "server_error")]
    [InlineData(429, "insufficient_quota")]
    public async Task OtherAnswersDoNotPauseTheBatch(int status, string code)
    {
        var pause = new SharedPause();
        _rig.Client.Pause = pause;
        _rig.Handler.Then(() => Replies.Error(status, "no", "requests", code, null, ("retry-after", "30")));
        _rig.Handler.Fallback = (_, _) => Task.FromResult(Replies.Success());

        try
        {
            await _rig.SendAsync(toFiles: false);
        }
        catch (OpenAIException)
        {
            // insufficient_quota is not retried; what matters here is the pause.
        }

        Assert.Equal(TimeSpan.Zero, pause.Remaining);
    }
}
