using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using OpenAI.Images.Http;
using OpenAI.Images.Json;

namespace OpenAI.Images
{
    /// <summary>
    /// An image job run through the OpenAI Batch API: one or more batches (split at the API's limits and by
    /// endpoint), the local images uploaded for edits, and where the job file is. Saved as JSON (never with the key).
    /// </summary>
    public sealed class ImageBatchJob
    {
        /// <summary>The job file; null for a job made from batch ids alone.</summary>
        public string? JobPath { get; set; }

        /// <summary>The job's name (also in each batch's metadata).</summary>
        public string Name { get; set; } = string.Empty;

        /// <summary>A random id that ties the job's batches together (in each batch's metadata).</summary>
        public string JobId { get; set; } = string.Empty;

        /// <summary>When the job was started.</summary>
        public DateTimeOffset Created { get; set; }

        /// <summary>
        /// How long after their creation the batches' output and error files expire (the Batch API's
        /// output_expires_after, anchor created_at; 1 hour to 30 days); null leaves OpenAI's default.
        /// </summary>
        public TimeSpan? OutputExpiresAfter { get; set; }

        /// <summary>The job's batches, one per input file.</summary>
        public List<ImageBatch> Batches { get; } = new List<ImageBatch>();

        /// <summary>Local images uploaded for edits, one per distinct content.</summary>
        public List<ImageBatchUpload> Uploads { get; } = new List<ImageBatchUpload>();

        /// <summary>The ids of the batches created so far.</summary>
        public string[] BatchIds => Batches.Where(b => b.Id != null).Select(b => b.Id!).ToArray();

        /// <summary>
        /// The job's status: the least advanced status while any batch is still running (validating, in_progress,
        /// finalizing, cancelling); once all are final, their common status, or the worst of failed, expired, cancelled.
        /// <c>not_submitted</c> when a batch was planned but never created.
        /// </summary>
        public string Status
        {
            get
            {
                if (Batches.Count == 0)
                {
                    return ImageBatch.NotSubmitted;
                }

                foreach (string s in new[] { ImageBatch.NotSubmitted, "validating", "in_progress", "finalizing", "cancelling" })
                {
                    if (Batches.Any(b => b.Status == s))
                    {
                        return s;
                    }
                }

                foreach (string s in new[] { "failed", "expired", "cancelled" })
                {
                    if (Batches.Any(b => b.Status == s))
                    {
                        return s;
                    }
                }

                return "completed";
            }
        }

        /// <summary>True when every batch has a final status (completed, failed, expired, cancelled).</summary>
        public bool IsFinal => Batches.Count > 0 && Batches.All(b => b.IsFinal);

        /// <summary>Requests in the job (the API's counts once known, else the planned lines).</summary>
        public int Total => Batches.Sum(b => b.Total > 0 ? b.Total : b.LineCount);

        /// <summary>Requests completed so far.</summary>
        public int Completed => Batches.Sum(b => b.Completed);

        /// <summary>Requests failed so far.</summary>
        public int Failed => Batches.Sum(b => b.Failed);

        /// <inheritdoc />
        public override string ToString() => $"{Name} ({Status}, {Completed}/{Total} completed, {Failed} failed)";

        /// <summary>The folder of the job file (relative input paths are resolved against it).</summary>
        internal string Folder => JobPath is null ? Directory.GetCurrentDirectory() : Path.GetDirectoryName(Path.GetFullPath(JobPath)) ?? ".";

        /// <summary>Writes the job file atomically: a hidden temporary file in the same folder, then a rename.</summary>
        public void Save()
        {
            if (JobPath is null)
            {
                return;
            }

            ImageFiles.WriteAllBytes(JobPath, Encoding.UTF8.GetBytes(ToJson()), overwrite: true);
        }

