using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using OpenAI.Images.Json;

namespace OpenAI.Images.Http
{
    /// <summary>
    /// Sends one logical request: builds a fresh <see cref="HttpRequestMessage"/> per attempt, applies the per-attempt
    /// timeout and the retry policy, maps failures to <see cref="OpenAIException"/> and traces what it does.
    /// </summary>
    internal sealed class OpenAITransport
    {
        private const int MaxErrorBodyBytes = 1 << 20;

        private readonly OpenAIClientOptions _options;
        private readonly HttpClient _http;
        private readonly ClientDiagnostics _diagnostics;

        public OpenAITransport(OpenAIClientOptions options, HttpClient http, RetryPolicy policy, ClientDiagnostics diagnostics)
        {
            _options = options;
            _http = http;
            Policy = policy;
            _diagnostics = diagnostics;
        }

        public RetryPolicy Policy { get; }

        /// <summary>The batch's shared pause for 429/503 answers with retry-after; null when the request is on its own.</summary>
        public SharedPause? Pause { get; set; }

        /// <summary>
        /// Runs the attempts. <paramref name="readSuccess"/> consumes a 2xx response; failures while it reads the body
        /// are retried only when <paramref name="retryBodyFailures"/> is true (nothing has been handed to the caller yet).
        /// <paramref name="beforeRetry"/>, when given, runs after the wait and before each retry is sent, with the failure
        /// of the attempt before: when it answers Done, the request ends with its Result and is not sent again (a POST
        /// whose effect may already have happened looks for that effect first).
        /// </summary>
        public async Task<T> SendAsync<T>(
            Func<HttpRequestMessage> createRequest,
            Func<HttpResponseMessage, CancellationToken, Task<T>> readSuccess,
            bool retryBodyFailures,
            string? bodySummary,
            CancellationToken cancellationToken,
            Func<OpenAIException, CancellationToken, Task<(bool Done, T Result)>>? beforeRetry = null)
        {
            for (int attempt = 0; ; attempt++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                if (Pause != null && Pause.Remaining > TimeSpan.Zero)
                {
                    _diagnostics.Paused?.Invoke(Pause.Remaining);
                    await Pause.WaitAsync(cancellationToken).ConfigureAwait(false);
                }

                _diagnostics.AttemptStarting?.Invoke(attempt + 1);
                OpenAIException failure;
                RetryDecision decision;
                using (var attemptCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
                {
                    attemptCts.CancelAfter(_options.Timeout);
                    HttpResponseMessage? response = null;
                    try
                    {
                        using (HttpRequestMessage request = createRequest())
                        {
                            TraceRequest(request, attempt, bodySummary);
                            bool bodyPhase = false;
                            try
                            {
                                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, attemptCts.Token).ConfigureAwait(false);
                                TraceResponse(response);
                                if (response.IsSuccessStatusCode)
                                {
                                    bodyPhase = true;
                                    return await readSuccess(response, attemptCts.Token).ConfigureAwait(false);
                                }

                                failure = await ReadErrorAsync(response, attemptCts.Token).ConfigureAwait(false);
                                decision = Policy.Decide(attempt, response, failure.Code);
                                SharePause(response, failure);
                            }
                            catch (Exception ex) when (cancellationToken.IsCancellationRequested && !(ex is OperationCanceledException))
                            {
                                // The caller cancelled (Ctrl+C): whatever the handler threw on the way out, report a cancellation.
                                throw new OperationCanceledException("The request was cancelled.", ex, cancellationToken);
                            }
                            catch (Exception ex) when (IsTimeout(ex, cancellationToken, attemptCts))
                            {
                                failure = TimeoutError(ex, response, bodyPhase);
                                decision = BodyFailureDecision(attempt, bodyPhase, retryBodyFailures);
                            }
                            catch (Exception ex) when (IsNetworkFailure(ex) && !cancellationToken.IsCancellationRequested)
                            {
                                failure = NetworkError(ex, request.RequestUri, response, bodyPhase);
                                decision = BodyFailureDecision(attempt, bodyPhase, retryBodyFailures);
                            }
                            catch (OpenAIException ex) when (ex.IsTransient && !cancellationToken.IsCancellationRequested)
                            {
                                // The body ended before the JSON did: a broken transfer, retried like a reset connection.
                                failure = ex;
                                decision = BodyFailureDecision(attempt, bodyPhase, retryBodyFailures);
                            }
                        }
                    }
                    finally
                    {
                        response?.Dispose();
                    }
                }

                failure.Attempts = attempt + 1;
                if (!decision.Retry)
                {
                    if (decision.Delay > Policy.MaxDelay)
                    {
                        failure.RetryAfter = decision.Delay;
                        throw Rewrap(failure, failure.Message + " Not retried: " + decision.Reason + "; try again later.");
                    }

                    if (attempt > 0)
                    {
                        throw Rewrap(failure, failure.Message + $" Gave up after {attempt + 1} attempts.");
                    }

                    throw failure;
                }

                _diagnostics.WriteVerbose(
                    $"Attempt {attempt + 1} of {Policy.MaxRetries + 1} failed ({Describe(failure)}); retrying in {decision.Delay.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)} s ({decision.Reason}).");
                _diagnostics.Retrying?.Invoke(decision.Delay);
                await Policy.Delay(decision.Delay, cancellationToken).ConfigureAwait(false);
                if (beforeRetry != null)
                {
                    (bool done, T result) = await beforeRetry(failure, cancellationToken).ConfigureAwait(false);
                    if (done)
                    {
                        return result;
                    }
                }
            }
        }

