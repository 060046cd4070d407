using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using OpenAI.Images.Http;
using OpenAI.Images.Json;

namespace OpenAI.Images.Batch
{
    /// <summary>A request of a batch that failed: its custom_id, prompt or files, and what OpenAI said.</summary>
    public sealed class ImageBatchRequestException : OpenAIException
    {
        /// <summary>Creates the error of one batch line.</summary>
        public ImageBatchRequestException(OpenAIErrorKind kind, string message, string customId)
            : base(kind, message)
        {
            CustomId = customId;
        }

        /// <summary>The line's custom_id.</summary>
        public string CustomId { get; }

        /// <summary>The request's prompt, when known.</summary>
        public string? Prompt { get; set; }

        /// <summary>The request's input files (edits), when known.</summary>
        public IReadOnlyList<string> SourceFiles { get; set; } = Array.Empty<string>();

        /// <summary>The batch the line belongs to.</summary>
        public string? BatchId { get; set; }

        /// <inheritdoc />
        public override string ErrorId => "OpenAI.Batch.RequestFailed";
    }

    /// <summary>What the input file says about one request (to name its images and report its errors).</summary>
    internal sealed class BatchLineInfo
    {
        public string? Prompt { get; set; }

        public string? Model { get; set; }

        public ImageOperation Operation { get; set; }

        public IReadOnlyList<string> SourceFiles { get; set; } = Array.Empty<string>();

        public int Count { get; set; } = 1;

        public string? Size { get; set; }

        public string? Quality { get; set; }

        public string? Background { get; set; }

        public string? OutputFormat { get; set; }
    }

    /// <summary>
    /// Runs the steps of an image job against the API: uploads (saving the job file after each), creating,
    /// refreshing and cancelling batches, and receiving output and error files as streams.
    /// </summary>
    public sealed class ImageBatchRunner
    {
        private static readonly string[] ImageExtensions = { ".png", ".jpg", ".webp", ".gif" };
        private readonly OpenAIBatchClient _client;
        private readonly ClientDiagnostics _diagnostics;

        /// <summary>Creates a runner over the shared HttpClient for the options' proxy settings.</summary>
        public ImageBatchRunner(OpenAIClientOptions options, ClientDiagnostics? diagnostics = null)
        {
            _diagnostics = diagnostics ?? new ClientDiagnostics();
            _client = new OpenAIBatchClient(options, _diagnostics);
        }

        /// <summary>Uploads the job's local images that have no file id yet (purpose vision), saving the job after each.</summary>
        public async Task UploadImagesAsync(ImageBatchJob job, CancellationToken ct)
        {
            foreach (ImageBatchUpload upload in job.Uploads.Where(u => u.FileId is null))
            {
                ImageInputFile file = ImageInputFile.FromPath(upload.Path);
                _diagnostics.WriteVerbose($"Uploading {upload.Path} ({upload.Length} bytes, sha256 {upload.Sha256.Substring(0, 12)}…) as purpose {ImageBatchPlanner.ImagePurpose}.");
                JsonValue created = await _client.UploadFileAsync(upload.Path, file.FileName, file.ContentType, ImageBatchPlanner.ImagePurpose, ct).ConfigureAwait(false);
                upload.FileId = created.GetStringProperty("id") ?? throw NoId("file", created);
                job.Save();
            }
        }

