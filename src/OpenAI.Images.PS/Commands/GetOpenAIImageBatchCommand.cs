using System.Management.Automation;
using OpenAI.Images;
using OpenAI.Images.Batch;

namespace OpenAI.Images.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Shows the status and request counts of image batch jobs: by job file, by batch id, or the recent image batches of the account.</para>
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "OpenAIImageBatch", DefaultParameterSetName = ListSet)]
    [OutputType(typeof(ImageBatchJob))]
    public sealed class GetOpenAIImageBatchCommand : OpenAIBatchJobCmdletBase
    {
        private const string ListSet = "List";

        /// <summary>How many recent image batches to list when neither -JobPath nor -Id is given (default 20).</summary>
        [Parameter(ParameterSetName = ListSet)]
        [ValidateRange(1, 1000)]
        public int First { get; set; } = 20;

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (ParameterSetName == ListSet)
            {
                ImageBatchRunner runner = NewRunner();
                int first = First;
                Run(null, async () =>
                {
                    foreach (ImageBatchJob job in await runner.ListAsync(first, CancelToken).ConfigureAwait(false))
                    {
                        Post(() => WriteObject(job));
                    }
                });
                return;
            }

            ForEachJob(async (job, runner) =>
            {
                await runner.RefreshAsync(job, CancelToken).ConfigureAwait(false);
                Post(() => WriteObject(job));
            });
        }
    }
}