        /// <summary>
        /// A 429 or 503 that says how long to wait (retry-after-ms / retry-after, within the longest wait this module
        /// accepts) pauses the whole batch: the other requests would only run into the same limit. Quota errors do not.
        /// </summary>
        private void SharePause(HttpResponseMessage response, OpenAIException failure)
        {
            int status = (int)response.StatusCode;
            if (Pause is null || (status != 429 && status != 503) || failure.Kind == OpenAIErrorKind.QuotaExceeded)
            {
                return;
            }

            TimeSpan? asked = Policy.ServerRequestedDelay(response);
            if (asked.HasValue && asked.Value > TimeSpan.Zero && asked.Value <= Policy.MaxDelay)
            {
                Pause.Begin(asked.Value, status);
            }
        }

        private RetryDecision BodyFailureDecision(int attempt, bool bodyPhase, bool retryBodyFailures) =>
            bodyPhase && !retryBodyFailures
                ? new RetryDecision(false, TimeSpan.Zero, "part of the response was already used")
                : Policy.Decide(attempt, null, null);

        /// <summary>
        /// The attempt's own timer fired (not the caller's token). Whatever the handler threw when its token was
        /// cancelled (OperationCanceledException, or an IOException from a stream it tore down) counts as the timeout.
        /// </summary>
        private static bool IsTimeout(Exception ex, CancellationToken user, CancellationTokenSource attempt) =>
            !user.IsCancellationRequested && attempt.IsCancellationRequested && (ex is OperationCanceledException || IsNetworkFailure(ex));

        internal static bool IsNetworkFailure(Exception ex) =>
            ex is HttpRequestException || ex is IOException || ex is SocketException || ex is WebException || ex is ObjectDisposedException
            || (ex.InnerException != null && IsNetworkFailure(ex.InnerException));

        private OpenAIException TimeoutError(Exception ex, HttpResponseMessage? response, bool bodyPhase)
        {
            string seconds = _options.Timeout.TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
            string what = bodyPhase
                ? $"OpenAI started answering but did not finish within {seconds} s."
                : $"OpenAI did not answer within {seconds} s.";
            return new OpenAIException(
                OpenAIErrorKind.Timeout,
                what + " Image requests can take minutes: raise -TimeoutSec, or retry later.",
                ex)
            {
                RequestId = RequestIdOf(response),
                StatusCode = response is null ? (int?)null : (int)response.StatusCode,
            };
        }

        private OpenAIException NetworkError(Exception ex, Uri? uri, HttpResponseMessage? response, bool bodyPhase)
        {
            // .NET's socket messages often end without a full stop ("Connection refused"): end the sentence here.
            string what = Innermost(ex).Message.TrimEnd();
            if (what.Length > 0 && !what.EndsWith(".", StringComparison.Ordinal))
            {
                what += ".";
            }

            if (_options.ApiKey != null)
            {
                what = _options.ApiKey.Scrub(what);
            }

            string where = bodyPhase
                ? $"The connection to {uri?.Host ?? "the server"} broke while the response was being read"
                : $"The connection to {uri?.Host ?? "the server"} failed";
            return new OpenAIException(
                OpenAIErrorKind.Network,
                $"{where}: {what} Check the network, proxy and base URI.",
                ex)
            {
                RequestId = RequestIdOf(response),
                StatusCode = response is null ? (int?)null : (int)response.StatusCode,
            };
        }

        private static Exception Innermost(Exception ex)
        {
            while (ex.InnerException != null)
            {
                ex = ex.InnerException;
            }

            return ex;
        }

        private static OpenAIException Rewrap(OpenAIException e, string message) =>
            new OpenAIException(e.Kind, message, e.InnerException)
            {
                StatusCode = e.StatusCode,
                Type = e.Type,
                Code = e.Code,
                Param = e.Param,
                RequestId = e.RequestId,
                ServerMessage = e.ServerMessage,
                Attempts = e.Attempts,
                RetryAfter = e.RetryAfter,
                IsTransient = e.IsTransient,
            };

