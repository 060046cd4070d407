namespace OpenAI.Images
{
    /// <summary>Where an effective setting came from, highest precedence last.</summary>
    public enum OpenAIConfigSource
    {
        /// <summary>Not set anywhere: the module's built-in default.</summary>
        Default,

        /// <summary>An environment variable such as OPENAI_API_KEY or OPENAI_BASE_URL.</summary>
        Environment,

        /// <summary>The profile saved for the current user (Set-OpenAIConfig -Scope CurrentUser) in the settings file.</summary>
        ConfigFile,

        /// <summary>A SecretManagement vault secret recorded in the saved profile (API key and proxy credential only).</summary>
        Vault,

        /// <summary>Set for this session only (Set-OpenAIConfig -Scope Process).</summary>
        Session,

        /// <summary>A parameter of the command itself (-ApiKey, -BaseUri, -TimeoutSec, -MaxRetries).</summary>
        Parameter,
    }
}
