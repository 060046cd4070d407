using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Threading.Tasks;
using OpenAI.Images;
using OpenAI.Images.Batch;
using OpenAI.Images.PowerShell.Config;

namespace OpenAI.Images.PowerShell
{
    /// <summary>What the batch cmdlets share: the job file, and running steps off the pipeline thread.</summary>
    public abstract class OpenAIBatchCmdletBase : OpenAIConnectedCmdlet
    {
        private OpenAIClientOptions? _options;

        /// <summary>The resolved connection (after BeginProcessing).</summary>
        protected OpenAIClientOptions Options => _options!;

        /// <summary>The profile's default model.</summary>
        protected string DefaultModel { get; private set; } = Validation.ModelCatalog.DefaultModel;

        /// <summary>Diagnostics that post verbose and debug messages to the pipeline thread.</summary>
        protected ClientDiagnostics Diagnostics => new ClientDiagnostics { Verbose = PostVerbose, Debug = PostDebug };

        /// <summary>A runner for this call's connection.</summary>
        protected ImageBatchRunner NewRunner() => new ImageBatchRunner(Options, Diagnostics);

        /// <inheritdoc />
        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            _options = ResolveConnection(null, out string defaultModel);
            DefaultModel = defaultModel;
        }

        /// <summary>Reads a job file; writes an error and returns null when it is missing or not a job file.</summary>
        protected ImageBatchJob? LoadJob(string jobPath)
        {
            string full = SessionState.Path.GetUnresolvedProviderPathFromPSPath(jobPath);
            if (!File.Exists(full))
            {
                WriteError(new ErrorRecord(
                    new FileNotFoundException($"The job file '{full}' does not exist. Start-OpenAIImageBatch writes it (-JobPath); or give the batch id with -Id.", full),
                    "OpenAI.Batch.JobFileNotFound",
                    ErrorCategory.ObjectNotFound,
                    jobPath));
                return null;
            }

            try
            {
                return ImageBatchJob.Load(full);
            }
            catch (Exception ex) when (ex is InvalidDataException || ex is IOException || ex is UnauthorizedAccessException)
            {
                WriteError(new ErrorRecord(ex, "OpenAI.Batch.JobFileInvalid", ex is InvalidDataException ? ErrorCategory.InvalidData : ErrorCategory.ReadError, jobPath));
                return null;
            }
        }

        /// <summary>Runs <paramref name="work"/> off the pipeline thread; API and file errors become non-terminating errors on <paramref name="target"/>.</summary>
        protected void Run(object? target, Func<Task> work)
        {
            // One step at a time (MaxParallel 1), writing through Post/PostError directly: output keeps input order.
            StartWork(async _ =>
            {
                try
                {
                    await work().ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (CancelToken.IsCancellationRequested)
                {
                    OnCancelled();
                }
                catch (Exception ex) when (ex is OpenAIException || ex is IOException || ex is UnauthorizedAccessException || ex is OpenAIValidationException)
                {
                    ErrorRecord record = ErrorRecords.From(ex, target);
                    PostError(record);
                }
            });
        }

        /// <summary>Called (off the pipeline thread) when a step ended because of Ctrl+C.</summary>
        protected virtual void OnCancelled()
        {
        }

        /// <inheritdoc />
        protected override void EndProcessing() => WaitForWork();
    }

    /// <summary>The batch cmdlets that act on an existing job: by job file (-JobPath) or by batch id (-Id).</summary>
    public abstract class OpenAIBatchJobCmdletBase : OpenAIBatchCmdletBase
    {
        /// <summary>The parameter set of -JobPath.</summary>
        protected const string JobPathSet = "JobPath";

        /// <summary>The parameter set of -Id.</summary>
        protected const string IdSet = "Id";

        /// <summary>The job file written by Start-OpenAIImageBatch.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = JobPathSet, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath")]
        public string JobPath { get; set; } = string.Empty;

        /// <summary>Batch ids (batch_…), for a job started elsewhere or without its job file.</summary>
        [Parameter(Mandatory = true, ParameterSetName = IdSet, ValueFromPipelineByPropertyName = true)]
        [Alias("BatchId", "BatchIds")]
        [ValidateNotNullOrEmpty]
        public string[] Id { get; set; } = Array.Empty<string>();

        /// <summary>The job of this pipeline record, or of each -Id: loaded (job file) or fetched (ids), then handed to <paramref name="act"/> off the pipeline thread.</summary>
        protected void ForEachJob(Func<ImageBatchJob, ImageBatchRunner, Task> act)
        {
            ImageBatchRunner runner = NewRunner();
            if (ParameterSetName == JobPathSet)
            {
                ImageBatchJob? job = LoadJob(JobPath);
                if (job != null)
                {
                    Run(JobPath, () => act(job, runner));
                }

                return;
            }

            foreach (string id in Id)
            {
                Run(id, async () =>
                {
                    ImageBatchJob job = await runner.GetByIdAsync(id, CancelToken).ConfigureAwait(false);
                    await act(job, runner).ConfigureAwait(false);
                });
            }
        }

        /// <summary>How to name this job in messages and commands: -JobPath 'file' or -Id batch_….</summary>
        protected static string ResumeArgument(ImageBatchJob job) =>
            job.JobPath != null ? "-JobPath '" + job.JobPath.Replace("'", "''") + "'" : "-Id " + string.Join(",", job.BatchIds);
    }
}
