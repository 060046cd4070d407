using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace OpenAI.Images.FakeApi;

/// <summary>A stored file of the fake's in-memory <c>/files</c> store.</summary>
public sealed class FakeFile
{
    internal FakeFile(string id, string fileName, string purpose, byte[] content, long createdAt, long? expiresAt)
    {
        Id = id;
        FileName = fileName;
        Purpose = purpose;
        Content = content;
        CreatedAt = createdAt;
        ExpiresAt = expiresAt;
    }

    /// <summary><c>file-…</c>.</summary>
    public string Id { get; }

    /// <summary>The uploaded file name.</summary>
    public string FileName { get; }

    /// <summary>e.g. <c>batch</c>, <c>batch_output</c>.</summary>
    public string Purpose { get; }

    /// <summary>The bytes.</summary>
    public byte[] Content { get; }

    /// <summary>Unix seconds.</summary>
    public long CreatedAt { get; }

    /// <summary>Unix seconds, or null.</summary>
    public long? ExpiresAt { get; }
}

/// <summary>How the fake answers one batch line instead of running it (see <see cref="FakeOpenAIServer.BatchLineFault"/>).</summary>
/// <param name="Status">The line's response status_code.</param>
/// <param name="Message">error.message.</param>
/// <param name="Type">error.type.</param>
/// <param name="Code">error.code.</param>
public sealed record BatchLineFault(int Status, string Message, string Type = "invalid_request_error", string? Code = null);

/// <summary>In-memory <c>/files</c> and <c>/batches</c>: enough of the Batch API for a client's whole round trip.</summary>
internal sealed class FilesAndBatches
{
    private static readonly string[] InFlight = { "validating", "in_progress", "finalizing" };

    private readonly object _gate = new();
    private readonly List<FakeFile> _files = new();
    private readonly List<BatchState> _batches = new();
    private readonly FakeOpenAIServer _server;

    public FilesAndBatches(FakeOpenAIServer server) => _server = server;

    public int BatchPollsUntilDone { get; set; } = 3;

    public string BatchFinalStatus { get; set; } = "completed";

    /// <summary>Per-line fault: given a batch input line, a status and error to answer it with instead of images (null: normal).</summary>
    public Func<JsonObject, BatchLineFault?>? BatchLineFault { get; set; }

    /// <summary>Changes the success body of a batch line (e.g. a big image with <see cref="SuccessShape.PadImageTo"/>).</summary>
    public Action<JsonObject, SuccessShape>? BatchLineShape { get; set; }

    public void Clear()
    {
        lock (_gate)
        {
            _files.Clear();
            _batches.Clear();
        }

        BatchLineFault = null;
        BatchLineShape = null;
    }

    public FakeFile AddFile(string fileName, string purpose, byte[] content, long? expiresAfterSeconds = null)
    {
        long now = Now();
        var file = new FakeFile("file-" + RandomId(24), fileName, purpose, content, now, expiresAfterSeconds is long s ? now + s : null);
        lock (_gate)
        {
            _files.Add(file);
        }

        return file;
    }

    public FakeFile? GetFile(string id)
    {
        lock (_gate)
        {
            return _files.FirstOrDefault(f => f.Id == id);
        }
    }

    public IReadOnlyList<FakeFile> FilesSnapshot()
    {
        lock (_gate)
        {
            return _files.ToArray();
        }
    }

    public IReadOnlyList<string> BatchIdsSnapshot()
    {
        lock (_gate)
        {
            return _batches.Select(b => b.Id).ToArray();
        }
    }

    // ---- /files ----

    public Reply CreateFile(RecordedRequest request)
    {
        RecordedPart? file = request.Files("file").LastOrDefault();
        string? purpose = request.Field("purpose");
        if (file is null)
        {
            return Reply.OpenAIError(400, "Missing required parameter: 'file'.", "invalid_request_error", null, "file");
        }

        if (string.IsNullOrEmpty(purpose))
        {
            return Reply.OpenAIError(400, "Missing required parameter: 'purpose'.", "invalid_request_error", null, "purpose");
        }

        long? expires = long.TryParse(request.Field("expires_after[seconds]"), NumberStyles.Integer, CultureInfo.InvariantCulture, out long s) ? s : null;
        FakeFile stored = AddFile(file.FileName ?? "upload", purpose, file.Data, expires);
        return JsonReply(200, w => WriteFile(w, stored));
    }

