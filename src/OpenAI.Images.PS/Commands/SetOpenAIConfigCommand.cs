using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Security;
using OpenAI.Images;
using OpenAI.Images.Config;
using OpenAI.Images.PowerShell.Completers;
using OpenAI.Images.PowerShell.Config;
using OpenAI.Images.Validation;

namespace OpenAI.Images.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Saves the API key and connection settings that the OpenAI.Images cmdlets use.</para>
    /// <para type="description">Only the settings you name are changed. With -Scope CurrentUser (the default) the
    /// settings are saved in the settings file and the key in a SecretManagement vault; with -Scope Process they are
    /// kept in memory for this session only. The key is never written in plain text.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Set, "OpenAIConfig", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(OpenAIConfigInfo))]
    public sealed class SetOpenAIConfigCommand : PSCmdlet
    {
        private const string CurrentUserScope = "CurrentUser";
        private const string ProcessScope = "Process";

        /// <summary>The API key (SecureString; a plain string is accepted).</summary>
        [Parameter]
        public object? ApiKey { get; set; }

        /// <summary>The SecretManagement vault to keep the key in (default: the default vault).</summary>
        [Parameter]
        public string? Vault { get; set; }

        /// <summary>The secret's name (default OpenAI.Images-&lt;profile&gt;).</summary>
        [Parameter]
        public string? SecretName { get; set; }

        /// <summary>The profile to set (default "default").</summary>
        [Parameter]
        [ArgumentCompleter(typeof(ProfileCompleter))]
        public string Profile { get; set; } = ConfigResolver.DefaultProfile;

        /// <summary>The API's base address (OpenAI, an Azure OpenAI endpoint, or a compatible server).</summary>
        [Parameter]
        public Uri? BaseUri { get; set; }

        /// <summary>OpenAI or AzureOpenAI.</summary>
        [Parameter]
        [ValidateSet("OpenAI", "AzureOpenAI", IgnoreCase = true)]
        public string? ApiType { get; set; }

        /// <summary>The Azure OpenAI deployment name.</summary>
        [Parameter]
        public string? AzureDeployment { get; set; }

        /// <summary>The Azure OpenAI api-version.</summary>
        [Parameter]
        public string? ApiVersion { get; set; }

        /// <summary>The OpenAI-Organization header.</summary>
        [Parameter]
        public string? Organization { get; set; }

        /// <summary>The OpenAI-Project header.</summary>
        [Parameter]
        public string? Project { get; set; }

        /// <summary>A proxy for every request of the profile.</summary>
        [Parameter]
        public Uri? Proxy { get; set; }

        /// <summary>The proxy's credential.</summary>
        [Parameter]
        public PSCredential? ProxyCredential { get; set; }

        /// <summary>Default seconds per attempt (1-86400).</summary>
        [Parameter]
        public int? TimeoutSec { get; set; }

        /// <summary>Default retries (0-20).</summary>
        [Parameter]
        public int? MaxRetries { get; set; }

        /// <summary>The model used when a command is not given -Model.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(ModelCompleter))]
        public string? DefaultModel { get; set; }

        /// <summary>Allows sending the key over plain http to a host that is not this computer.</summary>
        [Parameter]
        public SwitchParameter AllowInsecureHttp { get; set; }

        /// <summary>CurrentUser (saved; the default) or Process (this session only).</summary>
        [Parameter]
        [ValidateSet(CurrentUserScope, ProcessScope, IgnoreCase = true)]
        public string Scope { get; set; } = CurrentUserScope;

        /// <summary>Writes the profile's effective settings afterwards.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        private bool Bound(string name) => MyInvocation.BoundParameters.ContainsKey(name);

        /// <inheritdoc />
        protected override void EndProcessing()
        {
            try
            {
                Run();
            }
            catch (Exception ex) when (ex is OpenAIException || ex is OpenAIValidationException)
            {
                ThrowTerminatingError(ErrorRecords.From(ex, Profile));
            }
        }

        private void Run()
        {
            string profile = ConfigResolver.ValidateProfileName(Profile);
            bool process = string.Equals(Scope, ProcessScope, StringComparison.OrdinalIgnoreCase);
            SecureString? key = ReadKey();
            var changes = new List<string>();
            Action<ProfileSettings> apply = CollectChanges(changes);

            if (process)
            {
                if (Bound(nameof(Vault)) || Bound(nameof(SecretName)))
                {
                    throw new OpenAIValidationException(
                        Bound(nameof(Vault)) ? nameof(Vault) : nameof(SecretName),
                        Bound(nameof(Vault)) ? Vault : SecretName,
                        "VaultNeedsCurrentUser",
                        "-Vault and -SecretName say where to keep the key for later sessions; with -Scope Process the key stays in memory for this session only. Leave them out, or use -Scope CurrentUser.");
                }

                if (key != null)
                {
                    changes.Insert(0, "ApiKey (in memory)");
                }

                if (Bound(nameof(ProxyCredential)))
                {
                    changes.Add("ProxyCredential (in memory)");
                }

                if (!ShouldProcess($"profile '{profile}' for this session (Process scope)", "Set " + Describe(changes)))
                {
                    return;
                }

                SessionConfig.Update(profile, session =>
                {
                    apply(session.Settings);
                    if (key != null)
                    {
                        session.ApiKey = key;
                    }

                    if (Bound(nameof(ProxyCredential)))
                    {
                        session.ProxyCredential = ProxyCredential?.GetNetworkCredential();
                    }
                });
                this.WriteVerboseLine($"Set {Describe(changes)} of the profile '{profile}' for this session.");
                WarnIfDefaultModelIsRetiring(profile);
            }
            else
            {
                SaveForCurrentUser(profile, key, changes, apply);
            }

            if (PassThru)
            {
                ResolvedConfig config = ConnectionResolver.ResolveConfig(new ConnectionParameters { Profile = profile }, this, needApiKey: true);
                WriteObject(new OpenAIConfigInfo(config));
            }
        }

        private void SaveForCurrentUser(string profile, SecureString? key, List<string> changes, Action<ProfileSettings> apply)
        {
            string path = ConnectionResolver.ConfigFilePath;

            // Read first: a corrupt file stops everything before a secret is stored.
            ProfileSettings existing = ConfigFile.Load(path).Get(profile) ?? new ProfileSettings();
            bool storesKey = key != null;
            bool storesProxyCredential = Bound(nameof(ProxyCredential)) && ProxyCredential != null;
            bool clearsProxyCredential = Bound(nameof(ProxyCredential)) && ProxyCredential is null;
            bool movesKey = Bound(nameof(Vault)) || Bound(nameof(SecretName));
            string? vault = null;
            string? secretName = null;
            string? proxyVault = null;
            string? proxySecret = null;
            SecretManagementClient? secrets = null;

            if (storesKey || storesProxyCredential || movesKey)
            {
                secrets = new SecretManagementClient(this, profile);
                secrets.EnsureLoaded(storesKey ? "Saving the API key for later sessions" : "Keeping a secret in a vault", storing: true);
            }

            if (storesKey || movesKey)
            {
                vault = secrets!.ChooseVault(Vault ?? existing.ApiKeyVault);
                secretName = NonEmpty(SecretName) ?? existing.ApiKeySecret ?? ConfigResolver.DefaultSecretName(profile);
                changes.Insert(0, storesKey ? $"ApiKey (secret '{secretName}' in vault '{vault}')" : $"ApiKey location (secret '{secretName}' in vault '{vault}')");
            }

            if (storesProxyCredential)
            {
                proxyVault = secrets!.ChooseVault(Vault ?? existing.ProxyCredentialVault ?? existing.ApiKeyVault);
                proxySecret = existing.ProxyCredentialSecret ?? ConfigResolver.ProxySecretName(profile);
                changes.Add($"ProxyCredential (secret '{proxySecret}' in vault '{proxyVault}')");
            }
            else if (clearsProxyCredential)
            {
                changes.Add("ProxyCredential (cleared; the vault secret is kept)");
            }

            if (!ShouldProcess($"profile '{profile}' in '{path}'", "Save " + Describe(changes)))
            {
                return;
            }

            if (storesKey)
            {
                secrets!.WriteSecret(vault!, secretName!, key!, $"the API key of the profile '{profile}'");
                this.WriteVerboseLine($"Stored the API key as the secret '{secretName}' in vault '{vault}'.");
            }
            else if (movesKey && !secrets!.SecretExists(vault!, secretName!))
            {
                WriteWarning($"The vault '{vault}' has no secret '{secretName}' yet; the profile '{profile}' will have no key from the vault until you store one with Set-OpenAIConfig -Profile {profile} -ApiKey (Read-Host -AsSecureString).");
            }

            if (storesProxyCredential)
            {
                secrets!.WriteSecret(proxyVault!, proxySecret!, ProxyCredential!, $"the proxy credential of the profile '{profile}'");
            }

            ConfigFile.Update(path, doc =>
            {
                ProfileSettings settings = doc.Get(profile)?.Clone() ?? new ProfileSettings();
                apply(settings);
                if (vault != null)
                {
                    settings.ApiKeyVault = vault;
                    settings.ApiKeySecret = secretName;
                }

                if (storesProxyCredential)
                {
                    settings.ProxyCredentialVault = proxyVault;
                    settings.ProxyCredentialSecret = proxySecret;
                }
                else if (clearsProxyCredential)
                {
                    settings.ProxyCredentialVault = null;
                    settings.ProxyCredentialSecret = null;
                }

                doc.Set(profile, settings);
                return true;
            });
            this.WriteVerboseLine($"Saved {Describe(changes)} of the profile '{profile}' to '{path}'.");

            SessionProfile? session = SessionConfig.Get(profile);
            if (session != null)
            {
                List<string> shadowed = Shadowed(session, key != null);
                if (shadowed.Count > 0)
                {
                    WriteWarning($"The profile '{profile}' also has settings for this session only (Set-OpenAIConfig -Scope Process) that take precedence here: {string.Join(", ", shadowed)}. Remove them with Remove-OpenAIConfig -Profile {profile}, or start a new session.");
                }
            }

            WarnIfDefaultModelIsRetiring(profile);
        }

        /// <summary>After -DefaultModel was set: warns when the profile targets OpenAI's host and OpenAI retired (or soon retires) the model.</summary>
        private void WarnIfDefaultModelIsRetiring(string profile)
        {
            if (!Bound(nameof(DefaultModel)) || string.IsNullOrWhiteSpace(DefaultModel))
            {
                return;
            }

            // No key and no vault needed: only the base URI the profile now resolves to.
            ResolvedConfig config = ConfigResolver.Resolve(
                new ConfigRequest { Profile = profile, NeedApiKey = false, NeedProxyCredential = false },
                ConnectionResolver.ConfigFilePath,
                Environment.GetEnvironmentVariable,
                null,
                null);
            string? warning = ModelLifecycle.DefaultModelWarning(DefaultModel, config.BaseUri.Value, ModelLifecycle.Today, profile);
            if (warning != null)
            {
                WriteWarning(warning);
            }
        }

        /// <summary>Validates the settings given and returns the action that applies them to a profile.</summary>
        private Action<ProfileSettings> CollectChanges(List<string> changes)
        {
            var actions = new List<Action<ProfileSettings>>();
            void Change(string name, Action<ProfileSettings> action)
            {
                if (Bound(name))
                {
                    changes.Add(name);
                    actions.Add(action);
                }
            }

            Uri? baseUri = BaseUri is null ? null : ConfigResolver.ValidateBaseUri(BaseUri, nameof(BaseUri));
            Uri? proxy = Proxy is null ? null : ConfigResolver.ValidateBaseUri(Proxy, nameof(Proxy));
            if (Bound(nameof(TimeoutSec)) && TimeoutSec.HasValue && (TimeoutSec < 1 || TimeoutSec > 86400))
            {
                throw new OpenAIValidationException(nameof(TimeoutSec), TimeoutSec, "TimeoutSecOutOfRange", $"-TimeoutSec must be from 1 to 86400 seconds, not {TimeoutSec}.");
            }

            if (Bound(nameof(MaxRetries)) && MaxRetries.HasValue && (MaxRetries < 0 || MaxRetries > 20))
            {
                throw new OpenAIValidationException(nameof(MaxRetries), MaxRetries, "MaxRetriesOutOfRange", $"-MaxRetries must be from 0 to 20, not {MaxRetries}.");
            }

            OpenAIApiType? apiType = null;
            if (ApiType != null && ProfileSettings.TryParseApiType(ApiType, out OpenAIApiType parsed))
            {
                apiType = parsed;
            }

            // A parameter given as $null or '' clears the setting, so the next source (environment, default) applies.
            Change(nameof(ApiType), s => s.ApiType = apiType);
            Change(nameof(BaseUri), s => s.BaseUri = baseUri);
            Change(nameof(AzureDeployment), s => s.AzureDeployment = NonEmpty(AzureDeployment));
            Change(nameof(ApiVersion), s => s.ApiVersion = NonEmpty(ApiVersion));
            Change(nameof(Organization), s => s.Organization = NonEmpty(Organization));
            Change(nameof(Project), s => s.Project = NonEmpty(Project));
            Change(nameof(Proxy), s => s.Proxy = proxy);
            Change(nameof(TimeoutSec), s => s.TimeoutSec = TimeoutSec);
            Change(nameof(MaxRetries), s => s.MaxRetries = MaxRetries);
            Change(nameof(DefaultModel), s => s.DefaultModel = NonEmpty(DefaultModel));
            Change(nameof(AllowInsecureHttp), s => s.AllowInsecureHttp = AllowInsecureHttp.IsPresent ? true : (bool?)null);
            return settings =>
            {
                foreach (Action<ProfileSettings> action in actions)
                {
                    action(settings);
                }
            };
        }

        /// <summary>The key as a read-only SecureString copy, or null when -ApiKey was not given.</summary>
        private SecureString? ReadKey()
        {
            if (!Bound(nameof(ApiKey)))
            {
                return null;
            }

            ApiKey? key = ConnectionResolver.ToApiKey(ApiKey);
            if (key is null)
            {
                throw new OpenAIValidationException(nameof(ApiKey), null, "ApiKeyEmpty", "-ApiKey is empty. Pass the key, for example -ApiKey (Read-Host -AsSecureString 'OpenAI API key').");
            }

            var secure = new SecureString();
            foreach (char c in key.Reveal())
            {
                secure.AppendChar(c);
            }

            secure.MakeReadOnly();
            return secure;
        }

        private List<string> Shadowed(SessionProfile session, bool keyChanged)
        {
            var names = new List<string>();
            if (keyChanged && session.ApiKey != null)
            {
                names.Add("ApiKey");
            }

            ProfileSettings s = session.Settings;
            void Check(string name, bool isSet)
            {
                if (isSet && Bound(name))
                {
                    names.Add(name);
                }
            }

            Check(nameof(ApiType), s.ApiType.HasValue);
            Check(nameof(BaseUri), s.BaseUri != null);
            Check(nameof(AzureDeployment), s.AzureDeployment != null);
            Check(nameof(ApiVersion), s.ApiVersion != null);
            Check(nameof(Organization), s.Organization != null);
            Check(nameof(Project), s.Project != null);
            Check(nameof(Proxy), s.Proxy != null);
            Check(nameof(TimeoutSec), s.TimeoutSec.HasValue);
            Check(nameof(MaxRetries), s.MaxRetries.HasValue);
            Check(nameof(DefaultModel), s.DefaultModel != null);
            Check(nameof(AllowInsecureHttp), s.AllowInsecureHttp.HasValue);
            return names;
        }

        private static string Describe(List<string> changes) => changes.Count == 0 ? "no settings (creates the profile)" : string.Join(", ", changes);

        private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value!.Trim();
    }
}
