using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace OpenAI.Images.FakeApi;

/// <summary>
/// Held requests (<see cref="FakeResponse.Hold"/>): each waits until the test releases it. Tests read the state
/// (<see cref="Held"/>, <see cref="HeldRequests"/>) instead of racing a clock: "four are held and no fifth has
/// arrived", then release one and see the fifth arrive; or release in a chosen order to make answers come back in it.
/// </summary>
public sealed partial class FakeOpenAIServer
{
    private readonly List<HeldRequest> _held = new();
    private int _maxHeld;

    /// <summary>Requests waiting in a <see cref="FakeResponse.Hold"/> now.</summary>
    public int Held
    {
        get
        {
            lock (_gate)
            {
                return _held.Count;
            }
        }
    }

    /// <summary>
    /// The most requests held at once since the last <see cref="Reset"/> or <see cref="ResetInFlight"/>. Exact: a
    /// request leaves the count when it is released, before its reply is written.
    /// </summary>
    public int MaxHeld
    {
        get
        {
            lock (_gate)
            {
                return _maxHeld;
            }
        }
    }

    /// <summary>The held requests, oldest (lowest <see cref="RecordedRequest.Sequence"/>) first.</summary>
    public IReadOnlyList<RecordedRequest> HeldRequests
    {
        get
        {
            lock (_gate)
            {
                return _held.Select(h => h.Request).ToArray();
            }
        }
    }

    /// <summary>Releases the <paramref name="count"/> oldest held requests (by sequence; all by default); returns how many.</summary>
    public int Release(int count = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        return ReleaseWhere((_, index) => index < count);
    }

    /// <summary>Releases the held requests that match <paramref name="predicate"/>; returns how many.</summary>
    public int Release(Func<RecordedRequest, bool> predicate)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        return ReleaseWhere((request, _) => predicate(request));
    }

    private int ReleaseWhere(Func<RecordedRequest, int, bool> select)
    {
        HeldRequest[] chosen;
        lock (_gate)
        {
            chosen = _held.Where((h, i) => select(h.Request, i)).ToArray();
            foreach (HeldRequest h in chosen)
            {
                _held.Remove(h);
            }
        }

        foreach (HeldRequest h in chosen)
        {
            h.Released.TrySetResult(true);
        }

        return chosen.Length;
    }

    /// <summary>Ends every hold without an answer: the connections are aborted (on <see cref="Reset"/>).</summary>
    private void CutHeld()
    {
        HeldRequest[] all;
        lock (_gate)
        {
            all = _held.ToArray();
            _held.Clear();
        }

        foreach (HeldRequest h in all)
        {
            h.Released.TrySetResult(false);
        }
    }

    private async Task HoldAsync(RecordedRequest request, CancellationToken cancellationToken)
    {
        var held = new HeldRequest(request);
        lock (_gate)
        {
            // In the order the requests arrived (their sequence), whatever order they reach the hold in.
            int at = _held.FindIndex(h => h.Request.Sequence > request.Sequence);
            _held.Insert(at < 0 ? _held.Count : at, held);
            _maxHeld = Math.Max(_maxHeld, _held.Count);
        }

        bool released;
        try
        {
            released = await held.Released.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _held.Remove(held);
            }
        }

        if (!released)
        {
            throw new OperationCanceledException("The fake was reset while the request was held.");
        }
    }

    private sealed class HeldRequest
    {
        public HeldRequest(RecordedRequest request) => Request = request;

        public RecordedRequest Request { get; }

        public TaskCompletionSource<bool> Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
