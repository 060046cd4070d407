using System;
using System.Management.Automation;
using OpenAI.Images.PowerShell.Config;

namespace OpenAI.Images.PowerShell
{
    /// <summary>
    /// What every cmdlet that calls the API shares (the image cmdlets and the batch cmdlets): the connection
    /// parameters, resolving them into client options, and file-system paths.
    /// </summary>
    public abstract class OpenAIConnectedCmdlet : OpenAIAsyncCmdlet
    {
        /// <summary>Named settings saved with Set-OpenAIConfig.</summary>
        [Parameter]
        [ArgumentCompleter(typeof(Completers.ProfileCompleter))]
        public string? Profile { get; set; }

        /// <summary>The API key for this call (SecureString; a plain string is accepted); overrides the configuration.</summary>
        [Parameter]
        public object? ApiKey { get; set; }

        /// <summary>The API endpoint for this call, for example an OpenAI-compatible server.</summary>
        [Parameter]
        public Uri? BaseUri { get; set; }

        /// <summary>How many times to retry a failed attempt (default 2).</summary>
        [Parameter]
        [ValidateRange(0, 20)]
        public int MaxRetries { get; set; }

        /// <summary>
        /// Resolves the connection of this call (parameters, session, profile, environment); an unusable one (no key,
        /// insecure transport, a locked vault, …) is a terminating error before anything is sent.
        /// </summary>
        protected OpenAIClientOptions ResolveConnection(int? timeoutSec, out string defaultModel)
        {
            try
            {
                return ConnectionResolver.Resolve(new ConnectionParameters
                {
                    Profile = Profile,
                    ApiKey = ApiKey,
                    BaseUri = BaseUri,
                    TimeoutSec = timeoutSec,
                    MaxRetries = MyInvocation.BoundParameters.ContainsKey(nameof(MaxRetries)) ? MaxRetries : (int?)null,
                }, this, out defaultModel);
            }
            catch (Exception ex) when (ex is OpenAIException || ex is OpenAIValidationException)
            {
                ThrowTerminatingError(ErrorRecords.From(ex, null));
                throw; // not reached: ThrowTerminatingError always throws
            }
        }

        /// <summary>Resolves a path against PowerShell's current location; it must be on the FileSystem provider.</summary>
        protected string FileSystemPath(string path, string parameterName)
        {
            string resolved = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out ProviderInfo provider, out _);
            if (provider.Name != "FileSystem")
            {
                ThrowTerminatingError(new ErrorRecord(
                    new ArgumentException($"-{parameterName} '{path}' is on the {provider.Name} provider; give a file-system path."),
                    "OpenAI.NotAFileSystemPath",
                    ErrorCategory.InvalidArgument,
                    path));
            }

            return resolved;
        }
    }
}
