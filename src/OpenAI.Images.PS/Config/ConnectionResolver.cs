using System;
using System.Management.Automation;
using System.Security;
using OpenAI.Images;
using OpenAI.Images.Config;
using OpenAI.Images.Http;

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

    /// <summary>
    /// Works out the endpoint, key and limits for a call, first found wins: the call's parameters, the profile's
    /// Process-scope settings, the saved profile (its key: the vault secret), the environment, the defaults.
    /// See <see cref="ConfigResolver"/>.
    /// </summary>
    internal static class ConnectionResolver
    {
        public const string ApiKeyVariable = ConfigResolver.ApiKeyVariable;
        public const string BaseUrlVariable = ConfigResolver.BaseUrlVariable;
        public const string OrganizationVariable = ConfigResolver.OrganizationVariable;
        public const string ProjectVariable = ConfigResolver.ProjectVariable;

        /// <summary>The settings file of the current user.</summary>
        public static string ConfigFilePath => ConfigPaths.DefaultFile();

        /// <summary>The effective settings of a profile with their sources (vault read through <paramref name="cmdlet"/>'s runspace).</summary>
        public static ResolvedConfig ResolveConfig(ConnectionParameters parameters, PSCmdlet cmdlet, bool needApiKey)
        {
            string profile = ConfigResolver.ValidateProfileName(parameters.Profile);
            var request = new ConfigRequest
            {
                Profile = profile,
                ApiKey = ToApiKey(parameters.ApiKey),
                BaseUri = parameters.BaseUri,
                TimeoutSec = parameters.TimeoutSec,
                MaxRetries = parameters.MaxRetries,
                NeedApiKey = needApiKey,
            };
            return ConfigResolver.Resolve(
                request,
                ConfigFilePath,
                Environment.GetEnvironmentVariable,
                new SecretManagementClient(cmdlet, profile),
                cmdlet.WriteWarning);
        }

        /// <summary>
        /// Client options for a request. Throws <see cref="OpenAIException"/> (no key, insecure transport, a corrupt
        /// settings file, a vault failure) or <see cref="OpenAIValidationException"/> (a bad -BaseUri or -Profile),
        /// always before anything is sent.
        /// </summary>
        public static OpenAIClientOptions Resolve(ConnectionParameters parameters, PSCmdlet cmdlet, out string defaultModel)
        {
            ResolvedConfig config = ResolveConfig(parameters, cmdlet, needApiKey: true);
            defaultModel = config.DefaultModel.Value;
            OpenAIClientOptions options = config.ToClientOptions();
            Uri endpoint = EndpointResolver.Resolve(options, OpenAIImagesClient.PathOf(ImageOperation.Generation));
            EndpointResolver.EnsureSafeTransport(endpoint, options);
            cmdlet.WriteVerboseLine(
                $"Profile '{config.Profile}': API key from {config.ApiKeyOrigin}; {options.ApiType} endpoint {EndpointResolver.WithoutUserInfo(options.BaseUri)} "
                + $"({config.BaseUri.Source}){(options.Proxy is null ? string.Empty : "; proxy " + EndpointResolver.WithoutUserInfo(options.Proxy))}.");
            return options;
        }

        /// <summary>Options for downloads (Save-OpenAIImage): the profile's proxy, timeout and retries, never a key.</summary>
        public static OpenAIClientOptions ResolveForDownload(ConnectionParameters parameters, PSCmdlet cmdlet)
        {
            ResolvedConfig config = ResolveConfig(parameters, cmdlet, needApiKey: false);
            OpenAIClientOptions options = config.ToClientOptions(requireKey: false);
            options.ApiKey = null;
            return options;
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
                    throw new OpenAIValidationException(
                        "ApiKey",
                        value.GetType().FullName,
                        "ApiKeyType",
                        $"-ApiKey takes a SecureString (for example from Read-Host -AsSecureString) or a string, not a {value.GetType().Name}.");
            }
        }
    }
}
