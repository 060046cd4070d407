using System;
using System.Collections;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Security;
using OpenAI.Images;
using OpenAI.Images.Config;

namespace OpenAI.Images.PowerShell.Config
{
    /// <summary>
    /// Talks to Microsoft.PowerShell.SecretManagement through its own commands (Get-Secret, Set-Secret, Remove-Secret,
    /// Get-SecretInfo, Get-SecretVault), looked up when needed and run in the caller's runspace, so every vault
    /// extension works and nothing of SecretManagement is compiled in. The module is optional: it is loaded only
    /// when a profile keeps a secret in a vault or the user asks to store one, and "not installed" is reported as an
    /// error that says what to install. Nothing is ever installed or registered here, and no secret ends up in a message.
    /// </summary>
    internal sealed class SecretManagementClient : ISecretReader
    {
        public const string ModuleName = "Microsoft.PowerShell.SecretManagement";

        private readonly PSCmdlet _cmdlet;
        private readonly string _profile;
        private bool _loaded;

        public SecretManagementClient(PSCmdlet cmdlet, string profile)
        {
            _cmdlet = cmdlet;
            _profile = profile;
        }

        /// <summary>What to do when SecretManagement is missing, for the error message.</summary>
        public static string InstallAdvice =>
            "Install it, with a vault, once: Install-Module Microsoft.PowerShell.SecretManagement, Microsoft.PowerShell.SecretStore -Scope CurrentUser; "
            + "Register-SecretVault -Name LocalStore -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault. "
            + "OpenAI.Images never installs or registers anything itself.";

        /// <summary>Loads SecretManagement (it may be installed but not imported yet); throws when it is not installed.</summary>
        public void EnsureLoaded(string purpose, bool storing = false)
        {
            if (_loaded)
            {
                return;
            }

            using (var ps = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace))
            {
                ps.AddCommand("Microsoft.PowerShell.Core\\Get-Module").AddParameter("Name", ModuleName);
                if (ps.Invoke().Count > 0)
                {
                    _loaded = true;
                    return;
                }

                ps.Commands.Clear();
                ps.Streams.ClearStreams();
                ps.AddCommand("Microsoft.PowerShell.Core\\Import-Module")
                    .AddParameter("Name", ModuleName)
                    .AddParameter("ErrorAction", ActionPreference.Continue)
                    .AddParameter("WarningAction", ActionPreference.SilentlyContinue);
                ErrorRecord? failure = null;
                try
                {
                    ps.Invoke();
                    failure = ps.Streams.Error.FirstOrDefault();
                }
                catch (RuntimeException ex)
                {
                    failure = ex.ErrorRecord;
                }

                ForgetErrors(ps.Streams.Error);
                if (failure is null)
                {
                    _loaded = true;
                    return;
                }

                if (failure.FullyQualifiedErrorId.StartsWith("Modules_ModuleNotFound", StringComparison.Ordinal)
                    || failure.Exception is System.IO.FileNotFoundException)
                {
                    throw new OpenAIConfigException(
                        OpenAIConfigException.SecretManagementNotInstalled,
                        $"{purpose} needs the {ModuleName} module, which is not installed. {InstallAdvice} "
                        + (storing
                            ? "Or keep the key for this session only with Set-OpenAIConfig -ApiKey … -Scope Process, or set $env:OPENAI_API_KEY."
                            : $"Or pass -ApiKey, or make the profile forget its vault secret with Remove-OpenAIConfig -Profile {_profile} -KeepSecret."),
                        ModuleName);
                }

                throw new OpenAIConfigException(
                    OpenAIConfigException.VaultError,
                    $"{purpose} needs the {ModuleName} module, which could not be loaded: {failure.Exception?.Message ?? failure.ToString()}",
                    ModuleName,
                    failure.Exception);
            }
        }

