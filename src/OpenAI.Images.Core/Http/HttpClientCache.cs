using System;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Http;

namespace OpenAI.Images.Http
{
    /// <summary>One shared <see cref="HttpClient"/> per connection configuration (proxy), for the life of the process.</summary>
    internal static class HttpClientCache
    {
        private static readonly ConcurrentDictionary<string, HttpClient> Clients = new ConcurrentDictionary<string, HttpClient>(StringComparer.Ordinal);

        /// <summary>Tests replace the handler (for example to count connections); null uses the real one.</summary>
        internal static Func<HttpMessageHandler>? HandlerFactoryOverride { get; set; }

        public static HttpClient Get(Uri? proxy, NetworkCredential? proxyCredential)
        {
            if (HandlerFactoryOverride is { } factory)
            {
                return new HttpClient(factory(), disposeHandler: true) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };
            }

            string key = proxy is null
                ? "system"
                : proxy.AbsoluteUri + "|" + (proxyCredential?.UserName ?? string.Empty) + "|" + (proxyCredential?.Password?.GetHashCode() ?? 0);
            return Clients.GetOrAdd(key, _ => Create(proxy, proxyCredential));
        }

        private static HttpClient Create(Uri? proxy, NetworkCredential? proxyCredential) =>
            // Each attempt has its own timeout (a linked CancellationTokenSource), so the client itself never times out.
            new HttpClient(CreateHandler(proxy, proxyCredential), disposeHandler: true) { Timeout = System.Threading.Timeout.InfiniteTimeSpan };

        /// <summary>
        /// The handler for a proxy configuration. Without <paramref name="proxy"/> it uses .NET's default proxy: the
        /// HTTPS_PROXY / HTTP_PROXY / NO_PROXY environment variables, else the system settings.
        /// </summary>
        internal static HttpMessageHandler CreateHandler(Uri? proxy, NetworkCredential? proxyCredential)
        {
            IWebProxy? webProxy = proxy is null ? null : new WebProxy(proxy) { Credentials = proxyCredential };
#if NET
            var handler = new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                ConnectTimeout = TimeSpan.FromSeconds(30),
                AllowAutoRedirect = false,
            };
#else
            var handler = new HttpClientHandler { AllowAutoRedirect = false };
#endif
            handler.UseProxy = true;
            if (webProxy != null)
            {
                handler.Proxy = webProxy;
            }

            return handler;
        }
    }
}
