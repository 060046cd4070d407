using System;

namespace OpenAI.Images
{
    /// <summary>
    /// The configuration (settings file, profile, vault, environment) cannot be used. <see cref="ErrorId"/> names the
    /// problem precisely, for example <c>OpenAI.ConfigCorrupt</c> or <c>OpenAI.ProfileNotFound</c>; the message says
    /// how to fix it and never contains a secret.
    /// </summary>
    public sealed class OpenAIConfigException : OpenAIException
    {
        /// <summary>The settings file is not valid (not JSON, or a setting of the wrong type).</summary>
        public const string ConfigCorrupt = "OpenAI.ConfigCorrupt";

        /// <summary>The settings file exists but could not be read (for example, access denied).</summary>
        public const string ConfigReadFailed = "OpenAI.ConfigReadFailed";

        /// <summary>The settings file could not be written.</summary>
        public const string ConfigWriteFailed = "OpenAI.ConfigWriteFailed";

        /// <summary>A profile was named that has no settings.</summary>
        public const string ProfileNotFound = "OpenAI.ProfileNotFound";

        /// <summary>A key was to be kept in a vault, but Microsoft.PowerShell.SecretManagement is not installed.</summary>
        public const string SecretManagementNotInstalled = "OpenAI.SecretManagementNotInstalled";

        /// <summary>No -Vault was given and SecretManagement has no default vault.</summary>
        public const string NoDefaultVault = "OpenAI.NoDefaultVault";

        /// <summary>The named vault is not registered with SecretManagement.</summary>
        public const string VaultNotFound = "OpenAI.VaultNotFound";

        /// <summary>The vault failed (locked, unreachable, or SecretManagement could not be loaded).</summary>
        public const string VaultError = "OpenAI.VaultError";

        /// <summary>The vault's secret is not text (a string, SecureString or PSCredential).</summary>
        public const string InvalidSecret = "OpenAI.InvalidSecret";

        /// <summary>The key would go over plain http to a host that is not loopback.</summary>
        public const string InsecureTransport = "OpenAI.InsecureTransport";

        /// <summary>An environment variable holds a value that cannot be used.</summary>
        public const string InvalidEnvironmentVariable = "OpenAI.InvalidEnvironmentVariable";

        /// <summary>An Azure OpenAI profile has no endpoint.</summary>
        public const string AzureEndpointMissing = "OpenAI.AzureEndpointMissing";

        private readonly string _errorId;

        /// <summary>Creates a configuration failure with a specific error id.</summary>
        public OpenAIConfigException(string errorId, string message, object? target = null, Exception? innerException = null)
            : base(OpenAIErrorKind.Configuration, message, innerException)
        {
            _errorId = string.IsNullOrEmpty(errorId) ? "OpenAI." + OpenAIErrorKind.Configuration : errorId;
            Target = target;
        }

        /// <inheritdoc />
        public override string ErrorId => _errorId;

        /// <summary>What the failure is about: the settings file's path, the profile or vault name.</summary>
        public object? Target { get; }
    }
}
