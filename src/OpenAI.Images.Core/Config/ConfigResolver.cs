using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Text.RegularExpressions;
using OpenAI.Images.Http;
using OpenAI.Images.Validation;

namespace OpenAI.Images.Config
{
    /// <summary>One effective setting and where it came from.</summary>
    internal readonly struct Setting<T>
    {
        public Setting(T value, OpenAIConfigSource source, string? origin = null)
        {
            Value = value;
            Source = source;
            Origin = origin;
        }

        public T Value { get; }

        public OpenAIConfigSource Source { get; }

        /// <summary>For environment values, the variable (e.g. <c>$env:OPENAI_BASE_URL</c>); for vault values, the vault and secret.</summary>
        public string? Origin { get; }
    }

    /// <summary>What a command asks the resolver for: a profile and its per-call overrides.</summary>
    internal sealed class ConfigRequest
    {
        public string? Profile { get; set; }

        public ApiKey? ApiKey { get; set; }

        public Uri? BaseUri { get; set; }

        public int? TimeoutSec { get; set; }

        public int? MaxRetries { get; set; }

        /// <summary>False for commands that never send the key (image downloads): the vault is not even asked.</summary>
        public bool NeedApiKey { get; set; } = true;

        /// <summary>False to skip reading a vault-stored proxy credential.</summary>
        public bool NeedProxyCredential { get; set; } = true;
    }

    /// <summary>Reads secrets from the vault a saved profile names (SecretManagement, through the engine).</summary>
    internal interface ISecretReader
    {
        /// <summary>The API key, or null when the vault has no such secret; throws <see cref="OpenAIConfigException"/> when the vault fails.</summary>
        ApiKey? ReadApiKey(string? vault, string secretName);

        /// <summary>The proxy credential, or null when the vault has no such secret.</summary>
        NetworkCredential? ReadCredential(string? vault, string secretName);
    }

    /// <summary>The effective settings of a profile, with their sources.</summary>
    internal sealed class ResolvedConfig
    {
        public string Profile { get; set; } = ConfigResolver.DefaultProfile;

        public string ConfigFilePath { get; set; } = string.Empty;

        public bool IsSaved { get; set; }

        public bool HasSessionSettings { get; set; }

        public Setting<OpenAIApiType> ApiType { get; set; }

        public Setting<Uri?> BaseUri { get; set; }

        public Setting<string?> AzureDeployment { get; set; }

        public Setting<string?> ApiVersion { get; set; }

        public Setting<string?> Organization { get; set; }

        public Setting<string?> Project { get; set; }

        public Setting<Uri?> Proxy { get; set; }

        public Setting<NetworkCredential?> ProxyCredential { get; set; }

        public Setting<int> TimeoutSec { get; set; }

        public Setting<int> MaxRetries { get; set; }

        public Setting<string> DefaultModel { get; set; }

        public Setting<bool> AllowInsecureHttp { get; set; }

        /// <summary>The key, when one was found.</summary>
        public ApiKey? ApiKey { get; set; }

        public OpenAIConfigSource? ApiKeySource { get; set; }

        /// <summary>Where the key was found, e.g. <c>$env:OPENAI_API_KEY</c> or <c>vault 'LocalStore', secret 'OpenAI.Images-default'</c>.</summary>
        public string? ApiKeyOrigin { get; set; }

        /// <summary>The saved profile's vault and secret for the key, when it has one.</summary>
        public string? ApiKeyVault { get; set; }

        public string? ApiKeySecret { get; set; }

        /// <summary>Why a configured key source gave nothing (a missing vault secret), for the missing-key message.</summary>
        public string? ApiKeyNote { get; set; }

