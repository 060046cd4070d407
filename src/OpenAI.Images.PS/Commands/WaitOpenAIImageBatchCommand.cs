using System;
using System.Management.Automation;
using OpenAI.Images;
using OpenAI.Images.Batch;

namespace OpenAI.Images.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Waits until every batch of an image job is final (completed, failed, expired or cancelled), showing progress; Ctrl+C stops waiting only.</para>
    /// </summary>
    [Cmdlet(VerbsLifecycle.Wait, "OpenAIImageBatch", DefaultParameterSetName = JobPathSet)]
    [OutputType(typeof(ImageBatchJob))]
    public sealed class WaitOpenAIImageBatchCommand : OpenAIBatchJobCmdletBase
    {
        private const int MaxPollSeconds = 60;
        private volatile ImageBatchJob? _waiting;

        /// <summary>Seconds between the first polls (default 10); the interval grows to 60 while the job runs.</summary>
        [Parameter]
        [ValidateRange(1, 3600)]
        public int PollIntervalSec { get; set; } = 10;

        /// <summary>Give up waiting after this many seconds (the batches keep running); default: wait until they are final.</summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int TimeoutSec { get; set; }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            int activity = NewActivityId();
            TimeSpan first = TimeSpan.FromSeconds(PollIntervalSec);
            TimeSpan? timeout = MyInvocation.BoundParameters.ContainsKey(nameof(TimeoutSec)) ? TimeSpan.FromSeconds(TimeoutSec) : (TimeSpan?)null;
            ForEachJob(async (job, runner) =>
            {
                _waiting = job;
                PollClock clock = PollClock.StartNew();
                TimeSpan interval = first;
                while (true)
                {
                    await runner.RefreshAsync(job, CancelToken).ConfigureAwait(false);
                    TimeSpan elapsed = clock.Elapsed;
                    int done = job.Completed + job.Failed;
                    int total = job.Total;
                    string status = $"{job.Name}: {job.Status}, {job.Completed} completed, {job.Failed} failed of {total} ({Elapsed(elapsed)} elapsed)";
                    Post(() => ShowProgress(activity, "Wait-OpenAIImageBatch", status, total > 0 ? Math.Min(100, done * 100 / total) : -1));
                    if (job.IsFinal || job.Batches.TrueForAll(b => b.Id is null))
                    {
                        _waiting = null;
                        Post(() =>
                        {
                            CompleteProgress(activity);
                            WriteObject(job);
                        });
                        return;
                    }

                    if (timeout is TimeSpan limit && elapsed >= limit)
                    {
                        _waiting = null;
                        var ex = new TimeoutException(
                            $"Job '{job.Name}' is still {job.Status} after {Elapsed(elapsed)} ({job.Completed} of {total} completed); the batches keep running at OpenAI. "
                            + $"Wait again with: Wait-OpenAIImageBatch {ResumeArgument(job)}");
                        Post(() =>
                        {
                            CompleteProgress(activity);
                            WriteError(new ErrorRecord(ex, "OpenAI.Batch.WaitTimeout", ErrorCategory.OperationTimeout, job.JobPath ?? (object)job.BatchIds));
                            WriteObject(job);
                        });
                        return;
                    }

                    TimeSpan delay = interval;
                    if (timeout is TimeSpan l && elapsed + delay > l)
                    {
                        delay = l - elapsed;
                    }

                    await clock.DelayAsync(delay, CancelToken).ConfigureAwait(false);
                    interval = TimeSpan.FromSeconds(Math.Min(Math.Max(MaxPollSeconds, first.TotalSeconds), interval.TotalSeconds * 1.5));
                }
            });
        }

        private static string Elapsed(TimeSpan t) =>
            t.TotalHours >= 1 ? $"{(int)t.TotalHours} h {t.Minutes} min" : t.TotalMinutes >= 1 ? $"{(int)t.TotalMinutes} min {t.Seconds} s" : $"{(int)t.TotalSeconds} s";

        /// <summary>Ctrl+C: stop waiting (the batches keep running at OpenAI) and say how to resume.</summary>
        protected override void StopProcessing()
        {
            base.StopProcessing();
            ImageBatchJob? job = _waiting;
            if (job is null)
            {
                return;
            }

            try
            {
                Host?.UI?.WriteWarningLine(ResumeMessage(job));
            }
            catch (Exception ex) when (ex is NotImplementedException || ex is InvalidOperationException || ex is PSInvalidOperationException)
            {
                // A host without a console: the job file still has the batch ids.
            }
        }

        /// <summary>What Ctrl+C says: the batches keep running, and the commands to resume.</summary>
        internal static string ResumeMessage(ImageBatchJob job) =>
            $"Stopped waiting for job '{job.Name}' ({job.Status}); its batches keep running at OpenAI. "
            + $"Resume with: Wait-OpenAIImageBatch {ResumeArgument(job)}; then Receive-OpenAIImageBatch {ResumeArgument(job)}.";
    }
}
