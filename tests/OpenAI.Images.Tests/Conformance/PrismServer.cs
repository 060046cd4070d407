using System;
using System.Diagnostics;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using OpenAI.Images.Tests.Spec;

namespace OpenAI.Images.Tests.Conformance;

/// <summary>
/// A Prism mock server (<c>@stoplight/prism-cli</c>, installed by <c>npm ci</c> at the repository root) serving
/// openapi/openai-images.yaml on a free loopback port with <c>--errors</c>: an invalid request gets
/// 422 with a <c>validation</c> array, a missing <c>Authorization</c> 401. Node runs Prism's entry point directly
/// (no npx). Disposing kills the process tree.
/// </summary>
public sealed class PrismServer : IAsyncDisposable, IDisposable
{
    /// <summary>The pinned version (package.json); Prism 5.15+ needs Node 24.</summary>
    public const string PinnedVersion = "5.14.2";

    private const string ReadyMarker = "Prism is listening";
    private const int MaxLogChars = 4 * 1024 * 1024;

    private readonly Process process;
    private readonly StringBuilder log;
    private int disposed;

    private PrismServer(Process process, StringBuilder log, int port, TimeSpan startTime)
    {
        this.process = process;
        this.log = log;
        BaseUri = new Uri($"http://127.0.0.1:{port}/");
        StartTime = startTime;
    }

    /// <summary>node_modules/@stoplight/prism-cli/dist/index.js under the repository root, or null if not installed.</summary>
    public static string? EntryPoint
    {
        get
        {
            if (RepoLayout.RepoRoot is not { } root)
            {
                return null;
            }

            var path = Path.Combine(root, "node_modules", "@stoplight", "prism-cli", "dist", "index.js");
            return File.Exists(path) ? path : null;
        }
    }

    /// <summary>The server's root, e.g. http://127.0.0.1:41234/ (no /v1 prefix: paths are /images/generations…).</summary>
    public Uri BaseUri { get; }

    /// <summary>From process start to the "Prism is listening" line.</summary>
    public TimeSpan StartTime { get; }

    /// <summary>True once the node process has ended (Prism exits on an unhandled multipart parse error).</summary>
    public bool HasExited => process.HasExited;

    /// <summary>What Prism printed so far (stdout and stderr, one line per log entry).</summary>
    public string Output
    {
        get
        {
            lock (log)
            {
                return log.ToString();
            }
        }
    }