        /// <summary>Client options for a request; throws when there is no key or no Azure endpoint.</summary>
        public OpenAIClientOptions ToClientOptions(bool requireKey = true)
        {
            if (requireKey && ApiKey is null)
            {
                throw ConfigResolver.MissingKey(this);
            }

            Uri? baseUri = BaseUri.Value;
            if (baseUri is null)
            {
                if (requireKey)
                {
                    throw new OpenAIConfigException(
                        OpenAIConfigException.AzureEndpointMissing,
                        $"The profile '{Profile}' is for Azure OpenAI but has no endpoint. Set it with Set-OpenAIConfig -Profile {Profile} -BaseUri https://RESOURCE.openai.azure.com, "
                        + "pass -BaseUri, or set $env:AZURE_OPENAI_ENDPOINT.",
                        Profile);
                }

                baseUri = OpenAIClientOptions.DefaultBaseUri;
            }

            return new OpenAIClientOptions
            {
                ApiKey = ApiKey,
                BaseUri = baseUri,
                ApiType = ApiType.Value,
                AzureDeployment = AzureDeployment.Value,
                ApiVersion = ApiVersion.Value,
                Organization = Organization.Value,
                Project = Project.Value,
                Proxy = Proxy.Value,
                ProxyCredential = Proxy.Value is null ? null : ProxyCredential.Value,
                Timeout = TimeSpan.FromSeconds(TimeoutSec.Value),
                MaxRetries = MaxRetries.Value,
                AllowInsecureHttp = AllowInsecureHttp.Value,
            };
        }
    }

    /// <summary>
    /// Works out a profile's effective settings. For each setting the first source that has it wins:
    /// the command's parameter, then the Process-scope (session) settings, then the saved profile (the API key: its
    /// vault secret), then the environment, then the built-in default. A saved profile is explicit configuration,
    /// like a client option in OpenAI's SDKs, so it is ahead of the environment variables, which fill in only what the
    /// profile leaves unset.
    /// </summary>
    internal static class ConfigResolver
    {
        public const string DefaultProfile = "default";
        public const string ApiKeyVariable = "OPENAI_API_KEY";
        public const string AzureApiKeyVariable = "AZURE_OPENAI_API_KEY";
        public const string BaseUrlVariable = "OPENAI_BASE_URL";
        public const string AzureEndpointVariable = "AZURE_OPENAI_ENDPOINT";
        public const string ApiVersionVariable = "OPENAI_API_VERSION";
        public const string OrganizationVariable = "OPENAI_ORG_ID";
        public const string ProjectVariable = "OPENAI_PROJECT_ID";
        public const int DefaultTimeoutSec = 600;
        public const int DefaultMaxRetries = 2;

        private static readonly Regex ProfileNamePattern = new Regex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$", RegexOptions.CultureInvariant);

        /// <summary>The default secret name for a profile's API key.</summary>
        public static string DefaultSecretName(string profile) => "OpenAI.Images-" + profile;

        /// <summary>The secret name for a profile's proxy credential, next to its key's.</summary>
        public static string ProxySecretName(string profile) => "OpenAI.Images-" + profile + "-Proxy";

        public static bool IsDefaultProfile(string profile) => string.Equals(profile, DefaultProfile, StringComparison.OrdinalIgnoreCase);

        /// <summary>Checks a profile name: letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64 characters.</summary>
        public static string ValidateProfileName(string? profile)
        {
            string name = string.IsNullOrEmpty(profile) ? DefaultProfile : profile!;
            if (!ProfileNamePattern.IsMatch(name))
            {
                throw new OpenAIValidationException(
                    "Profile",
                    name,
                    "ProfileName",
                    $"The profile name '{name}' is not valid: use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit.");
            }

            return name;
        }

        /// <summary>Loads the session and saved settings of a profile and resolves them.</summary>
        public static ResolvedConfig Resolve(ConfigRequest request, string configPath, Func<string, string?> environment, ISecretReader? secrets, Action<string>? warn)
        {
            string profile = ValidateProfileName(request.Profile);
            SessionProfile? session = SessionConfig.Get(profile);
            ConfigDocument doc = ConfigFile.Load(configPath);
            ProfileSettings? saved = doc.Get(profile);
            if (session is null && saved is null && !IsDefaultProfile(profile))
            {
                throw ProfileNotFound(profile, doc, configPath);
            }

            ResolvedConfig resolved = Resolve(profile, request, session, saved, environment, secrets, warn);
            resolved.ConfigFilePath = configPath;
            return resolved;
        }