        /// <inheritdoc />
        public ApiKey? ReadApiKey(string? vault, string secretName)
        {
            object? secret = ReadSecret(vault, secretName, "the API key of the profile '" + _profile + "'");
            switch (secret)
            {
                case null:
                    return null;
                case SecureString secure:
                    return secure.Length == 0 ? null : ApiKey.FromSecureString(secure);
                case string text:
                    return string.IsNullOrWhiteSpace(text) ? null : new ApiKey(text);
                case PSCredential credential:
                    return credential.Password.Length == 0 ? null : ApiKey.FromSecureString(credential.Password);
                default:
                    throw new OpenAIConfigException(
                        OpenAIConfigException.InvalidSecret,
                        $"The secret '{secretName}' in vault '{vault}' is a {secret.GetType().Name}, not an API key (a string or SecureString). "
                        + $"Store the key again with Set-OpenAIConfig -Profile {_profile} -ApiKey (Read-Host -AsSecureString).",
                        secretName);
            }
        }

        /// <inheritdoc />
        public NetworkCredential? ReadCredential(string? vault, string secretName)
        {
            object? secret = ReadSecret(vault, secretName, "the proxy credential of the profile '" + _profile + "'");
            switch (secret)
            {
                case null:
                    return null;
                case PSCredential credential:
                    return credential.GetNetworkCredential();
                default:
                    throw new OpenAIConfigException(
                        OpenAIConfigException.InvalidSecret,
                        $"The secret '{secretName}' in vault '{vault}' is a {secret.GetType().Name}, not a PSCredential. "
                        + $"Store the proxy credential again with Set-OpenAIConfig -Profile {_profile} -ProxyCredential (Get-Credential).",
                        secretName);
            }
        }

        /// <summary>The secret's value (a SecureString for text secrets), or null when the vault has no such secret.</summary>
        private object? ReadSecret(string? vault, string secretName, string what)
        {
            EnsureLoaded($"Reading {what} from {Describe(vault, secretName)}");
            var parameters = new Dictionary<string, object?> { ["Name"] = secretName };
            if (vault != null)
            {
                parameters["Vault"] = vault;
            }

            Collection<PSObject> results = Invoke("Get-Secret", parameters, out List<ErrorRecord> errors);
            ErrorRecord? failure = errors.FirstOrDefault(e => !IsSecretNotFound(e));
            if (failure != null)
            {
                throw new OpenAIConfigException(
                    OpenAIConfigException.VaultError,
                    $"Cannot read {what} from {Describe(vault, secretName)}: {MessageOf(failure)} "
                    + "If the vault is locked, unlock it (Unlock-SecretVault, or Unlock-SecretStore for a SecretStore vault) and run the command again; "
                    + "or pass -ApiKey to this command.",
                    vault ?? secretName,
                    failure.Exception);
            }

            PSObject? first = results.FirstOrDefault(r => r != null);
            return first?.BaseObject;
        }

        /// <summary>Stores a secret (SecureString or PSCredential), replacing one of the same name.</summary>
        public void WriteSecret(string vault, string secretName, object secret, string what)
        {
            EnsureLoaded($"Storing {what} in a vault", storing: true);
            Invoke("Set-Secret", new Dictionary<string, object?> { ["Name"] = secretName, ["Secret"] = secret, ["Vault"] = vault }, out List<ErrorRecord> errors, confirmable: true);
            if (errors.Count > 0)
            {
                throw new OpenAIConfigException(
                    OpenAIConfigException.VaultError,
                    $"Cannot store {what} in {Describe(vault, secretName)}: {MessageOf(errors[0])} Nothing was changed. "
                    + "If the vault is locked, unlock it (Unlock-SecretVault, or Unlock-SecretStore for a SecretStore vault) and try again, or use -Scope Process.",
                    vault,
                    errors[0].Exception);
            }
        }

        /// <summary>True when the vault holds a secret of exactly this name.</summary>
        public bool SecretExists(string vault, string secretName)
        {
            EnsureLoaded($"Looking up the secret '{secretName}'");
            Collection<PSObject> results = Invoke("Get-SecretInfo", new Dictionary<string, object?> { ["Name"] = secretName, ["Vault"] = vault }, out List<ErrorRecord> errors);
            if (errors.Count > 0)
            {
                throw new OpenAIConfigException(
                    OpenAIConfigException.VaultError,
                    $"Cannot look up {Describe(vault, secretName)}: {MessageOf(errors[0])}",
                    vault,
                    errors[0].Exception);
            }

            return results.Any(r => r != null && string.Equals(r.Properties["Name"]?.Value as string, secretName, StringComparison.OrdinalIgnoreCase));
        }

