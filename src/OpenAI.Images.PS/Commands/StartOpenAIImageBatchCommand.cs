using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using OpenAI.Images;
using OpenAI.Images.Batch;
using OpenAI.Images.PowerShell.Completers;
using OpenAI.Images.Validation;

namespace OpenAI.Images.PowerShell.Commands
{
    /// <summary>
    /// <para type="synopsis">Hands a large image job to the OpenAI Batch API: validates every request, uploads the input (and local images for edits) and creates the batches.</para>
    /// </summary>
    [Cmdlet(VerbsLifecycle.Start, "OpenAIImageBatch", DefaultParameterSetName = RequestSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Medium)]
    [OutputType(typeof(ImageBatchJob))]
    public sealed class StartOpenAIImageBatchCommand : OpenAIBatchCmdletBase
    {
        private const string RequestSet = "Request";
        private const string ResumeSet = "Resume";
        private readonly List<(PromptImageRequest Request, object Target)> _items = new List<(PromptImageRequest, object)>();
        private int _invalid;
        private int _resolveErrors;
        private readonly HashSet<string> _notes = new HashSet<string>(StringComparer.Ordinal);

        /// <summary>The text description of the image (or of the edit, with -Path/-LiteralPath).</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = RequestSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [AllowEmptyString]
        public string Prompt { get; set; } = string.Empty;

        /// <summary>Images to edit (wildcards allowed): the request goes to /v1/images/edits. GPT image models only.</summary>
        [Parameter(ParameterSetName = RequestSet, ValueFromPipelineByPropertyName = true)]
        [Alias("FullName")]
        [SupportsWildcards]
        public string[]? Path { get; set; }

        /// <summary>Images to edit, taken literally.</summary>
        [Parameter(ParameterSetName = RequestSet, ValueFromPipelineByPropertyName = true)]
        [Alias("LP")]
        public string[]? LiteralPath { get; set; }

        /// <summary>A PNG whose transparent areas mark where to edit (edits only).</summary>
        [Parameter(ParameterSetName = RequestSet, ValueFromPipelineByPropertyName = true)]
        public string? Mask { get; set; }

        /// <summary>The model (default gpt-image-2, or the profile's default model).</summary>
        [Parameter(ParameterSetName = RequestSet, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ModelCompleter))]
        public string? Model { get; set; }

        /// <summary>Image size, e.g. 1024x1024, 1536x1024, auto.</summary>
        [Parameter(ParameterSetName = RequestSet, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(SizeCompleter))]
        public string? Size { get; set; }

