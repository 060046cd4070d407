using System;
using System.Management.Automation;
using System.Security;
using OpenAI.Images;

namespace OpenAI.Images.PowerShell.Config
{
    /// <summary>The per-call connection parameters every image cmdlet takes.</summary>
    internal sealed class ConnectionParameters
    {
        public string? Profile { get; set; }

        public object? ApiKey { get; set; }

        public Uri? BaseUri { get; set; }

        public int? TimeoutSec { get; set; }

        public int? MaxRetries { get; set; }
    }

    /// <summary>Works out the endpoint, key and limits for a call, first found wins.</summary>
    internal static class ConnectionResolver
    {
        public const string ApiKeyVariable = "OPENAI_API_KEY";
        public const string BaseUrlVariable = "OPENAI_BASE_URL";
        public const string OrganizationVariable = "OPENAI_ORG_ID";
        public const string ProjectVariable = "OPENAI_PROJECT_ID";

        public static OpenAIClientOptions Resolve(ConnectionParameters parameters)
        {
            var options = new OpenAIClientOptions();
            string? baseUrl = Environment.GetEnvironmentVariable(BaseUrlVariable);
            if (parameters.BaseUri != null)
            {
                options.BaseUri = parameters.BaseUri;
            }
            else if (!string.IsNullOrWhiteSpace(baseUrl))
            {
                if (!Uri.TryCreate(baseUrl!.Trim(), UriKind.Absolute, out Uri? parsed))
                {
                    throw new OpenAIException(OpenAIErrorKind.Configuration, $"${BaseUrlVariable} is not an absolute URI: '{baseUrl}'.");
                }

                options.BaseUri = parsed;
            }

            options.Organization = NonEmpty(Environment.GetEnvironmentVariable(OrganizationVariable));
            options.Project = NonEmpty(Environment.GetEnvironmentVariable(ProjectVariable));
            if (parameters.TimeoutSec.HasValue)
            {
                options.Timeout = TimeSpan.FromSeconds(parameters.TimeoutSec.Value);
            }

            if (parameters.MaxRetries.HasValue)
            {
                options.MaxRetries = parameters.MaxRetries.Value;
            }

            options.ApiKey = ToApiKey(parameters.ApiKey) ?? FromEnvironment(ApiKeyVariable);
            if (options.ApiKey is null)
            {
                throw MissingKey();
            }

            return options;
        }

        /// <summary>The default model configured for a profile, or null for the module's default.</summary>
        public static string? DefaultModel(string? profile) => null;

        internal static OpenAIException MissingKey() => new OpenAIException(
            OpenAIErrorKind.MissingApiKey,
            "No OpenAI API key was found. Provide one in any of these ways: pass -ApiKey (a SecureString, e.g. (Read-Host -AsSecureString)); "
            + "run Set-OpenAIConfig -ApiKey … (kept in a SecretManagement vault, or -Scope Process for this session only); "
            + $"or set the environment variable {ApiKeyVariable}.");

        private static ApiKey? FromEnvironment(string name)
        {
            string? value = Environment.GetEnvironmentVariable(name);
            return string.IsNullOrWhiteSpace(value) ? null : new ApiKey(value!);
        }

        /// <summary>Accepts a SecureString, a string, a PSCredential (its password) or any of them wrapped in a PSObject.</summary>
        internal static ApiKey? ToApiKey(object? value)
        {
            if (value is PSObject pso)
            {
                value = pso.BaseObject;
            }

            switch (value)
            {
                case null:
                    return null;
                case ApiKey key:
                    return key;
                case SecureString secure:
                    return secure.Length == 0 ? null : ApiKey.FromSecureString(secure);
                case PSCredential credential:
                    return credential.Password.Length == 0 ? null : ApiKey.FromSecureString(credential.Password);
                case string text:
                    return string.IsNullOrWhiteSpace(text) ? null : new ApiKey(text);
                default:
                    throw new OpenAIException(OpenAIErrorKind.Configuration, $"-ApiKey takes a SecureString or a string, not a {value.GetType().Name}.");
            }
        }

        private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value!.Trim();
    }
}
