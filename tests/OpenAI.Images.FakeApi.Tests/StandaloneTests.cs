using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using static OpenAI.Images.FakeApi.Tests.TestSupport;

namespace OpenAI.Images.FakeApi.Tests;

/// <summary>The fake as the Pester suites use it: <c>dotnet OpenAI.Images.FakeApi.dll --port 0</c> in a child process.</summary>
public sealed class StandaloneTests
{
    private static readonly string FakeDll = Path.Combine(AppContext.BaseDirectory, "OpenAI.Images.FakeApi.dll");

    private sealed class Child : IAsyncDisposable
    {
        public Child(Process process, Uri baseUri, string[] stdoutLines)
        {
            Process = process;
            BaseUri = baseUri;
            StdoutLines = stdoutLines;
        }

        public Process Process { get; }

        public Uri BaseUri { get; }

        public string[] StdoutLines { get; }

        public Uri Root => new(BaseUri, "/");

        public static async Task<Child> StartAsync(params string[] extraArgs)
        {
            var info = new ProcessStartInfo("dotnet")
            {
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            info.ArgumentList.Add(FakeDll);
            info.ArgumentList.Add("--port");
            info.ArgumentList.Add("0");
            foreach (string arg in extraArgs)
            {
                info.ArgumentList.Add(arg);
            }

            Process process = Process.Start(info)!;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            timeout.CancelAfter(TimeSpan.FromMinutes(2)); // a hang guard: a process start on a loaded machine can take many seconds
            string? line = await process.StandardOutput.ReadLineAsync(timeout.Token);
            Assert.NotNull(line);
            Match m = Regex.Match(line, @"^FAKE_OPENAI_LISTENING (http://127\.0\.0\.1:(\d+)/v1)$");
            Assert.True(m.Success, "unexpected first line: " + line);
            return new Child(process, new Uri(m.Groups[1].Value), new[] { line });
        }

        public async ValueTask DisposeAsync()
        {
            if (!Process.HasExited)
            {
                Process.Kill();
                await Process.WaitForExitAsync(CancellationToken.None);
            }

            Process.Dispose();
        }
    }

    [Fact]
    public async Task Standalone_PrintsOneLine_ServesTheControlApi_AndExitsWhenStdinCloses()
    {
        var watch = Stopwatch.StartNew();
        await using Child child = await Child.StartAsync();
        TestContext.Current.SendDiagnosticMessage($"standalone start to first line: {watch.ElapsedMilliseconds} ms");
        using var http = new HttpClient { BaseAddress = child.Root };

        using (HttpResponseMessage enqueue = await http.PostAsync("_fake/enqueue", JsonBody("""{"kind":"error","status":429,"message":"slow","type":"requests","code":"rate_limit_exceeded","headers":{"retry-after-ms":"10"}}"""), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, enqueue.StatusCode);
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/images/generations") { Content = JsonBody("""{"model":"gpt-image-1","prompt":"otter"}""") };
        request.Headers.Add("Authorization", "Bearer sk-standalone");
        using (HttpResponseMessage limited = await http.SendAsync(request, Ct))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, limited.StatusCode);
            Assert.Equal("10", limited.Headers.GetValues("retry-after-ms").Single());
        }

        using (HttpResponseMessage ok = await http.PostAsync("v1/images/generations", JsonBody("""{"model":"gpt-image-1","prompt":"otter"}"""), Ct))
        {
            Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
            Assert.Equal(Asset("sample-8x8.png"), DecodeB64((await ReadJsonObjectAsync(ok))["data"]![0]!["b64_json"]));
        }

        JsonArray requests = JsonNode.Parse(await http.GetStringAsync("_fake/requests", Ct))!.AsArray();
        Assert.Equal(2, requests.Count);
        Assert.Equal("otter", (string?)requests[0]!["json"]!["prompt"]);
        Assert.Equal("Bearer sk-standalone", (string?)requests[0]!["headers"]!["authorization"]![0]);

        child.Process.StandardInput.Close();
        using var exitTimeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        exitTimeout.CancelAfter(TimeSpan.FromMinutes(1));
        await child.Process.WaitForExitAsync(exitTimeout.Token);
        Assert.Equal(0, child.Process.ExitCode);
        Assert.Equal(string.Empty, await child.Process.StandardOutput.ReadToEndAsync(Ct));
        Assert.Equal(string.Empty, await child.Process.StandardError.ReadToEndAsync(Ct));
    }

    [Fact]
    public async Task Standalone_ApiKeyOption_AndShutdownRoute()
    {
        await using Child child = await Child.StartAsync("--api-key", "sk-only-this");
        using var http = new HttpClient { BaseAddress = child.Root };

        using (HttpResponseMessage missing = await http.PostAsync("v1/images/generations", JsonBody("""{"prompt":"p"}"""), Ct))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        }

        using (HttpResponseMessage shutdown = await http.PostAsync("_fake/shutdown", null, Ct))
        {
            Assert.Equal(HttpStatusCode.OK, shutdown.StatusCode);
        }

        using var exitTimeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        exitTimeout.CancelAfter(TimeSpan.FromMinutes(1));
        await child.Process.WaitForExitAsync(exitTimeout.Token);
        Assert.Equal(0, child.Process.ExitCode);
    }

    [Fact]
    public async Task Standalone_ReportsAPortInUse()
    {
        await using var busy = await FakeOpenAIServer.StartAsync();
        using Process process = Process.Start(new ProcessStartInfo("dotnet", new[] { FakeDll, "--port", busy.Port.ToString(System.Globalization.CultureInfo.InvariantCulture) })
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        string stdout = await process.StandardOutput.ReadToEndAsync(Ct);
        string stderr = await process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);

        Assert.Equal(1, process.ExitCode);
        Assert.Equal(string.Empty, stdout);
        Assert.StartsWith($"cannot listen on 127.0.0.1:{busy.Port}", stderr);
    }

    [Fact]
    public async Task Standalone_RejectsUnknownArguments()
    {
        using Process process = Process.Start(new ProcessStartInfo("dotnet", new[] { FakeDll, "--bogus" })
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        })!;
        string stderr = await process.StandardError.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);

        Assert.Equal(2, process.ExitCode);
        Assert.Contains("usage:", stderr);
    }
}
