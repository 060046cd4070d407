using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace OpenAI.Images.Tests;

/// <summary>One request the proxy received: the request line's method and target, and the headers.</summary>
public sealed record ProxiedRequest(string Method, string Target, IReadOnlyDictionary<string, string> Headers)
{
    public string? Header(string name) => Headers.TryGetValue(name, out string? value) ? value : null;
}

/// <summary>
/// A tiny HTTP proxy on 127.0.0.1 for tests. It records every request line it gets: absolute-URI requests
/// (<c>POST http://host/path</c>, what a client sends to a proxy for http targets) and CONNECT tunnels (https targets).
/// Absolute-URI requests for <see cref="ForwardHost"/> are forwarded to <see cref="ForwardTo"/> (the fake OpenAI
/// server), so a test can use a hostname that is not loopback (clients bypass proxies for loopback targets) and still
/// reach the fake. CONNECT is answered 403: no tunnel is ever opened, so nothing leaves the machine.
/// With <see cref="RequiredCredential"/> set, requests without a matching Basic Proxy-Authorization get 407.
/// </summary>
public sealed class RecordingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stop = new();
    private readonly List<ProxiedRequest> _requests = new();
    private readonly HttpClient _forward = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false }) { Timeout = TimeSpan.FromMinutes(2) };
    private readonly Task _accepting;

    public RecordingProxy(string forwardHost, Uri forwardTo)
    {
        ForwardHost = forwardHost;
        ForwardTo = forwardTo;
        _listener.Start();
        Uri = new Uri($"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}/");
        _accepting = AcceptAsync();
    }

    /// <summary>The proxy's address, e.g. http://127.0.0.1:PORT/.</summary>
    public Uri Uri { get; }

    /// <summary>Requests for this host (any port) are forwarded to <see cref="ForwardTo"/>.</summary>
    public string ForwardHost { get; }

    /// <summary>Scheme, host and port that forwarded requests go to.</summary>
    public Uri ForwardTo { get; }

    /// <summary>When set, "user:password" that the proxy demands (Basic).</summary>
    public string? RequiredCredential { get; set; }

    public IReadOnlyList<ProxiedRequest> Requests
    {
        get
        {
            lock (_requests)
            {
                return _requests.ToArray();
            }
        }
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            catch (SocketException)
            {
                return;
            }

            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using (client)
        {
            try
            {
                NetworkStream stream = client.GetStream();
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                timeout.CancelAfter(TimeSpan.FromSeconds(30));
                (string method, string target, Dictionary<string, string> headers, byte[] body)? request = await ReadRequestAsync(stream, timeout.Token);
                if (request is null)
                {
                    return;
                }

                (string method, string target, Dictionary<string, string> headers, byte[] body) = request.Value;
                lock (_requests)
                {
                    _requests.Add(new ProxiedRequest(method, target, headers));
                }

                if (RequiredCredential != null)
                {
                    string expected = "Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(RequiredCredential));
                    if (!headers.TryGetValue("Proxy-Authorization", out string? given) || given != expected)
                    {
                        await WriteAsync(stream, "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm=\"test-proxy\"\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", timeout.Token);
                        return;
                    }
                }

                if (method == "CONNECT" || !Uri.TryCreate(target, UriKind.Absolute, out Uri? uri) || !string.Equals(uri.Host, ForwardHost, StringComparison.OrdinalIgnoreCase))
                {
                    await WriteAsync(stream, "HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", timeout.Token);
                    return;
                }

                var forwarded = new HttpRequestMessage(new HttpMethod(method), new Uri(ForwardTo, uri.PathAndQuery));
                if (body.Length > 0 || method == "POST")
                {
                    forwarded.Content = new ByteArrayContent(body);
                }

                foreach (KeyValuePair<string, string> header in headers)
                {
                    if (header.Key.Equals("Host", StringComparison.OrdinalIgnoreCase) || header.Key.StartsWith("Proxy-", StringComparison.OrdinalIgnoreCase)
                        || header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase) || header.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase)
                        || header.Key.Equals("Connection", StringComparison.OrdinalIgnoreCase))
                    {
                        continue;
                    }

                    if (!forwarded.Headers.TryAddWithoutValidation(header.Key, header.Value))
                    {
                        forwarded.Content?.Headers.TryAddWithoutValidation(header.Key, header.Value);
                    }
                }

                using HttpResponseMessage response = await _forward.SendAsync(forwarded, timeout.Token);
                byte[] responseBody = await response.Content.ReadAsByteArrayAsync(timeout.Token);
                var head = new StringBuilder();
                head.Append(CultureInfo.InvariantCulture, $"HTTP/1.1 {(int)response.StatusCode} {response.ReasonPhrase}\r\n");
                foreach (KeyValuePair<string, IEnumerable<string>> header in response.Headers.Concat(response.Content.Headers))
                {
                    if (header.Key.Equals("Transfer-Encoding", StringComparison.OrdinalIgnoreCase) || header.Key.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                        || header.Key.Equals("Connection", StringComparison.OrdinalIgnoreCase))
                    {
                        continue;
                    }

                    head.Append(header.Key).Append(": ").Append(string.Join(", ", header.Value)).Append("\r\n");
                }

                head.Append(CultureInfo.InvariantCulture, $"Content-Length: {responseBody.Length}\r\nConnection: close\r\n\r\n");
                await WriteAsync(stream, head.ToString(), timeout.Token);
                await stream.WriteAsync(responseBody, timeout.Token);
                await stream.FlushAsync(timeout.Token);
            }
            catch (Exception ex) when (ex is IOException || ex is SocketException || ex is OperationCanceledException || ex is HttpRequestException)
            {
            }
        }
    }

    private static async Task WriteAsync(Stream stream, string text, CancellationToken cancellationToken)
    {
        byte[] bytes = Encoding.ASCII.GetBytes(text);
        await stream.WriteAsync(bytes, cancellationToken);
        await stream.FlushAsync(cancellationToken);
    }

    /// <summary>Reads one request: request line, headers, and a Content-Length or chunked body.</summary>
    private static async Task<(string, string, Dictionary<string, string>, byte[])?> ReadRequestAsync(Stream stream, CancellationToken cancellationToken)
    {
        var reader = new ByteReader(stream);
        string? line = await reader.ReadLineAsync(cancellationToken);
        if (string.IsNullOrEmpty(line))
        {
            return null;
        }

        string[] parts = line.Split(' ');
        if (parts.Length < 3)
        {
            return null;
        }

        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        while (true)
        {
            string? header = await reader.ReadLineAsync(cancellationToken);
            if (string.IsNullOrEmpty(header))
            {
                break;
            }

            int colon = header.IndexOf(':');
            if (colon > 0)
            {
                headers[header[..colon].Trim()] = header[(colon + 1)..].Trim();
            }
        }

        var body = new MemoryStream();
        if (headers.TryGetValue("Content-Length", out string? length) && long.TryParse(length, out long count))
        {
            await reader.CopyAsync(body, count, cancellationToken);
        }
        else if (headers.TryGetValue("Transfer-Encoding", out string? encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            while (true)
            {
                string size = (await reader.ReadLineAsync(cancellationToken) ?? "0").Split(';')[0].Trim();
                long chunk = long.Parse(size, NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                if (chunk == 0)
                {
                    while (!string.IsNullOrEmpty(await reader.ReadLineAsync(cancellationToken)))
                    {
                    }

                    break;
                }

                await reader.CopyAsync(body, chunk, cancellationToken);
                await reader.ReadLineAsync(cancellationToken);
            }
        }

        return (parts[0], parts[1], headers, body.ToArray());
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception)
        {
        }

        _forward.Dispose();
        _stop.Dispose();
    }

    private sealed class ByteReader
    {
        private readonly Stream _stream;
        private readonly byte[] _buffer = new byte[8192];
        private int _start;
        private int _end;

        public ByteReader(Stream stream) => _stream = stream;

        private async Task<bool> FillAsync(CancellationToken cancellationToken)
        {
            if (_start < _end)
            {
                return true;
            }

            _start = 0;
            _end = await _stream.ReadAsync(_buffer, cancellationToken);
            return _end > 0;
        }

        public async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
        {
            var line = new StringBuilder();
            while (await FillAsync(cancellationToken))
            {
                byte b = _buffer[_start++];
                if (b == '\n')
                {
                    return line.ToString().TrimEnd('\r');
                }

                line.Append((char)b);
            }

            return line.Length == 0 ? null : line.ToString();
        }

        public async Task CopyAsync(Stream target, long count, CancellationToken cancellationToken)
        {
            while (count > 0 && await FillAsync(cancellationToken))
            {
                int take = (int)Math.Min(count, _end - _start);
                target.Write(_buffer, _start, take);
                _start += take;
                count -= take;
            }
        }
    }
}
