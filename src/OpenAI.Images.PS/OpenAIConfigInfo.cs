using System;
using System.Collections.Generic;
using System.Globalization;
using OpenAI.Images;
using OpenAI.Images.Config;
using OpenAI.Images.Http;

namespace OpenAI.Images.PowerShell
{
    /// <summary>
    /// The effective settings of a profile, as Get-OpenAIConfig shows them, with where each came from. The API key
    /// is only ever shown masked (for example <c>sk-…wxyz</c>); the object holds no secret.
    /// </summary>
    public sealed class OpenAIConfigInfo
    {
        private readonly Dictionary<string, OpenAIConfigSource> _sources = new Dictionary<string, OpenAIConfigSource>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, string> _origins = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

        internal OpenAIConfigInfo(ResolvedConfig config)
        {
            Profile = config.Profile;
            var scope = new List<string>();
            if (config.IsSaved)
            {
                scope.Add("CurrentUser");
            }

            if (config.HasSessionSettings)
            {
                scope.Add("Process");
            }

            Scope = scope.ToArray();
            ConfigFile = config.ConfigFilePath;
            ApiKey = config.ApiKey?.Masked;
            ApiKeySource = config.ApiKeySource;
            ApiKeyLocation = config.ApiKeyOrigin;
            Vault = config.ApiKeyVault;
            SecretName = config.ApiKeySecret;

            ApiType = Track(nameof(ApiType), config.ApiType);
            BaseUri = Track(nameof(BaseUri), config.BaseUri);
            AzureDeployment = Track(nameof(AzureDeployment), config.AzureDeployment);
            ApiVersion = Track(nameof(ApiVersion), config.ApiVersion);
            Organization = Track(nameof(Organization), config.Organization);
            Project = Track(nameof(Project), config.Project);
            Proxy = Track(nameof(Proxy), config.Proxy);
            ProxyUserName = config.ProxyCredential.Value?.UserName;
            if (ProxyUserName != null)
            {
                _sources[nameof(ProxyUserName)] = config.ProxyCredential.Source;
            }

            TimeoutSec = Track(nameof(TimeoutSec), config.TimeoutSec);
            MaxRetries = Track(nameof(MaxRetries), config.MaxRetries);
            DefaultModel = Track(nameof(DefaultModel), config.DefaultModel);
            AllowInsecureHttp = Track(nameof(AllowInsecureHttp), config.AllowInsecureHttp);
            if (ApiKeySource.HasValue)
            {
                _sources[nameof(ApiKey)] = ApiKeySource.Value;
            }

            if (BaseUri != null)
            {
                var options = config.ToClientOptions(requireKey: false);
                Endpoint = EndpointResolver.Resolve(options, OpenAIImagesClient.PathOf(ImageOperation.Generation));
            }
        }

        /// <summary>The profile's name.</summary>
        public string Profile { get; }

        /// <summary>Where the profile has settings: CurrentUser (saved), Process (this session), both, or neither (environment and defaults only).</summary>
        public string[] Scope { get; }

        /// <summary>The API key, masked (for example <c>sk-…wxyz</c>); null when no key was found.</summary>
        public string? ApiKey { get; internal set; }

        /// <summary>Where the key came from: Parameter, Session, Vault or Environment; null when none was found.</summary>
        public OpenAIConfigSource? ApiKeySource { get; internal set; }

        /// <summary>The key's exact origin, for example <c>$env:OPENAI_API_KEY</c> or <c>vault 'LocalStore', secret 'OpenAI.Images-default'</c>.</summary>
        public string? ApiKeyLocation { get; internal set; }

        /// <summary>The SecretManagement vault the saved profile keeps its key in.</summary>
        public string? Vault { get; }

        /// <summary>The name of the secret the saved profile keeps its key in.</summary>
        public string? SecretName { get; }

        /// <summary>OpenAI or AzureOpenAI.</summary>
        public OpenAIApiType ApiType { get; }

        /// <summary>The base address of the API; null for an Azure profile without an endpoint.</summary>
        public Uri? BaseUri { get; }

        /// <summary>The address image generations are sent to, as built from the settings.</summary>
        public Uri? Endpoint { get; }

        /// <summary>The Azure OpenAI deployment.</summary>
        public string? AzureDeployment { get; }

        /// <summary>The Azure OpenAI api-version.</summary>
        public string? ApiVersion { get; }

        /// <summary>Sent as the OpenAI-Organization header.</summary>
        public string? Organization { get; }

        /// <summary>Sent as the OpenAI-Project header.</summary>
        public string? Project { get; }

        /// <summary>The proxy; null means the system proxy (HTTPS_PROXY, NO_PROXY and the OS settings).</summary>
        public Uri? Proxy { get; }

        /// <summary>The user name of the proxy credential (its password is never shown).</summary>
        public string? ProxyUserName { get; }

        /// <summary>Seconds to wait for each attempt.</summary>
        public int TimeoutSec { get; }

        /// <summary>How many times a failed attempt is retried.</summary>
        public int MaxRetries { get; }

        /// <summary>The model used when a command is not given -Model.</summary>
        public string DefaultModel { get; }

        /// <summary>Whether the key may be sent over plain http to a host that is not this computer.</summary>
        public bool AllowInsecureHttp { get; }

        /// <summary>The settings file of the current user.</summary>
        public string ConfigFile { get; }

        /// <summary>Where each setting came from, by property name (Parameter, Session, ConfigFile, Vault, Environment, Default).</summary>
        public IReadOnlyDictionary<string, OpenAIConfigSource> Sources => _sources;

        /// <summary>A setting's value followed by its source, for display: <c>https://api.openai.com/v1 (Default)</c>.</summary>
        public string Display(string setting)
        {
            object? value = setting switch
            {
                nameof(ApiKey) => ApiKey,
                nameof(ApiType) => ApiType,
                nameof(BaseUri) => BaseUri,
                nameof(AzureDeployment) => AzureDeployment,
                nameof(ApiVersion) => ApiVersion,
                nameof(Organization) => Organization,
                nameof(Project) => Project,
                nameof(Proxy) => Proxy,
                nameof(ProxyUserName) => ProxyUserName,
                nameof(TimeoutSec) => TimeoutSec,
                nameof(MaxRetries) => MaxRetries,
                nameof(DefaultModel) => DefaultModel,
                nameof(AllowInsecureHttp) => AllowInsecureHttp,
                _ => null,
            };

            if (value is null)
            {
                if (setting != nameof(ApiKey))
                {
                    return string.Empty;
                }

                return ApiKeyLocation != null ? $"(none) ({ApiKeyLocation})" : "(none)";
            }

            string text = Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty;
            if (_sources.TryGetValue(setting, out OpenAIConfigSource source))
            {
                string? origin = setting == nameof(ApiKey) ? ApiKeyLocation : _origins.TryGetValue(setting, out string? o) ? o : null;
                return origin != null && origin != "-ApiKey" ? $"{text} ({source}: {origin})" : $"{text} ({source})";
            }

            return text;
        }

        /// <summary>The profile name.</summary>
        public override string ToString() => Profile;

        private T Track<T>(string name, Setting<T> setting)
        {
            _sources[name] = setting.Source;
            if (setting.Origin != null)
            {
                _origins[name] = setting.Origin;
            }

            return setting.Value;
        }
    }
}
