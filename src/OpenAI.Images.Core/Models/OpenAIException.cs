using System;

namespace OpenAI.Images
{
    /// <summary>What kind of failure an <see cref="OpenAIException"/> reports; it names the error id <c>OpenAI.&lt;Kind&gt;</c>.</summary>
    public enum OpenAIErrorKind
    {
        /// <summary>401: the API key is missing, wrong or revoked.</summary>
        Authentication,
        /// <summary>403: the key may not use this model or organization.</summary>
        PermissionDenied,
        /// <summary>404: the model, deployment or path does not exist.</summary>
        NotFound,
        /// <summary>429: too many requests; retried automatically before this is raised.</summary>
        RateLimited,
        /// <summary>429 with code insufficient_quota: the account has no credit left; never retried.</summary>
        QuotaExceeded,
        /// <summary>The prompt or image was refused by OpenAI's safety system.</summary>
        ContentPolicy,
        /// <summary>400/422 and other 4xx: the API rejected the request.</summary>
        InvalidRequest,
        /// <summary>409: a conflicting request.</summary>
        Conflict,
        /// <summary>5xx: OpenAI failed; retried automatically before this is raised.</summary>
        ServerError,
        /// <summary>An attempt took longer than the timeout.</summary>
        Timeout,
        /// <summary>The connection failed or broke.</summary>
        Network,
        /// <summary>The response could not be read (not JSON, truncated, no images).</summary>
        InvalidResponse,
        /// <summary>No API key was found anywhere.</summary>
        MissingApiKey,
        /// <summary>The configuration (file, profile, vault) could not be used.</summary>
        Configuration,
    }

    /// <summary>A failure talking to the OpenAI API, carrying what the server said.</summary>
    public class OpenAIException : Exception
    {
        /// <summary>Creates an exception of the given kind.</summary>
        public OpenAIException(OpenAIErrorKind kind, string message, Exception? innerException = null)
            : base(message, innerException)
        {
            Kind = kind;
        }

        /// <summary>What kind of failure this is.</summary>
        public OpenAIErrorKind Kind { get; }

        /// <summary>The stable error id: <c>OpenAI.&lt;Kind&gt;</c> (configuration problems use more specific ids).</summary>
        public virtual string ErrorId => "OpenAI." + Kind;

        /// <summary>The HTTP status code, when a response was received.</summary>
        public int? StatusCode { get; set; }

        /// <summary>OpenAI's error type (for example invalid_request_error).</summary>
        public string? Type { get; set; }

        /// <summary>OpenAI's error code (for example invalid_api_key, insufficient_quota, moderation_blocked).</summary>
        public string? Code { get; set; }

        /// <summary>The request parameter OpenAI blamed, when it named one.</summary>
        public string? Param { get; set; }

        /// <summary>The x-request-id response header.</summary>
        public string? RequestId { get; set; }

        /// <summary>The message from OpenAI's error body (or a description of the body when it was not OpenAI JSON).</summary>
        public string? ServerMessage { get; set; }

        /// <summary>How many attempts were made (1 + retries).</summary>
        public int Attempts { get; set; } = 1;

        /// <summary>The wait the server asked for before retrying, when it sent one.</summary>
        public TimeSpan? RetryAfter { get; set; }

        /// <summary>A broken transfer (the body ended early) that the transport may retry like a reset connection.</summary>
        internal bool IsTransient { get; set; }
    }

    /// <summary>Bad input found before any request was sent.</summary>
    public sealed class OpenAIValidationException : ArgumentException
    {
        /// <summary>Creates a validation failure naming the parameter, the value and the rule.</summary>
        public OpenAIValidationException(string parameterName, object? value, string rule, string message)
            : base(message, parameterName)
        {
            Rule = rule;
            Value = value;
            Reason = message;
        }

        /// <summary>The message alone, without the " (Parameter '…')" suffix .NET appends to <see cref="Exception.Message"/>.</summary>
        public string Reason { get; }

        /// <summary>The offending value.</summary>
        public object? Value { get; }

        /// <summary>The rule that was broken, a stable word such as SizeNotSupported.</summary>
        public string Rule { get; }

        /// <summary>The stable error id: <c>OpenAI.Validation.&lt;Rule&gt;</c>.</summary>
        public string ErrorId => "OpenAI.Validation." + Rule;
    }
}
