using System;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;

namespace OpenAI.Images
{
    /// <summary>
    /// One pause shared by every request of a batch. When a request is answered 429 or 503 with <c>retry-after</c> or
    /// <c>retry-after-ms</c>, no request that uses this pause starts an attempt until that wait is over; requests
    /// already in flight are not disturbed. Thread-safe.
    /// </summary>
    public sealed class SharedPause
    {
        private readonly object _gate = new object();
        private long _untilTicks;

        /// <summary>
        /// Called once when a pause begins (not when a running pause is lengthened), with how long it lasts and the HTTP
        /// status that asked for it. Called on the thread of the request that got the answer.
        /// </summary>
        public Action<TimeSpan, int>? Started { get; set; }

        /// <summary>The clock, in <see cref="Stopwatch"/> ticks (tests inject their own).</summary>
        internal Func<long> Timestamp { get; set; } = Stopwatch.GetTimestamp;

        /// <summary>How <see cref="WaitAsync"/> sleeps (tests inject one that advances their clock).</summary>
        internal Func<TimeSpan, CancellationToken, Task> Delay { get; set; } = (delay, ct) => Task.Delay(delay, ct);

        /// <summary>How long the current pause still lasts; zero when there is none.</summary>
        public TimeSpan Remaining
        {
            get
            {
                long left = Interlocked.Read(ref _untilTicks) - Timestamp();
                return left <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds(left / (double)Stopwatch.Frequency);
            }
        }

        /// <summary>Pauses every request for <paramref name="delay"/> from now (a running pause is only ever lengthened).</summary>
        public void Begin(TimeSpan delay, int statusCode)
        {
            if (delay <= TimeSpan.Zero)
            {
                return;
            }

            long now = Timestamp();
            long until = now + (long)(delay.TotalSeconds * Stopwatch.Frequency);
            bool started;
            lock (_gate)
            {
                if (until <= _untilTicks)
                {
                    return;
                }

                started = _untilTicks <= now;
                Interlocked.Exchange(ref _untilTicks, until);
            }

            if (started)
            {
                Started?.Invoke(delay, statusCode);
            }
        }

        /// <summary>Completes when no pause is running (at once when there is none).</summary>
        public async Task WaitAsync(CancellationToken cancellationToken)
        {
            for (TimeSpan left = Remaining; left > TimeSpan.Zero; left = Remaining)
            {
                // Task.Delay may end a little early on some clocks: check again rather than start inside the pause.
                await Delay(left + TimeSpan.FromMilliseconds(1), cancellationToken).ConfigureAwait(false);
            }
        }
    }
}
