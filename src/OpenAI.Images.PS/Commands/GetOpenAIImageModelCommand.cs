using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using OpenAI.Images;

namespace OpenAI.Images.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Lists the image models the server offers to your key (GET /models), with their shutdown dates and what the module knows about them.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "OpenAIImageModel")]
    [OutputType(typeof(ImageModelInfo))]
    public sealed class GetOpenAIImageModelCommand : OpenAIConnectedCmdlet
    {
        private readonly List<string> _names = new List<string>();
        private OpenAIClientOptions? _options;

        /// <summary>Model ids to show (wildcards allowed; tab completion offers the module's known models); default: every image model the server lists.</summary>
        [Parameter(Position = 0, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("Id", "Model")]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        [ArgumentCompleter(typeof(Completers.ModelCompleter))]
        public string[]? Name { get; set; }

        /// <inheritdoc />
        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            _options = ResolveConnection(null, out _);
        }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (Name != null)
            {
                _names.AddRange(Name);
            }
        }

        /// <inheritdoc />
        protected override void EndProcessing()
        {
            IReadOnlyList<ImageModelInfo>? models = null;
            OpenAIClientOptions options = _options!;
            this.WriteVerboseLine($"GET models from {options.BaseUri}.");
            StartWork(async item =>
            {
                try
                {
                    var client = new OpenAIModelsClient(options, new ClientDiagnostics { Verbose = PostVerbose, Debug = PostDebug });
                    models = await client.ListImageModelsAsync(CancelToken).ConfigureAwait(false);
                }
                catch (OpenAIException ex)
                {
                    ErrorRecord record = ErrorRecords.From(ex, options.BaseUri);
                    if (ex.ErrorId == "OpenAI.ModelListNotAvailable")
                    {
                        record.ErrorDetails.RecommendedAction = "Check -BaseUri, or pass the model name the server documents with -Model: names the module does not know are sent as given.";
                    }

                    item.WriteError(record);
                }
            });
            WaitForWork();
            if (models is null)
            {
                return;
            }

            List<ImageModelInfo> sorted = models.OrderBy(m => m.Id, StringComparer.OrdinalIgnoreCase).ToList();
            if (_names.Count == 0)
            {
                WriteObject(sorted, enumerateCollection: true);
                return;
            }

            var written = new HashSet<ImageModelInfo>();
            foreach (string name in _names)
            {
                var pattern = new WildcardPattern(name, WildcardOptions.IgnoreCase | WildcardOptions.CultureInvariant);
                List<ImageModelInfo> matches = sorted.Where(m => pattern.IsMatch(m.Id)).ToList();
                if (matches.Count == 0 && !WildcardPattern.ContainsWildcardCharacters(name))
                {
                    WriteError(new ErrorRecord(
                        new ItemNotFoundException($"The server at {OpenAI.Images.Http.EndpointResolver.WithoutUserInfo(options.BaseUri)} lists no image model named '{name}'. Run Get-OpenAIImageModel without -Name to see the ones it lists."),
                        "OpenAI.ModelNotListed",
                        ErrorCategory.ObjectNotFound,
                        name));
                }

                foreach (ImageModelInfo model in matches.Where(written.Add))
                {
                    WriteObject(model);
                }
            }
        }
    }
}
