using System;
using System.IO;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Threading;
using System.Threading.Tasks;
using OpenAI.Images.Json;

namespace OpenAI.Images.Http
{
    /// <summary>
    /// The JSON endpoints of the API (/files, /batches, /models): requests over the same transport, retry policy and
    /// error mapping as the image calls, answers read as one JSON object.
    /// </summary>
    internal class OpenAIJsonClient
    {
        private const long MaxJsonBytes = 16L * 1024 * 1024;

        private readonly OpenAIClientOptions _options;

        public OpenAIJsonClient(OpenAIClientOptions options, ClientDiagnostics diagnostics)
            : this(options, diagnostics, HttpClientCache.Get(options.Proxy, options.ProxyCredential), new RetryPolicy(options.MaxRetries))
        {
        }

        internal OpenAIJsonClient(OpenAIClientOptions options, ClientDiagnostics diagnostics, HttpClient http, RetryPolicy policy)
        {
            _options = options;
            Transport = new OpenAITransport(options, http, policy, diagnostics);
        }

        /// <summary>The transport the requests go through.</summary>
        protected OpenAITransport Transport { get; }

        protected Uri Endpoint(string relative)
        {
            if (_options.ApiKey is null)
            {
                throw new OpenAIException(OpenAIErrorKind.MissingApiKey, "No API key was given.");
            }

            string path = relative;
            string query = string.Empty;
            int q = relative.IndexOf('?');
            if (q >= 0)
            {
                path = relative.Substring(0, q);
                query = relative.Substring(q + 1);
            }

            Uri uri = EndpointResolver.Resolve(_options, path);
            if (query.Length > 0)
            {
                var builder = new UriBuilder(uri);
                builder.Query = builder.Query.Length > 1 ? builder.Query.Substring(1) + "&" + query : query;
                uri = builder.Uri;
            }

            EndpointResolver.EnsureSafeTransport(uri, _options);
            return uri;
        }

        protected HttpRequestMessage NewMessage(HttpMethod method, Uri uri, HttpContent? content, string accept)
        {
            var message = new HttpRequestMessage(method, uri) { Content = content };
            EndpointResolver.Authenticate(message, _options);
            message.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(accept));
            message.Headers.UserAgent.Add(new ProductInfoHeaderValue("OpenAI.Images.PowerShell", OpenAIImagesClient.ModuleVersion));
            return message;
        }

        protected Task<JsonValue> SendJsonCoreAsync(
            HttpMethod method,
            string relative,
            Func<HttpContent>? content,
            string? summary,
            CancellationToken ct,
            Func<OpenAIException, CancellationToken, Task<(bool Done, JsonValue Result)>>? beforeRetry)
        {
            Uri uri = Endpoint(relative);
            return Transport.SendAsync(
                () => NewMessage(method, uri, content?.Invoke(), "application/json"),
                async (response, token) =>
                {
                    string? requestId = OpenAITransport.RequestIdOf(response);
                    using (Stream body = await response.Content.ReadAsStreamAsync().ConfigureAwait(false))
                    {
                        try
                        {
                            JsonValue value = await JsonValue.ParseAsync(body, MaxJsonBytes, token).ConfigureAwait(false);
                            if (value.Kind != JsonValueKind.Object)
                            {
                                throw new FormatException("the response is not a JSON object");
                            }

                            return value;
                        }
                        catch (FormatException ex)
                        {
                            throw new OpenAIException(
                                OpenAIErrorKind.InvalidResponse,
                                $"OpenAI's answer to {method} /{relative} is not the JSON object expected: {ex.Message}" + (requestId != null ? $" (request {requestId})" : string.Empty),
                                ex)
                            {
                                RequestId = requestId,
                            };
                        }
                    }
                },
                retryBodyFailures: true,
                summary,
                ct,
                beforeRetry);
        }

        protected static HttpContent JsonContent(byte[] body)
        {
            var content = new ByteArrayContent(body);
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            return content;
        }
    }
}