        /// <summary>Reads a job file.</summary>
        public static ImageBatchJob Load(string path)
        {
            string text = File.ReadAllText(path, Encoding.UTF8);
            JsonValue root;
            try
            {
                root = JsonValue.Parse(text);
            }
            catch (FormatException ex)
            {
                throw new InvalidDataException($"The job file '{path}' is not valid JSON: {ex.Message}", ex);
            }

            if (root.Kind != JsonValueKind.Object || root.GetStringProperty("kind") != FileKind)
            {
                throw new InvalidDataException($"The file '{path}' is not an OpenAI.Images batch job file.");
            }

            var job = new ImageBatchJob
            {
                JobPath = Path.GetFullPath(path),
                Name = root.GetStringProperty("name") ?? string.Empty,
                JobId = root.GetStringProperty("jobId") ?? string.Empty,
                Created = DateTimeOffset.TryParse(root.GetStringProperty("created"), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out DateTimeOffset created) ? created : default,
                OutputExpiresAfter = root.GetInt64Property("outputExpiresAfterSeconds") is long seconds ? TimeSpan.FromSeconds(seconds) : (TimeSpan?)null,
            };
            foreach (JsonValue u in root["uploads"]?.Items ?? Array.Empty<JsonValue>())
            {
                job.Uploads.Add(new ImageBatchUpload
                {
                    Sha256 = u.GetStringProperty("sha256") ?? string.Empty,
                    Path = u.GetStringProperty("path") ?? string.Empty,
                    Length = u.GetInt64Property("bytes") ?? 0,
                    FileId = u.GetStringProperty("fileId"),
                });
            }

            foreach (JsonValue b in root["batches"]?.Items ?? Array.Empty<JsonValue>())
            {
                var batch = new ImageBatch
                {
                    Part = (int)(b.GetInt64Property("part") ?? 0),
                    Endpoint = b.GetStringProperty("endpoint") ?? string.Empty,
                    InputPath = b.GetStringProperty("inputPath"),
                    LineCount = (int)(b.GetInt64Property("lines") ?? 0),
                    ByteCount = b.GetInt64Property("bytes") ?? 0,
                    InputFileId = b.GetStringProperty("inputFileId"),
                };
                if (b["batch"] is JsonValue state && state.Kind == JsonValueKind.Object)
                {
                    batch.Apply(state);
                }

                job.Batches.Add(batch);
            }

            return job;
        }

        internal const string FileKind = "OpenAI.Images.ImageBatchJob";