    public Reply ListFiles(RecordedRequest request)
    {
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(request.QueryString);
        IEnumerable<FakeFile> files = FilesSnapshot();
        if (query.TryGetValue("purpose", out var purpose) && !string.IsNullOrEmpty(purpose))
        {
            files = files.Where(f => f.Purpose == purpose.ToString());
        }

        bool ascending = query.TryGetValue("order", out var order) && order.ToString() == "asc";
        return ListReply(ascending ? files.ToList() : files.Reverse().ToList(), f => f.Id, WriteFile, query, 10000);
    }

    public Reply RetrieveFile(string id) =>
        GetFile(id) is FakeFile f ? JsonReply(200, w => WriteFile(w, f)) : NoSuchFile(id);

    public Reply FileContent(string id)
    {
        if (GetFile(id) is not FakeFile f)
        {
            return NoSuchFile(id);
        }

        Reply reply = Reply.FromBytes(200, "application/octet-stream", f.Content);
        reply.AddOpenAIHeaders();
        reply.SetHeader("content-disposition", "attachment; filename=\"" + f.FileName + "\"");
        return reply;
    }

    public Reply DeleteFile(string id)
    {
        lock (_gate)
        {
            if (_files.RemoveAll(f => f.Id == id) == 0)
            {
                return NoSuchFile(id);
            }
        }

        return JsonReply(200, w =>
        {
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteString("object", "file");
            w.WriteBoolean("deleted", true);
            w.WriteEndObject();
        });
    }

    // ---- /batches ----

    public Reply CreateBatch(RecordedRequest request)
    {
        if (request.Json is not JsonObject body)
        {
            return Reply.OpenAIError(400, "We could not parse the JSON body of your request.", "invalid_request_error", null, null);
        }

        string? inputFileId = (string?)body["input_file_id"];
        string? endpoint = (string?)body["endpoint"];
        string? window = (string?)body["completion_window"];
        if (string.IsNullOrEmpty(inputFileId) || string.IsNullOrEmpty(endpoint) || string.IsNullOrEmpty(window))
        {
            string missing = string.IsNullOrEmpty(inputFileId) ? "input_file_id" : string.IsNullOrEmpty(endpoint) ? "endpoint" : "completion_window";
            return Reply.OpenAIError(400, $"Missing required parameter: '{missing}'.", "invalid_request_error", null, missing);
        }

        if (GetFile(inputFileId) is null)
        {
            return Reply.OpenAIError(400, $"Invalid 'input_file_id': '{inputFileId}'. File not found.", "invalid_request_error", "invalid_value", "input_file_id");
        }

        long? outputExpiresAfter = null;
        if (body["output_expires_after"] is JsonNode expires)
        {
            // BatchFileExpirationAfter: {"anchor": "created_at", "seconds": 3600..2592000}, both required.
            if (expires is not JsonObject e || e["anchor"] is not JsonValue anchorNode || !anchorNode.TryGetValue(out string? anchor))
            {
                return Reply.OpenAIError(400, "Missing required parameter: 'output_expires_after.anchor'.", "invalid_request_error", "missing_required_parameter", "output_expires_after.anchor");
            }

            if (anchor != "created_at")
            {
                return Reply.OpenAIError(400, $"Invalid value: '{anchor}'. Supported values are: 'created_at'.", "invalid_request_error", "invalid_value", "output_expires_after.anchor");
            }

            if (e["seconds"] is not JsonValue secondsNode || !secondsNode.TryGetValue(out long seconds))
            {
                return Reply.OpenAIError(400, "Invalid type for 'output_expires_after.seconds': expected an integer.", "invalid_request_error", "invalid_type", "output_expires_after.seconds");
            }

            if (seconds < 3600 || seconds > 2592000)
            {
                return Reply.OpenAIError(
                    400,
                    $"Invalid 'output_expires_after.seconds': {seconds}. Must be between 3600 (1 hour) and 2592000 (30 days).",
                    "invalid_request_error",
                    "integer_out_of_range",
                    "output_expires_after.seconds");
            }

            outputExpiresAfter = seconds;
        }

        var batch = new BatchState
        {
            Id = "batch_" + RandomId(32),
            Endpoint = endpoint,
            InputFileId = inputFileId,
            CompletionWindow = window,
            CreatedAt = Now(),
            Metadata = body["metadata"]?.DeepClone() as JsonObject,
            OutputExpiresAfter = outputExpiresAfter,
            Status = "validating",
        };
        lock (_gate)
        {
            _batches.Add(batch);
            return JsonReply(200, w => WriteBatch(w, batch));
        }
    }

    public Reply RetrieveBatch(string id)
    {
        lock (_gate)
        {
            BatchState? batch = _batches.FirstOrDefault(b => b.Id == id);
            if (batch is null)
            {
                return NoSuchBatch(id);
            }

            Advance(batch);
            return JsonReply(200, w => WriteBatch(w, batch));
        }
    }

