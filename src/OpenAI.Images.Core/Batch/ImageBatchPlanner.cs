using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using OpenAI.Images.Http;
using OpenAI.Images.Json;

namespace OpenAI.Images.Batch
{
    /// <summary>The Batch API's limits; lowered by tests through this seam (internal, not a user setting).</summary>
    internal static class BatchLimits
    {
        /// <summary>Requests per input file (the API allows 50,000).</summary>
        internal static int MaxLines = 50_000;

        /// <summary>Bytes per input file (the API allows 200 MB).</summary>
        internal static long MaxBytes = 200L * 1024 * 1024;

        /// <summary>
        /// 1: Wait-OpenAIImageBatch runs on real time. Anything else (tests set 0): it runs on virtual time
        /// (<see cref="PollClock"/>): each wait between polls takes this fraction of its length in real time, and the
        /// wait's clock advances by exactly its length, so that -TimeoutSec ends after the same polls on any machine.
        /// </summary>
        internal static double PollDelayScale = 1.0;
    }

    /// <summary>
    /// Wait-OpenAIImageBatch's time: how long it has waited, and the pauses between polls. Real time (a stopwatch and
    /// Task.Delay), or under the tests' seam (<see cref="BatchLimits.PollDelayScale"/> not 1) virtual time that only the
    /// pauses advance, never the speed of the machine or of the server.
    /// </summary>
    internal sealed class PollClock
    {
        private readonly Stopwatch? _real;
        private readonly double _scale;
        private TimeSpan _virtual;

        private PollClock(Stopwatch? real, double scale)
        {
            _real = real;
            _scale = scale;
        }

        /// <summary>How long the wait has taken so far.</summary>
        public TimeSpan Elapsed => _real?.Elapsed ?? _virtual;

        /// <summary>A clock that starts now, on real time or (under the seam) on virtual time.</summary>
        public static PollClock StartNew()
        {
            double scale = BatchLimits.PollDelayScale;
            return scale == 1.0 ? new PollClock(Stopwatch.StartNew(), 1.0) : Virtual(scale);
        }

        /// <summary>A virtual-time clock whose pauses take <paramref name="scale"/> of their length in real time.</summary>
        internal static PollClock Virtual(double scale) => new PollClock(null, Math.Max(0, scale));