        internal string ToJson()
        {
            var w = new JsonWriter();
            w.WriteStartObject();
            w.WriteString("kind", FileKind);
            w.WriteNumber("version", 1);
            w.WriteString("name", Name);
            w.WriteString("jobId", JobId);
            w.WriteString("created", Created.ToString("o", CultureInfo.InvariantCulture));
            if (OutputExpiresAfter is TimeSpan expiresAfter)
            {
                w.WriteNumber("outputExpiresAfterSeconds", (long)expiresAfter.TotalSeconds);
            }

            w.WritePropertyName("uploads");
            w.WriteStartArray();
            foreach (ImageBatchUpload u in Uploads)
            {
                w.WriteStartObject();
                w.WriteString("sha256", u.Sha256);
                w.WriteString("path", u.Path);
                w.WriteNumber("bytes", u.Length);
                WriteNullable(w, "fileId", u.FileId);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WritePropertyName("batches");
            w.WriteStartArray();
            foreach (ImageBatch b in Batches)
            {
                w.WriteStartObject();
                w.WriteNumber("part", b.Part);
                w.WriteString("endpoint", b.Endpoint);
                WriteNullable(w, "inputPath", b.InputPath);
                w.WriteNumber("lines", b.LineCount);
                w.WriteNumber("bytes", b.ByteCount);
                WriteNullable(w, "inputFileId", b.InputFileId);
                if (b.Raw != null)
                {
                    w.WriteValue("batch", b.Raw);
                }
                else
                {
                    w.WriteNull("batch");
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
            return w.ToString();
        }

        private static void WriteNullable(JsonWriter w, string name, string? value)
        {
            if (value is null)
            {
                w.WriteNull(name);
            }
            else
            {
                w.WriteString(name, value);
            }
        }
    }

    /// <summary>One batch of an image job: its input file and the API's Batch object as last seen.</summary>
    public sealed class ImageBatch
    {
        /// <summary>The status of a batch that was planned but not created (yet).</summary>
        public const string NotSubmitted = "not_submitted";

        /// <summary>1-based number of the batch within its job.</summary>
        public int Part { get; set; }

        /// <summary>/v1/images/generations or /v1/images/edits.</summary>
        public string Endpoint { get; set; } = string.Empty;

        /// <summary>The local copy of the input JSONL (relative to the job file's folder).</summary>
        public string? InputPath { get; set; }

        /// <summary>Requests in the input file.</summary>
        public int LineCount { get; set; }

        /// <summary>Size of the input file in bytes.</summary>
        public long ByteCount { get; set; }

        /// <summary>The uploaded input file.</summary>
        public string? InputFileId { get; set; }

        /// <summary>The batch id (batch_…), once created.</summary>
        public string? Id { get; set; }

        /// <summary>validating, failed, in_progress, finalizing, completed, expired, cancelling, cancelled (or not_submitted).</summary>
        public string Status { get; set; } = NotSubmitted;

        /// <summary>The file with the successful requests' responses.</summary>
        public string? OutputFileId { get; set; }

        /// <summary>The file with the failed requests' errors.</summary>
        public string? ErrorFileId { get; set; }

        /// <summary>request_counts.total.</summary>
        public int Total { get; set; }

        /// <summary>request_counts.completed.</summary>
        public int Completed { get; set; }

        /// <summary>request_counts.failed.</summary>
        public int Failed { get; set; }

        /// <summary>When OpenAI created the batch.</summary>
        public DateTimeOffset? CreatedAt { get; set; }

        /// <summary>When the batch's 24-hour window ends.</summary>
        public DateTimeOffset? ExpiresAt { get; set; }

        /// <summary>The batch's own errors (for example why it failed validation).</summary>
        public List<ImageBatchError> Errors { get; } = new List<ImageBatchError>();

        /// <summary>The batch's metadata.</summary>
        public Dictionary<string, string> Metadata { get; } = new Dictionary<string, string>(StringComparer.Ordinal);

        /// <summary>True for completed, failed, expired and cancelled.</summary>
        public bool IsFinal => IsFinalStatus(Status);

        /// <summary>The Batch object as the API last returned it.</summary>
        internal JsonValue? Raw { get; private set; }

        /// <summary>True for a status after which a batch never changes.</summary>
        public static bool IsFinalStatus(string? status) =>
            status == "completed" || status == "failed" || status == "expired" || status == "cancelled";

        /// <inheritdoc />
        public override string ToString() => $"{Id ?? "(not created)"} {Status} {Completed}/{Total}";

        /// <summary>Takes the fields of an API Batch object.</summary>
        internal void Apply(JsonValue batch)
        {
            Raw = batch;
            Id = batch.GetStringProperty("id") ?? Id;
            Status = batch.GetStringProperty("status") ?? Status;
            if (batch.GetStringProperty("endpoint") is string endpoint)
            {
                Endpoint = endpoint;
            }

            InputFileId = batch.GetStringProperty("input_file_id") ?? InputFileId;
            OutputFileId = batch.GetStringProperty("output_file_id");
            ErrorFileId = batch.GetStringProperty("error_file_id");
            JsonValue? counts = batch["request_counts"];
            Total = (int)(counts?.GetInt64Property("total") ?? 0);
            Completed = (int)(counts?.GetInt64Property("completed") ?? 0);
            Failed = (int)(counts?.GetInt64Property("failed") ?? 0);
            CreatedAt = Time(batch.GetInt64Property("created_at"));
            ExpiresAt = Time(batch.GetInt64Property("expires_at"));
            Errors.Clear();
            foreach (JsonValue e in batch["errors"]?["data"]?.Items ?? Array.Empty<JsonValue>())
            {
                Errors.Add(new ImageBatchError
                {
                    Code = e.GetStringProperty("code"),
                    Message = e.GetStringProperty("message"),
                    Param = e.GetStringProperty("param"),
                    Line = (int?)e.GetInt64Property("line"),
                });
            }

            Metadata.Clear();
            if (batch["metadata"] is JsonValue metadata && metadata.Kind == JsonValueKind.Object)
            {
                foreach (KeyValuePair<string, JsonValue> p in metadata.Properties)
                {
                    if (p.Value.GetString() is string v)
                    {
                        Metadata[p.Key] = v;
                    }
                }
            }
        }

        private static DateTimeOffset? Time(long? unix) => unix is long s ? DateTimeOffset.FromUnixTimeSeconds(s) : (DateTimeOffset?)null;
    }

    /// <summary>An error of a whole batch (the spec's BatchError).</summary>
    public sealed class ImageBatchError
    {
        /// <summary>An error code identifying the error type.</summary>
        public string? Code { get; set; }

        /// <summary>A human-readable message.</summary>
        public string? Message { get; set; }

        /// <summary>The parameter that caused the error.</summary>
        public string? Param { get; set; }

        /// <summary>The input line that caused the error.</summary>
        public int? Line { get; set; }

        /// <inheritdoc />
        public override string ToString() => $"{Code}: {Message}" + (Line is int l ? $" (line {l})" : string.Empty);
    }

    /// <summary>A local image uploaded once for a job's edits.</summary>
    public sealed class ImageBatchUpload
    {
        /// <summary>SHA-256 of the content (hex): the same bytes are uploaded once.</summary>
        public string Sha256 { get; set; } = string.Empty;

        /// <summary>The first local file with this content.</summary>
        public string Path { get; set; } = string.Empty;

        /// <summary>Size in bytes.</summary>
        public long Length { get; set; }

        /// <summary>The uploaded file (file-…), once uploaded.</summary>
        public string? FileId { get; set; }
    }
}