        /// <summary>
        /// Uploads each input file and creates its batch (skipping steps already done), saving the job after each step.
        /// A batch is never created twice: before POST /batches is sent again after a failure that may have created it
        /// (no answer, a cut-off answer, a 5xx), and before creating the batch of a part whose input file an earlier run
        /// uploaded (-Resume), the job's batches are looked up by their metadata (job id and part) and adopted.
        /// </summary>
        public async Task SubmitAsync(ImageBatchJob job, CancellationToken ct)
        {
            foreach (ImageBatch batch in job.Batches)
            {
                bool earlierRun = batch.InputFileId != null;
                if (batch.InputFileId is null)
                {
                    string path = Path.Combine(job.Folder, batch.InputPath!);
                    _diagnostics.WriteVerbose($"Uploading {batch.InputPath} ({batch.LineCount} requests, {batch.ByteCount} bytes) as purpose batch.");
                    JsonValue file = await _client.UploadFileAsync(path, Path.GetFileName(path), "application/jsonl", "batch", ct).ConfigureAwait(false);
                    batch.InputFileId = file.GetStringProperty("id") ?? throw NoId("file", file);
                    job.Save();
                }

                if (batch.Id is null)
                {
                    string part = batch.Part.ToString(CultureInfo.InvariantCulture) + "/" + job.Batches.Count.ToString(CultureInfo.InvariantCulture);
                    var metadata = new[]
                    {
                        new KeyValuePair<string, string>("openai_images_job", job.Name),
                        new KeyValuePair<string, string>("openai_images_job_id", job.JobId),
                        new KeyValuePair<string, string>(PartKey, part),
                    };
                    JsonValue? created = null;
                    if (earlierRun)
                    {
                        // An earlier run uploaded this part and may have created its batch without learning its id.
                        _diagnostics.WriteVerbose($"Part {part} was uploaded by an earlier run: looking for its batch (job id {job.JobId}) before creating one.");
                        created = await FindBatchAsync(job, part, ct).ConfigureAwait(false);
                        _diagnostics.WriteVerbose(created is null
                            ? $"No batch of part {part} exists yet: creating it."
                            : $"Found batch {created.GetStringProperty("id")} of part {part}, created by an earlier run: using it.");
                    }

                    created ??= await _client.CreateBatchAsync(
                        batch.InputFileId,
                        batch.Endpoint,
                        metadata,
                        ct,
                        async (failure, token) =>
                        {
                            _diagnostics.WriteVerbose($"POST /batches for part {part} may have created the batch although it failed ({Ambiguity(failure)}): looking for a batch of job id {job.JobId}, part {part} before sending it again.");
                            JsonValue? found = await FindBatchAsync(job, part, token).ConfigureAwait(false);
                            _diagnostics.WriteVerbose(found is null
                                ? $"No batch of part {part} was created: sending POST /batches again."
                                : $"Found batch {found.GetStringProperty("id")} of part {part}, created by the attempt that failed: using it instead of creating another.");
                            return found;
                        },
                        job.OutputExpiresAfter is TimeSpan expires ? (long)expires.TotalSeconds : (long?)null).ConfigureAwait(false);
                    if (created.GetStringProperty("id") is null)
                    {
                        throw NoId("batch", created);
                    }

                    batch.Apply(created);
                    _diagnostics.WriteVerbose($"Created batch {batch.Id} ({batch.Endpoint}, {batch.LineCount} requests): {batch.Status}.");
                    job.Save();
                }
            }
        }

        private const string PartKey = "openai_images_part";

        private static string Ambiguity(OpenAIException failure) =>
            failure.Kind == OpenAIErrorKind.Timeout ? "no answer in time"
            : failure.StatusCode is int status && status < 300 ? "the answer broke off"
            : failure.StatusCode is int error ? "HTTP " + error.ToString(CultureInfo.InvariantCulture)
            : "the connection failed";

        /// <summary>How many pages of 100 batches <see cref="FindBatchAsync"/> reads at most.</summary>
        private const int MaxFindPages = 10;

        /// <summary>
        /// The organization's batch that carries this job's id and <paramref name="part"/> in its metadata, or null.
        /// Reads GET /batches newest first, 100 at a time, and stops at the first batch created well before the job
        /// (an hour of slack for the difference between this machine's clock and OpenAI's), or after
        /// <see cref="MaxFindPages"/> pages.
        /// </summary>
        private async Task<JsonValue?> FindBatchAsync(ImageBatchJob job, string part, CancellationToken ct)
        {
            DateTimeOffset? since = job.Created == default ? (DateTimeOffset?)null : job.Created - TimeSpan.FromHours(1);
            string? after = null;
            for (int page = 0; page < MaxFindPages; page++)
            {
                JsonValue list = await _client.ListBatchesAsync(100, after, ct).ConfigureAwait(false);
                IReadOnlyList<JsonValue> data = list["data"]?.Items ?? Array.Empty<JsonValue>();
                foreach (JsonValue item in data)
                {
                    JsonValue? metadata = item["metadata"];
                    if (metadata != null && metadata.Kind == JsonValueKind.Object
                        && string.Equals(metadata.GetStringProperty("openai_images_job_id"), job.JobId, StringComparison.Ordinal)
                        && string.Equals(metadata.GetStringProperty(PartKey), part, StringComparison.Ordinal))
                    {
                        return item;
                    }

                    if (since.HasValue && item.GetInt64Property("created_at") is long created && DateTimeOffset.FromUnixTimeSeconds(created) < since.Value)
                    {
                        return null;
                    }
                }

                after = list.GetStringProperty("last_id");
                if (list["has_more"]?.GetBoolean() != true || data.Count == 0 || after is null)
                {
                    return null;
                }
            }

            return null;
        }

