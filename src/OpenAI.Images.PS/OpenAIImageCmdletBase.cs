using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using OpenAI.Images;
using OpenAI.Images.PowerShell.Config;
using OpenAI.Images.Validation;

namespace OpenAI.Images.PowerShell
{
    /// <summary>
    /// What the three image cmdlets share: where images go, and the one path every request
    /// takes: validate → -WhatIf/-Confirm → send (off the pipeline thread) → save atomically → typed output.
    /// </summary>
    public abstract class OpenAIImageCmdletBase : OpenAIConnectedCmdlet
    {
        private readonly ConcurrentDictionary<ImageResult, bool> _pending = new ConcurrentDictionary<ImageResult, bool>();
        private readonly Dictionary<int, ChildProgress> _children = new Dictionary<int, ChildProgress>();
        private readonly SharedPause _pause = new SharedPause();
        private readonly ModelLifecycleNotices _lifecycle = new ModelLifecycleNotices();
        private OpenAIClientOptions? _options;
        private ImageFileNamer? _namer;
        private string _defaultModel = ModelCatalog.DefaultModel;

        /// <summary>The model (default gpt-image-2; dall-e-2 for variations).</summary>
        [Parameter(ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(Completers.ModelCompleter))]
        public string? Model { get; set; }

        /// <summary>How many images, 1-10 (dall-e-3: 1).</summary>
        [Parameter]
        [Alias("N")]
        [ValidateRange(1, 10)]
        public int? Count { get; set; }

        /// <summary>url or b64_json (dall-e models only).</summary>
        [Parameter]
        [ValidateSet("url", "b64_json")]
        public string? ResponseFormat { get; set; }

        /// <summary>An end-user id for abuse monitoring.</summary>
        [Parameter]
        public string? User { get; set; }

        /// <summary>
        /// Fields to send that the module has no parameter for (yet), merged last into the request body: a key that names
        /// a field the module sends replaces it, a $null value removes it. Not checked against the model's rules.
        /// </summary>
        [Parameter]
        public System.Collections.IDictionary? AdditionalBody { get; set; }

        /// <summary>Seconds to wait for each attempt (default 600).</summary>
        [Parameter]
        [ValidateRange(1, 86400)]
        public int TimeoutSec { get; set; }

        /// <summary>Save the image to this file (several images get -1, -2 … suffixes).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? OutFile { get; set; }

        /// <summary>Save images into this folder with generated names.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? OutputDirectory { get; set; }

        /// <summary>Overwrite an existing -OutFile.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>How many requests run at once for a batch (default 4; 1 = one after another). Output keeps input order.</summary>
        [Parameter]
        [ValidateRange(1, 16)]
        public int ThrottleLimit { get; set; } = DefaultThrottleLimit;

        /// <summary>Write each item's images as soon as its request finishes instead of in input order.</summary>
        [Parameter]
        public SwitchParameter Unordered { get; set; }

        /// <summary>The default <see cref="ThrottleLimit"/>.</summary>
        public const int DefaultThrottleLimit = 4;

        /// <inheritdoc />
        protected override int MaxParallel => ThrottleLimit;

        /// <inheritdoc />
        protected override bool WritesUnordered => Unordered.IsPresent;

        /// <summary>The model to use when -Model is not given: the profile's default model (resolved once per call).</summary>
        protected string DefaultModelFor(ImageOperation operation) =>
            operation == ImageOperation.Variation ? ModelCatalog.DefaultVariationModel : _defaultModel;

        /// <summary>Copies the parameters every request has onto <paramref name="request"/> and returns it.</summary>
        protected T WithCommonParameters<T>(T request)
            where T : ImageRequest
        {
            request.Model = Model ?? DefaultModelFor(request.Operation);
            request.Count = Count;
            request.ResponseFormat = Normalize(nameof(ResponseFormat), ResponseFormat);
            request.User = User;
            request.AdditionalBody = AdditionalBodyParameter.Normalize(AdditionalBody);
            return request;
        }

        /// <summary>A value the module knows goes to the API in its own spelling (lower case); any other value goes as given.</summary>
        protected static string? Normalize(string parameter, string? value) => ModelCatalog.Normalize(parameter, value);

