using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using OpenAI.Images.Http;
using OpenAI.Images.Json;

namespace OpenAI.Images
{
    /// <summary>
    /// The OpenAI Images API client: generations, edits and variations, with retries, per-attempt timeouts and
    /// responses decoded straight into memory or into temporary files, never holding a whole response body as text.
    /// </summary>
    public sealed class OpenAIImagesClient
    {
        private readonly OpenAIClientOptions _options;
        private readonly ClientDiagnostics _diagnostics;
        private readonly OpenAITransport _transport;

        /// <summary>Creates a client over the shared HttpClient for the options' proxy settings.</summary>
        public OpenAIImagesClient(OpenAIClientOptions options, ClientDiagnostics? diagnostics = null)
            : this(options, diagnostics ?? new ClientDiagnostics(), HttpClientCache.Get(options.Proxy, options.ProxyCredential), new RetryPolicy(options.MaxRetries))
        {
        }

        internal OpenAIImagesClient(OpenAIClientOptions options, ClientDiagnostics diagnostics, HttpClient http, RetryPolicy policy)
        {
            _options = options ?? throw new ArgumentNullException(nameof(options));
            _diagnostics = diagnostics;
            _transport = new OpenAITransport(options, http, policy, diagnostics);
        }

        /// <summary>Creates a client whose requests share <paramref name="pause"/> with the other requests of a batch.</summary>
        public OpenAIImagesClient(OpenAIClientOptions options, ClientDiagnostics? diagnostics, SharedPause? pause)
            : this(options, diagnostics)
        {
            _transport.Pause = pause;
        }

        internal RetryPolicy RetryPolicy => _transport.Policy;

        /// <summary>The pause shared with the other requests of a batch, if any.</summary>
        internal SharedPause? Pause
        {
            get => _transport.Pause;
            set => _transport.Pause = value;
        }

        /// <summary>The relative API path of an operation.</summary>
        public static string PathOf(ImageOperation operation) => operation switch
        {
            ImageOperation.Generation => "images/generations",
            ImageOperation.Edit => "images/edits",
            _ => "images/variations",
        };

        /// <summary>The full URL a request for <paramref name="operation"/> goes to.</summary>
        public Uri EndpointFor(ImageOperation operation) => EndpointResolver.Resolve(_options, PathOf(operation));

        /// <summary>
        /// Sends a request and returns one result per final image. With <paramref name="tempDirectory"/>, decoded images
        /// are left in hidden temporary files there for the caller to commit (see <see cref="ImageFiles"/>); without it
        /// they are kept in <see cref="ImageResult.Data"/>. Partial images of a streamed response are passed to
        /// <paramref name="onPartialImage"/> as they arrive. Nothing is left on disk when this throws.
        /// </summary>
        public async Task<IReadOnlyList<ImageResult>> SendAsync(
            ImageRequest request,
            string? tempDirectory,
            Action<ImageResult>? onPartialImage,
            CancellationToken cancellationToken)
        {
            if (_options.ApiKey is null)
            {
                throw new OpenAIException(OpenAIErrorKind.MissingApiKey, "No API key was given.");
            }

            Uri uri = EndpointFor(request.Operation);
            EndpointResolver.EnsureSafeTransport(uri, _options);
            string summary = RequestBody.Summarize(request);
            bool streaming = request.IsStreaming;
            var results = await _transport.SendAsync(
                () =>
                {
                    var message = new HttpRequestMessage(HttpMethod.Post, uri) { Content = RequestBody.Create(request, _diagnostics) };
                    EndpointResolver.Authenticate(message, _options);
                    message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(streaming ? "text/event-stream" : "application/json"));
                    message.Headers.UserAgent.Add(new ProductInfoHeaderValue("OpenAI.Images.PowerShell", ModuleVersion));
                    return message;
                },
                (response, ct) => ReadResponseAsync(response, request, tempDirectory, onPartialImage, ct),
                retryBodyFailures: !streaming,
                summary,
                cancellationToken).ConfigureAwait(false);
            return results;
        }