        /// <summary>Pauses for <paramref name="delay"/> (in virtual time: advances the clock by it).</summary>
        public async Task DelayAsync(TimeSpan delay, CancellationToken cancellationToken)
        {
            if (delay <= TimeSpan.Zero)
            {
                cancellationToken.ThrowIfCancellationRequested();
                return;
            }

            if (_real != null)
            {
                await Task.Delay(delay, cancellationToken).ConfigureAwait(false);
                return;
            }

            _virtual += delay;
            await Task.Delay(TimeSpan.FromTicks((long)(delay.Ticks * _scale)), cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One request of a job with its custom_id.</summary>
    public sealed class ImageBatchItem
    {
        /// <summary>Creates an item.</summary>
        public ImageBatchItem(PromptImageRequest request, string customId)
        {
            Request = request ?? throw new ArgumentNullException(nameof(request));
            CustomId = customId ?? throw new ArgumentNullException(nameof(customId));
        }

        /// <summary>A generation or an edit (edits: GPT image models; images referenced by file_id).</summary>
        public PromptImageRequest Request { get; }

        /// <summary>The line's custom_id, also the stem of the files its images are saved as.</summary>
        public string CustomId { get; }

        /// <summary>The endpoint the line goes to.</summary>
        public string Endpoint => Request.Operation == ImageOperation.Edit ? ImageBatchPlanner.EditsEndpoint : ImageBatchPlanner.GenerationsEndpoint;
    }

    /// <summary>A planned input file: endpoint, requests and bytes.</summary>
    public sealed class ImageBatchPartPlan
    {
        internal ImageBatchPartPlan(string endpoint, int lines, long bytes)
        {
            Endpoint = endpoint;
            Lines = lines;
            Bytes = bytes;
        }

        /// <summary>The batch's endpoint.</summary>
        public string Endpoint { get; }

        /// <summary>Requests in the file.</summary>
        public int Lines { get; }

        /// <summary>Bytes in the file.</summary>
        public long Bytes { get; }
    }

    /// <summary>
    /// Turns a job's requests into JSONL input files, written line by line (one file per endpoint, split at the
    /// API's limits), and works out the custom_ids and the local images to upload.
    /// </summary>
    public static class ImageBatchPlanner
    {
        /// <summary>The generations endpoint as batch lines name it.</summary>
        public const string GenerationsEndpoint = "/v1/images/generations";

        /// <summary>The edits endpoint as batch lines name it.</summary>
        public const string EditsEndpoint = "/v1/images/edits";

        /// <summary>The purpose local edit images are uploaded with (image inputs referenced by file_id).</summary>
        public const string ImagePurpose = "vision";

        /// <summary>Shortest output_expires_after the Batch API takes (3600 seconds).</summary>
        public static readonly TimeSpan MinOutputExpiresAfter = TimeSpan.FromHours(1);

        /// <summary>Longest output_expires_after the Batch API takes (2592000 seconds).</summary>
        public static readonly TimeSpan MaxOutputExpiresAfter = TimeSpan.FromDays(30);

        /// <summary>
        /// Checks -OutputExpiresAfter against the Batch API's BatchFileExpirationAfter: whole seconds, 1 hour to 30 days.
        /// Throws <see cref="OpenAIValidationException"/>.
        /// </summary>
        public static void ValidateOutputExpiresAfter(TimeSpan value)
        {
            const string Hint = " Give a time span such as '7.00:00:00' or (New-TimeSpan -Days 7); a plain number is read by PowerShell as ticks, not seconds.";
            if (value.Ticks % TimeSpan.TicksPerSecond != 0)
            {
                throw new OpenAIValidationException(
                    "OutputExpiresAfter",
                    value,
                    "OutputExpiresAfterNotWholeSeconds",
                    $"-OutputExpiresAfter {value.ToString("c", CultureInfo.InvariantCulture)} is not a whole number of seconds, which the Batch API counts in." + Hint);
            }

            if (value < MinOutputExpiresAfter || value > MaxOutputExpiresAfter)
            {
                throw new OpenAIValidationException(
                    "OutputExpiresAfter",
                    value,
                    "OutputExpiresAfterOutOfRange",
                    $"-OutputExpiresAfter {value.ToString("c", CultureInfo.InvariantCulture)} is out of range: the Batch API keeps output files 1 hour (01:00:00) to 30 days (30.00:00:00) after they are created." + Hint);
            }
        }

        /// <summary>The custom_id of the request at <paramref name="index"/> (0-based) out of <paramref name="count"/>: NNNNN-slug.</summary>
        public static string CustomId(int index, int count, PromptImageRequest request)
        {
            int width = Math.Max(5, (count).ToString(CultureInfo.InvariantCulture).Length);
            string slug = request is ImageEditRequest e && e.Images.Count > 0
                ? ImageFiles.Slug(Path.GetFileNameWithoutExtension(e.Images[0].Path), 30) + "-edit"
                : ImageFiles.Slug(request.Prompt, 40);
            return (index + 1).ToString(CultureInfo.InvariantCulture).PadLeft(width, '0') + "-" + slug;
        }

        /// <summary>SHA-256 of a file's content, hex, read as a stream.</summary>
        public static string HashFile(string path)
        {
            using (var sha = SHA256.Create())
            using (var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920))
            {
                byte[] hash = sha.ComputeHash(stream);
                var sb = new StringBuilder(hash.Length * 2);
                foreach (byte b in hash)
                {
                    sb.Append(b.ToString("x2", CultureInfo.InvariantCulture));
                }

                return sb.ToString();
            }
        }

        /// <summary>
        /// Works out the input files without writing them (for -WhatIf): the same lines and the same split, with
        /// placeholder file ids of the length OpenAI's have.
        /// </summary>
        public static IReadOnlyList<ImageBatchPartPlan> Plan(IEnumerable<ImageBatchItem> items)
        {
            var parts = new List<ImageBatchPartPlan>();
            Split(items, _ => "file-XXXXXXXXXXXXXXXXXXXXXX", (endpoint, lines, bytes) => parts.Add(new ImageBatchPartPlan(endpoint, lines, bytes)), null, null);
            return parts;
        }

        /// <summary>
        /// Writes the input files next to the job file (JOBNAME.partN.jsonl for JOBNAME.imagebatch.json, each written to a temporary file and
        /// then renamed) and adds a batch per file to <paramref name="job"/>. <paramref name="fileIdOf"/> maps a local
        /// image path to its uploaded file id.
        /// </summary>
        public static void WriteInputFiles(ImageBatchJob job, IEnumerable<ImageBatchItem> items, Func<string, string> fileIdOf, bool overwrite)
        {
            string folder = job.Folder;
            string stem = Path.GetFileNameWithoutExtension(job.JobPath ?? job.Name);
            if (stem.EndsWith(".imagebatch", StringComparison.OrdinalIgnoreCase))
            {
                stem = stem.Substring(0, stem.Length - ".imagebatch".Length);
            }

            Split(
                items,
                fileIdOf,
                (endpoint, lines, bytes) => { },
                (endpoint, lines, bytes, temp) =>
                {
                    int part = job.Batches.Count + 1;
                    string name = stem + ".part" + part.ToString(CultureInfo.InvariantCulture) + ".jsonl";
                    ImageFiles.Commit(temp, Path.Combine(folder, name), overwrite);
                    job.Batches.Add(new ImageBatch { Part = part, Endpoint = endpoint, InputPath = name, LineCount = lines, ByteCount = bytes });
                },
                folder);
        }

        private sealed class OpenPart : IDisposable
        {
            public OpenPart(string endpoint, string? folder)
            {
                Endpoint = endpoint;
                if (folder != null)
                {
                    TempPath = Path.Combine(folder, ImageSink.TempPrefix + Guid.NewGuid().ToString("N") + ImageSink.TempSuffix);
                    Stream = new FileStream(TempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 65536);
                }
            }

            public string Endpoint { get; }

            public string? TempPath { get; }

            public FileStream? Stream { get; }

            public int Lines { get; set; }

            public long Bytes { get; set; }

            public void Dispose()
            {
                Stream?.Dispose();
                ImageSink.TryDelete(TempPath);
            }
        }

        private static void Split(
            IEnumerable<ImageBatchItem> items,
            Func<string, string> fileIdOf,
            Action<string, int, long> planned,
            Action<string, int, long, string>? written,
            string? folder)
        {
            var open = new Dictionary<string, OpenPart>(StringComparer.Ordinal);
            var order = new List<string>();
            void Close(OpenPart part)
            {
                open.Remove(part.Endpoint);
                planned(part.Endpoint, part.Lines, part.Bytes);
                if (written != null && part.Stream != null)
                {
                    part.Stream.Flush(true);
                    part.Stream.Dispose();
                    written(part.Endpoint, part.Lines, part.Bytes, part.TempPath!);
                }

                part.Dispose();
            }

            try
            {
                foreach (ImageBatchItem item in items)
                {
                    byte[] line = Line(item, fileIdOf);
                    if (line.Length > BatchLimits.MaxBytes)
                    {
                        throw new OpenAIValidationException(
                            "Prompt",
                            item.CustomId,
                            "BatchLineTooLarge",
                            $"The request '{item.CustomId}' takes {line.Length} bytes, more than a batch input file may hold ({BatchLimits.MaxBytes} bytes).");
                    }

                    if (open.TryGetValue(item.Endpoint, out OpenPart? part)
                        && (part.Lines + 1 > BatchLimits.MaxLines || part.Bytes + line.Length > BatchLimits.MaxBytes))
                    {
                        Close(part);
                        part = null;
                    }

                    if (part is null)
                    {
                        part = new OpenPart(item.Endpoint, written != null ? folder : null);
                        open[item.Endpoint] = part;
                    }

                    part.Stream?.Write(line, 0, line.Length);
                    part.Lines++;
                    part.Bytes += line.Length;
                }

                foreach (string endpoint in new[] { GenerationsEndpoint, EditsEndpoint })
                {
                    if (open.TryGetValue(endpoint, out OpenPart? part))
                    {
                        Close(part);
                    }
                }
            }
            finally
            {
                foreach (OpenPart part in open.Values.ToList())
                {
                    part.Dispose();
                }
            }
        }

        /// <summary>One JSONL line, with its trailing line feed.</summary>
        internal static byte[] Line(ImageBatchItem item, Func<string, string> fileIdOf)
        {
            var w = new JsonWriter();
            w.WriteStartObject();
            w.WriteString("custom_id", item.CustomId);
            w.WriteString("method", "POST");
            w.WriteString("url", item.Endpoint);
            w.WritePropertyName("body");
            w.WriteStartObject();
            IReadOnlyList<KeyValuePair<string, JsonValue>> extras = AdditionalBody.Convert(item.Request.AdditionalBody);
            if (item.Request is ImageEditRequest edit && !AdditionalBody.Overrides(extras, "images"))
            {
                w.WritePropertyName("images");
                w.WriteStartArray();
                foreach (ImageInputFile image in edit.Images)
                {
                    w.WriteStartObject();
                    w.WriteString("file_id", fileIdOf(image.Path));
                    w.WriteEndObject();
                }

                w.WriteEndArray();
            }

            if (item.Request is ImageEditRequest masked && masked.Mask != null && !AdditionalBody.Overrides(extras, "mask"))
            {
                w.WritePropertyName("mask");
                w.WriteStartObject();
                w.WriteString("file_id", fileIdOf(masked.Mask.Path));
                w.WriteEndObject();
            }

            foreach (KeyValuePair<string, object> field in RequestBody.Fields(item.Request, extras))
            {
                RequestBody.WriteField(w, field);
            }

            w.WriteEndObject();
            w.WriteEndObject();
            return Encoding.UTF8.GetBytes(w.ToString() + "\n");
        }
    }
}
