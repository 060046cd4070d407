using System.Linq;
using System.Management.Automation;
using OpenAI.Images;

namespace OpenAI.Images.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Cancels the running batches of an image job (POST /batches/{id}/cancel); what already completed can still be received.</para>
    /// </summary>
    [Cmdlet(VerbsLifecycle.Stop, "OpenAIImageBatch", DefaultParameterSetName = JobPathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.High)]
    [OutputType(typeof(ImageBatchJob))]
    public sealed class StopOpenAIImageBatchCommand : OpenAIBatchJobCmdletBase
    {
        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            ForEachJob(async (job, runner) =>
            {
                await runner.RefreshAsync(job, CancelToken).ConfigureAwait(false);
                foreach (ImageBatch batch in job.Batches.Where(b => b.Id != null))
                {
                    if (batch.IsFinal || batch.Status == "cancelling")
                    {
                        PostVerbose($"Batch {batch.Id} is {batch.Status}; nothing to cancel.");
                        continue;
                    }

                    string id = batch.Id!;
                    string what = $"Cancel batch ({batch.Status}, {batch.Completed} of {batch.Total} completed) of job '{job.Name}'";
                    if (!Invoke(() => ShouldProcess(id, what)))
                    {
                        continue;
                    }

                    await runner.CancelAsync(batch, CancelToken).ConfigureAwait(false);
                    job.Save();
                    PostVerbose($"Batch {id}: {batch.Status}.");
                }

                Post(() => WriteObject(job));
            });
        }
    }
}