    public Reply CancelBatch(string id)
    {
        lock (_gate)
        {
            BatchState? batch = _batches.FirstOrDefault(b => b.Id == id);
            if (batch is null)
            {
                return NoSuchBatch(id);
            }

            if (Array.IndexOf(InFlight, batch.Status) < 0)
            {
                return Reply.OpenAIError(409, $"Cannot cancel a batch with status '{batch.Status}'.", "invalid_request_error", null, null);
            }

            batch.Status = "cancelling";
            batch.CancellingAt = Now();
            return JsonReply(200, w => WriteBatch(w, batch));
        }
    }

    public Reply ListBatches(RecordedRequest request)
    {
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(request.QueryString);
        lock (_gate)
        {
            return ListReply(Enumerable.Reverse(_batches).ToList(), b => b.Id, WriteBatch, query, 20);
        }
    }

    /// <summary>One step per retrieval: validating → in_progress → finalizing → final status; cancelling → cancelled.</summary>
    private void Advance(BatchState batch)
    {
        long now = Now();
        if (batch.Status == "cancelling")
        {
            Produce(batch, now, partial: true, "batch_cancelled", "This request was not executed because the batch was cancelled.");
            batch.Status = "cancelled";
            batch.CancelledAt = now;
            return;
        }

        if (Array.IndexOf(InFlight, batch.Status) < 0)
        {
            return;
        }

        batch.Polls++;
        if (batch.Polls >= Math.Max(1, BatchPollsUntilDone))
        {
            Finish(batch, now);
        }
        else if (batch.Polls == BatchPollsUntilDone - 1 && batch.Polls > 1)
        {
            batch.Status = "finalizing";
            batch.InProgressAt ??= now;
            batch.FinalizingAt = now;
        }
        else
        {
            batch.Status = "in_progress";
            batch.InProgressAt ??= now;
        }
    }

    private void Finish(BatchState batch, long now)
    {
        batch.InProgressAt ??= now;
        switch (BatchFinalStatus)
        {
            case "failed":
                batch.Status = "failed";
                batch.FailedAt = now;
                batch.Errors = new List<(string Code, string Message, int? Line)> { ("invalid_request", "The fake was told to fail this batch.", null) };
                return;
            case "expired":
                // OpenAI keeps what ran before the 24 h window closed; the rest is in the error file as batch_expired.
                Produce(batch, now, partial: true, "batch_expired", "This request could not be executed before the completion window expired.");
                batch.Status = "expired";
                batch.ExpiredAt = now;
                return;
        }

        batch.FinalizingAt ??= now;
        Produce(batch, now, partial: false, null, null);
        batch.Status = "completed";
        batch.CompletedAt = now;
    }

