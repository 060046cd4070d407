using System;
using System.Collections.Generic;
using System.Globalization;
using OpenAI.Images.Json;

namespace OpenAI.Images.Config
{
    /// <summary>
    /// The non-secret settings of one profile, as kept in the settings file (scope CurrentUser) or in memory (scope
    /// Process). Null means "not set here": the next source decides. Secrets are never held here: a saved profile only
    /// records which vault and secret hold its API key and proxy credential.
    /// </summary>
    internal sealed class ProfileSettings
    {
        // JSON property names in the settings file.
        internal const string BaseUriName = "baseUri";
        internal const string ApiTypeName = "apiType";
        internal const string AzureDeploymentName = "azureDeployment";
        internal const string ApiVersionName = "apiVersion";
        internal const string OrganizationName = "organization";
        internal const string ProjectName = "project";
        internal const string ProxyName = "proxy";
        internal const string TimeoutSecName = "timeoutSec";
        internal const string MaxRetriesName = "maxRetries";
        internal const string DefaultModelName = "defaultModel";
        internal const string AllowInsecureHttpName = "allowInsecureHttp";
        internal const string ApiKeyVaultName = "apiKeyVault";
        internal const string ApiKeySecretName = "apiKeySecret";
        internal const string ProxyCredentialVaultName = "proxyCredentialVault";
        internal const string ProxyCredentialSecretName = "proxyCredentialSecret";

        private static readonly string[] KnownNames =
        {
            BaseUriName, ApiTypeName, AzureDeploymentName, ApiVersionName, OrganizationName, ProjectName, ProxyName,
            TimeoutSecName, MaxRetriesName, DefaultModelName, AllowInsecureHttpName, ApiKeyVaultName, ApiKeySecretName,
            ProxyCredentialVaultName, ProxyCredentialSecretName,
        };

        public Uri? BaseUri { get; set; }

        public OpenAIApiType? ApiType { get; set; }

        public string? AzureDeployment { get; set; }

        public string? ApiVersion { get; set; }

        public string? Organization { get; set; }

        public string? Project { get; set; }

        public Uri? Proxy { get; set; }

        public int? TimeoutSec { get; set; }

        public int? MaxRetries { get; set; }

        public string? DefaultModel { get; set; }

        public bool? AllowInsecureHttp { get; set; }

        /// <summary>The SecretManagement vault holding the API key (saved profiles only).</summary>
        public string? ApiKeyVault { get; set; }

        /// <summary>The name of the secret holding the API key (saved profiles only).</summary>
        public string? ApiKeySecret { get; set; }

        /// <summary>The vault holding the proxy credential (saved profiles only).</summary>
        public string? ProxyCredentialVault { get; set; }

        /// <summary>The name of the secret holding the proxy credential, a PSCredential (saved profiles only).</summary>
        public string? ProxyCredentialSecret { get; set; }

        /// <summary>Properties this version does not know, kept as they are when the file is rewritten.</summary>
        public List<KeyValuePair<string, JsonValue>> Unknown { get; private set; } = new List<KeyValuePair<string, JsonValue>>();

        public ProfileSettings Clone()
        {
            var copy = (ProfileSettings)MemberwiseClone();
            copy.Unknown = new List<KeyValuePair<string, JsonValue>>(Unknown);
            return copy;
        }

        /// <summary>Reads a profile object of the settings file; a setting of the wrong type is a <see cref="OpenAIConfigException"/>.</summary>
        public static ProfileSettings FromJson(JsonValue value, string profile, string path)
        {
            if (value.Kind != JsonValueKind.Object)
            {
                throw ConfigFile.Corrupt(path, $"the profile '{profile}' is not a JSON object");
            }

            var settings = new ProfileSettings();
            foreach (KeyValuePair<string, JsonValue> property in value.Properties)
            {
                string name = property.Key;
                JsonValue v = property.Value;
                string where = $"\"{name}\" of the profile '{profile}'";
                if (v.Kind == JsonValueKind.Null)
                {
                    if (Array.IndexOf(KnownNames, name) < 0)
                    {
                        settings.Unknown.Add(property);
                    }

                    continue;
                }

                switch (name)
                {
                    case BaseUriName:
                        settings.BaseUri = ReadUri(v, where, path);
                        break;
                    case ApiTypeName:
                        string type = ReadString(v, where, path);
                        if (!TryParseApiType(type, out OpenAIApiType parsed))
                        {
                            throw ConfigFile.Corrupt(path, $"{where} is '{type}'; it must be \"OpenAI\" or \"AzureOpenAI\"");
                        }

                        settings.ApiType = parsed;
                        break;
                    case AzureDeploymentName:
                        settings.AzureDeployment = ReadString(v, where, path);
                        break;
                    case ApiVersionName:
                        settings.ApiVersion = ReadString(v, where, path);
                        break;
                    case OrganizationName:
                        settings.Organization = ReadString(v, where, path);
                        break;
                    case ProjectName:
                        settings.Project = ReadString(v, where, path);
                        break;
                    case ProxyName:
                        settings.Proxy = ReadUri(v, where, path);
                        break;
                    case TimeoutSecName:
                        settings.TimeoutSec = ReadInt(v, where, path, 1, 86400);
                        break;
                    case MaxRetriesName:
                        settings.MaxRetries = ReadInt(v, where, path, 0, 20);
                        break;
                    case DefaultModelName:
                        settings.DefaultModel = ReadString(v, where, path);
                        break;
                    case AllowInsecureHttpName:
                        settings.AllowInsecureHttp = v.GetBoolean() ?? throw ConfigFile.Corrupt(path, $"{where} must be true or false");
                        break;
                    case ApiKeyVaultName:
                        settings.ApiKeyVault = ReadString(v, where, path);
                        break;
                    case ApiKeySecretName:
                        settings.ApiKeySecret = ReadString(v, where, path);
                        break;
                    case ProxyCredentialVaultName:
                        settings.ProxyCredentialVault = ReadString(v, where, path);
                        break;
                    case ProxyCredentialSecretName:
                        settings.ProxyCredentialSecret = ReadString(v, where, path);
                        break;
                    default:
                        settings.Unknown.Add(property);
                        break;
                }
            }

            return settings;
        }

