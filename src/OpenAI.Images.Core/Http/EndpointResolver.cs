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

                string v1 = root.EndsWith("/openai/v1", StringComparison.OrdinalIgnoreCase) ? root : StripOpenAISegment(root) + "/openai/v1";
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

            throw new OpenAIException(
                OpenAIErrorKind.Configuration,
                $"Refusing to send the API key over plain http to '{uri.Host}'. Use an https:// base URI, or allow it explicitly with Set-OpenAIConfig -AllowInsecureHttp.");
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
