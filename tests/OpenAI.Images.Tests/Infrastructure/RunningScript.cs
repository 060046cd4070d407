using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Management.Automation;
using System.Threading;

namespace OpenAI.Images.Tests;

/// <summary>
/// A script running in the hosted engine while the test drives the fake (holds and releases): the test waits for
/// states (<see cref="Until"/>) of the fake and of what the script has written so far, never for a time.
/// </summary>
public sealed class RunningScript : IDisposable
{
    /// <summary>A guard against a hang, far above how long any wait here takes on a slow machine.</summary>
    public static readonly TimeSpan Guard = TimeSpan.FromMinutes(1);

    private readonly PowerShell _ps;
    private readonly PSDataCollection<PSObject> _input = new();
    private readonly PSDataCollection<PSObject> _output = new();
    private readonly ConcurrentQueue<ProgressRecord> _progress = new();
    private readonly ConcurrentQueue<string> _verbose = new();
    private readonly IAsyncResult _running;
    private readonly Func<string>? _state;
    private ScriptResult? _result;

    /// <param name="script">The script.</param>
    /// <param name="variables">Variables to set first.</param>
    /// <param name="state">Describes the state of what the test drives (the fake), for a failed wait's message.</param>
    public RunningScript(string script, IDictionary<string, object?>? variables = null, Func<string>? state = null)
    {
        _state = state;
        _ps = ModuleHost.Create();
        ModuleHost.Prepare(_ps, script, variables);
        _ps.Streams.Progress.DataAdded += (_, e) => _progress.Enqueue(Copy(_ps.Streams.Progress[e.Index]));
        _ps.Streams.Verbose.DataAdded += (_, e) => _verbose.Enqueue(_ps.Streams.Verbose[e.Index].Message);
        _input.Complete();
        _running = _ps.BeginInvoke(_input, _output);
    }

    /// <summary>
    /// A record as it was when written: the module keeps one record per activity and changes it for the next write
    /// (e.g. to Completed), so the objects in the stream show only their last state.
    /// </summary>
    private static ProgressRecord Copy(ProgressRecord p) => new(p.ActivityId, p.Activity, p.StatusDescription)
    {
        ParentActivityId = p.ParentActivityId,
        RecordType = p.RecordType,
        PercentComplete = p.PercentComplete,
        SecondsRemaining = p.SecondsRemaining,
        CurrentOperation = p.CurrentOperation,
    };

    /// <summary>The progress records written so far, each as it was when written.</summary>
    public IReadOnlyList<ProgressRecord> Progress => _progress.ToArray();

    /// <summary>The verbose messages written so far.</summary>
    public IReadOnlyList<string> Verbose => _verbose.ToArray();

    /// <summary>How many objects the script has written to its output so far.</summary>
    public int OutputCount => _output.Count;

    /// <summary>How many child progress activities (one per request) have completed so far.</summary>
    public int FinishedChildren => Progress.Count(p => p.ParentActivityId != -1 && p.RecordType == ProgressRecordType.Completed);

    /// <summary>Polls until <paramref name="condition"/> holds; fails if the script ends first or the guard runs out.</summary>
    public void Until(Func<bool> condition, string what)
    {
        var guard = Stopwatch.StartNew();
        while (!condition())
        {
            if (_running.IsCompleted)
            {
                Assert.Fail($"The script ended before {what}. {Finish().Describe()}");
            }

            Assert.True(guard.Elapsed < Guard, $"Never came: {what}. {_state?.Invoke()} Last progress: {string.Join(" | ", Progress.TakeLast(8).Select(p => $"{p.Activity} {p.RecordType} {p.StatusDescription}"))}");
            Thread.Sleep(5);
        }
    }

    /// <summary>Waits for the script to end (within the guard) and returns everything it wrote.</summary>
    public ScriptResult Finish()
    {
        if (_result is null)
        {
            Assert.True(_running.AsyncWaitHandle.WaitOne(Guard), "The script did not end.");
            _result = ModuleHost.Collect(_ps, () =>
            {
                _ps.EndInvoke(_running);
                return Array.Empty<PSObject>();
            });

            // What the script wrote before it ended, also when it was stopped or threw.
            _result.Output.InsertRange(0, _output.ReadAll());
        }

        return _result;
    }

    /// <summary>Stops the script as Ctrl+C does; the stop must return within the guard.</summary>
    public void Stop()
    {
        IAsyncResult stopping = _ps.BeginStop(null, null);
        Assert.True(stopping.AsyncWaitHandle.WaitOne(Guard), "Stop waited for the requests in flight.");
        _ps.EndStop(stopping);
        Assert.Equal(PSInvocationState.Stopped, _ps.InvocationStateInfo.State);
    }

    public void Dispose()
    {
        if (!_running.IsCompleted)
        {
            _ps.Stop();
        }

        _ps.Dispose();
        _input.Dispose();
        _output.Dispose();
    }
}