        /// <summary>low, medium, high, auto; xhigh and max on the 2.5 and 2.6 models; standard and hd on dall-e-3 (any value for a model the module does not know).</summary>
        [Parameter(ParameterSetName = RequestSet, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ModelValueCompleter))]
        public string? Quality { get; set; }

        /// <summary>How many images per request, 1-10.</summary>
        [Parameter(ParameterSetName = RequestSet, ValueFromPipelineByPropertyName = true)]
        [Alias("N")]
        [ValidateRange(1, 10)]
        public int? Count { get; set; }

        /// <summary>vivid or natural (dall-e-3).</summary>
        [Parameter(ParameterSetName = RequestSet, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ModelValueCompleter))]
        public string? Style { get; set; }

        /// <summary>low or auto (GPT image models).</summary>
        [Parameter(ParameterSetName = RequestSet, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ModelValueCompleter))]
        public string? Moderation { get; set; }

        /// <summary>transparent, opaque or auto (GPT image models).</summary>
        [Parameter(ParameterSetName = RequestSet, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ModelValueCompleter))]
        public string? Background { get; set; }

        /// <summary>png, jpeg or webp (GPT image models).</summary>
        [Parameter(ParameterSetName = RequestSet, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ModelValueCompleter))]
        public string? OutputFormat { get; set; }

        /// <summary>0-100 compression for jpeg and webp output.</summary>
        [Parameter(ParameterSetName = RequestSet, ValueFromPipelineByPropertyName = true)]
        [ValidateRange(0, 100)]
        public int? OutputCompression { get; set; }

        /// <summary>high or low: how closely an edit keeps the input's features.</summary>
        [Parameter(ParameterSetName = RequestSet, ValueFromPipelineByPropertyName = true)]
        [ArgumentCompleter(typeof(ModelValueCompleter))]
        public string? InputFidelity { get; set; }

        /// <summary>An end-user id for abuse monitoring.</summary>
        [Parameter(ParameterSetName = RequestSet)]
        public string? User { get; set; }

        /// <summary>
        /// Fields to send that the module has no parameter for (yet), merged last into each request line's body: a key
        /// that names a field the module sends replaces it, a $null value removes it. Not checked against the model's rules.
        /// </summary>
        [Parameter(ParameterSetName = RequestSet, ValueFromPipelineByPropertyName = true)]
        public System.Collections.IDictionary? AdditionalBody { get; set; }

        /// <summary>How long after their creation the batches' output and error files expire: 1 hour to 30 days (the Batch API's output_expires_after). Default: OpenAI's.</summary>
        [Parameter(ParameterSetName = RequestSet)]
        public TimeSpan? OutputExpiresAfter { get; set; }

        /// <summary>The job file to write (default: NAME.imagebatch.json in the current folder); with -Resume, the job to finish starting.</summary>
        [Parameter(ParameterSetName = RequestSet)]
        [Parameter(Mandatory = true, ParameterSetName = ResumeSet)]
        [ValidateNotNullOrEmpty]
        public string? JobPath { get; set; }

        /// <summary>The job's name (default images-yyyyMMdd-HHmmss); also in each batch's metadata.</summary>
        [Parameter(ParameterSetName = RequestSet)]
        [ValidateNotNullOrEmpty]
        public string? Name { get; set; }

        /// <summary>Overwrite an existing job file (and its input files).</summary>
        [Parameter(ParameterSetName = RequestSet)]
        public SwitchParameter Force { get; set; }

        /// <summary>Finishes starting the job in -JobPath after an interruption: uploads what was not uploaded and creates the batches not yet created.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ResumeSet)]
        public SwitchParameter Resume { get; set; }

        /// <inheritdoc />
        protected override void BeginProcessing()
        {
            if (OutputExpiresAfter is TimeSpan expires)
            {
                try
                {
                    ImageBatchPlanner.ValidateOutputExpiresAfter(expires);
                }
                catch (OpenAIValidationException ex)
                {
                    ThrowTerminatingError(ErrorRecords.From(ex, expires));
                }
            }

            base.BeginProcessing();
        }

        /// <inheritdoc />
        protected override void ProcessRecord()
        {
            if (ParameterSetName == ResumeSet)
            {
                return;
            }

            if (Path != null && LiteralPath != null)
            {
                WriteError(new ErrorRecord(
                    new ArgumentException("Give either -Path or -LiteralPath, not both."),
                    "OpenAI.Validation.PathAndLiteralPath",
                    ErrorCategory.InvalidArgument,
                    Path));
                _invalid++;
                return;
            }

            PromptImageRequest request;
            object target = Prompt;
            string[]? given = LiteralPath ?? Path;
            if (given != null)
            {
                var edit = new ImageEditRequest { InputFidelity = ModelCatalog.Normalize(nameof(InputFidelity), InputFidelity) };
                int before = _resolveErrors;
                List<string> files = ResolveInputFiles(given, LiteralPath != null);
                if (files.Count == 0 || _resolveErrors > before)
                {
                    _invalid++;
                    return;
                }

                target = files.Count == 1 ? (object)files[0] : files.ToArray();
                foreach (string file in files)
                {
                    ImageInputFile? input = ReadInput(file);
                    if (input is null)
                    {
                        return;
                    }

                    edit.Images.Add(input);
                }

                if (Mask != null)
                {
                    List<string> mask = ResolveInputFiles(new[] { Mask }, literal: true);
                    edit.Mask = mask.Count == 0 ? null : ReadInput(mask[0]);
                    if (edit.Mask is null)
                    {
                        _invalid += mask.Count == 0 ? 1 : 0;
                        return;
                    }
                }

                request = edit;
            }
            else
            {
                if (InputFidelity != null || Mask != null)
                {
                    Fail(new OpenAIValidationException(InputFidelity != null ? "InputFidelity" : "Mask", (object?)InputFidelity ?? Mask, "EditOnlyParameter",
                        $"-{(InputFidelity != null ? "InputFidelity" : "Mask")} applies to edits only: give the images to edit with -Path or -LiteralPath."), target);
                    return;
                }

                request = new ImageGenerationRequest { Style = ModelCatalog.Normalize(nameof(Style), Style), Moderation = ModelCatalog.Normalize(nameof(Moderation), Moderation) };
            }

            request.Prompt = Prompt;
            request.Model = Model ?? DefaultModel;
            request.Count = Count;
            request.Size = Size;
            request.User = User;
            request.Quality = ModelCatalog.Normalize(nameof(Quality), Quality);
            request.Background = ModelCatalog.Normalize(nameof(Background), Background);
            request.OutputFormat = ModelCatalog.Normalize(nameof(OutputFormat), OutputFormat);
            request.OutputCompression = OutputCompression;
            request.AdditionalBody = AdditionalBodyParameter.Normalize(AdditionalBody);
            if (request is ImageEditRequest && (Style != null || Moderation != null))
            {
                Fail(new OpenAIValidationException(Style != null ? "Style" : "Moderation", (object?)Style ?? Moderation, "GenerationOnlyParameter",
                    $"-{(Style != null ? "Style" : "Moderation")} applies to generations only, not to edits."), target);
                return;
            }

            ModelCapabilities? caps = ModelCatalog.Find(request.Model);
            if (request is ImageEditRequest && caps != null && !caps.GptImageOptions)
            {
                Fail(new OpenAIValidationException("Model", request.Model, "BatchEditModel",
                    $"Batch edits send the images by file id in a JSON body, which only GPT image models take; '{request.Model}' is not one. Use gpt-image-2, or Edit-OpenAIImage."), target);
                return;
            }

            if (caps != null && caps.ResponseFormat)
            {
                // dall-e URLs expire after an hour, long before a 24-hour batch is collected: always ask for the bytes.
                request.ResponseFormat = "b64_json";
            }

            try
            {
                RequestValidator.Validate(request, this.WriteVerboseLine);
                OpenAI.Images.AdditionalBody.Validate(request, jsonBody: true, NoteOnce);
            }
            catch (OpenAIValidationException ex)
            {
                Fail(ex, target);
                return;
            }

            _items.Add((request, target));
        }

        /// <summary>A verbose line once per call (the -AdditionalBody notes are the same for every line of a job).</summary>
        private void NoteOnce(string message)
        {
            string scrubbed = Options.ApiKey?.Scrub(message) ?? message;
            if (_notes.Add(scrubbed))
            {
                this.WriteVerboseLine(scrubbed);
            }
        }

        private void Fail(OpenAIValidationException ex, object target)
        {
            _invalid++;
            WriteError(ErrorRecords.From(ex, target));
        }

        private ImageInputFile? ReadInput(string path)
        {
            try
            {
                return ImageInputFile.FromPath(path);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                _invalid++;
                WriteError(new ErrorRecord(ex, "OpenAI.FileReadError", ErrorCategory.ReadError, path));
                return null;
            }
        }

        private List<string> ResolveInputFiles(string[] paths, bool literal)
        {
            var files = new List<string>();
            foreach (string path in paths)
            {
                try
                {
                    if (literal || !WildcardPattern.ContainsWildcardCharacters(path))
                    {
                        string full = SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);
                        if (!File.Exists(full))
                        {
                            WriteError(new ErrorRecord(new ItemNotFoundException($"The path '{path}' does not exist."), "OpenAI.PathNotFound", ErrorCategory.ObjectNotFound, path));
                            _resolveErrors++;
                            continue;
                        }

                        files.Add(full);
                        continue;
                    }

                    List<string> matches = SessionState.Path.GetResolvedProviderPathFromPSPath(path, out _).Where(File.Exists).ToList();
                    if (matches.Count == 0)
                    {
                        WriteError(new ErrorRecord(new ItemNotFoundException($"The path '{path}' matches no file."), "OpenAI.PathNotFound", ErrorCategory.ObjectNotFound, path));
                        _resolveErrors++;
                    }

                    files.AddRange(matches);
                }
                catch (Exception ex) when (ex is ItemNotFoundException || ex is System.Management.Automation.DriveNotFoundException)
                {
                    WriteError(new ErrorRecord(ex, "OpenAI.PathNotFound", ErrorCategory.ObjectNotFound, path));
                    _resolveErrors++;
                }
            }

            return files;
        }

        /// <inheritdoc />
        protected override void EndProcessing()
        {
            if (ParameterSetName == ResumeSet)
            {
                ResumeJob();
                return;
            }

            int total = _items.Count + _invalid;
            if (_invalid > 0)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new ArgumentException($"{_invalid} of {total} requests are not valid (see the errors above); nothing was uploaded. Fix them and start the job again."),
                    "OpenAI.Batch.InvalidRequests",
                    ErrorCategory.InvalidArgument,
                    _invalid));
            }

            if (_items.Count == 0)
            {
                return;
            }

            string name = Name ?? "images-" + DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
            string jobPath = FileSystemPath(JobPath ?? ImageFiles.Slug(name, 60) + ".imagebatch.json", nameof(JobPath));
            string? folder = System.IO.Path.GetDirectoryName(jobPath);
            if (folder != null && !Directory.Exists(folder))
            {
                ThrowTerminatingError(new ErrorRecord(
                    new DirectoryNotFoundException($"The folder '{folder}' of -JobPath does not exist."),
                    "OpenAI.OutputFolderNotFound",
                    ErrorCategory.ObjectNotFound,
                    JobPath));
            }

            if (File.Exists(jobPath) && Force && UnfinishedBatches(jobPath) is string running)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new IOException($"The job file '{jobPath}' records batches that are still running ({running}); -Force does not replace it, so their ids are not lost. Give another -JobPath, or stop, wait for and receive that job first."),
                    "OpenAI.Batch.JobFileHasRunningBatches",
                    ErrorCategory.ResourceExists,
                    jobPath));
            }

            if (File.Exists(jobPath) && !Force)
            {
                ThrowTerminatingError(new ErrorRecord(
                    new IOException($"The job file '{jobPath}' already exists. Use -Force to replace it, or give another -JobPath or -Name."),
                    "OpenAI.Batch.JobFileExists",
                    ErrorCategory.ResourceExists,
                    jobPath));
            }

            var items = new List<ImageBatchItem>(_items.Count);
            for (int i = 0; i < _items.Count; i++)
            {
                items.Add(new ImageBatchItem(_items[i].Request, ImageBatchPlanner.CustomId(i, _items.Count, _items[i].Request)));
            }

            // Local images, each distinct content once.
            var uploads = new List<ImageBatchUpload>();
            var shaOf = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (ImageInputFile file in items.Select(i => i.Request).OfType<ImageEditRequest>().SelectMany(e => e.Mask is null ? e.Images : e.Images.Concat(new[] { e.Mask })))
            {
                if (shaOf.ContainsKey(file.Path))
                {
                    continue;
                }

                string sha = ImageBatchPlanner.HashFile(file.Path);
                shaOf[file.Path] = sha;
                if (!uploads.Any(u => u.Sha256 == sha))
                {
                    uploads.Add(new ImageBatchUpload { Sha256 = sha, Path = file.Path, Length = file.Length });
                }
            }

            IReadOnlyList<ImageBatchPartPlan> plan;
            try
            {
                plan = ImageBatchPlanner.Plan(items);
            }
            catch (OpenAIValidationException ex)
            {
                ThrowTerminatingError(ErrorRecords.From(ex, ex.Value));
                return;
            }

            string parts = string.Join("; ", plan.Select((p, i) => $"batch {i + 1}: {p.Lines} request{(p.Lines == 1 ? string.Empty : "s")} to {p.Endpoint} ({p.Bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes)"));
            string description = $"Start OpenAI image batch job '{name}': upload {(uploads.Count > 0 ? $"{uploads.Count} local image{(uploads.Count == 1 ? string.Empty : "s")} (purpose {ImageBatchPlanner.ImagePurpose}) and " : string.Empty)}"
                + $"{plan.Count} input file{(plan.Count == 1 ? string.Empty : "s")} (purpose batch), create {plan.Count} batch{(plan.Count == 1 ? string.Empty : "es")} (completion window 24h"
                + (OutputExpiresAfter is TimeSpan keep ? $"; output files expire {keep.ToString("c", CultureInfo.InvariantCulture)} after they are created" : string.Empty) + $"): {parts}";
            string[] extras = items.Select(i => OpenAI.Images.AdditionalBody.Describe(i.Request)).OfType<string>().Distinct(StringComparer.Ordinal).ToArray();
            if (extras.Length > 0)
            {
                string shown = string.Join(" | ", extras.Take(3)) + (extras.Length > 3 ? $" | … ({extras.Length} different ones)" : string.Empty);
                description += "; -AdditionalBody: " + (Options.ApiKey?.Scrub(shown) ?? shown);
            }
            this.WriteVerboseLine(description);
            if (!ShouldProcess(jobPath, description))
            {
                return;
            }

            var job = new ImageBatchJob
            {
                JobPath = jobPath,
                Name = name,
                JobId = Guid.NewGuid().ToString("N"),
                Created = DateTimeOffset.UtcNow,
                OutputExpiresAfter = OutputExpiresAfter,
            };
            job.Uploads.AddRange(uploads);
            try
            {
                job.Save();
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                ThrowTerminatingError(ErrorRecords.From(ex, jobPath));
            }

            this.WriteVerboseLine($"Wrote the job file {jobPath}.");
            ImageBatchRunner runner = NewRunner();
            int activity = NewActivityId();
            bool force = Force;
            ShowProgress(activity, "Start-OpenAIImageBatch", $"{name}: uploading", -1);
            Run(jobPath, async () =>
            {
                await runner.UploadImagesAsync(job, CancelToken).ConfigureAwait(false);
                var fileIds = job.Uploads.ToDictionary(u => u.Sha256, u => u.FileId!, StringComparer.Ordinal);
                ImageBatchPlanner.WriteInputFiles(job, items, path => fileIds[shaOf[path]], force);
                job.Save();
                Post(() => ShowProgress(activity, "Start-OpenAIImageBatch", $"{name}: uploading {job.Batches.Count} input file(s) and creating the batches", -1));
                await runner.SubmitAsync(job, CancelToken).ConfigureAwait(false);
                Post(() =>
                {
                    CompleteProgress(activity);
                    WriteObject(job);
                });
            });
            WaitForWork();
            WarnIfIncomplete(job);
        }

        private void WarnIfIncomplete(ImageBatchJob job)
        {
            if ((job.Batches.Count == 0 || job.Batches.Any(b => b.Id is null)) && !CancelToken.IsCancellationRequested)
            {
                WriteWarning($"Job '{job.Name}' was not started completely; the job file {job.JobPath} keeps what was done. "
                    + $"Finish it with: Start-OpenAIImageBatch -JobPath '{job.JobPath?.Replace("'", "''")}' -Resume");
            }
        }

        private static string? UnfinishedBatches(string jobPath)
        {
            try
            {
                ImageBatchJob existing = ImageBatchJob.Load(jobPath);
                string[] running = existing.Batches.Where(b => b.Id != null && !b.IsFinal).Select(b => b.Id!).ToArray();
                return running.Length > 0 ? string.Join(", ", running) : null;
            }
            catch (Exception ex) when (ex is InvalidDataException || ex is IOException || ex is UnauthorizedAccessException)
            {
                return null;
            }
        }

        private void ResumeJob()
        {
            string jobPath = FileSystemPath(JobPath!, nameof(JobPath));
            ImageBatchJob? job = LoadJob(jobPath);
            if (job is null)
            {
                return;
            }

            if (job.Batches.Count == 0)
            {
                WriteError(new ErrorRecord(
                    new InvalidOperationException($"Job '{job.Name}' stopped before its input files were written (while uploading its images); no batch was created. Start it again with its requests (and -Force)."),
                    "OpenAI.Batch.NothingToResume",
                    ErrorCategory.InvalidOperation,
                    JobPath));
                return;
            }

            int pending = job.Batches.Count(b => b.Id is null);
            if (pending == 0)
            {
                this.WriteVerboseLine($"Every batch of job '{job.Name}' was already created.");
                WriteObject(job);
                return;
            }

            if (!ShouldProcess(jobPath, $"Finish starting OpenAI image batch job '{job.Name}': upload and create {pending} batch{(pending == 1 ? string.Empty : "es")}"))
            {
                return;
            }

            ImageBatchRunner runner = NewRunner();
            Run(jobPath, async () =>
            {
                await runner.SubmitAsync(job, CancelToken).ConfigureAwait(false);
                Post(() => WriteObject(job));
            });
            WaitForWork();
            WarnIfIncomplete(job);
        }
    }
}