        public static OpenAIConfigException ProfileNotFound(string profile, ConfigDocument doc, string configPath)
        {
            var names = doc.ProfileNames.Concat(SessionConfig.Names()).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            string known = names.Count == 0 ? "There are no profiles yet" : "The profiles are: " + string.Join(", ", names);
            return new OpenAIConfigException(
                OpenAIConfigException.ProfileNotFound,
                $"The profile '{profile}' does not exist. {known} (saved ones are in '{configPath}'). Create it with Set-OpenAIConfig -Profile {profile}, or list the profiles with Get-OpenAIConfig -ListAvailable.",
                profile);
        }

        /// <summary>Resolves the settings from the given layers.</summary>
        public static ResolvedConfig Resolve(
            string profile,
            ConfigRequest request,
            SessionProfile? session,
            ProfileSettings? saved,
            Func<string, string?> environment,
            ISecretReader? secrets,
            Action<string>? warn)
        {
            ProfileSettings s = session?.Settings ?? new ProfileSettings();
            ProfileSettings f = saved ?? new ProfileSettings();
            var r = new ResolvedConfig { Profile = profile, IsSaved = saved != null, HasSessionSettings = session != null };

            r.ApiType = PickValue(s.ApiType, f.ApiType, null, OpenAIApiType.OpenAI);
            bool azure = r.ApiType.Value == OpenAIApiType.AzureOpenAI;

            if (request.BaseUri != null)
            {
                r.BaseUri = new Setting<Uri?>(ValidateBaseUri(request.BaseUri, "BaseUri"), OpenAIConfigSource.Parameter);
            }
            else if (s.BaseUri != null)
            {
                r.BaseUri = new Setting<Uri?>(s.BaseUri, OpenAIConfigSource.Session);
            }
            else if (f.BaseUri != null)
            {
                r.BaseUri = new Setting<Uri?>(f.BaseUri, OpenAIConfigSource.ConfigFile);
            }
            else
            {
                string variable = azure ? AzureEndpointVariable : BaseUrlVariable;
                string? text = NonEmpty(environment(variable));
                if (text != null)
                {
                    if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? fromEnv) || (fromEnv.Scheme != Uri.UriSchemeHttp && fromEnv.Scheme != Uri.UriSchemeHttps))
                    {
                        throw new OpenAIConfigException(
                            OpenAIConfigException.InvalidEnvironmentVariable,
                            $"$env:{variable} is not an absolute http:// or https:// address: '{text}'. Fix or remove the variable, or pass -BaseUri.",
                            variable);
                    }

                    r.BaseUri = new Setting<Uri?>(fromEnv, OpenAIConfigSource.Environment, "$env:" + variable);
                }
                else
                {
                    // Azure has no default endpoint: every resource has its own.
                    r.BaseUri = new Setting<Uri?>(azure ? null : OpenAIClientOptions.DefaultBaseUri, OpenAIConfigSource.Default);
                }
            }

            r.AzureDeployment = PickRef(s.AzureDeployment, f.AzureDeployment, null, null);
            Setting<string?> apiVersion = PickRef(s.ApiVersion, f.ApiVersion, azure ? Env(environment, ApiVersionVariable) : null, null);
            if (apiVersion.Value is null && azure && !string.IsNullOrEmpty(r.AzureDeployment.Value))
            {
                apiVersion = new Setting<string?>(OpenAIClientOptions.DefaultAzureApiVersion, OpenAIConfigSource.Default);
            }