        /// <summary>Removes a secret; false when there was none.</summary>
        public bool RemoveSecret(string vault, string secretName, string what)
        {
            if (!SecretExists(vault, secretName))
            {
                return false;
            }

            Invoke("Remove-Secret", new Dictionary<string, object?> { ["Name"] = secretName, ["Vault"] = vault }, out List<ErrorRecord> errors, confirmable: true);
            if (errors.Count > 0)
            {
                throw new OpenAIConfigException(
                    OpenAIConfigException.VaultError,
                    $"Cannot remove {what} ({Describe(vault, secretName)}): {MessageOf(errors[0])} Nothing was removed; unlock the vault and try again, or use -KeepSecret.",
                    vault,
                    errors[0].Exception);
            }

            return true;
        }

        /// <summary>The registered vaults: name and whether it is the default one.</summary>
        public IReadOnlyList<(string Name, bool IsDefault)> Vaults()
        {
            EnsureLoaded("Finding the SecretManagement vaults");
            Collection<PSObject> results = Invoke("Get-SecretVault", new Dictionary<string, object?>(), out List<ErrorRecord> errors);
            if (errors.Count > 0)
            {
                throw new OpenAIConfigException(OpenAIConfigException.VaultError, "Cannot list the SecretManagement vaults: " + MessageOf(errors[0]), ModuleName, errors[0].Exception);
            }

            var vaults = new List<(string, bool)>();
            foreach (PSObject vault in results.Where(v => v != null))
            {
                string? name = (vault.Properties["Name"]?.Value ?? vault.Properties["VaultName"]?.Value) as string;
                if (!string.IsNullOrEmpty(name))
                {
                    object? isDefault = vault.Properties["IsDefault"]?.Value ?? vault.Properties["IsDefaultVault"]?.Value;
                    vaults.Add((name!, isDefault is bool b ? b : LanguagePrimitives.IsTrue(isDefault)));
                }
            }

            return vaults;
        }

        /// <summary>
        /// The vault to store a new secret in: the one named, else the default vault. Throws when the named vault is not
        /// registered, or none was named and there is no default.
        /// </summary>
        public string ChooseVault(string? requested)
        {
            IReadOnlyList<(string Name, bool IsDefault)> vaults = Vaults();
            string registered = vaults.Count == 0 ? "No vault is registered" : "The registered vaults are: " + string.Join(", ", vaults.Select(v => v.Name));
            if (!string.IsNullOrEmpty(requested))
            {
                foreach ((string name, bool _) in vaults)
                {
                    if (string.Equals(name, requested, StringComparison.OrdinalIgnoreCase))
                    {
                        return name;
                    }
                }

                throw new OpenAIConfigException(
                    OpenAIConfigException.VaultNotFound,
                    $"The SecretManagement vault '{requested}' is not registered. {registered}. Register one with Register-SecretVault, or pick another with -Vault.",
                    requested);
            }

            foreach ((string name, bool isDefault) in vaults)
            {
                if (isDefault)
                {
                    return name;
                }
            }

            throw new OpenAIConfigException(
                OpenAIConfigException.NoDefaultVault,
                $"No -Vault was given and SecretManagement has no default vault. {registered}. Name one with -Vault, make one the default "
                + "(Set-SecretVaultDefault -Name NAME), or register one (Install-Module Microsoft.PowerShell.SecretStore -Scope CurrentUser; "
                + "Register-SecretVault -Name LocalStore -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault). Or keep the key for this session only with -Scope Process.",
                ModuleName);
        }