        /// <inheritdoc />
        protected override void BeginProcessing()
        {
            base.BeginProcessing();
            _pause.Started = (delay, status) => PostVerbose(string.Format(
                CultureInfo.InvariantCulture,
                "OpenAI answered HTTP {0} and asked to wait {1:0.###} s: no new request of this call starts until then (requests already running go on).",
                status,
                delay.TotalSeconds));
            if (OutFile != null && OutputDirectory != null)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new ArgumentException("Give either -OutFile or -OutputDirectory, not both."),
                    "OpenAI.Validation.OutFileAndOutputDirectory",
                    ErrorCategory.InvalidArgument,
                    OutFile));
            }

            _options = ResolveConnection(MyInvocation.BoundParameters.ContainsKey(nameof(TimeoutSec)) ? TimeoutSec : (int?)null, out _defaultModel);

            _namer = ResolveOutput();
        }

        private ImageFileNamer? ResolveOutput()
        {
            if (OutFile != null)
            {
                string full = FileSystemPath(OutFile, nameof(OutFile));
                string? dir = Path.GetDirectoryName(full);
                if (dir != null && !Directory.Exists(dir))
                {
                    ThrowTerminatingError(new ErrorRecord(
                        new DirectoryNotFoundException($"The folder '{dir}' of -OutFile does not exist."),
                        "OpenAI.OutputFolderNotFound",
                        ErrorCategory.ObjectNotFound,
                        OutFile));
                }

                return new ImageFileNamer(full, null);
            }

            if (OutputDirectory != null)
            {
                string full = FileSystemPath(OutputDirectory, nameof(OutputDirectory));
                if (File.Exists(full))
                {
                    ThrowTerminatingError(new ErrorRecord(
                        new IOException($"-OutputDirectory '{full}' is a file, not a folder."),
                        "OpenAI.OutputDirectoryIsFile",
                        ErrorCategory.InvalidArgument,
                        OutputDirectory));
                }

                if (!Directory.Exists(full) && ShouldProcess(full, "Create folder"))
                {
                    Directory.CreateDirectory(full);
                }

                return new ImageFileNamer(null, full);
            }

            return null;
        }

        /// <summary>
        /// Resolves -Path (wildcards) or -LiteralPath values to existing files. Writes a non-terminating error for each
        /// path that matches nothing and returns the rest.
        /// </summary>
        protected List<string> ResolveInputFiles(string[]? paths, bool literal) => ProviderItems.ResolveFiles(this, paths, literal);

        /// <summary>Reads an input file's header; writes an error and returns null when it cannot be read.</summary>
        protected ImageInputFile? ReadInput(string path, object target)
        {
            try
            {
                return ImageInputFile.FromPath(path);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                WriteError(new ErrorRecord(ex, "OpenAI.FileReadError", ErrorCategory.ReadError, target));
                return null;
            }
        }

        /// <summary>
        /// Validates, asks -WhatIf/-Confirm, and starts the request as the next item of the batch. Returns false when
        /// the item ended before it was sent (its error, if any, is written and counted).
        /// </summary>
        protected bool Submit(ImageRequest request, object target, string targetText, string stem)
        {
            _lifecycle.WarnOnce(this, request, _options!.BaseUri, Profile);
            try
            {
                RequestValidator.Validate(request, this.WriteVerboseLine);
                OpenAI.Images.AdditionalBody.Validate(request, jsonBody: request is ImageGenerationRequest, m => this.WriteVerboseLine(_options!.ApiKey?.Scrub(m) ?? m));
            }
            catch (OpenAIValidationException ex)
            {
                WriteError(ErrorRecords.From(ex, target));
                CountFailedBeforeStart();
                return false;
            }

            OpenAIClientOptions options = _options!;

            // Names are reserved here, on the pipeline thread in input order, so that an item's files are named the
            // same whichever request finishes first.
            ReservedImageNames? names = _namer?.Reserve(request.Count ?? 1, stem);
            string? outFile = _namer?.OutFile;
            if (outFile != null && names != null && !Force && (request.Count ?? 1) == 1 && Path.HasExtension(outFile))
            {
                string single = Path.Combine(_namer!.Directory, names.Stems[0] + Path.GetExtension(outFile));
                if (File.Exists(single))
                {
                    WriteError(ErrorRecords.FileExists(single));
                    CountFailedBeforeStart();
                    return false;
                }
            }

            int count = request.Count ?? 1;
            string action = $"{OpenAIImagesClient.PathOf(request.Operation)}: {count} image{(count == 1 ? string.Empty : "s")} with {request.Model}";
            if (OpenAI.Images.AdditionalBody.Describe(request) is string extras)
            {
                action += "; -AdditionalBody: " + (options.ApiKey?.Scrub(extras) ?? extras);
            }
            if (!ShouldProcess(targetText, action))
            {
                CountSkipped();
                return false;
            }

            if (_namer != null)
            {
                RemoveOrphanedTempFiles(_namer.Directory);
            }

            var child = new ChildProgress(
                NewActivityId(),
                Shorten(targetText),
                $"{request.Operation} of {count} image{(count == 1 ? string.Empty : "s")} with {request.Model}",
                (request as PromptImageRequest)?.PartialImages ?? 0);
            _children[child.Id] = child;

            ImageFileNamer? namer = _namer;
            var diagnostics = new ClientDiagnostics
            {
                Verbose = PostVerbose,
                Debug = PostDebug,
                AttemptStarting = attempt => Post(() => UpdateChild(child, attempt == 1 ? "sending" : $"sending (attempt {attempt})", waiting: true)),
                Retrying = delay => Post(() => UpdateChild(child, null, waiting: false, until: delay, untilText: "retrying in {0} s")),
                Paused = delay => Post(() => UpdateChild(child, null, waiting: false, until: delay, untilText: "paused: OpenAI asked to wait ({0} s left)")),
                UploadProgress = (sent, total) => Post(() =>
                {
                    int percent = total > 0 ? (int)(sent * 100 / total) : -1;
                    UpdateChild(child, $"uploading {sent / 1024:N0} of {total / 1024:N0} KB", waiting: sent >= total, percent: percent);
                }),
            };

            this.WriteVerboseLine($"POST {OpenAIImagesClient.PathOf(request.Operation)} with model {request.Model} to {options.BaseUri}.");
            ShowChild(child);
            StartWork(
                async item =>
                {
                    IReadOnlyList<ImageResult>? results = null;
                    try
                    {
                        var client = new OpenAIImagesClient(options, diagnostics, _pause);
                        results = await client.SendAsync(
                            request,
                            namer?.Directory,
                            partial =>
                            {
                                Track(partial);
                                item.Post(() =>
                                {
                                    UpdateChild(child, $"partial image {partial.PartialImageIndex + 1} of {child.PartialImages}", waiting: false);
                                    return Save(item, partial, 1, names, target);
                                });
                            },
                            CancelToken).ConfigureAwait(false);
                        foreach (ImageResult result in results)
                        {
                            Track(result);
                        }

                        if (namer != null)
                        {
                            foreach (ImageResult result in results.Where(r => r.Url != null && r.Data is null && r.PendingFile is null))
                            {
                                await client.DownloadAsync(result, namer.Directory, CancelToken).ConfigureAwait(false);
                                Track(result);
                            }
                        }

                        IReadOnlyList<ImageResult> done = results;
                        foreach (ImageResult result in done)
                        {
                            ImageResult one = result;
                            item.Post(() => Save(item, one, done.Count, names, target));
                        }
                    }
                    catch (OperationCanceledException) when (CancelToken.IsCancellationRequested)
                    {
                        DiscardAll(results);
                    }
                    catch (Exception ex)
                    {
                        DiscardAll(results);
                        item.WriteError(ModelLifecycleNotices.Explain(ErrorRecords.From(ex, target), ex, request, options.BaseUri));
                    }
                },
                () => FinishChild(child));
            return true;
        }

        private void Track(ImageResult result)
        {
            if (ImageFiles.HasPendingFile(result))
            {
                _pending[result] = true;
            }
        }

        private void DiscardAll(IReadOnlyList<ImageResult>? results)
        {
            if (results is null)
            {
                return;
            }

            foreach (ImageResult result in results)
            {
                ImageFiles.Discard(result);
                _pending.TryRemove(result, out _);
            }
        }

        private void ShowChild(ChildProgress child)
        {
            string status = child.Status;
            if (child.Waiting)
            {
                status = $"waiting for OpenAI ({child.Clock.Elapsed.TotalSeconds:0} s)";
            }
            else if (child.UntilText != null)
            {
                double left = Math.Max(0, (child.Until - child.Clock.Elapsed).TotalSeconds);
                status = string.Format(CultureInfo.InvariantCulture, child.UntilText, Math.Ceiling(left));
            }

            ShowProgress(child.Id, child.Activity, status, child.Percent, child.Operation, BatchActivityId);
        }

        private void UpdateChild(ChildProgress child, string? status, bool waiting, int percent = -1, TimeSpan? until = null, string? untilText = null)
        {
            if (!_children.ContainsKey(child.Id))
            {
                return;
            }

            bool wasWaiting = child.Waiting;
            child.Waiting = waiting;
            child.Percent = percent;
            child.UntilText = untilText;
            if (until.HasValue || (waiting && !wasWaiting) || status != null && status.StartsWith("sending", StringComparison.Ordinal))
            {
                child.Clock.Restart();
            }

            child.Until = until ?? TimeSpan.Zero;
            if (status != null)
            {
                child.Status = status;
            }

            // "sending" is shown as such; the next tick turns it into "waiting for OpenAI (N s)".
            if (waiting && status != null && status.StartsWith("sending", StringComparison.Ordinal))
            {
                ShowProgress(child.Id, child.Activity, status, -1, child.Operation, BatchActivityId);
                return;
            }

            ShowChild(child);
        }

        private void FinishChild(ChildProgress child)
        {
            _children.Remove(child.Id);
            CompleteProgress(child.Id);
        }

        /// <inheritdoc />
        protected override void OnPumpIdle()
        {
            foreach (ChildProgress child in _children.Values)
            {
                if (child.Waiting || child.UntilText != null)
                {
                    ShowChild(child);
                }
            }
        }

        /// <summary>
        /// Saves one image (if asked) at once, on the pipeline thread, so that what finished is kept even if the batch is
        /// stopped; returns the writing of the image (and of a save error) for the item's place in the output order.
        /// </summary>
        private Action? Save(WorkItem item, ImageResult result, int imagesInResponse, ReservedImageNames? names, object target)
        {
            ErrorRecord? error = null;
            try
            {
                if (names != null && ImageFiles.HasPendingFile(result))
                {
                    string path = names.PathFor(result, imagesInResponse);
                    bool exists = File.Exists(path);
                    if (exists && !Force)
                    {
                        ImageFiles.KeepInMemory(result);
                        error = ErrorRecords.FileExists(path);
                    }
                    else if (ShouldProcess(path, exists ? "Overwrite image file" : "Save image file"))
                    {
                        ImageFiles.Commit(result, path, overwrite: Force);
                        result.File = (FileInfo)ProviderItems.GetFile(this, path).BaseObject;
                        this.WriteVerboseLine($"Saved {(result.IsPartial ? "partial " : string.Empty)}image {result.Index} to {path}.");
                    }
                    else
                    {
                        ImageFiles.KeepInMemory(result);
                    }
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                try
                {
                    ImageFiles.KeepInMemory(result);
                }
                catch (IOException)
                {
                    ImageFiles.Discard(result);
                }

                error = ErrorRecords.From(ex, target);
            }
            finally
            {
                _pending.TryRemove(result, out _);
            }

            if (error != null)
            {
                item.WriteErrorNow(error);
            }

            return () => WriteObject(result);
        }

        /// <summary>A request's child progress activity.</summary>
        private sealed class ChildProgress
        {
            public ChildProgress(int id, string activity, string operation, int partialImages)
            {
                Id = id;
                Activity = activity;
                Operation = operation;
                PartialImages = partialImages;
            }

            public int Id { get; }

            public string Activity { get; }

            public string Operation { get; }

            public int PartialImages { get; }

            public string Status { get; set; } = "sending";

            public bool Waiting { get; set; }

            public int Percent { get; set; } = -1;

            public TimeSpan Until { get; set; }

            public string? UntilText { get; set; }

            public Stopwatch Clock { get; } = Stopwatch.StartNew();
        }

        private static string Shorten(string text) => text.Length <= 60 ? text : text.Substring(0, 57) + "...";

        /// <inheritdoc />
        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            foreach (ImageResult result in _pending.Keys)
            {
                ImageFiles.Discard(result);
            }

            _pending.Clear();
        }
    }
}
