using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using OpenAI.Images.Http;
using OpenAI.Images.Json;

namespace OpenAI.Images.Batch
{
    /// <summary>
    /// The parts of the Files and Batch APIs an image job needs (/files, /files/{id}/content, /batches,
    /// /batches/{id}, /batches/{id}/cancel), over the same transport, retry policy and error mapping as the image calls.
    /// </summary>
    internal sealed class OpenAIBatchClient : OpenAIJsonClient
    {
        public OpenAIBatchClient(OpenAIClientOptions options, ClientDiagnostics diagnostics)
            : base(options, diagnostics)
        {
        }

        internal OpenAIBatchClient(OpenAIClientOptions options, ClientDiagnostics diagnostics, HttpClient http, RetryPolicy policy)
            : base(options, diagnostics, http, policy)
        {
        }

        /// <summary>POST /files: uploads a local file (streamed from disk on each attempt).</summary>
        public Task<JsonValue> UploadFileAsync(string path, string fileName, string contentType, string purpose, CancellationToken ct)
        {
            long length = new FileInfo(path).Length;
            return SendJsonAsync(
                HttpMethod.Post,
                "files",
                () =>
                {
                    var form = new MultipartFormContent();
                    form.AddField("purpose", purpose);
                    form.AddFile("file", fileName, contentType, () => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, useAsync: true), length);
                    return form;
                },
                $"multipart/form-data: purpose={purpose}; file=@{fileName} ({contentType}, {length} bytes)",
                ct);
        }

        /// <summary>
        /// POST /batches with completion_window 24h (and output_expires_after, anchor created_at, when given). Before a retry after a failure that may have created the batch
        /// (<see cref="MayHaveTakenEffect"/>), <paramref name="findCreated"/> (when given) looks for it: a batch it finds
        /// is the answer, and the POST is not sent again.
        /// </summary>
        public Task<JsonValue> CreateBatchAsync(
            string inputFileId,
            string endpoint,
            IEnumerable<KeyValuePair<string, string>> metadata,
            CancellationToken ct,
            Func<OpenAIException, CancellationToken, Task<JsonValue?>>? findCreated = null,
            long? outputExpiresAfterSeconds = null)
        {
            var w = new JsonWriter();
            w.WriteStartObject();
            w.WriteString("input_file_id", inputFileId);
            w.WriteString("endpoint", endpoint);
            w.WriteString("completion_window", "24h");
            w.WritePropertyName("metadata");
            w.WriteStartObject();
            foreach (KeyValuePair<string, string> item in metadata)
            {
                w.WriteString(item.Key, item.Value.Length <= 512 ? item.Value : item.Value.Substring(0, 512));
            }

            w.WriteEndObject();
            if (outputExpiresAfterSeconds is long seconds)
            {
                w.WritePropertyName("output_expires_after");
                w.WriteStartObject();
                w.WriteString("anchor", "created_at");
                w.WriteNumber("seconds", seconds);
                w.WriteEndObject();
            }

            w.WriteEndObject();
            byte[] body = w.ToUtf8Bytes();
            string summary = w.ToString();
            Func<OpenAIException, CancellationToken, Task<(bool, JsonValue)>>? beforeRetry = null;
            if (findCreated != null)
            {
                beforeRetry = async (failure, token) =>
                {
                    if (!MayHaveTakenEffect(failure))
                    {
                        return (false, null!);
                    }

                    JsonValue? found = await findCreated(failure, token).ConfigureAwait(false);
                    return found is null ? (false, null!) : (true, found);
                };
            }

            return SendJsonAsync(HttpMethod.Post, "batches", () => JsonContent(body), summary, ct, beforeRetry);
        }

        /// <summary>
        /// Whether a failed POST may still have taken effect at OpenAI: no answer (timeout, broken connection), an answer
        /// cut off, or a 5xx (also from a proxy in front of OpenAI, which may have passed the request on). A 4xx
        /// (400, 408, 409, 429 …) is OpenAI refusing the request: nothing was created.
        /// </summary>
        internal static bool MayHaveTakenEffect(OpenAIException failure) =>
            !(failure.StatusCode is int status && status >= 400 && status < 500);

        /// <summary>GET /batches/{id}.</summary>
        public Task<JsonValue> GetBatchAsync(string id, CancellationToken ct) =>
            SendJsonAsync(HttpMethod.Get, "batches/" + Uri.EscapeDataString(id), null, null, ct);

        /// <summary>POST /batches/{id}/cancel.</summary>
        public Task<JsonValue> CancelBatchAsync(string id, CancellationToken ct) =>
            SendJsonAsync(HttpMethod.Post, "batches/" + Uri.EscapeDataString(id) + "/cancel", null, null, ct);

        /// <summary>GET /batches?limit=N[&amp;after=ID]: one page of the organization's batches, newest first.</summary>
        public Task<JsonValue> ListBatchesAsync(int limit, string? after, CancellationToken ct) =>
            SendJsonAsync(
                HttpMethod.Get,
                "batches?limit=" + limit.ToString(System.Globalization.CultureInfo.InvariantCulture) + (after is null ? string.Empty : "&after=" + Uri.EscapeDataString(after)),
                null,
                null,
                ct);

        /// <summary>
        /// GET /files/{id}/content: hands the body stream to <paramref name="read"/>. A connection that breaks while
        /// reading is retried from the start (the readers are idempotent: what was saved is skipped).
        /// </summary>
        public Task DownloadFileAsync(string fileId, Func<Stream, CancellationToken, Task> read, CancellationToken ct)
        {
            Uri uri = Endpoint("files/" + Uri.EscapeDataString(fileId) + "/content");
            return Transport.SendAsync(
                () => NewMessage(HttpMethod.Get, uri, null, "application/octet-stream"),
                async (response, token) =>
                {
                    using (Stream body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false))
                    {
                        await read(body, token).ConfigureAwait(false);
                    }

                    return true;
                },
                retryBodyFailures: true,
                bodySummary: null,
                ct);
        }

        private async Task<JsonValue> SendJsonAsync(
            HttpMethod method,
            string relative,
            Func<HttpContent>? content,
            string? summary,
            CancellationToken ct,
            Func<OpenAIException, CancellationToken, Task<(bool Done, JsonValue Result)>>? beforeRetry = null)
        {
            try
            {
                return await SendJsonCoreAsync(method, relative, content, summary, ct, beforeRetry).ConfigureAwait(false);
            }
            catch (OpenAIException e) when (e.Kind == OpenAIErrorKind.NotFound)
            {
                // The transport's advice names -Model; here the id is what was not found.
                throw new OpenAIException(
                    OpenAIErrorKind.NotFound,
                    $"{e.ServerMessage ?? "Not found."} (HTTP 404{(e.RequestId != null ? ", request " + e.RequestId : string.Empty)}) "
                    + "Check the id, and that the API key belongs to the organization and project that started the job.",
                    e.InnerException)
                {
                    StatusCode = e.StatusCode,
                    Type = e.Type,
                    Code = e.Code,
                    Param = e.Param,
                    RequestId = e.RequestId,
                    ServerMessage = e.ServerMessage,
                    Attempts = e.Attempts,
                };
            }
        }

    }
}
