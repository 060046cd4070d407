using System;
using System.IO;
using System.Linq;
using System.Management.Automation;
using OpenAI.Images;
using OpenAI.Images.Batch;

namespace OpenAI.Images.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Downloads the images of finished image batches into a folder (skipping those already saved) and reports each failed request.</para>
    /// </summary>
    [Cmdlet(VerbsCommunications.Receive, "OpenAIImageBatch", DefaultParameterSetName = JobPathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(ImageResult))]
    public sealed class ReceiveOpenAIImageBatchCommand : OpenAIBatchJobCmdletBase
    {
        private string _directory = string.Empty;

        /// <summary>The folder for the images (default: the current folder); created when missing.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? OutputDirectory { get; set; }

        /// <inheritdoc />
        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            _directory = FileSystemPath(OutputDirectory ?? ".", nameof(OutputDirectory));
            if (File.Exists(_directory))
            {
                ThrowTerminatingError(new ErrorRecord(
                    new IOException($"-OutputDirectory '{_directory}' is a file, not a folder."),
                    "OpenAI.OutputDirectoryIsFile",
                    ErrorCategory.InvalidArgument,
                    OutputDirectory));
            }
        }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            string directory = _directory;
            int activity = NewActivityId();
            ForEachJob(async (job, runner) =>
            {
                await runner.RefreshAsync(job, CancelToken).ConfigureAwait(false);
                foreach (ImageBatch batch in job.Batches.Where(b => b.Id != null))
                {
                    object target = job.JobPath ?? (object)batch.Id!;
                    if (batch.Status == "failed")
                    {
                        string reasons = batch.Errors.Count > 0 ? string.Join("; ", batch.Errors.Select(e => e.ToString())) : "OpenAI gave no reason";
                        PostError(new ErrorRecord(
                            new InvalidOperationException($"Batch {batch.Id} of job '{job.Name}' failed: {reasons}. None of its requests ran."),
                            "OpenAI.Batch.Failed",
                            ErrorCategory.InvalidResult,
                            target));
                        continue;
                    }

                    if (!batch.IsFinal)
                    {
                        PostError(new ErrorRecord(
                            new InvalidOperationException($"Batch {batch.Id} of job '{job.Name}' is {batch.Status} ({batch.Completed} of {batch.Total} completed); its results are not ready. "
                                + $"Run Wait-OpenAIImageBatch {ResumeArgument(job)}, then receive again."),
                            "OpenAI.Batch.NotFinished",
                            ErrorCategory.ResourceBusy,
                            target));
                        continue;
                    }

                    if (batch.OutputFileId is null && batch.ErrorFileId is null)
                    {
                        PostVerbose($"Batch {batch.Id} ({batch.Status}) has no output.");
                        continue;
                    }

                    string batchId = batch.Id!;
                    if (!Invoke(() => ShouldProcess(directory, $"Save the images of batch {batchId} ({batch.Completed} completed, {batch.Failed} failed)")))
                    {
                        continue;
                    }

                    Directory.CreateDirectory(directory);
                    RemoveOrphanedTempFiles(directory);

                    string status = $"{job.Name}: batch {batch.Part} of {job.Batches.Count} ({batch.Id}, {batch.Status})";
                    int expected = Math.Max(1, batch.Completed + batch.Failed);
                    int saved = 0, skipped = 0;
                    await runner.ReceiveAsync(
                        job,
                        batch,
                        directory,
                        (image, wasSaved) =>
                        {
                            if (wasSaved)
                            {
                                skipped++;
                            }
                            else
                            {
                                saved++;
                            }

                            Post(() => WriteObject(image));
                        },
                        error => Post(() => WriteError(ErrorRecords.From(error, (object?)error.Prompt ?? (error.SourceFiles.Count == 1 ? error.SourceFiles[0] : error.SourceFiles.Count > 1 ? error.SourceFiles.ToArray() : error.CustomId)))),
                        lines => Post(() => ShowProgress(activity, "Receive-OpenAIImageBatch", $"{status}: {lines} of {expected} results read", Math.Min(100, lines * 100 / expected))),
                        CancelToken).ConfigureAwait(false);
                    PostVerbose($"Batch {batch.Id}: saved {saved} image(s), {skipped} already saved before, in {directory}.");
                }
            });
        }
    }
}
