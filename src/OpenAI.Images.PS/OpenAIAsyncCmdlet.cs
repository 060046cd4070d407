using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;

namespace OpenAI.Images.PowerShell
{
    /// <summary>
    /// Base for cmdlets that do slow asynchronous work. It owns cancellation (StopProcessing, i.e. Ctrl+C, cancels
    /// <see cref="CancelToken"/> at once) and the pump: work runs off the pipeline thread and posts every
    /// Write*/ShouldProcess call back to it, because PowerShell only allows those on the pipeline thread.
    /// Up to <see cref="MaxParallel"/> work items run at a time. What a work item writes through its
    /// <see cref="WorkItem"/> reaches the pipeline in input order (as soon as every earlier item is done) unless
    /// <see cref="WritesUnordered"/>. One parent progress activity counts the batch; work items add child activities.
    /// </summary>
    public abstract class OpenAIAsyncCmdlet : PSCmdlet, IDisposable
    {
        /// <summary>The id of the batch's parent progress activity.</summary>
        protected const int BatchActivityId = 1;

        private static readonly TimeSpan TickInterval = TimeSpan.FromSeconds(1);

        private readonly CancellationTokenSource _cancel = new CancellationTokenSource();
        private readonly BlockingCollection<Action> _queue = new BlockingCollection<Action>();
        private readonly List<Task> _running = new List<Task>();
        private readonly Dictionary<int, ProgressRecord> _progress = new Dictionary<int, ProgressRecord>();
        private readonly LinkedList<WorkItem> _order = new LinkedList<WorkItem>();
        private readonly Stopwatch _batchClock = new Stopwatch();
        private readonly Stopwatch _tickClock = Stopwatch.StartNew();
        private int _nextActivityId = BatchActivityId;
        private int _expected;
        private bool _totalKnown;
        private int _started;
        private int _succeeded;
        private int _failed;
        private int _completedWork;
        private bool? _stopOnError;
        private bool _disposed;
        private OrphanedTempFiles? _orphans;

        /// <summary>Cancelled when the user presses Ctrl+C or the pipeline stops.</summary>
        protected CancellationToken CancelToken => _cancel.Token;

        /// <summary>How many work items may run at once.</summary>
        protected virtual int MaxParallel => 1;

        /// <summary>Write each work item's output as soon as it is ready instead of in input order.</summary>
        protected virtual bool WritesUnordered => false;

        /// <summary>The parent progress activity's name (the cmdlet's name); null: no batch progress.</summary>
        protected virtual string? ActivityName => null;

        /// <inheritdoc />
        protected override void BeginProcessing()
        {
            // Without pipeline input there is exactly one ProcessRecord, so the cmdlet can say how many items come.
            _totalKnown = !MyInvocation.ExpectingInput;
        }

        /// <inheritdoc />
        protected override void StopProcessing() => _cancel.Cancel();

        /// <summary>Declares that <paramref name="count"/> more items will be started (or fail before they start).</summary>
        protected void ExpectWork(int count) => _expected += count;

        /// <summary>Counts an item that failed before it could start (its error was written already).</summary>
        protected void CountFailedBeforeStart()
        {
            _failed++;
            ShowBatchProgress();
        }

        /// <summary>Takes back an expected item that will not run (declined under -WhatIf/-Confirm).</summary>
        protected void CountSkipped()
        {
            _expected = Math.Max(0, _expected - 1);
        }

        /// <summary>
        /// Starts <paramref name="work"/> off the pipeline thread as the next item in input order; pumps while too
        /// many are running. Returns the item, through which the work writes its output and errors.
        /// </summary>
        /// <param name="work">The work; it writes through the item it is given.</param>
        /// <param name="onDone">Runs on the pipeline thread when the work has finished, before its output is released.</param>
        protected WorkItem StartWork(Func<WorkItem, Task> work, Action? onDone = null)
        {
            // Deliver what finished work posted: an error under -ErrorAction Stop must stop the batch before the next
            // request is sent, even when that work completed just after the last pump, and even when its error is
            // still held back behind earlier items that are running.
            DrainQueue();
            while (StopOnError && HasHeldError())
            {
                PumpOnce();
            }

            if (!_batchClock.IsRunning)
            {
                _batchClock.Start();
            }

            var item = new WorkItem(this) { OnDone = onDone };
            if (!WritesUnordered)
            {
                _order.AddLast(item);
            }

            _started++;
            Task task = Task.Run(() => work(item), CancelToken);
            lock (_running)
            {
                _running.Add(task);
            }

            task.ContinueWith(_ => Post(() => Complete(item)), TaskScheduler.Default);
            ShowBatchProgress();

            // Count what the pipeline thread has not seen finish yet (not the tasks), so that the limit and the
            // progress counts agree.
            while (_started - _completedWork >= Math.Max(1, MaxParallel))
            {
                PumpOnce();
            }

            return item;
        }