        private string Describe(OpenAIException e)
        {
            if (e.StatusCode is int status && e.Kind != OpenAIErrorKind.Network && e.Kind != OpenAIErrorKind.Timeout)
            {
                return "HTTP " + status + (e.Code != null ? " " + e.Code : string.Empty);
            }

            switch (e.Kind)
            {
                case OpenAIErrorKind.Timeout:
                    return "timed out";
                case OpenAIErrorKind.Network:
                    string what = Innermost(e).Message;
                    return "connection failed: " + (_options.ApiKey?.Scrub(what) ?? what);
                default:
                    return e.ServerMessage ?? e.Message;
            }
        }

        internal static string? RequestIdOf(HttpResponseMessage? response)
        {
            if (response != null && response.Headers.TryGetValues("x-request-id", out IEnumerable<string>? values))
            {
                return values.FirstOrDefault();
            }

            return null;
        }

        /// <summary>Reads an error response into an exception: OpenAI's JSON envelope, or a readable summary of anything else.</summary>
        internal async Task<OpenAIException> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
        {
            int status = (int)response.StatusCode;
            string? requestId = RequestIdOf(response);
            byte[] body;
            try
            {
                body = await ReadLimitedAsync(response, MaxErrorBodyBytes, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (IsNetworkFailure(ex))
            {
                body = new byte[0];
            }

            string? message = null, type = null, code = null, param = null;
            string text = Encoding.UTF8.GetString(body);
            JsonValue? error = null;
            try
            {
                if (body.Length > 0)
                {
                    JsonValue root = JsonValue.Parse(text);
                    error = root["error"];
                    if (error is null && root.Kind == JsonValueKind.Object && root["message"] != null)
                    {
                        error = root;
                    }
                }
            }
            catch (FormatException)
            {
                error = null;
            }

            if (error != null && error.Kind == JsonValueKind.Object)
            {
                message = ScalarText(error["message"]);
                type = ScalarText(error["type"]);
                code = ScalarText(error["code"]);
                param = ScalarText(error["param"]);
            }
            else if (error != null && error.Kind == JsonValueKind.String)
            {
                message = error.GetString();
            }

            if (string.IsNullOrEmpty(message))
            {
                message = DescribeNonOpenAIBody(response, text, body.Length);
            }

            if (_options.ApiKey != null)
            {
                message = _options.ApiKey.Scrub(message!);
            }

            OpenAIErrorKind kind = KindOf(status, type, code);
            var details = new List<string> { "HTTP " + status };
            if (type != null)
            {
                details.Add("type " + type);
            }

            if (code != null)
            {
                details.Add("code " + code);
            }

            if (param != null)
            {
                details.Add("param " + param);
            }

            if (requestId != null)
            {
                details.Add("request " + requestId);
            }

            string full = $"{message} ({string.Join(", ", details)})";
            string? advice = Advice(kind);
            if (advice != null)
            {
                full += " " + advice;
            }

            return new OpenAIException(kind, full)
            {
                StatusCode = status,
                Type = type,
                Code = code,
                Param = param,
                RequestId = requestId,
                ServerMessage = message,
            };
        }

        private static string? ScalarText(JsonValue? value)
        {
            if (value is null || value.Kind == JsonValueKind.Null)
            {
                return null;
            }

            return value.Kind == JsonValueKind.String ? value.GetString() : value.ToJson();
        }

        private static string DescribeNonOpenAIBody(HttpResponseMessage response, string text, int length)
        {
            string status = $"{(int)response.StatusCode} {response.ReasonPhrase}".Trim();
            if (length == 0)
            {
                return $"The server answered HTTP {status} with an empty body.";
            }

            string mediaType = response.Content.Headers.ContentType?.MediaType ?? "unknown";
            string snippet = text;
            Match title = Regex.Match(text, "<title[^>]*>(.*?)</title>", RegexOptions.IgnoreCase | RegexOptions.Singleline);
            if (title.Success)
            {
                snippet = title.Groups[1].Value;
            }
            else if (mediaType.IndexOf("html", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                snippet = Regex.Replace(text, "<[^>]+>", " ");
            }

            snippet = Regex.Replace(snippet, @"\s+", " ").Trim();
            if (snippet.Length > 200)
            {
                snippet = snippet.Substring(0, 200) + "…";
            }

            return $"The server (or a proxy in between) answered HTTP {status} with a {mediaType} body, not an OpenAI error: \"{snippet}\".";
        }

        internal static OpenAIErrorKind KindOf(int status, string? type, string? code)
        {
            if (code == "content_policy_violation" || code == "moderation_blocked" || type == "image_generation_user_error" && code == "moderation_blocked")
            {
                return OpenAIErrorKind.ContentPolicy;
            }

            switch (status)
            {
                case 401: return OpenAIErrorKind.Authentication;
                case 403: return OpenAIErrorKind.PermissionDenied;
                case 404: return OpenAIErrorKind.NotFound;
                case 408: return OpenAIErrorKind.Timeout;
                case 409: return OpenAIErrorKind.Conflict;
                case 429: return code == "insufficient_quota" ? OpenAIErrorKind.QuotaExceeded : OpenAIErrorKind.RateLimited;
            }

            return status >= 500 ? OpenAIErrorKind.ServerError : OpenAIErrorKind.InvalidRequest;
        }

        private static string? Advice(OpenAIErrorKind kind)
        {
            switch (kind)
            {
                case OpenAIErrorKind.Authentication:
                    return "Check the API key: pass -ApiKey, run Set-OpenAIConfig -ApiKey, or set $env:OPENAI_API_KEY.";
                case OpenAIErrorKind.PermissionDenied:
                    return "The key's organization or project may not use this model; check -Model and the key's permissions.";
                case OpenAIErrorKind.NotFound:
                    return "Check -Model (or the Azure deployment) and the base URI.";
                case OpenAIErrorKind.RateLimited:
                    return "Too many requests: wait and retry, lower -ThrottleLimit, or raise -MaxRetries.";
                case OpenAIErrorKind.QuotaExceeded:
                    return "The account's quota is used up: check the plan and billing details of the key's organization.";
                case OpenAIErrorKind.ContentPolicy:
                    return "OpenAI's safety system refused this prompt or image; rephrase the prompt.";
                case OpenAIErrorKind.ServerError:
                    return "OpenAI had a problem on its side; try again later.";
                default:
                    return null;
            }
        }

        private static async Task<byte[]> ReadLimitedAsync(HttpResponseMessage response, int limit, CancellationToken cancellationToken)
        {
            using (Stream stream = await response.Content.ReadAsStreamAsync().ConfigureAwait(false))
            using (var buffer = new MemoryStream())
            {
                var chunk = new byte[16384];
                int read;
                while ((read = await stream.ReadAsync(chunk, 0, chunk.Length, cancellationToken).ConfigureAwait(false)) > 0)
                {
                    int keep = (int)Math.Min(read, limit - buffer.Length);
                    buffer.Write(chunk, 0, keep);
                    if (buffer.Length >= limit)
                    {
                        break;
                    }
                }

                return buffer.ToArray();
            }
        }

        private void TraceRequest(HttpRequestMessage request, int attempt, string? bodySummary)
        {
            if (!_diagnostics.DebugEnabled)
            {
                return;
            }

            var sb = new StringBuilder();
            sb.Append("HTTP ").Append(request.Method).Append(' ').Append(request.RequestUri).Append(" (attempt ").Append(attempt + 1).Append(')');
            foreach (KeyValuePair<string, IEnumerable<string>> header in request.Headers)
            {
                sb.Append("\n  ").Append(header.Key).Append(": ").Append(MaskHeader(header.Key, string.Join(", ", header.Value)));
            }

            if (request.Content != null)
            {
                foreach (KeyValuePair<string, IEnumerable<string>> header in request.Content.Headers)
                {
                    sb.Append("\n  ").Append(header.Key).Append(": ").Append(string.Join(", ", header.Value));
                }

                if (bodySummary != null)
                {
                    sb.Append("\n  body: ").Append(bodySummary);
                }
            }

            _diagnostics.WriteDebug(_options.ApiKey?.Scrub(sb.ToString()) ?? sb.ToString());
        }

        private void TraceResponse(HttpResponseMessage response)
        {
            if (!_diagnostics.DebugEnabled)
            {
                return;
            }

            var sb = new StringBuilder();
            sb.Append("HTTP ").Append((int)response.StatusCode).Append(' ').Append(response.ReasonPhrase);
            foreach (KeyValuePair<string, IEnumerable<string>> header in response.Headers.Concat(response.Content.Headers))
            {
                sb.Append("\n  ").Append(header.Key).Append(": ").Append(MaskHeader(header.Key, string.Join(", ", header.Value)));
            }

            _diagnostics.WriteDebug(_options.ApiKey?.Scrub(sb.ToString()) ?? sb.ToString());
        }

        internal static string MaskHeader(string name, string value)
        {
            if (name.Equals("Authorization", StringComparison.OrdinalIgnoreCase) || name.Equals("Proxy-Authorization", StringComparison.OrdinalIgnoreCase))
            {
                int space = value.IndexOf(' ');
                return space > 0 ? value.Substring(0, space + 1) + ApiKey.Mask(value.Substring(space + 1)) : ApiKey.Mask(value);
            }

            if (name.Equals("api-key", StringComparison.OrdinalIgnoreCase) || name.Equals("Cookie", StringComparison.OrdinalIgnoreCase) || name.Equals("Set-Cookie", StringComparison.OrdinalIgnoreCase))
            {
                return ApiKey.Mask(value);
            }

            return value;
        }
    }
}
