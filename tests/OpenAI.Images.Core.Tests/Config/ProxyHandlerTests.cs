using System;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading.Tasks;
using OpenAI.Images.Http;

namespace OpenAI.Images.Core.Tests.Config;

public sealed class ProxyHandlerTests
{
    /// <summary>Sends one GET through <paramref name="handler"/> and returns the request line a loopback "proxy" received.</summary>
    private static async Task<string> RequestLineThroughAsync(HttpMessageHandler handler, TcpListener listener, Uri target)
    {
        using var client = new HttpClient(handler);
        Task<TcpClient> accept = listener.AcceptTcpClientAsync();
        Task<HttpResponseMessage> send = client.GetAsync(target);
        using TcpClient connection = await accept.WaitAsync(TimeSpan.FromSeconds(10));
        using var reader = new StreamReader(connection.GetStream(), Encoding.ASCII, leaveOpen: true);
        string line = await reader.ReadLineAsync() ?? string.Empty;
        byte[] reply = Encoding.ASCII.GetBytes("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        await connection.GetStream().WriteAsync(reply);
        using HttpResponseMessage response = await send.WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        return line;
    }

    [Fact]
    public async Task WithoutAProxySettingRequestsUseDotNetsDefaultProxy()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        IWebProxy previous = HttpClient.DefaultProxy;
        try
        {
            // What .NET builds from HTTPS_PROXY / HTTP_PROXY / NO_PROXY, or the system settings.
            HttpClient.DefaultProxy = new WebProxy(new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}"));
            string line = await RequestLineThroughAsync(HttpClientCache.CreateHandler(null, null), listener, new Uri("http://fake-openai.test/v1/ping"));
            Assert.Equal("GET http://fake-openai.test/v1/ping HTTP/1.1", line);
        }
        finally
        {
            HttpClient.DefaultProxy = previous;
        }
    }

    [Fact]
    public async Task AnExplicitProxyIsUsedWithItsCredential()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var proxy = new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}");
        var credential = new NetworkCredential("u", "p");
        HttpMessageHandler handler = HttpClientCache.CreateHandler(proxy, credential);

        var sockets = Assert.IsType<SocketsHttpHandler>(handler);
        var webProxy = Assert.IsType<WebProxy>(sockets.Proxy);
        Assert.Same(credential, webProxy.Credentials);
        Assert.False(sockets.AllowAutoRedirect);
        Assert.Equal("GET http://fake-openai.test/v1/ping HTTP/1.1", await RequestLineThroughAsync(handler, listener, new Uri("http://fake-openai.test/v1/ping")));
    }
}
