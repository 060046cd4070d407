using System;
using System.Net;

namespace OpenAI.Images
{
    /// <summary>Which flavour of endpoint to talk to.</summary>
    public enum OpenAIApiType
    {
        /// <summary>OpenAI or any OpenAI-compatible server: <c>{BaseUri}/images/…</c> with a bearer token.</summary>
        OpenAI,
        /// <summary>Azure OpenAI: <c>{endpoint}/openai/deployments/{deployment}/images/…?api-version=…</c> with an api-key header,
        /// or, with no deployment, <c>{endpoint}/openai/v1/images/…</c> with a bearer token.</summary>
        AzureOpenAI,
    }

    /// <summary>Everything the client needs to reach an endpoint.</summary>
    public sealed class OpenAIClientOptions
    {
        /// <summary>OpenAI's public endpoint.</summary>
        public static readonly Uri DefaultBaseUri = new Uri("https://api.openai.com/v1");

        /// <summary>The default per-attempt timeout: 600 seconds, as OpenAI's SDKs use.</summary>
        public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(600);

        /// <summary>The API key (required).</summary>
        public ApiKey? ApiKey { get; set; }

        /// <summary>The endpoint; for Azure the resource endpoint (https://NAME.openai.azure.com).</summary>
        public Uri BaseUri { get; set; } = DefaultBaseUri;

        /// <summary>OpenAI or Azure OpenAI.</summary>
        public OpenAIApiType ApiType { get; set; } = OpenAIApiType.OpenAI;

        /// <summary>Azure deployment name; with it the deployments URL shape is used.</summary>
        public string? AzureDeployment { get; set; }

        /// <summary>Azure api-version query value.</summary>
        public string? ApiVersion { get; set; }

        /// <summary>Sent as OpenAI-Organization when set.</summary>
        public string? Organization { get; set; }

        /// <summary>Sent as OpenAI-Project when set.</summary>
        public string? Project { get; set; }

        /// <summary>An explicit proxy; null uses the system/environment proxy (HTTPS_PROXY, NO_PROXY).</summary>
        public Uri? Proxy { get; set; }

        /// <summary>Credentials for <see cref="Proxy"/>.</summary>
        public NetworkCredential? ProxyCredential { get; set; }

        /// <summary>Per-attempt timeout.</summary>
        public TimeSpan Timeout { get; set; } = DefaultTimeout;

        /// <summary>How many times a failed attempt is retried (0 disables retries).</summary>
        public int MaxRetries { get; set; } = 2;

        /// <summary>Allows sending the key over plain http to a host that is not loopback.</summary>
        public bool AllowInsecureHttp { get; set; }

        /// <summary>The default Azure api-version.</summary>
        public const string DefaultAzureApiVersion = "2025-04-01-preview";
    }
}