            r.ApiVersion = apiVersion;
            r.Organization = PickRef(s.Organization, f.Organization, Env(environment, OrganizationVariable), null);
            r.Project = PickRef(s.Project, f.Project, Env(environment, ProjectVariable), null);
            r.Proxy = PickRef(s.Proxy, f.Proxy, null, null);
            r.TimeoutSec = request.TimeoutSec.HasValue
                ? new Setting<int>(request.TimeoutSec.Value, OpenAIConfigSource.Parameter)
                : PickValue(s.TimeoutSec, f.TimeoutSec, null, DefaultTimeoutSec);
            r.MaxRetries = request.MaxRetries.HasValue
                ? new Setting<int>(request.MaxRetries.Value, OpenAIConfigSource.Parameter)
                : PickValue(s.MaxRetries, f.MaxRetries, null, DefaultMaxRetries);
            Setting<string?> model = PickRef(NonEmpty(s.DefaultModel), NonEmpty(f.DefaultModel), null, ModelCatalog.DefaultModel);
            r.DefaultModel = new Setting<string>(model.Value ?? ModelCatalog.DefaultModel, model.Source);
            r.AllowInsecureHttp = PickValue(s.AllowInsecureHttp, f.AllowInsecureHttp, null, false);

            // The proxy credential belongs to the proxy: a saved credential is used only with the saved proxy.
            r.ProxyCredential = new Setting<NetworkCredential?>(null, OpenAIConfigSource.Default);
            if (r.Proxy.Value != null)
            {
                if (session?.ProxyCredential != null)
                {
                    r.ProxyCredential = new Setting<NetworkCredential?>(session.ProxyCredential, OpenAIConfigSource.Session);
                }
                else if (r.Proxy.Source == OpenAIConfigSource.ConfigFile && f.ProxyCredentialSecret != null && request.NeedProxyCredential && secrets != null)
                {
                    NetworkCredential? credential = secrets.ReadCredential(f.ProxyCredentialVault, f.ProxyCredentialSecret);
                    string origin = VaultOrigin(f.ProxyCredentialVault, f.ProxyCredentialSecret);
                    if (credential is null)
                    {
                        warn?.Invoke($"The proxy credential of the profile '{profile}' was not found ({origin}); connecting to the proxy without it.");
                    }
                    else
                    {
                        r.ProxyCredential = new Setting<NetworkCredential?>(credential, OpenAIConfigSource.Vault, origin);
                    }
                }
            }

            r.ApiKeyVault = f.ApiKeyVault;
            r.ApiKeySecret = f.ApiKeySecret;
            if (request.ApiKey != null)
            {
                SetKey(r, request.ApiKey, OpenAIConfigSource.Parameter, "-ApiKey");
            }
            else if (!request.NeedApiKey)
            {
                return r;
            }
            else if (session?.ApiKey != null && session.ApiKey.Length > 0)
            {
                SetKey(r, ApiKey.FromSecureString(session.ApiKey), OpenAIConfigSource.Session, "Set-OpenAIConfig -Scope Process");
            }
            else
            {
                if (f.ApiKeySecret != null && secrets != null)
                {
                    string origin = VaultOrigin(f.ApiKeyVault, f.ApiKeySecret);
                    ApiKey? fromVault = secrets.ReadApiKey(f.ApiKeyVault, f.ApiKeySecret);
                    if (fromVault != null)
                    {
                        SetKey(r, fromVault, OpenAIConfigSource.Vault, origin);
                        return r;
                    }

                    r.ApiKeyNote = $"The profile '{profile}' keeps its key in {origin}, but that secret does not exist.";
                }

                foreach (string variable in azure ? new[] { AzureApiKeyVariable, ApiKeyVariable } : new[] { ApiKeyVariable })
                {
                    string? value = NonEmpty(environment(variable));
                    if (value != null)
                    {
                        if (r.ApiKeyNote != null)
                        {
                            warn?.Invoke(r.ApiKeyNote + $" Using $env:{variable} instead.");
                        }

                        SetKey(r, new ApiKey(value), OpenAIConfigSource.Environment, "$env:" + variable);
                        break;
                    }
                }
            }