    /// <summary>
    /// Runs the input lines and writes the output and error files as OpenAI does. With <paramref name="partial"/>, only
    /// the first half of the lines run; each other line gets <c>"response":null</c> and an error with <paramref name="code"/>.
    /// </summary>
    private void Produce(BatchState batch, long now, bool partial, string? code, string? message)
    {
        var output = new StringBuilder();
        var errors = new StringBuilder();
        int total = 0, ok = 0, failed = 0;
        string input = Encoding.UTF8.GetString(GetFile(batch.InputFileId)?.Content ?? Array.Empty<byte>());
        string[] inputLines = input.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToArray();
        int runs = partial ? inputLines.Length / 2 : inputLines.Length;
        foreach (string line in inputLines)
        {
            total++;
            if (total > runs)
            {
                string? id = null;
                try
                {
                    id = (string?)(JsonNode.Parse(line) as JsonObject)?["custom_id"];
                }
                catch (JsonException)
                {
                }

                errors.Append(Encoding.UTF8.GetString(Json.Write(w =>
                {
                    w.WriteStartObject();
                    w.WriteString("id", "batch_req_" + RandomId(32));
                    Json.WriteNullable(w, "custom_id", id);
                    w.WriteNull("response");
                    w.WriteStartObject("error");
                    w.WriteString("code", code);
                    w.WriteString("message", message);
                    w.WriteEndObject();
                    w.WriteEndObject();
                }))).Append('\n');
                failed++;
                continue;
            }

            JsonObject? item = null;
            try
            {
                item = JsonNode.Parse(line) as JsonObject;
            }
            catch (JsonException)
            {
            }

            string? customId = item is null ? null : (string?)item["custom_id"];
            string? url = item is null ? null : (string?)item["url"];
            JsonObject? body = item?["body"] as JsonObject;
            string? endpoint = url is null ? null : FakeOpenAIServer.ImageEndpointOf(url);
            string? prompt = body is null ? null : (string?)body["prompt"];
            byte[] responseBody;
            int status;
            string? missingFile = (body?["images"] as JsonArray)?.Select(i => (string?)i?["file_id"]).FirstOrDefault(id => id != null && GetFile(id) is null);
            BatchLineFault? fault = item is null ? null : BatchLineFault?.Invoke(item);
            if (fault is not null)
            {
                status = fault.Status;
                responseBody = Reply.ErrorBody(fault.Message, fault.Type, fault.Code, null);
            }
            else if (missingFile is not null)
            {
                status = 400;
                responseBody = Reply.ErrorBody($"Invalid file_id: '{missingFile}'. File not found.", "invalid_request_error", "invalid_value", "images");
            }
            else if (endpoint is null || string.IsNullOrEmpty(prompt))
            {
                status = 400;
                responseBody = Reply.ErrorBody(
                    endpoint is null ? $"Invalid URL '{url}' for this batch line." : "Missing required parameter: 'prompt'.",
                    "invalid_request_error", null, endpoint is null ? "url" : "prompt");
            }
            else
            {
                SuccessShape shape = ImageRoutes.CreateShape(endpoint, null, ImageRoutes.FromJson(body!), stream: false, inputImages: (body!["images"] as JsonArray)?.Count ?? 0);
                shape.ResponseFormat = "b64_json";
                BatchLineShape?.Invoke(item!, shape);
                status = 200;
                responseBody = ImageRoutes.BuildReply(shape, _server).Concat();
            }

            StringBuilder target = status == 200 ? output : errors;
            target.Append(Encoding.UTF8.GetString(Json.Write(w =>
            {
                w.WriteStartObject();
                w.WriteString("id", "batch_req_" + RandomId(32));
                Json.WriteNullable(w, "custom_id", customId);
                w.WriteStartObject("response");
                w.WriteNumber("status_code", status);
                w.WriteString("request_id", Reply.NewRequestId());
                w.WritePropertyName("body");
                using (JsonDocument doc = JsonDocument.Parse(responseBody))
                {
                    doc.RootElement.WriteTo(w);
                }

                w.WriteEndObject();
                w.WriteNull("error");
                w.WriteEndObject();
            })));
            target.Append('\n');
            if (status == 200)
            {
                ok++;
            }
            else
            {
                failed++;
            }
        }

        batch.Total = total;
        batch.Completed = ok;
        batch.Failed = failed;
        if (output.Length > 0)
        {
            batch.OutputFileId = AddFileLocked($"batch_{batch.Id}_output.jsonl", output, batch.OutputExpiresAfter).Id;
        }

        if (errors.Length > 0)
        {
            batch.ErrorFileId = AddFileLocked($"batch_{batch.Id}_error.jsonl", errors, batch.OutputExpiresAfter).Id;
        }
    }

    private FakeFile AddFileLocked(string name, StringBuilder content, long? expiresAfter)
    {
        long now = Now();
        var file = new FakeFile("file-" + RandomId(24), name, "batch_output", Encoding.UTF8.GetBytes(content.ToString()), now, now + expiresAfter);
        _files.Add(file);
        return file;
    }

    /// <summary>A list page (<c>after</c>, <c>limit</c>) as <c>{"object":"list","data","first_id","last_id","has_more"}</c>.</summary>
    private static Reply ListReply<T>(List<T> ordered, Func<T, string> id, Action<Utf8JsonWriter, T> writeItem, Dictionary<string, Microsoft.Extensions.Primitives.StringValues> query, int defaultLimit)
    {
        int start = 0;
        if (query.TryGetValue("after", out var after) && !string.IsNullOrEmpty(after))
        {
            int index = ordered.FindIndex(x => id(x) == after.ToString());
            start = index < 0 ? ordered.Count : index + 1;
        }

        int limit = query.TryGetValue("limit", out var l) && int.TryParse(l.ToString(), NumberStyles.Integer, CultureInfo.InvariantCulture, out int parsed) && parsed > 0 ? parsed : defaultLimit;
        List<T> page = ordered.Skip(start).Take(limit).ToList();
        bool hasMore = start + page.Count < ordered.Count;
        return JsonReply(200, w =>
        {
            w.WriteStartObject();
            w.WriteString("object", "list");
            w.WriteStartArray("data");
            foreach (T item in page)
            {
                writeItem(w, item);
            }

            w.WriteEndArray();
            Json.WriteNullable(w, "first_id", page.Count > 0 ? id(page[0]) : null);
            Json.WriteNullable(w, "last_id", page.Count > 0 ? id(page[^1]) : null);
            w.WriteBoolean("has_more", hasMore);
            w.WriteEndObject();
        });
    }