        /// <summary>The profile as a JSON object: the settings that are set, in a fixed order, then unknown properties.</summary>
        public JsonValue ToJson()
        {
            var properties = new List<KeyValuePair<string, JsonValue>>();
            void Add(string name, JsonValue? value)
            {
                if (value != null)
                {
                    properties.Add(new KeyValuePair<string, JsonValue>(name, value));
                }
            }

            Add(ApiTypeName, ApiType.HasValue ? JsonValue.FromString(ApiType.Value.ToString()) : null);
            Add(BaseUriName, Str(BaseUri?.OriginalString));
            Add(AzureDeploymentName, Str(AzureDeployment));
            Add(ApiVersionName, Str(ApiVersion));
            Add(OrganizationName, Str(Organization));
            Add(ProjectName, Str(Project));
            Add(ProxyName, Str(Proxy?.OriginalString));
            Add(TimeoutSecName, TimeoutSec.HasValue ? JsonValue.FromNumber(TimeoutSec.Value) : null);
            Add(MaxRetriesName, MaxRetries.HasValue ? JsonValue.FromNumber(MaxRetries.Value) : null);
            Add(DefaultModelName, Str(DefaultModel));
            Add(AllowInsecureHttpName, AllowInsecureHttp.HasValue ? JsonValue.FromBoolean(AllowInsecureHttp.Value) : null);
            Add(ApiKeyVaultName, Str(ApiKeyVault));
            Add(ApiKeySecretName, Str(ApiKeySecret));
            Add(ProxyCredentialVaultName, Str(ProxyCredentialVault));
            Add(ProxyCredentialSecretName, Str(ProxyCredentialSecret));
            foreach (KeyValuePair<string, JsonValue> unknown in Unknown)
            {
                if (Array.IndexOf(KnownNames, unknown.Key) < 0)
                {
                    properties.Add(unknown);
                }
            }

            return JsonValue.CreateObject(properties);
        }

        public static bool TryParseApiType(string? text, out OpenAIApiType type)
        {
            type = OpenAIApiType.OpenAI;
            if (string.Equals(text, "OpenAI", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }

            if (string.Equals(text, "AzureOpenAI", StringComparison.OrdinalIgnoreCase) || string.Equals(text, "Azure", StringComparison.OrdinalIgnoreCase))
            {
                type = OpenAIApiType.AzureOpenAI;
                return true;
            }

            return false;
        }

        private static JsonValue? Str(string? value) => value is null ? null : JsonValue.FromString(value);

        private static string ReadString(JsonValue v, string where, string path) =>
            v.GetString() ?? throw ConfigFile.Corrupt(path, $"{where} must be a string");

        private static Uri ReadUri(JsonValue v, string where, string path)
        {
            string text = ReadString(v, where, path);
            if (!Uri.TryCreate(text, UriKind.Absolute, out Uri? uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            {
                throw ConfigFile.Corrupt(path, $"{where} is '{text}', not an absolute http:// or https:// address");
            }

            return uri;
        }

        private static int ReadInt(JsonValue v, string where, string path, int min, int max)
        {
            long? n = v.GetInt64();
            if (n is null || n < min || n > max)
            {
                throw ConfigFile.Corrupt(path, $"{where} must be a whole number from {min.ToString(CultureInfo.InvariantCulture)} to {max.ToString(CultureInfo.InvariantCulture)}");
            }

            return (int)n.Value;
        }
    }
}
