using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace OpenAI.Images.PowerShell
{
    /// <summary>
    /// Base for cmdlets that do slow asynchronous work. It owns cancellation (StopProcessing, i.e. Ctrl+C, cancels
    /// <see cref="CancelToken"/> at once) and the pump: work runs off the pipeline thread and posts every
    /// Write*/ShouldProcess call back to it, because PowerShell only allows those on the pipeline thread.
    /// Up to <see cref="MaxParallel"/> work items run at a time; with 1 (the default) output keeps input order.
    /// </summary>
    public abstract class OpenAIAsyncCmdlet : PSCmdlet, IDisposable
    {
        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();
        private readonly BlockingCollection<Action> _queue = new BlockingCollection<Action>();
        private readonly List<Task> _running = new List<Task>();
        private readonly Dictionary<int, ProgressRecord> _progress = new Dictionary<int, ProgressRecord>();
        private int _nextActivityId = 1;
        private bool _disposed;

        /// <summary>Cancelled when the user presses Ctrl+C or the pipeline stops.</summary>
        protected CancellationToken CancelToken => _cancel.Token;

        /// <summary>How many work items may run at once.</summary>
        protected virtual int MaxParallel => 1;

        /// <inheritdoc />
        protected override void StopProcessing() => _cancel.Cancel();

        /// <summary>Starts <paramref name="work"/> off the pipeline thread; pumps while too many are running.</summary>
        protected void StartWork(Func<Task> work)
        {
            // Deliver what finished work posted (an error under -ErrorAction Stop must stop the batch before the
            // next request is sent, even when that work completed just after the last pump).
            DrainQueue();
            Task task = Task.Run(work, CancelToken);
            lock (_running)
            {
                _running.Add(task);
            }

            task.ContinueWith(_ => Post(() => { }), TaskScheduler.Default);
            while (RunningCount() >= Math.Max(1, MaxParallel))
            {
                PumpOnce();
            }
        }

        /// <summary>Pumps until every started work item has finished.</summary>
        protected void WaitForWork()
        {
            while (RunningCount() > 0)
            {
                PumpOnce();
            }

            DrainQueue();
            CompleteAllProgress();
        }

        private int RunningCount()
        {
            lock (_running)
            {
                _running.RemoveAll(t =>
                {
                    if (!t.IsCompleted)
                    {
                        return false;
                    }

                    ObserveCompleted(t);
                    return true;
                });
                return _running.Count;
            }
        }

        private void ObserveCompleted(Task task)
        {
            if (task.IsFaulted && task.Exception != null)
            {
                Exception ex = task.Exception.GetBaseException();
                if (!(ex is OperationCanceledException))
                {
                    // Work items report their own errors; anything else is a bug worth stopping for.
                    _unexpected ??= ex;
                }
            }
        }

        private Exception? _unexpected;

        private void PumpOnce()
        {
            Action? action;
            try
            {
                if (!_queue.TryTake(out action, 1000, CancelToken))
                {
                    OnPumpIdle();
                    return;
                }
            }
            catch (OperationCanceledException)
            {
                throw new PipelineStoppedException();
            }

            action();
            DrainQueue();
            if (_unexpected != null)
            {
                Exception ex = _unexpected;
                _unexpected = null;
                ThrowTerminatingError(new ErrorRecord(ex, "OpenAI.UnexpectedError", ErrorCategory.NotSpecified, null));
            }
        }

        private void DrainQueue()
        {
            while (_queue.TryTake(out Action? action))
            {
                action();
            }
        }

        /// <summary>Called on the pipeline thread about once a second while work is running.</summary>
        protected virtual void OnPumpIdle()
        {
        }

        /// <summary>Queues an action to run on the pipeline thread.</summary>
        protected void Post(Action action)
        {
            if (!_queue.IsAddingCompleted)
            {
                try
                {
                    _queue.Add(action);
                }
                catch (InvalidOperationException)
                {
                    // Disposed while work was finishing: nothing is listening any more.
                }
            }
        }

        /// <summary>Runs <paramref name="func"/> on the pipeline thread and waits for its result (for ShouldProcess).</summary>
        protected T Invoke<T>(Func<T> func)
        {
            var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            Post(() =>
            {
                try
                {
                    done.TrySetResult(func());
                }
                catch (Exception ex)
                {
                    done.TrySetException(ex);
                }
            });
            using (CancelToken.Register(() => done.TrySetCanceled()))
            {
                return done.Task.GetAwaiter().GetResult();
            }
        }

        /// <summary>Thread-safe WriteError.</summary>
        protected void PostError(ErrorRecord record) => Post(() => WriteError(record));

        /// <summary>Thread-safe WriteVerbose.</summary>
        protected void PostVerbose(string message) => Post(() => this.WriteVerboseLine(message));

        /// <summary>Thread-safe WriteDebug.</summary>
        protected void PostDebug(string message) => Post(() => WriteDebug(message));

        /// <summary>A new progress activity id, unique within this cmdlet call.</summary>
        protected int NewActivityId() => Interlocked.Increment(ref _nextActivityId);

        /// <summary>Shows or updates a progress bar (pipeline thread only).</summary>
        protected void ShowProgress(int activityId, string activity, string status, int percent = -1, string? operation = null)
        {
            var record = new ProgressRecord(activityId, activity, status) { PercentComplete = percent };
            if (operation != null)
            {
                record.CurrentOperation = operation;
            }

            _progress[activityId] = record;
            WriteProgress(record);
        }

        /// <summary>Closes a progress bar (pipeline thread only).</summary>
        protected void CompleteProgress(int activityId)
        {
            if (_progress.TryGetValue(activityId, out ProgressRecord? record))
            {
                _progress.Remove(activityId);
                record.RecordType = ProgressRecordType.Completed;
                WriteProgress(record);
            }
        }

        private void CompleteAllProgress()
        {
            foreach (int id in new List<int>(_progress.Keys))
            {
                CompleteProgress(id);
            }
        }

        /// <summary>Cancels what is still running and waits briefly so temporary files are cleaned up.</summary>
        public void Dispose()
        {
            Dispose(true);
            GC.SuppressFinalize(this);
        }

        /// <summary>Releases the cancellation source and waits for running work to notice the cancellation.</summary>
        protected virtual void Dispose(bool disposing)
        {
            if (_disposed || !disposing)
            {
                return;
            }

            _disposed = true;
            _cancel.Cancel();
            Task[] running;
            lock (_running)
            {
                running = _running.ToArray();
            }

            try
            {
                Task.WaitAll(running, TimeSpan.FromSeconds(10));
            }
            catch (AggregateException)
            {
                // Cancelled or failed work has already reported what it could.
            }

            _queue.CompleteAdding();
            _queue.Dispose();
            _cancel.Dispose();
        }
    }
}
