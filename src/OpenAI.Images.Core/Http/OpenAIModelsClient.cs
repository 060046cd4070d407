using System;
using System.Collections.Generic;
using System.Net.Http;
using System.Threading;
using System.Threading.Tasks;
using OpenAI.Images.Http;
using OpenAI.Images.Json;
using OpenAI.Images.Validation;

namespace OpenAI.Images
{
    /// <summary>GET /models: the image models a server lists for the caller's key.</summary>
    public sealed class OpenAIModelsClient
    {
        private readonly OpenAIClientOptions _options;
        private readonly ModelsJsonClient _client;

        /// <summary>Creates a client over the shared HttpClient for the options' proxy settings.</summary>
        public OpenAIModelsClient(OpenAIClientOptions options, ClientDiagnostics? diagnostics = null)
        {
            _options = options ?? throw new ArgumentNullException(nameof(options));
            _client = new ModelsJsonClient(options, diagnostics ?? new ClientDiagnostics());
        }

        /// <summary>
        /// Lists the server's models and returns the image models among them (see <see cref="ImageModelInfo.IsImageModel"/>),
        /// in the server's order. A server without /models (HTTP 404) is an <see cref="OpenAIException"/> with the error
        /// id OpenAI.ModelListNotAvailable that says what to do instead.
        /// </summary>
        public async Task<IReadOnlyList<ImageModelInfo>> ListImageModelsAsync(CancellationToken cancellationToken)
        {
            JsonValue list;
            try
            {
                list = await _client.GetAsync("models", cancellationToken).ConfigureAwait(false);
            }
            catch (OpenAIException e) when (e.Kind == OpenAIErrorKind.NotFound)
            {
                throw new ModelListNotAvailableException(
                    $"The server at {EndpointResolver.WithoutUserInfo(_options.BaseUri)} does not list its models: GET /models answered HTTP 404"
                    + (e.ServerMessage != null ? $" ({e.ServerMessage})" : string.Empty)
                    + (e.RequestId != null ? $", request {e.RequestId}" : string.Empty) + ". "
                    + "OpenAI's API and OpenAI-compatible servers that implement /v1/models list them; Azure OpenAI deployments and some compatible servers do not. "
                    + "Check -BaseUri (it should end in /v1 for OpenAI-compatible servers), or look the model names up in the server's own documentation or portal and pass them with -Model: "
                    + "the module sends names it does not know as given.",
                    e);
            }

            JsonValue? data = list["data"];
            if (data is null || data.Kind != JsonValueKind.Array)
            {
                throw new OpenAIException(OpenAIErrorKind.InvalidResponse, "The answer to GET /models has no 'data' list of models.");
            }

            bool atOpenAI = ModelLifecycle.IsOpenAIHost(_options.BaseUri);
            DateTime today = ModelLifecycle.Today;
            var models = new List<ImageModelInfo>();
            foreach (JsonValue model in data.Items)
            {
                if (model.Kind == JsonValueKind.Object && ImageModelInfo.IsImageModel(model.GetStringProperty("id")))
                {
                    models.Add(ImageModelInfo.FromModelObject(model, atOpenAI, today));
                }
            }

            return models;
        }

        /// <summary>GET /models found nothing: the server has no model list.</summary>
        private sealed class ModelListNotAvailableException : OpenAIException
        {
            public ModelListNotAvailableException(string message, OpenAIException inner)
                : base(OpenAIErrorKind.NotFound, message, inner)
            {
                StatusCode = inner.StatusCode;
                Type = inner.Type;
                Code = inner.Code;
                RequestId = inner.RequestId;
                ServerMessage = inner.ServerMessage;
                Attempts = inner.Attempts;
            }

            public override string ErrorId => "OpenAI.ModelListNotAvailable";
        }

        private sealed class ModelsJsonClient : OpenAIJsonClient
        {
            public ModelsJsonClient(OpenAIClientOptions options, ClientDiagnostics diagnostics)
                : base(options, diagnostics)
            {
            }

            public Task<JsonValue> GetAsync(string relative, CancellationToken ct) =>
                SendJsonCoreAsync(HttpMethod.Get, relative, null, null, ct, null);
        }
    }
}