        /// <summary>Reads the current state of every batch that is not final yet and saves the job.</summary>
        public async Task RefreshAsync(ImageBatchJob job, CancellationToken ct)
        {
            foreach (ImageBatch batch in job.Batches.Where(b => b.Id != null && !b.IsFinal))
            {
                batch.Apply(await _client.GetBatchAsync(batch.Id!, ct).ConfigureAwait(false));
            }

            job.Save();
        }

        /// <summary>A job object for one batch id (no job file).</summary>
        public async Task<ImageBatchJob> GetByIdAsync(string batchId, CancellationToken ct)
        {
            var batch = new ImageBatch { Part = 1 };
            batch.Apply(await _client.GetBatchAsync(batchId, ct).ConfigureAwait(false));
            return FromBatch(batch);
        }

        /// <summary>The most recent batches of the image endpoints, newest first (up to <paramref name="max"/>, reading pages of 100).</summary>
        public async Task<IReadOnlyList<ImageBatchJob>> ListAsync(int max, CancellationToken ct)
        {
            var jobs = new List<ImageBatchJob>();
            string? after = null;
            int seen = 0;
            while (jobs.Count < max && seen < 1000)
            {
                JsonValue page = await _client.ListBatchesAsync(100, after, ct).ConfigureAwait(false);
                IReadOnlyList<JsonValue> data = page["data"]?.Items ?? Array.Empty<JsonValue>();
                foreach (JsonValue item in data)
                {
                    seen++;
                    string? endpoint = item.GetStringProperty("endpoint");
                    if (endpoint == ImageBatchPlanner.GenerationsEndpoint || endpoint == ImageBatchPlanner.EditsEndpoint)
                    {
                        var batch = new ImageBatch { Part = 1 };
                        batch.Apply(item);
                        jobs.Add(FromBatch(batch));
                        if (jobs.Count >= max)
                        {
                            break;
                        }
                    }
                }

                after = page.GetStringProperty("last_id");
                if (page["has_more"]?.GetBoolean() != true || data.Count == 0 || after is null)
                {
                    break;
                }
            }

            return jobs;
        }

        /// <summary>Asks OpenAI to cancel a batch; takes the Batch object it returns.</summary>
        public async Task CancelAsync(ImageBatch batch, CancellationToken ct)
        {
            batch.Apply(await _client.CancelBatchAsync(batch.Id!, ct).ConfigureAwait(false));
        }

        private static ImageBatchJob FromBatch(ImageBatch batch)
        {
            var job = new ImageBatchJob
            {
                Name = batch.Metadata.TryGetValue("openai_images_job", out string? name) ? name : batch.Id ?? string.Empty,
                JobId = batch.Metadata.TryGetValue("openai_images_job_id", out string? jobId) ? jobId : string.Empty,
                Created = batch.CreatedAt ?? default,
            };
            job.Batches.Add(batch);
            return job;
        }

        private static OpenAIException NoId(string what, JsonValue value) =>
            new OpenAIException(OpenAIErrorKind.InvalidResponse, $"OpenAI's {what} object has no id: {Shorten(value.ToJson())}");

        private static string Shorten(string text) => text.Length <= 200 ? text : text.Substring(0, 197) + "...";