        /// <summary>
        /// Downloads an image URL (never sending the API key) into memory or a temporary file in
        /// <paramref name="tempDirectory"/>; fills the result's data or pending file and detected format.
        /// </summary>
        public Task DownloadAsync(ImageResult result, string? tempDirectory, CancellationToken cancellationToken)
        {
            Uri url = result.Url ?? throw new ArgumentException("The image has no URL.", nameof(result));
            return _transport.SendAsync(
                () =>
                {
                    var message = new HttpRequestMessage(HttpMethod.Get, url);
                    message.Headers.UserAgent.Add(new ProductInfoHeaderValue("OpenAI.Images.PowerShell", ModuleVersion));
                    return message;
                },
                async (response, ct) =>
                {
                    using (Stream body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false))
                    using (ImageSink sink = ImageSink.Create(tempDirectory))
                    {
                        await body.CopyToAsync(sink.Stream, 81920, ct).ConfigureAwait(false);
                        await sink.CompleteAsync(result, ct).ConfigureAwait(false);
                    }

                    return true;
                },
                retryBodyFailures: true,
                bodySummary: null,
                cancellationToken);
        }

        internal static string ModuleVersion { get; } =
            typeof(OpenAIImagesClient).Assembly.GetName().Version?.ToString(3) ?? "0.0.0";

        private async Task<IReadOnlyList<ImageResult>> ReadResponseAsync(
            HttpResponseMessage response,
            ImageRequest request,
            string? tempDirectory,
            Action<ImageResult>? onPartialImage,
            CancellationToken cancellationToken)
        {
            string? requestId = OpenAITransport.RequestIdOf(response);
            var finals = new List<ImageResult>();
            var partials = new List<ImageResult>();
            try
            {
                using (Stream body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false))
                {
                    string? mediaType = response.Content.Headers.ContentType?.MediaType;
                    if (string.Equals(mediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase))
                    {
                        await ReadEventStreamAsync(body, request, requestId, tempDirectory, finals, partials, onPartialImage, cancellationToken).ConfigureAwait(false);
                    }
                    else
                    {
                        await ReadJsonAsync(body, mediaType, request, requestId, tempDirectory, finals, cancellationToken).ConfigureAwait(false);
                    }
                }

                if (finals.Count == 0)
                {
                    throw InvalidResponse(requestId, request.IsStreaming
                        ? "The event stream ended before the final image arrived."
                        : "The response contained no images.");
                }

                return finals;
            }
            catch
            {
                ImageSink.DiscardPending(finals);
                throw;
            }
        }

        private static OpenAIException InvalidResponse(string? requestId, string message, Exception? inner = null) =>
            new OpenAIException(OpenAIErrorKind.InvalidResponse, message + (requestId != null ? $" (request {requestId})" : string.Empty), inner)
            {
                RequestId = requestId,
            };

        private async Task ReadJsonAsync(Stream stream, string? mediaType, ImageRequest request, string? requestId, string? tempDirectory, List<ImageResult> finals, CancellationToken ct)
        {
            var shared = new ResponseFields();
            var body = new CountingReadStream(stream);
            var reader = new JsonStreamReader(body);
            try
            {
                if (!await reader.ReadAsync(ct).ConfigureAwait(false))
                {
                    throw InvalidResponse(requestId, "OpenAI returned an empty response body.");
                }

                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw InvalidResponse(requestId, "OpenAI returned JSON that is not an object.");
                }

                while (await reader.ReadAsync(ct).ConfigureAwait(false) && reader.TokenType == JsonTokenType.PropertyName)
                {
                    switch (reader.PropertyName)
                    {
                        case "data":
                            if (!await reader.ReadTokenOrSkipAsync(JsonTokenType.StartArray, ct).ConfigureAwait(false))
                            {
                                break;
                            }

                            while (await reader.ReadAsync(ct).ConfigureAwait(false) && reader.TokenType != JsonTokenType.EndArray)
                            {
                                var result = NewResult(request, requestId, finals.Count);
                                finals.Add(result);
                                if (reader.TokenType != JsonTokenType.StartObject)
                                {
                                    await reader.SkipAsync(ct).ConfigureAwait(false);
                                    continue;
                                }

                                await ReadImageObjectAsync(reader, result, null, tempDirectory, ct).ConfigureAwait(false);
                            }

                            break;
                        case "error":
                            await reader.ReadAsync(ct).ConfigureAwait(false);
                            throw ErrorFromBody(await reader.ReadValueAsync(ct).ConfigureAwait(false), requestId);
                        default:
                            await ReadSharedFieldAsync(reader, shared, ct).ConfigureAwait(false);
                            break;
                    }
                }

                // Anything after the object other than white space is an error; so is a body that ends early.
                await reader.ReadAsync(ct).ConfigureAwait(false);
            }
            catch (JsonFormatException ex) when (body.BytesRead == 0)
            {
                throw InvalidResponse(requestId, "OpenAI answered with an empty response body instead of images.", ex);
            }
            catch (JsonFormatException ex) when (body.ReachedEnd && ex.BytePosition >= body.BytesRead)
            {
                // The data stopped in the middle of the JSON: the transfer was cut short. Nothing has been handed out
                // yet, so the transport may retry it like a reset connection.
                OpenAIException cut = InvalidResponse(
                    requestId,
                    $"OpenAI's response was cut off after {body.BytesRead.ToString(CultureInfo.InvariantCulture)} bytes, in the middle of its JSON.",
                    ex);
                cut.IsTransient = true;
                throw cut;
            }
            catch (JsonFormatException ex)
            {
                throw InvalidResponse(requestId, $"OpenAI's response ({mediaType ?? "no content type"}) is not valid JSON at byte {ex.BytePosition.ToString(CultureInfo.InvariantCulture)}: {ex.Message}", ex);
            }
            catch (FormatException ex)
            {
                throw InvalidResponse(requestId, "An image in OpenAI's response is not valid base64: " + ex.Message, ex);
            }

            foreach (ImageResult r in finals)
            {
                shared.ApplyTo(r, request);
            }
        }

        private async Task ReadEventStreamAsync(
            Stream body,
            ImageRequest request,
            string? requestId,
            string? tempDirectory,
            List<ImageResult> finals,
            List<ImageResult> partials,
            Action<ImageResult>? onPartialImage,
            CancellationToken ct)
        {
            var events = new ServerSentEventReader(body);
            try
            {
                while (await events.ReadNextAsync(ct).ConfigureAwait(false))
                {
                    var first = new byte[1];
                    int got = await events.Data.ReadAsync(first, 0, 1, ct).ConfigureAwait(false);
                    if (got == 0)
                    {
                        continue;
                    }

                    if (first[0] != (byte)'{')
                    {
                        // "[DONE]" or another non-object sentinel: nothing to decode.
                        continue;
                    }

                    var reader = new JsonStreamReader(new PrefixedStream(first, events.Data));
                    await reader.ReadAsync(ct).ConfigureAwait(false);
                    var fields = new ResponseFields();
                    var result = NewResult(request, requestId, 0);
                    await ReadImageObjectAsync(reader, result, fields, tempDirectory, ct).ConfigureAwait(false);
                    if (fields.Error != null)
                    {
                        throw ErrorFromBody(fields.Error, requestId);
                    }

                    string type = fields.Type ?? events.EventName ?? string.Empty;
                    if (type == "error")
                    {
                        throw ErrorFromBody(fields.Error ?? JsonValue.Parse("{}"), requestId);
                    }

                    fields.ApplyTo(result, request);
                    if (type.EndsWith(".partial_image", StringComparison.Ordinal))
                    {
                        result.IsPartial = true;
                        result.PartialImageIndex = fields.PartialImageIndex ?? partials.Count;
                        result.Index = finals.Count;
                        partials.Add(result);
                        if (onPartialImage != null)
                        {
                            onPartialImage(result);
                        }
                        else
                        {
                            ImageSink.DiscardPending(new[] { result });
                        }
                    }
                    else if (type.EndsWith(".completed", StringComparison.Ordinal))
                    {
                        result.Index = finals.Count;
                        finals.Add(result);
                    }
                    else
                    {
                        _diagnostics.WriteVerbose($"Ignored a stream event of type '{type}'.");
                        ImageSink.DiscardPending(new[] { result });
                    }
                }
            }
            catch (JsonFormatException ex)
            {
                throw InvalidResponse(requestId, $"A streamed event from OpenAI is not valid JSON (the stream may have been cut off): {ex.Message}", ex);
            }
            catch (FormatException ex)
            {
                throw InvalidResponse(requestId, "A streamed image from OpenAI is not valid base64: " + ex.Message, ex);
            }
        }

        /// <summary>Reads one image object (a data item, or a whole stream event when <paramref name="fields"/> is given).</summary>
        private static async Task ReadImageObjectAsync(JsonStreamReader reader, ImageResult result, ResponseFields? fields, string? tempDirectory, CancellationToken ct)
        {
            while (await reader.ReadAsync(ct).ConfigureAwait(false) && reader.TokenType == JsonTokenType.PropertyName)
            {
                switch (reader.PropertyName)
                {
                    case "b64_json":
                        if (!await reader.ReadTokenOrSkipAsync(JsonTokenType.String, ct).ConfigureAwait(false))
                        {
                            break;
                        }

                        ImageSink.Discard(result);
                        await ImageSink.DecodeBase64StringAsync(reader, tempDirectory, result, ct).ConfigureAwait(false);

                        break;
                    case "url":
                        string? url = await reader.ReadStringOrSkipAsync(ct).ConfigureAwait(false);
                        if (url != null && Uri.TryCreate(url, UriKind.Absolute, out Uri? parsed))
                        {
                            result.Url = parsed;
                        }

                        break;
                    case "revised_prompt":
                        result.RevisedPrompt = await reader.ReadStringOrSkipAsync(ct).ConfigureAwait(false);
                        break;
                    default:
                        if (fields != null)
                        {
                            await ReadSharedFieldAsync(reader, fields, ct).ConfigureAwait(false);
                        }
                        else
                        {
                            await reader.SkipAsync(ct).ConfigureAwait(false);
                        }

                        break;
                }
            }
        }

        private static async Task ReadSharedFieldAsync(JsonStreamReader reader, ResponseFields fields, CancellationToken ct)
        {
            string name = reader.PropertyName ?? string.Empty;
            await reader.ReadAsync(ct).ConfigureAwait(false);
            switch (name)
            {
                case "created":
                case "created_at":
                case "partial_image_index":
                    long? number = reader.TokenType == JsonTokenType.Number
                        && long.TryParse(reader.GetRawNumber(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long n) ? n : (long?)null;
                    if (reader.TokenType != JsonTokenType.Number)
                    {
                        await reader.SkipAsync(ct).ConfigureAwait(false);
                    }

                    if (name == "partial_image_index")
                    {
                        fields.PartialImageIndex = (int?)number;
                    }
                    else
                    {
                        fields.Created = number;
                    }

                    return;
                case "size":
                case "quality":
                case "background":
                case "output_format":
                case "type":
                    string? text = reader.TokenType == JsonTokenType.String ? await reader.GetStringAsync(ct).ConfigureAwait(false) : null;
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        await reader.SkipAsync(ct).ConfigureAwait(false);
                    }

                    fields.Set(name, text);
                    return;
                case "usage":
                    fields.Usage = ParseUsage(await reader.ReadValueAsync(ct).ConfigureAwait(false));
                    return;
                case "error":
                    fields.Error = await reader.ReadValueAsync(ct).ConfigureAwait(false);
                    return;
                default:
                    await reader.SkipAsync(ct).ConfigureAwait(false);
                    return;
            }
        }


        internal static ImageUsage? ParseUsage(JsonValue value)
        {
            if (value.Kind != JsonValueKind.Object)
            {
                return null;
            }

            return new ImageUsage
            {
                InputTokens = value.GetInt64Property("input_tokens") ?? 0,
                OutputTokens = value.GetInt64Property("output_tokens") ?? 0,
                TotalTokens = value.GetInt64Property("total_tokens") ?? 0,
                InputTokensDetails = ParseDetails(value["input_tokens_details"]),
                OutputTokensDetails = ParseDetails(value["output_tokens_details"]),
            };
        }

        private static ImageTokenDetails? ParseDetails(JsonValue? value)
        {
            if (value is null || value.Kind != JsonValueKind.Object)
            {
                return null;
            }

            return new ImageTokenDetails
            {
                TextTokens = value.GetInt64Property("text_tokens") ?? 0,
                ImageTokens = value.GetInt64Property("image_tokens") ?? 0,
            };
        }

        private OpenAIException ErrorFromBody(JsonValue error, string? requestId)
        {
            JsonValue inner = error["error"] ?? error;
            string? message = inner.GetStringProperty("message");
            string? code = inner.GetStringProperty("code");
            string? type = inner.GetStringProperty("type");
            if (message != null && _options.ApiKey != null)
            {
                message = _options.ApiKey.Scrub(message);
            }

            OpenAIErrorKind kind = OpenAITransport.KindOf(400, type, code);
            if (kind == OpenAIErrorKind.InvalidRequest && type != null && type.IndexOf("server", StringComparison.OrdinalIgnoreCase) >= 0)
            {
                kind = OpenAIErrorKind.ServerError;
            }

            return new OpenAIException(kind, (message ?? "OpenAI reported an error in the response.") + (requestId != null ? $" (request {requestId})" : string.Empty))
            {
                Type = type,
                Code = code,
                Param = inner.GetStringProperty("param"),
                RequestId = requestId,
                ServerMessage = message,
            };
        }

        private static ImageResult NewResult(ImageRequest request, string? requestId, int index)
        {
            var result = new ImageResult
            {
                Index = index,
                Model = request.Model,
                Prompt = request.PromptText,
                RequestId = requestId,
                Operation = request.Operation,
            };
            switch (request)
            {
                case ImageEditRequest e:
                    var files = new List<string>();
                    foreach (ImageInputFile f in e.Images)
                    {
                        files.Add(f.Path);
                    }

                    result.SourceFiles = files;
                    break;
                case ImageVariationRequest v when v.Image != null:
                    result.SourceFiles = new[] { v.Image.Path };
                    break;
            }

            return result;
        }

        /// <summary>Top-level (or per-event) fields that apply to every image.</summary>
        private sealed class ResponseFields
        {
            public long? Created { get; set; }

            public string? Size { get; set; }

            public string? Quality { get; set; }

            public string? Background { get; set; }

            public string? OutputFormat { get; set; }

            public string? Type { get; set; }

            public int? PartialImageIndex { get; set; }

            public ImageUsage? Usage { get; set; }

            public JsonValue? Error { get; set; }

            public void Set(string name, string? value)
            {
                switch (name)
                {
                    case "size": Size = value; break;
                    case "quality": Quality = value; break;
                    case "background": Background = value; break;
                    case "output_format": OutputFormat = value; break;
                    case "type": Type = value; break;
                }
            }

            public void ApplyTo(ImageResult result, ImageRequest request)
            {
                result.Created = Created.HasValue ? DateTimeOffset.FromUnixTimeSeconds(Created.Value) : (DateTimeOffset?)null;
                result.Size = Size ?? request.Size;
                result.Usage = Usage;
                PromptImageRequest? prompted = request as PromptImageRequest;
                result.Quality = Quality ?? prompted?.Quality;
                result.Background = Background ?? prompted?.Background;
                result.OutputFormat = OutputFormat ?? prompted?.OutputFormat;

                if (result.OutputFormat is null && result.DetectedFormat != Imaging.ImageFormat.Unknown)
                {
                    result.OutputFormat = result.DetectedFormat == Imaging.ImageFormat.Jpeg ? "jpeg" : result.DetectedFormat.ToString().ToLowerInvariant();
                }
            }
        }
    }
}