        private Collection<PSObject> Invoke(string command, IDictionary<string, object?> parameters, out List<ErrorRecord> errors, bool confirmable = false)
        {
            errors = new List<ErrorRecord>();
            CommandInfo? info = null;
            try
            {
                info = _cmdlet.InvokeCommand.GetCommand(ModuleName + "\\" + command, CommandTypes.Cmdlet | CommandTypes.Function);
            }
            catch (RuntimeException)
            {
            }

            if (info is null)
            {
                throw new OpenAIConfigException(
                    OpenAIConfigException.VaultError,
                    $"The loaded {ModuleName} module has no {command} command. Update it: Update-Module {ModuleName}.",
                    ModuleName);
            }

            using (var ps = System.Management.Automation.PowerShell.Create(RunspaceMode.CurrentRunspace))
            {
                // By its module-qualified name (a CommandInfo of a script function would lose its module's scope).
                ps.AddCommand(ModuleName + "\\" + command);
                foreach (KeyValuePair<string, object?> parameter in parameters)
                {
                    ps.AddParameter(parameter.Key, parameter.Value);
                }

                // Errors are collected here (the caller's $ErrorActionPreference must not turn a missing secret into a
                // terminating error), and the caller's -WhatIf/-Confirm were already answered by the calling cmdlet.
                ps.AddParameter("ErrorAction", ActionPreference.Continue);
                ps.AddParameter("WarningAction", ActionPreference.SilentlyContinue);
                if (confirmable && HasParameter(info, "Confirm"))
                {
                    ps.AddParameter("Confirm", false);
                    ps.AddParameter("WhatIf", false);
                }

                try
                {
                    Collection<PSObject> results = ps.Invoke();
                    errors.AddRange(ps.Streams.Error);
                    return results;
                }
                catch (RuntimeException ex)
                {
                    errors.AddRange(ps.Streams.Error);
                    errors.Insert(0, ex.ErrorRecord ?? new ErrorRecord(ex, "SecretManagementFailed", ErrorCategory.NotSpecified, null));
                    return new Collection<PSObject>();
                }
                finally
                {
                    ForgetErrors(errors);
                }
            }
        }

        /// <summary>
        /// Takes the errors of a nested call out of $Error: they were handled here (a missing secret is an expected
        /// answer) or are reported as one OpenAI.* error of our own, so they must not pile up in the user's $Error.
        /// </summary>
        private void ForgetErrors(IEnumerable<ErrorRecord> handled)
        {
            try
            {
                if (_cmdlet.SessionState.PSVariable.GetValue("global:Error") is ArrayList log)
                {
                    foreach (ErrorRecord record in handled)
                    {
                        for (int i = log.Count - 1; i >= 0; i--)
                        {
                            object? item = log[i] is PSObject wrapped ? wrapped.BaseObject : log[i];
                            if (ReferenceEquals(item, record) || (item is ErrorRecord other && ReferenceEquals(other.Exception, record.Exception) && record.Exception != null))
                            {
                                log.RemoveAt(i);
                            }
                        }
                    }
                }
            }
            catch (RuntimeException)
            {
            }
        }

        private static bool HasParameter(CommandInfo info, string name)
        {
            try
            {
                return info.Parameters.ContainsKey(name);
            }
            catch (RuntimeException)
            {
                return false;
            }
        }

        private static bool IsSecretNotFound(ErrorRecord record) =>
            record.FullyQualifiedErrorId.StartsWith("GetSecretNotFound", StringComparison.OrdinalIgnoreCase);

        private static string MessageOf(ErrorRecord record)
        {
            string message = record.ErrorDetails?.Message ?? record.Exception?.Message ?? record.ToString();
            Exception? inner = record.Exception?.InnerException;
            if (inner != null && !message.Contains(inner.Message))
            {
                message += " (" + inner.Message + ")";
            }

            message = message.Trim();
            return message.EndsWith(".", StringComparison.Ordinal) ? message : message + ".";
        }

        private static string Describe(string? vault, string secretName) =>
            vault is null ? $"the secret '{secretName}'" : $"the secret '{secretName}' in vault '{vault}'";
    }
}