        /// <summary>
        /// Downloads a finished batch's output and error files as streams: each image is decoded straight to a
        /// temporary file in <paramref name="outputDirectory"/> and renamed to CUSTOMID[-N].EXT; images already saved
        /// there are skipped without decoding. Each failed line is passed to <paramref name="onError"/>.
        /// <paramref name="onImage"/> gets every image of the batch (saved now or before), each once per call.
        /// </summary>
        public async Task ReceiveAsync(
            ImageBatchJob job,
            ImageBatch batch,
            string outputDirectory,
            Action<ImageResult, bool> onImage,
            Action<ImageBatchRequestException> onError,
            Action<int>? onLine,
            CancellationToken ct)
        {
            Dictionary<string, BatchLineInfo> index = await ReadInputIndexAsync(job, batch, ct).ConfigureAwait(false);
            var emitted = new HashSet<string>(StringComparer.Ordinal);
            var reported = new HashSet<string>(StringComparer.Ordinal);
            int lines = 0;
            foreach (string? fileId in new[] { batch.OutputFileId, batch.ErrorFileId })
            {
                if (fileId is null)
                {
                    continue;
                }

                await _client.DownloadFileAsync(
                    fileId,
                    async (stream, token) =>
                    {
                        var reader = new JsonLinesReader(stream);
                        Stream? line;
                        while ((line = await reader.NextLineAsync(token).ConfigureAwait(false)) != null)
                        {
                            await ReadOutputLineAsync(line, reader.LineNumber, batch, index, outputDirectory, emitted, reported, onImage, onError, token).ConfigureAwait(false);
                            onLine?.Invoke(++lines);
                        }
                    },
                    ct).ConfigureAwait(false);
            }
        }

        private async Task<Dictionary<string, BatchLineInfo>> ReadInputIndexAsync(ImageBatchJob job, ImageBatch batch, CancellationToken ct)
        {
            var fileNames = job.Uploads.Where(u => u.FileId != null).GroupBy(u => u.FileId!).ToDictionary(g => g.Key, g => g.First().Path, StringComparer.Ordinal);
            var index = new Dictionary<string, BatchLineInfo>(StringComparer.Ordinal);
            async Task Read(Stream stream, CancellationToken token)
            {
                index.Clear();
                var reader = new JsonLinesReader(stream);
                Stream? line;
                while ((line = await reader.NextLineAsync(token).ConfigureAwait(false)) != null)
                {
                    JsonValue value;
                    try
                    {
                        value = await JsonValue.ParseAsync(line, 64L * 1024 * 1024, token).ConfigureAwait(false);
                    }
                    catch (FormatException)
                    {
                        continue;
                    }

                    string? customId = value.GetStringProperty("custom_id");
                    JsonValue? body = value["body"];
                    if (customId is null || body is null)
                    {
                        continue;
                    }

                    var files = new List<string>();
                    foreach (JsonValue image in body["images"]?.Items ?? Array.Empty<JsonValue>())
                    {
                        string? id = image.GetStringProperty("file_id");
                        string? url = image.GetStringProperty("image_url");
                        if (id != null)
                        {
                            files.Add(fileNames.TryGetValue(id, out string? local) ? local : id);
                        }
                        else if (url != null)
                        {
                            files.Add(url);
                        }
                    }

                    index[customId] = new BatchLineInfo
                    {
                        Prompt = body.GetStringProperty("prompt"),
                        Model = body.GetStringProperty("model"),
                        Operation = value.GetStringProperty("url") == ImageBatchPlanner.EditsEndpoint ? ImageOperation.Edit : ImageOperation.Generation,
                        SourceFiles = files,
                        Count = (int)(body.GetInt64Property("n") ?? 1),
                        Size = body.GetStringProperty("size"),
                        Quality = body.GetStringProperty("quality"),
                        Background = body.GetStringProperty("background"),
                        OutputFormat = body.GetStringProperty("output_format"),
                    };
                }
            }

            string? local = batch.InputPath is null || job.JobPath is null ? null : Path.Combine(job.Folder, batch.InputPath);
            if (local != null && File.Exists(local))
            {
                using (var stream = new FileStream(local, FileMode.Open, FileAccess.Read, FileShare.Read, 65536, useAsync: true))
                {
                    await Read(stream, ct).ConfigureAwait(false);
                }
            }
            else if (batch.InputFileId != null)
            {
                _diagnostics.WriteVerbose($"Reading the prompts of batch {batch.Id} from its input file {batch.InputFileId}.");
                await _client.DownloadFileAsync(batch.InputFileId, Read, ct).ConfigureAwait(false);
            }

            return index;
        }

        /// <summary>The path an image of a request is saved as: CUSTOMID.EXT for one image, CUSTOMID-N.EXT for several.</summary>
        internal static string Stem(string directory, string customId, int index, int count) =>
            Path.Combine(directory, SafeName(customId) + (count > 1 ? "-" + (index + 1).ToString(CultureInfo.InvariantCulture) : string.Empty));

