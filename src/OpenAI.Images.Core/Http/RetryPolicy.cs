using System;
using System.Globalization;
using System.Linq;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;

namespace OpenAI.Images.Http
{
    /// <summary>What the retry loop decided about one failed attempt.</summary>
    internal readonly struct RetryDecision
    {
        public RetryDecision(bool retry, TimeSpan delay, string reason)
        {
            Retry = retry;
            Delay = delay;
            Reason = reason;
        }

        public bool Retry { get; }

        public TimeSpan Delay { get; }

        public string Reason { get; }
    }

    /// <summary>
    /// OpenAI's retry rules, as its official SDKs apply them: connection failures, timeouts, 408, 409, 429 and 5xx are
    /// retried with exponential backoff and jitter (0.5 s doubling to 8 s, less up to 25 %); <c>retry-after-ms</c> and
    /// <c>retry-after</c> (seconds or an HTTP date) win over the backoff; <c>x-should-retry</c> forces (true) or forbids (false).
    /// A 429 with code insufficient_quota is never retried. A single wait is capped at <see cref="MaxDelay"/>.
    /// </summary>
    internal sealed class RetryPolicy
    {
        public static readonly TimeSpan InitialBackoff = TimeSpan.FromSeconds(0.5);
        public static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(8);

        public RetryPolicy(int maxRetries)
        {
            MaxRetries = Math.Max(0, maxRetries);
        }

        public int MaxRetries { get; }

        /// <summary>The longest single wait; a server asking for longer fails the request instead.</summary>
        public TimeSpan MaxDelay { get; set; } = TimeSpan.FromSeconds(60);

        /// <summary>Waits; replaced in tests so they stay fast and can record the waits.</summary>
        public Func<TimeSpan, CancellationToken, Task> Delay { get; set; } = (d, ct) => Task.Delay(d, ct);

        /// <summary>Returns a number in [0, 1); replaced in tests to make jitter predictable.</summary>
        public Func<double> Random { get; set; } = SharedRandom.NextDouble;

        /// <summary>Clock used to read HTTP-date retry-after values.</summary>
        public Func<DateTimeOffset> UtcNow { get; set; } = () => DateTimeOffset.UtcNow;

        public static bool IsRetryableStatus(int status) => status == 408 || status == 409 || status == 429 || status >= 500;

        /// <summary>Backoff for the given retry (0 = first retry) when the server said nothing.</summary>
        public TimeSpan Backoff(int retryIndex)
        {
            double seconds = Math.Min(InitialBackoff.TotalSeconds * Math.Pow(2, retryIndex), MaxBackoff.TotalSeconds);
            double jitter = 1 - (0.25 * Random());
            return TimeSpan.FromMilliseconds(Math.Round(seconds * jitter * 1000));
        }

        /// <summary>The wait the server asked for, from retry-after-ms or retry-after; null when absent or unreadable.</summary>
        public TimeSpan? ServerRequestedDelay(HttpResponseMessage? response)
        {
            if (response is null)
            {
                return null;
            }

            string? ms = Header(response, "retry-after-ms");
            if (ms != null && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out double millis) && millis >= 0)
            {
                return TimeSpan.FromMilliseconds(millis);
            }

            string? after = Header(response, "retry-after");
            if (after != null)
            {
                if (double.TryParse(after, NumberStyles.Float, CultureInfo.InvariantCulture, out double seconds) && seconds >= 0)
                {
                    return TimeSpan.FromSeconds(seconds);
                }

                if (DateTimeOffset.TryParse(after, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset when))
                {
                    TimeSpan wait = when - UtcNow();
                    return wait < TimeSpan.Zero ? TimeSpan.Zero : wait;
                }
            }

            return null;
        }

        /// <summary>Decides whether to retry after a failed attempt (<paramref name="retryIndex"/> retries already made).</summary>
        /// <param name="retryIndex">How many retries were already made.</param>
        /// <param name="response">The error response, or null for a connection failure or timeout.</param>
        /// <param name="errorCode">OpenAI's error code from the body, when there was one.</param>
        public RetryDecision Decide(int retryIndex, HttpResponseMessage? response, string? errorCode)
        {
            if (retryIndex >= MaxRetries)
            {
                return new RetryDecision(false, TimeSpan.Zero, MaxRetries == 0 ? "retries are off" : $"gave up after {MaxRetries} retries");
            }

            if (response != null)
            {
                int status = (int)response.StatusCode;
                if (status == 429 && string.Equals(errorCode, "insufficient_quota", StringComparison.Ordinal))
                {
                    return new RetryDecision(false, TimeSpan.Zero, "the quota is exhausted");
                }

                string? should = Header(response, "x-should-retry");
                bool forced = string.Equals(should, "true", StringComparison.OrdinalIgnoreCase);
                if (string.Equals(should, "false", StringComparison.OrdinalIgnoreCase))
                {
                    return new RetryDecision(false, TimeSpan.Zero, "the server said not to retry (x-should-retry: false)");
                }

                if (!forced && !IsRetryableStatus(status))
                {
                    return new RetryDecision(false, TimeSpan.Zero, $"HTTP {status} is not retried");
                }
            }

            TimeSpan? asked = ServerRequestedDelay(response);
            if (asked.HasValue && asked.Value > MaxDelay)
            {
                return new RetryDecision(
                    false,
                    asked.Value,
                    string.Format(
                        CultureInfo.InvariantCulture,
                        "the server asked to wait {0:0.#} s before retrying, longer than the {1:0} s this module waits at most",
                        asked.Value.TotalSeconds,
                        MaxDelay.TotalSeconds));
            }

            return new RetryDecision(true, asked ?? Backoff(retryIndex), asked.HasValue ? "as the server asked" : "backoff");
        }

        private static string? Header(HttpResponseMessage response, string name)
        {
            if (response.Headers.TryGetValues(name, out var values))
            {
                return values.FirstOrDefault()?.Trim();
            }

            return null;
        }

        private static class SharedRandom
        {
            private static readonly object Gate = new object();
            private static readonly System.Random Rng = new System.Random();

            public static double NextDouble()
            {
                lock (Gate)
                {
                    return Rng.NextDouble();
                }
            }
        }
    }
}