    private static void WriteFile(Utf8JsonWriter w, FakeFile f)
    {
        w.WriteStartObject();
        w.WriteString("id", f.Id);
        w.WriteString("object", "file");
        w.WriteNumber("bytes", f.Content.Length);
        w.WriteNumber("created_at", f.CreatedAt);
        Json.WriteNullable(w, "expires_at", f.ExpiresAt);
        w.WriteString("filename", f.FileName);
        w.WriteString("purpose", f.Purpose);
        w.WriteString("status", "processed");
        w.WriteNull("status_details");
        w.WriteEndObject();
    }

    private static void WriteBatch(Utf8JsonWriter w, BatchState b)
    {
        w.WriteStartObject();
        w.WriteString("id", b.Id);
        w.WriteString("object", "batch");
        w.WriteString("endpoint", b.Endpoint);
        if (b.Errors is null)
        {
            w.WriteNull("errors");
        }
        else
        {
            w.WriteStartObject("errors");
            w.WriteString("object", "list");
            w.WriteStartArray("data");
            foreach ((string code, string message, int? line) in b.Errors)
            {
                w.WriteStartObject();
                w.WriteString("code", code);
                w.WriteString("message", message);
                w.WriteNull("param");
                Json.WriteNullable(w, "line", line);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteString("input_file_id", b.InputFileId);
        w.WriteString("completion_window", b.CompletionWindow);
        w.WriteString("status", b.Status);
        Json.WriteNullable(w, "output_file_id", b.OutputFileId);
        Json.WriteNullable(w, "error_file_id", b.ErrorFileId);
        w.WriteNumber("created_at", b.CreatedAt);
        Json.WriteNullable(w, "in_progress_at", b.InProgressAt);
        w.WriteNumber("expires_at", b.CreatedAt + 86400);
        Json.WriteNullable(w, "finalizing_at", b.FinalizingAt);
        Json.WriteNullable(w, "completed_at", b.CompletedAt);
        Json.WriteNullable(w, "failed_at", b.FailedAt);
        Json.WriteNullable(w, "expired_at", b.ExpiredAt);
        Json.WriteNullable(w, "cancelling_at", b.CancellingAt);
        Json.WriteNullable(w, "cancelled_at", b.CancelledAt);
        w.WriteStartObject("request_counts");
        w.WriteNumber("total", b.Total);
        w.WriteNumber("completed", b.Completed);
        w.WriteNumber("failed", b.Failed);
        w.WriteEndObject();
        if (b.Metadata is null)
        {
            w.WriteNull("metadata");
        }
        else
        {
            w.WritePropertyName("metadata");
            b.Metadata.WriteTo(w);
        }

        w.WriteEndObject();
    }

    private static Reply JsonReply(int status, Action<Utf8JsonWriter> write)
    {
        Reply reply = Reply.FromBytes(status, "application/json", Json.Write(write, indented: true));
        reply.AddOpenAIHeaders();
        return reply;
    }

    private static Reply NoSuchFile(string id) => Reply.OpenAIError(404, $"No such File object: {id}", "invalid_request_error", null, "id");

    private static Reply NoSuchBatch(string id) => Reply.OpenAIError(404, $"No batch found with id '{id}'.", "invalid_request_error", null, null);

    private static long Now() => DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    private static string RandomId(int length)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return RandomNumberGenerator.GetString(alphabet, length);
    }

    private sealed class BatchState
    {
        public string Id { get; init; } = "";
        public string Endpoint { get; init; } = "";
        public string InputFileId { get; init; } = "";
        public string CompletionWindow { get; init; } = "";
        public JsonObject? Metadata { get; init; }
        public long? OutputExpiresAfter { get; init; }
        public long CreatedAt { get; init; }
        public string Status { get; set; } = "validating";
        public int Polls { get; set; }
        public long? InProgressAt { get; set; }
        public long? FinalizingAt { get; set; }
        public long? CompletedAt { get; set; }
        public long? FailedAt { get; set; }
        public long? ExpiredAt { get; set; }
        public long? CancellingAt { get; set; }
        public long? CancelledAt { get; set; }
        public string? OutputFileId { get; set; }
        public string? ErrorFileId { get; set; }
        public int Total { get; set; }
        public int Completed { get; set; }
        public int Failed { get; set; }
        public List<(string Code, string Message, int? Line)>? Errors { get; set; }
    }
}
