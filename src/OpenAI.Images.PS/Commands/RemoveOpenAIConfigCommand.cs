using System;
using System.Collections.Generic;
using System.Management.Automation;
using OpenAI.Images;
using OpenAI.Images.Config;
using OpenAI.Images.PowerShell.Completers;
using OpenAI.Images.PowerShell.Config;

namespace OpenAI.Images.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Deletes an OpenAI.Images settings profile and, by default, its stored API key.</para>
    /// <para type="description">Removes both the saved settings and the ones set for this session. The vault secrets
    /// the profile recorded (API key, proxy credential) are removed too, unless -KeepSecret is given.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Remove, "OpenAIConfig", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    public sealed class RemoveOpenAIConfigCommand : PSCmdlet
    {
        /// <summary>The profile to remove (default "default").</summary>
        [Parameter(Position = 0, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ProfileCompleter))]
        public string Profile { get; set; } = ConfigResolver.DefaultProfile;

        /// <summary>Leaves the vault secrets in place.</summary>
        [Parameter]
        public SwitchParameter KeepSecret { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            string profile = Profile;
            try
            {
                profile = ConfigResolver.ValidateProfileName(Profile);
                Remove(profile);
            }
            catch (OpenAIConfigException ex) when (ex.ErrorId == OpenAIConfigException.ProfileNotFound || ex.ErrorId == OpenAIConfigException.VaultError)
            {
                WriteError(ErrorRecords.From(ex, profile));
            }
            catch (Exception ex) when (ex is OpenAIException || ex is OpenAIValidationException)
            {
                ThrowTerminatingError(ErrorRecords.From(ex, profile));
            }
        }

        private void Remove(string profile)
        {
            string path = ConnectionResolver.ConfigFilePath;
            ConfigDocument doc = ConfigFile.Load(path);
            ProfileSettings? saved = doc.Get(profile);
            bool inSession = SessionConfig.Get(profile) != null;
            if (saved is null && !inSession)
            {
                throw ConfigResolver.ProfileNotFound(profile, doc, path);
            }

            var secrets = new List<(string Vault, string Name, string What)>();
            if (!KeepSecret && saved != null)
            {
                if (saved.ApiKeySecret != null && saved.ApiKeyVault != null)
                {
                    secrets.Add((saved.ApiKeyVault, saved.ApiKeySecret, $"the API key of the profile '{profile}'"));
                }

                if (saved.ProxyCredentialSecret != null && saved.ProxyCredentialVault != null)
                {
                    secrets.Add((saved.ProxyCredentialVault, saved.ProxyCredentialSecret, $"the proxy credential of the profile '{profile}'"));
                }
            }

            var what = new List<string>();
            if (saved != null)
            {
                what.Add($"its saved settings in '{path}'");
            }

            if (inSession)
            {
                what.Add("its settings for this session");
            }

            foreach ((string vault, string name, string _) in secrets)
            {
                what.Add($"the secret '{name}' in vault '{vault}'");
            }

            if (!ShouldProcess($"profile '{profile}'", "Remove " + string.Join(", ", what)))
            {
                return;
            }

            // Secrets first: if the vault fails, the profile still says where they are, so nothing is orphaned.
            if (secrets.Count > 0)
            {
                var client = new SecretManagementClient(this, profile);
                client.EnsureLoaded($"Removing the secrets of the profile '{profile}' (use -KeepSecret to remove only its settings)");
                foreach ((string vault, string name, string description) in secrets)
                {
                    if (client.RemoveSecret(vault, name, description))
                    {
                        this.WriteVerboseLine($"Removed the secret '{name}' from vault '{vault}'.");
                    }
                    else
                    {
                        this.WriteVerboseLine($"The vault '{vault}' had no secret '{name}'.");
                    }
                }
            }

            if (saved != null)
            {
                ConfigFile.Update(path, d => d.Remove(profile));
                this.WriteVerboseLine($"Removed the profile '{profile}' from '{path}'.");
            }

            if (SessionConfig.Remove(profile))
            {
                this.WriteVerboseLine($"Removed the session settings of the profile '{profile}'.");
            }
        }
    }
}