        /// <summary>Pumps until every started work item has finished and written its output.</summary>
        protected void WaitForWork()
        {
            while (_started > _completedWork || _order.Count > 0)
            {
                PumpOnce();
            }

            DrainQueue();
            ShowBatchProgress();
            CompleteAllProgress();
        }

        private bool StopOnError
        {
            get
            {
                if (_stopOnError is null)
                {
                    object? value = MyInvocation.BoundParameters.TryGetValue("ErrorAction", out object? bound)
                        ? bound
                        : GetVariableValue("ErrorActionPreference");
                    _stopOnError = value != null && string.Equals(value.ToString(), nameof(ActionPreference.Stop), StringComparison.OrdinalIgnoreCase);
                }

                return _stopOnError.Value;
            }
        }

        private bool HasHeldError()
        {
            foreach (WorkItem item in _order)
            {
                if (item.Failed)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Forgets finished tasks, noting a fault that work did not report itself.</summary>
        private void PruneFinishedTasks()
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
                TimeSpan untilTick = TickInterval - _tickClock.Elapsed;
                int wait = untilTick <= TimeSpan.Zero ? 0 : (int)Math.Ceiling(untilTick.TotalMilliseconds);
                if (!_queue.TryTake(out action, wait, CancelToken))
                {
                    action = null;
                }
            }
            catch (OperationCanceledException)
            {
                throw new PipelineStoppedException();
            }

            try
            {
                action?.Invoke();
                DrainQueue();
                if (_tickClock.Elapsed >= TickInterval)
                {
                    _tickClock.Restart();
                    OnPumpIdle();
                    ShowBatchProgress();
                }
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                // A terminating error (e.g. an error under -ErrorAction Stop): close the progress bars on the way out.
                CompleteAllProgressQuietly();
                throw;
            }

            if (_unexpected != null)
            {
                Exception ex = _unexpected;
                _unexpected = null;
                CompleteAllProgressQuietly();
                ThrowTerminatingError(new ErrorRecord(ex, "OpenAI.UnexpectedError", ErrorCategory.NotSpecified, null));
            }
        }