            return r;
        }

        internal static OpenAIException MissingKey(ResolvedConfig r)
        {
            bool azure = r.ApiType.Value == OpenAIApiType.AzureOpenAI;
            string profileHint = IsDefaultProfile(r.Profile) ? string.Empty : " -Profile " + r.Profile;
            string variables = azure ? $"{AzureApiKeyVariable} or {ApiKeyVariable}" : ApiKeyVariable;
            string note = r.ApiKeyNote is null ? string.Empty : r.ApiKeyNote + " ";
            return new OpenAIException(
                OpenAIErrorKind.MissingApiKey,
                $"{note}No API key was found for the profile '{r.Profile}'. Provide one in any of these ways, first found wins: "
                + "pass -ApiKey to the command (a SecureString, e.g. (Read-Host -AsSecureString)); "
                + $"run Set-OpenAIConfig{profileHint} -ApiKey … -Scope Process (kept in memory for this session only); "
                + $"run Set-OpenAIConfig{profileHint} -ApiKey … (kept in a SecretManagement vault for later sessions); "
                + $"or set the environment variable {variables}.");
        }

        internal static Uri ValidateBaseUri(Uri uri, string parameterName)
        {
            if (!uri.IsAbsoluteUri || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw new OpenAIValidationException(
                    parameterName,
                    uri.OriginalString,
                    "UriNotAbsolute",
                    $"-{parameterName} must be an absolute http:// or https:// address, for example https://api.openai.com/v1; '{uri.OriginalString}' is not.");
            }

            if (!string.IsNullOrEmpty(uri.UserInfo))
            {
                throw new OpenAIValidationException(
                    parameterName,
                    EndpointResolver.WithoutUserInfo(uri),
                    "UriHasCredentials",
                    $"-{parameterName} must not contain a user name or password ({EndpointResolver.WithoutUserInfo(uri)}); "
                    + (parameterName == "Proxy" ? "pass the proxy's credential with -ProxyCredential." : "pass the key with -ApiKey."));
            }

            return uri;
        }

        private static string VaultOrigin(string? vault, string secret) =>
            vault is null ? $"secret '{secret}' in the default vault" : $"vault '{vault}', secret '{secret}'";

        private static void SetKey(ResolvedConfig r, ApiKey key, OpenAIConfigSource source, string origin)
        {
            r.ApiKey = key;
            r.ApiKeySource = source;
            r.ApiKeyOrigin = origin;
        }

        private static Setting<T> PickValue<T>(T? session, T? saved, Setting<T>? environment, T fallback)
            where T : struct
        {
            if (session.HasValue)
            {
                return new Setting<T>(session.Value, OpenAIConfigSource.Session);
            }

            if (saved.HasValue)
            {
                return new Setting<T>(saved.Value, OpenAIConfigSource.ConfigFile);
            }

            return environment ?? new Setting<T>(fallback, OpenAIConfigSource.Default);
        }

        private static Setting<T?> PickRef<T>(T? session, T? saved, Setting<T?>? environment, T? fallback)
            where T : class
        {
            if (session != null)
            {
                return new Setting<T?>(session, OpenAIConfigSource.Session);
            }

            if (saved != null)
            {
                return new Setting<T?>(saved, OpenAIConfigSource.ConfigFile);
            }

            return environment ?? new Setting<T?>(fallback, OpenAIConfigSource.Default);
        }

        private static Setting<string?>? Env(Func<string, string?> environment, string variable)
        {
            string? value = NonEmpty(environment(variable));
            return value is null ? (Setting<string?>?)null : new Setting<string?>(value, OpenAIConfigSource.Environment, "$env:" + variable);
        }

        private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value!.Trim();
    }
}