    /// <summary>Starts Prism and waits for it to listen. Throws with Prism's output if it does not within <paramref name="timeout"/>
    /// (2 minutes: a guard against a hang, not a speed check; Prism starts in 1-2 s on an idle machine, and took over 30 s
    /// on this 2-core machine while other builds and test runs shared it).</summary>
    public static async Task<PrismServer> StartAsync(string? specPath = null, TimeSpan? timeout = null, CancellationToken cancellationToken = default)
    {
        var entryPoint = EntryPoint ?? throw new InvalidOperationException(
            $"Prism is not installed: run npm ci at the repository root ({RepoLayout.RepoRoot ?? "not found"}).");
        var spec = specPath ?? RepoLayout.PrismSpec;
        var limit = timeout ?? TimeSpan.FromMinutes(2);

        // A port found free can be taken before Prism binds it: try again on EADDRINUSE.
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                return await StartOnceAsync(entryPoint, spec, FreePort(), limit, cancellationToken).ConfigureAwait(false);
            }
            catch (PortInUseException) when (attempt < 3)
            {
            }
        }
    }

    /// <summary>A client for this server. With an API key it sends <c>Authorization: Bearer &lt;key&gt;</c> on every request.</summary>
    public HttpClient CreateClient(string? apiKey = "sk-prism-conformance")
    {
        var client = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(30) };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        return client;
    }

    /// <summary>The last <paramref name="chars"/> characters of <see cref="Output"/>, for failure messages.</summary>
    public string OutputTail(int chars = 4000)
    {
        var text = Output;
        return text.Length <= chars ? text : "…" + text[^chars..];
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        Stop(process);
        process.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private static async Task<PrismServer> StartOnceAsync(string entryPoint, string spec, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var info = new ProcessStartInfo("node")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            CreateNoWindow = true,
            WorkingDirectory = Path.GetDirectoryName(spec)!,
        };
        foreach (var arg in new[] { entryPoint, "mock", "--errors", "-h", "127.0.0.1", "-p", port.ToString(System.Globalization.CultureInfo.InvariantCulture), spec })
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["NO_COLOR"] = "1";
        info.Environment["FORCE_COLOR"] = "0";

        var log = new StringBuilder();
        var ready = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        void OnLine(object sender, DataReceivedEventArgs e)
        {
            if (e.Data is null)
            {
                return;
            }

            lock (log)
            {
                if (log.Length < MaxLogChars)
                {
                    log.AppendLine(e.Data);
                }
            }

            if (e.Data.Contains(ReadyMarker, StringComparison.Ordinal))
            {
                ready.TrySetResult();
            }
        }

        var process = new Process { StartInfo = info };
        process.OutputDataReceived += OnLine;
        process.ErrorDataReceived += OnLine;
        var watch = Stopwatch.StartNew();
        try
        {
            if (!process.Start())
            {
                throw new InvalidOperationException("node did not start.");
            }
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            process.Dispose();
            throw new InvalidOperationException($"Cannot run node (is Node.js 20+ on PATH?): {e.Message}", e);
        }

        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        using var timeoutCts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeoutCts.CancelAfter(timeout);
        var exited = process.WaitForExitAsync(timeoutCts.Token);
        var first = await Task.WhenAny(ready.Task, exited).ConfigureAwait(false);
        if (first == ready.Task)
        {
            return new PrismServer(process, log, port, watch.Elapsed);
        }

        // Exited, timed out or cancelled.
        var timedOut = !process.HasExited;
        Stop(process);
        string output;
        lock (log)
        {
            output = log.ToString();
        }

        var exitCode = process.HasExited ? process.ExitCode.ToString(System.Globalization.CultureInfo.InvariantCulture) : "?";
        process.Dispose();
        cancellationToken.ThrowIfCancellationRequested();
        if (!timedOut && output.Contains("EADDRINUSE", StringComparison.Ordinal))
        {
            throw new PortInUseException(output);
        }

        var what = timedOut
            ? $"Prism did not print \"{ReadyMarker}\" within {timeout.TotalSeconds:0.###} s"
            : $"Prism exited with code {exitCode} before listening";
        throw new InvalidOperationException(
            $"{what} (node {entryPoint} mock --errors -h 127.0.0.1 -p {port} {spec}). Output:{Environment.NewLine}{output}");
    }

    private static void Stop(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.WaitForExit(10_000);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class PortInUseException(string output) : Exception(output);
}

/// <summary>
/// One Prism for every test class in the <see cref="PrismCollection"/>. When Prism is not installed
/// (no node_modules): with CI=true initialisation fails (every conformance test fails with "run npm ci");
/// otherwise <see cref="Server"/> calls <c>Assert.Skip</c>, so each test is reported as skipped.
/// </summary>
public sealed class PrismFixture : IAsyncLifetime
{
    public const string NotInstalled = "Prism is not installed: run npm ci at the repository root";

    private PrismServer? server;
    private HttpClient? client;

    /// <summary>True when the environment variable CI is "true" (as in .ci/run).</summary>
    public static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The running server; skips the calling test when Prism is not installed (outside CI).</summary>
    public PrismServer Server
    {
        get
        {
            if (server is null)
            {
                Assert.Skip(NotInstalled);
            }

            return server;
        }
    }

    /// <summary>A shared client for <see cref="Server"/> with no Authorization header (set it per request).</summary>
    public HttpClient Client
    {
        get
        {
            _ = Server;
            return client!;
        }
    }

    public async ValueTask InitializeAsync()
    {
        if (PrismServer.EntryPoint is null)
        {
            if (IsCi)
            {
                throw new InvalidOperationException(
                    $"{NotInstalled} (CI=true, so the conformance tests fail instead of skipping; "
                    + $"expected node_modules/@stoplight/prism-cli under {RepoLayout.RepoRoot ?? "the repository root"}).");
            }

            return;
        }

        server = await PrismServer.StartAsync().ConfigureAwait(false);
        client = server.CreateClient(apiKey: null);
        TestContext.Current.SendDiagnosticMessage($"Prism {PrismServer.PinnedVersion} listening on {server.BaseUri} after {server.StartTime.TotalMilliseconds:F0} ms");
    }

    public async ValueTask DisposeAsync()
    {
        client?.Dispose();
        if (server is not null)
        {
            await server.DisposeAsync().ConfigureAwait(false);
        }
    }
}

/// <summary>Test classes marked <c>[Collection(PrismCollection.Name)]</c> share one <see cref="PrismFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class PrismCollection : ICollectionFixture<PrismFixture>
{
    public const string Name = "Prism conformance";
}