        private void DrainQueue()
        {
            try
            {
                while (_queue.TryTake(out Action? action))
                {
                    action();
                }
            }
            catch (Exception ex) when (!(ex is PipelineStoppedException))
            {
                CompleteAllProgressQuietly();
                throw;
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

        /// <summary>Thread-safe WriteError (not tied to a work item: written at once).</summary>
        protected void PostError(ErrorRecord record) => Post(() => WriteError(record));

        /// <summary>Thread-safe WriteVerbose.</summary>
        protected void PostVerbose(string message) => Post(() => this.WriteVerboseLine(message));

        /// <summary>Thread-safe WriteDebug.</summary>
        protected void PostDebug(string message) => Post(() => WriteDebug(message));

        /// <summary>
        /// Removes the temporary files that an interrupted save (a killed process) left in <paramref name="folder"/>:
        /// once per folder per call, from any thread, never failing (what is removed is a verbose line, what cannot be a debug line).
        /// </summary>
        protected void RemoveOrphanedTempFiles(string folder) =>
            LazyInitializer.EnsureInitialized(ref _orphans, () => new OrphanedTempFiles(PostVerbose, PostDebug))!.SweepOnce(folder);

        /// <summary>A new progress activity id, unique within this cmdlet call.</summary>
        protected int NewActivityId() => Interlocked.Increment(ref _nextActivityId);

        /// <summary>Shows or updates a progress bar (pipeline thread only); child activities name their parent.</summary>
        protected void ShowProgress(int activityId, string activity, string status, int percent = -1, string? operation = null, int parentId = -1, int secondsRemaining = -1)
        {
            var record = new ProgressRecord(activityId, activity, status)
            {
                PercentComplete = percent,
                ParentActivityId = parentId,
                SecondsRemaining = secondsRemaining,
            };
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

        /// <summary>The batch's status line: <c>3 of 10 done · 2 running · 1 failed · 0:12 elapsed</c>.</summary>
        protected string BatchStatus()
        {
            int finished = _succeeded + _failed;
            int running = _started - _completedWork;
            string done = _totalKnown ? $"{_succeeded} of {Math.Max(_expected, finished + running)} done" : $"{_succeeded} done";
            string status = $"{done} · {running} running";
            if (_failed > 0)
            {
                status += $" · {_failed} failed";
            }

            TimeSpan elapsed = _batchClock.Elapsed;
            return status + " · " + ((int)elapsed.TotalMinutes).ToString(CultureInfo.InvariantCulture) + ":" + elapsed.Seconds.ToString("00", CultureInfo.InvariantCulture) + " elapsed";
        }

        private void ShowBatchProgress()
        {
            string? activity = ActivityName;
            if (activity is null || (_started == 0 && _failed == 0))
            {
                return;
            }

            int finished = _succeeded + _failed;
            int running = _started - _completedWork;
            int total = Math.Max(_expected, finished + running);
            int percent = _totalKnown && total > 0 ? Math.Min(100, finished * 100 / total) : -1;
            int secondsRemaining = -1;
            int finishedWork = _completedWork;
            if (finishedWork > 0)
            {
                // The rate so far: finished items per second of batch time; what is left is the rest of the known
                // total, or (without one) what is running now.
                int left = _totalKnown ? total - finished : running;
                double perItem = _batchClock.Elapsed.TotalSeconds / finishedWork;
                secondsRemaining = (int)Math.Ceiling(left * perItem);
            }

            ShowProgress(BatchActivityId, activity, BatchStatus(), percent, null, -1, secondsRemaining);
        }

        private void Complete(WorkItem item)
        {
            item.Done = true;
            _completedWork++;
            PruneFinishedTasks();
            if (item.Failed)
            {
                _failed++;
            }
            else
            {
                _succeeded++;
            }

            item.OnDone?.Invoke();
            ShowBatchProgress();
            if (WritesUnordered)
            {
                return;
            }

            // Write what the finished items at the head of the line hold, then what the new head has so far.
            while (_order.First != null)
            {
                WorkItem head = _order.First.Value;
                head.Flush();
                if (!head.Done)
                {
                    break;
                }

                _order.RemoveFirst();
            }
        }

        private void CompleteAllProgress()
        {
            var ids = new List<int>(_progress.Keys);
            ids.Sort((a, b) => b.CompareTo(a));
            foreach (int id in ids)
            {
                CompleteProgress(id);
            }
        }

        private void CompleteAllProgressQuietly()
        {
            try
            {
                CompleteAllProgress();
            }
            catch (Exception ex) when (ex is PipelineStoppedException || ex is InvalidOperationException)
            {
                // The pipeline is already going down; the host clears what is left.
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

        /// <summary>
        /// One unit of work (a request). Its output and errors go through it so that they reach the pipeline in input
        /// order. Call its members from any thread.
        /// </summary>
        protected sealed class WorkItem
        {
            private readonly OpenAIAsyncCmdlet _owner;
            private readonly List<Action> _held = new List<Action>();

            internal WorkItem(OpenAIAsyncCmdlet owner)
            {
                _owner = owner;
            }

            /// <summary>The work has finished (pipeline thread).</summary>
            internal bool Done { get; set; }

            /// <summary>The item wrote an error (pipeline thread).</summary>
            internal bool Failed { get; private set; }

            /// <summary>Runs on the pipeline thread when the work has finished, before its output is released.</summary>
            internal Action? OnDone { get; set; }

            /// <summary>
            /// Runs <paramref name="pipelineThreadWork"/> on the pipeline thread as soon as possible (saving files, progress),
            /// then writes its returned output in order. The returned action may be null (nothing to write).
            /// </summary>
            public void Post(Func<Action?> pipelineThreadWork) => _owner.Post(() =>
            {
                Action? output = pipelineThreadWork();
                if (output != null)
                {
                    Write(output);
                }
            });

            /// <summary>Writes an error in order (pipeline thread only when called from <see cref="Post"/>).</summary>
            internal void WriteErrorNow(ErrorRecord record)
            {
                Failed = true;
                Write(() =>
                {
                    if (_owner.StopOnError)
                    {
                        // The error ends the pipeline, after which nothing can be written: close the bars first.
                        _owner.CompleteAllProgressQuietly();
                    }

                    _owner.WriteError(record);
                });
            }

            /// <summary>Writes an error in order.</summary>
            public void WriteError(ErrorRecord record) => _owner.Post(() => WriteErrorNow(record));

            private void Write(Action output)
            {
                if (_owner.WritesUnordered || (_owner._order.First != null && ReferenceEquals(_owner._order.First.Value, this)))
                {
                    output();
                }
                else
                {
                    _held.Add(output);
                }
            }

            internal void Flush()
            {
                while (_held.Count > 0)
                {
                    Action[] outputs = _held.ToArray();
                    _held.Clear();
                    foreach (Action output in outputs)
                    {
                        output();
                    }
                }
            }
        }
    }
}