        private static string SafeName(string customId)
        {
            char[] invalid = Path.GetInvalidFileNameChars();
            var chars = customId.Select(c => Array.IndexOf(invalid, c) >= 0 || c == '/' || c == '\\' ? '_' : c).ToArray();
            string name = new string(chars).Trim('.', ' ');
            return name.Length == 0 ? "image" : name;
        }

        private static string? Existing(string stem)
        {
            foreach (string ext in ImageExtensions)
            {
                if (File.Exists(stem + ext))
                {
                    return stem + ext;
                }
            }

            return null;
        }

        private async Task ReadOutputLineAsync(
            Stream line,
            int lineNumber,
            ImageBatch batch,
            Dictionary<string, BatchLineInfo> index,
            string directory,
            HashSet<string> emitted,
            HashSet<string> reported,
            Action<ImageResult, bool> onImage,
            Action<ImageBatchRequestException> onError,
            CancellationToken ct)
        {
            var reader = new JsonStreamReader(line);
            string? customId = null;
            int? status = null;
            string? requestId = null;
            JsonValue? lineError = null;
            JsonValue? bodyError = null;
            long? created = null;
            ImageUsage? usage = null;
            var fields = new Dictionary<string, string>(StringComparer.Ordinal);
            var images = new List<(ImageResult Result, bool Skipped)>();
            try
            {
                if (!await reader.ReadAsync(ct).ConfigureAwait(false) || reader.TokenType != JsonTokenType.StartObject)
                {
                    throw new FormatException("the line is not a JSON object");
                }

                while (await reader.ReadAsync(ct).ConfigureAwait(false) && reader.TokenType == JsonTokenType.PropertyName)
                {
                    switch (reader.PropertyName)
                    {
                        case "custom_id":
                            customId = await reader.ReadStringOrSkipAsync(ct).ConfigureAwait(false);
                            break;
                        case "error":
                            await reader.ReadAsync(ct).ConfigureAwait(false);
                            JsonValue e = await reader.ReadValueAsync(ct).ConfigureAwait(false);
                            lineError = e.Kind == JsonValueKind.Null ? null : e;
                            break;
                        case "response":
                            if (!await reader.ReadTokenOrSkipAsync(JsonTokenType.StartObject, ct).ConfigureAwait(false))
                            {
                                break;
                            }

                            while (await reader.ReadAsync(ct).ConfigureAwait(false) && reader.TokenType == JsonTokenType.PropertyName)
                            {
                                switch (reader.PropertyName)
                                {
                                    case "status_code":
                                        await reader.ReadAsync(ct).ConfigureAwait(false);
                                        status = reader.TokenType == JsonTokenType.Number && int.TryParse(reader.GetRawNumber(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int s) ? s : (int?)null;
                                        if (reader.TokenType != JsonTokenType.Number)
                                        {
                                            await reader.SkipAsync(ct).ConfigureAwait(false);
                                        }

                                        break;
                                    case "request_id":
                                        requestId = await reader.ReadStringOrSkipAsync(ct).ConfigureAwait(false);
                                        break;
                                    case "body":
                                        if (!await reader.ReadTokenOrSkipAsync(JsonTokenType.StartObject, ct).ConfigureAwait(false))
                                        {
                                            break;
                                        }

                                        while (await reader.ReadAsync(ct).ConfigureAwait(false) && reader.TokenType == JsonTokenType.PropertyName)
                                        {
                                            string name = reader.PropertyName!;
                                            switch (name)
                                            {
                                                case "data":
                                                    if (!await reader.ReadTokenOrSkipAsync(JsonTokenType.StartArray, ct).ConfigureAwait(false))
                                                    {
                                                        break;
                                                    }

                                                    while (await reader.ReadAsync(ct).ConfigureAwait(false) && reader.TokenType != JsonTokenType.EndArray)
                                                    {
                                                        var result = new ImageResult { Index = images.Count };
                                                        bool skipped = false;
                                                        if (reader.TokenType == JsonTokenType.StartObject)
                                                        {
                                                            skipped = await ReadImageAsync(reader, result, customId, index, directory, ct).ConfigureAwait(false);
                                                        }
                                                        else
                                                        {
                                                            await reader.SkipAsync(ct).ConfigureAwait(false);
                                                        }

                                                        images.Add((result, skipped));
                                                    }

                                                    break;
                                                case "error":
                                                    await reader.ReadAsync(ct).ConfigureAwait(false);
                                                    JsonValue be = await reader.ReadValueAsync(ct).ConfigureAwait(false);
                                                    bodyError = be.Kind == JsonValueKind.Null ? null : be;
                                                    break;
                                                case "created":
                                                    await reader.ReadAsync(ct).ConfigureAwait(false);
                                                    created = (await reader.ReadValueAsync(ct).ConfigureAwait(false)).GetInt64();
                                                    break;
                                                case "usage":
                                                    await reader.ReadAsync(ct).ConfigureAwait(false);
                                                    usage = OpenAIImagesClient.ParseUsage(await reader.ReadValueAsync(ct).ConfigureAwait(false));
                                                    break;
                                                case "size":
                                                case "quality":
                                                case "background":
                                                case "output_format":
                                                    string? text = await reader.ReadStringOrSkipAsync(ct).ConfigureAwait(false);
                                                    if (text != null)
                                                    {
                                                        fields[name] = text;
                                                    }

                                                    break;
                                                default:
                                                    await reader.ReadAsync(ct).ConfigureAwait(false);
                                                    await reader.SkipAsync(ct).ConfigureAwait(false);
                                                    break;
                                            }
                                        }

                                        break;
                                    default:
                                        await reader.ReadAsync(ct).ConfigureAwait(false);
                                        await reader.SkipAsync(ct).ConfigureAwait(false);
                                        break;
                                }
                            }

                            break;
                        default:
                            await reader.ReadAsync(ct).ConfigureAwait(false);
                            await reader.SkipAsync(ct).ConfigureAwait(false);
                            break;
                    }
                }
            }
            catch (FormatException ex)
            {
                ImageSink.DiscardPending(images.Select(i => i.Result));
                string id = customId ?? $"line {lineNumber}";
                if (reported.Add(id))
                {
                    onError(new ImageBatchRequestException(
                        OpenAIErrorKind.InvalidResponse,
                        $"Line {lineNumber} of batch {batch.Id}'s results ({id}) could not be read: {ex.Message}",
                        id)
                    { BatchId = batch.Id });
                }

                return;
            }
            catch
            {
                ImageSink.DiscardPending(images.Select(i => i.Result));
                throw;
            }

            customId ??= $"line-{lineNumber}";
            index.TryGetValue(customId, out BatchLineInfo? info);
            if (lineError != null || bodyError != null || (status is int code && (code < 200 || code > 299)) || images.Count == 0)
            {
                ImageSink.DiscardPending(images.Select(i => i.Result));
                if (reported.Add(customId))
                {
                    onError(LineError(batch, customId, info, status, requestId, lineError ?? bodyError));
                }

                return;
            }

            foreach ((ImageResult result, bool skipped) in images)
            {
                result.CustomId = customId;
                result.RequestId = requestId;
                result.Created = created is long c ? DateTimeOffset.FromUnixTimeSeconds(c) : (DateTimeOffset?)null;
                result.Usage = usage;
                result.Model = info?.Model;
                result.Prompt = info?.Prompt;
                result.Operation = info?.Operation ?? (batch.Endpoint == ImageBatchPlanner.EditsEndpoint ? ImageOperation.Edit : ImageOperation.Generation);
                result.SourceFiles = info?.SourceFiles ?? Array.Empty<string>();
                result.Size = fields.TryGetValue("size", out string? size) ? size : info?.Size;
                result.Quality = fields.TryGetValue("quality", out string? quality) ? quality : info?.Quality;
                result.Background = fields.TryGetValue("background", out string? background) ? background : info?.Background;
                result.OutputFormat = fields.TryGetValue("output_format", out string? format) ? format : info?.OutputFormat;
                bool wasSaved = skipped;
                if (result.PendingFile != null)
                {
                    string stem = Stem(directory, customId, result.Index, info?.Count ?? images.Count);
                    string? existing = Existing(stem);
                    if (existing != null)
                    {
                        ImageFiles.Discard(result);
                        result.File = new FileInfo(existing);
                        wasSaved = true;
                    }
                    else
                    {
                        string path = stem + ImageFiles.ExtensionFor(result);
                        ImageFiles.Commit(result, path, overwrite: false);
                        result.File = new FileInfo(path);
                    }
                }

                if (result.OutputFormat is null && result.File != null)
                {
                    string ext = result.File.Extension.TrimStart('.');
                    result.OutputFormat = ext == "jpg" ? "jpeg" : ext;
                }

                if (emitted.Add(customId + "#" + result.Index.ToString(CultureInfo.InvariantCulture)))
                {
                    onImage(result, wasSaved);
                }
            }
        }

        /// <summary>Reads one data item; returns true when its image was already saved (and was skipped, not decoded).</summary>
        private static async Task<bool> ReadImageAsync(JsonStreamReader reader, ImageResult result, string? customId, Dictionary<string, BatchLineInfo> index, string directory, CancellationToken ct)
        {
            bool skipped = false;
            while (await reader.ReadAsync(ct).ConfigureAwait(false) && reader.TokenType == JsonTokenType.PropertyName)
            {
                switch (reader.PropertyName)
                {
                    case "b64_json":
                        if (!await reader.ReadTokenOrSkipAsync(JsonTokenType.String, ct).ConfigureAwait(false))
                        {
                            break;
                        }

                        if (customId != null)
                        {
                            int count = index.TryGetValue(customId, out BatchLineInfo? info) ? info.Count : 1;
                            string? existing = Existing(Stem(directory, customId, result.Index, count));
                            if (existing != null)
                            {
                                await reader.SkipAsync(ct).ConfigureAwait(false);
                                result.File = new FileInfo(existing);
                                skipped = true;
                                break;
                            }
                        }

                        await ImageSink.DecodeBase64StringAsync(reader, directory, result, ct).ConfigureAwait(false);

                        break;
                    case "revised_prompt":
                        result.RevisedPrompt = await reader.ReadStringOrSkipAsync(ct).ConfigureAwait(false);
                        break;
                    case "url":
                        string? url = await reader.ReadStringOrSkipAsync(ct).ConfigureAwait(false);
                        if (url != null && Uri.TryCreate(url, UriKind.Absolute, out Uri? parsed))
                        {
                            result.Url = parsed;
                        }

                        break;
                    default:
                        await reader.ReadAsync(ct).ConfigureAwait(false);
                        await reader.SkipAsync(ct).ConfigureAwait(false);
                        break;
                }
            }

            return skipped;
        }


        private static ImageBatchRequestException LineError(ImageBatch batch, string customId, BatchLineInfo? info, int? status, string? requestId, JsonValue? error)
        {
            JsonValue? inner = error?["error"] ?? error;
            string? message = inner?.GetStringProperty("message");
            string? code = inner?.GetStringProperty("code");
            string? type = inner?.GetStringProperty("type");
            OpenAIErrorKind kind = code == "batch_expired" ? OpenAIErrorKind.Timeout : OpenAITransport.KindOf(status ?? 400, type, code);
            string what = info?.Operation == ImageOperation.Edit && info.SourceFiles.Count > 0
                ? "edit of " + string.Join(", ", info.SourceFiles.Select(Path.GetFileName)) + (info.Prompt != null ? $" ('{Shorten(info.Prompt)}')" : string.Empty)
                : info?.Prompt != null ? $"prompt '{Shorten(info.Prompt)}'" : "unknown request";
            var details = new List<string>();
            if (status is int s)
            {
                details.Add("HTTP " + s.ToString(CultureInfo.InvariantCulture));
            }

            if (code != null)
            {
                details.Add("code " + code);
            }

            if (requestId != null)
            {
                details.Add("request " + requestId);
            }

            details.Add("batch " + batch.Id);
            string text = $"Request {customId} ({what}) failed: {message ?? "OpenAI gave no reason"} ({string.Join(", ", details)})";
            return new ImageBatchRequestException(kind, text, customId)
            {
                StatusCode = status,
                Type = type,
                Code = code,
                Param = inner?.GetStringProperty("param"),
                RequestId = requestId,
                ServerMessage = message,
                Prompt = info?.Prompt,
                SourceFiles = info?.SourceFiles ?? Array.Empty<string>(),
                BatchId = batch.Id,
            };
        }
    }
}
