using System;
using System.Management.Automation;
using OpenAI.Images;
using OpenAI.Images.Config;
using OpenAI.Images.PowerShell.Completers;
using OpenAI.Images.PowerShell.Config;

namespace OpenAI.Images.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Shows the effective OpenAI.Images settings of a profile and where each one comes from.</para>
    /// <para type="description">The API key is shown masked, with its source: Parameter, Session, Vault or Environment.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "OpenAIConfig", DefaultParameterSetName = ProfileSet)]
    [OutputType(typeof(OpenAIConfigInfo))]
    public sealed class GetOpenAIConfigCommand : PSCmdlet
    {
        private const string ProfileSet = "Profile";
        private const string ListSet = "ListAvailable";

        /// <summary>The profile to show (default "default").</summary>
        [Parameter(Position = 0, ParameterSetName = ProfileSet, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ProfileCompleter))]
        public string Profile { get; set; } = ConfigResolver.DefaultProfile;

        /// <summary>Lists every profile that has settings.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ListSet)]
        public SwitchParameter ListAvailable { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (ListAvailable)
            {
                try
                {
                    ConfigDocument doc = ConfigFile.Load(ConnectionResolver.ConfigFilePath);
                    var seen = new System.Collections.Generic.HashSet<string>(StringComparer.OrdinalIgnoreCase);
                    foreach (string name in doc.ProfileNames)
                    {
                        if (seen.Add(name))
                        {
                            Show(name);
                        }
                    }

                    foreach (string name in SessionConfig.Names())
                    {
                        if (seen.Add(name))
                        {
                            Show(name);
                        }
                    }
                }
                catch (OpenAIException ex)
                {
                    ThrowTerminatingError(ErrorRecords.From(ex, null));
                }

                return;
            }

            Show(Profile);
        }

        private void Show(string profile)
        {
            try
            {
                ResolvedConfig config;
                try
                {
                    config = ConnectionResolver.ResolveConfig(new ConnectionParameters { Profile = profile }, this, needApiKey: true);
                }
                catch (OpenAIConfigException ex) when (IsVaultProblem(ex))
                {
                    // The vault could not be read (locked, SecretManagement missing): say so, and still show the rest.
                    WriteError(ErrorRecords.From(ex, profile));
                    config = ConnectionResolver.ResolveConfig(new ConnectionParameters { Profile = profile }, this, needApiKey: false);
                    var partial = new OpenAIConfigInfo(config)
                    {
                        ApiKeySource = OpenAIConfigSource.Vault,
                        ApiKeyLocation = $"vault '{config.ApiKeyVault}', secret '{config.ApiKeySecret}' (unavailable: {ex.ErrorId})",
                    };
                    WriteObject(partial);
                    return;
                }

                WriteObject(new OpenAIConfigInfo(config));
            }
            catch (OpenAIConfigException ex) when (ex.ErrorId == OpenAIConfigException.ProfileNotFound)
            {
                WriteError(ErrorRecords.From(ex, profile));
            }
            catch (Exception ex) when (ex is OpenAIException || ex is OpenAIValidationException)
            {
                ThrowTerminatingError(ErrorRecords.From(ex, profile));
            }
        }

        private static bool IsVaultProblem(OpenAIConfigException ex) =>
            ex.ErrorId == OpenAIConfigException.VaultError
            || ex.ErrorId == OpenAIConfigException.SecretManagementNotInstalled
            || ex.ErrorId == OpenAIConfigException.InvalidSecret;
    }
}
