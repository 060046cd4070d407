using System;
using System.Net;
using System.Net.Http;

namespace OpenAI.Images.Http
{
    /// <summary>Builds request URLs and authentication headers for each endpoint shape.</summary>
    internal static class EndpointResolver
    {
        public static Uri Resolve(OpenAIClientOptions options, string relativePath)
        {
            string root = options.BaseUri.GetLeftPart(UriPartial.Path).TrimEnd('/');
            string query = options.BaseUri.Query;
            if (options.ApiType == OpenAIApiType.AzureOpenAI)
            {
                string version = string.IsNullOrEmpty(options.ApiVersion) ? OpenAIClientOptions.DefaultAzureApiVersion : options.ApiVersion!;
                if (!string.IsNullOrEmpty(options.AzureDeployment))
                {
                    string endpoint = StripOpenAISegment(root);
                    return new Uri($"{endpoint}/openai/deployments/{Uri.EscapeDataString(options.AzureDeployment!)}/{relativePath}?api-version={Uri.EscapeDataString(version)}");
                }

                // The v1 API needs no api-version; one that was set explicitly (e.g. "preview") is passed on.
                string v1 = root.EndsWith("/openai/v1", StringComparison.OrdinalIgnoreCase) ? root : StripOpenAISegment(root) + "/openai/v1";
                if (!string.IsNullOrEmpty(options.ApiVersion) && query.IndexOf("api-version=", StringComparison.OrdinalIgnoreCase) < 0)
                {
                    query = (query.Length == 0 ? "?" : query + "&") + "api-version=" + Uri.EscapeDataString(options.ApiVersion!);
                }

                return new Uri($"{v1}/{relativePath}{query}");
            }

            return new Uri($"{root}/{relativePath}{query}");
        }

        private static string StripOpenAISegment(string root)
        {
            foreach (string suffix in new[] { "/openai/v1", "/openai" })
            {
                if (root.EndsWith(suffix, StringComparison.OrdinalIgnoreCase))
                {
                    return root.Substring(0, root.Length - suffix.Length);
                }
            }

            return root;
        }

        public static void Authenticate(HttpRequestMessage request, OpenAIClientOptions options)
        {
            ApiKey key = options.ApiKey ?? throw new OpenAIException(OpenAIErrorKind.MissingApiKey, "No API key was given.");
            if (options.ApiType == OpenAIApiType.AzureOpenAI && !string.IsNullOrEmpty(options.AzureDeployment))
            {
                request.Headers.TryAddWithoutValidation("api-key", key.Reveal());
            }
            else
            {
                request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + key.Reveal());
            }

            if (!string.IsNullOrEmpty(options.Organization))
            {
                request.Headers.TryAddWithoutValidation("OpenAI-Organization", options.Organization);
            }

            if (!string.IsNullOrEmpty(options.Project))
            {
                request.Headers.TryAddWithoutValidation("OpenAI-Project", options.Project);
            }
        }

        /// <summary>Refuses to send a key in clear text over the network, unless allowed or loopback.</summary>
        public static void EnsureSafeTransport(Uri uri, OpenAIClientOptions options)
        {
            if (uri.Scheme == Uri.UriSchemeHttps || options.AllowInsecureHttp || IsLoopback(uri))
            {
                return;
            }

            throw new OpenAIConfigException(
                OpenAIConfigException.InsecureTransport,
                $"Refusing to send the API key over plain http to '{uri.Host}', where anyone on the network could read it. Use an https:// base URI; "
                + "or, for a server you trust on a private network, allow it explicitly with Set-OpenAIConfig -AllowInsecureHttp (http to this computer itself, such as localhost, is always allowed).",
                WithoutUserInfo(uri));
        }

        /// <summary>The URI as text without any user name or password in it.</summary>
        public static string WithoutUserInfo(Uri uri)
        {
            if (!uri.IsAbsoluteUri || string.IsNullOrEmpty(uri.UserInfo))
            {
                return uri.OriginalString;
            }

            var builder = new UriBuilder(uri) { UserName = string.Empty, Password = string.Empty };
            return builder.Uri.AbsoluteUri;
        }

        public static bool IsLoopback(Uri uri)
        {
            if (uri.IsLoopback)
            {
                return true;
            }

            return IPAddress.TryParse(uri.Host.Trim('[', ']'), out IPAddress? ip) && IPAddress.IsLoopback(ip);
        }
    }
}
