using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;

namespace OpenAI.Images.Tests.Conformance;

/// <summary>
/// Base for tests that run the module's cmdlets in the hosted engine against Prism: OPENAI_BASE_URL is Prism's root
/// (no /v1) and OPENAI_API_KEY a dummy key (Prism only needs <c>Authorization: Bearer …</c>). Both are process-wide;
/// engine tests run one at a time (assembly ParallelMode.None), and they are restored when the test ends.
/// Each run also returns what Prism's log says about every request it received during the run (<see cref="PrismExchange"/>).
/// </summary>
[Collection(PrismCollection.Name)]
public abstract class PrismEngineTest : IDisposable
{
    public const string ApiKey = "sk-prism-module-0123456789";

    private readonly string? oldKey = Environment.GetEnvironmentVariable("OPENAI_API_KEY");
    private readonly string? oldBase = Environment.GetEnvironmentVariable("OPENAI_BASE_URL");

    protected PrismEngineTest(PrismFixture prism)
    {
        Prism = prism;
        Temp = Directory.CreateTempSubdirectory("openai-images-prism-").FullName;
    }

    protected PrismFixture Prism { get; }

    /// <summary>A fresh empty folder for this test (the script's location).</summary>
    protected string Temp { get; }

    /// <summary>
    /// Runs <paramref name="script"/> with the module pointed at Prism. Variables: $Temp (this test's folder, also the
    /// location), $Assets (tests/assets), $PrismBase (Prism's root URI). Skips the test when Prism is not installed.
    /// </summary>
    protected PrismRun RunAgainstPrism(string script)
    {
        var server = Prism.Server; // skips (or fails in CI) when Prism is not installed
        Environment.SetEnvironmentVariable("OPENAI_API_KEY", ApiKey);
        Environment.SetEnvironmentVariable("OPENAI_BASE_URL", server.BaseUri.ToString());
        int mark = server.Output.Length;
        var result = ModuleHost.Run(
            $"$null = $ExecutionContext.SessionState.Path.SetLocation({ModuleHost.Quote(Temp)})\n" + script,
            new Dictionary<string, object?>
            {
                ["Temp"] = Temp,
                ["Assets"] = Path.GetDirectoryName(ModuleHost.Asset("sample-8x8.png")),
                ["PrismBase"] = server.BaseUri.ToString(),
            });
        return new PrismRun(result, PrismLog.Read(server, mark));
    }

    /// <summary>Copies a test asset into the test folder (optionally under another name) and returns its path.</summary>
    protected string CopyAsset(string asset, string? name = null)
    {
        string target = Path.Combine(Temp, name ?? asset);
        File.Copy(ModuleHost.Asset(asset), target, overwrite: true);
        return target;
    }

    public void Dispose()
    {
        Environment.SetEnvironmentVariable("OPENAI_API_KEY", oldKey);
        Environment.SetEnvironmentVariable("OPENAI_BASE_URL", oldBase);
        try
        {
            Directory.Delete(Temp, recursive: true);
        }
        catch (IOException)
        {
        }

        GC.SuppressFinalize(this);
    }
}

/// <summary>One script run against Prism: what the engine produced and what Prism logged for each request.</summary>
public sealed record PrismRun(ScriptResult Result, IReadOnlyList<PrismExchange> Exchanges)
{
    public string Describe() =>
        Result.Describe() + Environment.NewLine + $"Prism saw {Exchanges.Count} request(s):" + Environment.NewLine
        + string.Join(Environment.NewLine, Exchanges.Select(e => e.Describe()));
}

/// <summary>
/// What Prism logged for one request: the route, the validator's verdict (and each violation), and how it ended.
/// Prism validates the request before it negotiates a response, so the verdict is there even when no response
/// can be produced (a streaming request with <c>Accept: text/event-stream</c> ends in 500 NO_COMPLEX_OBJECT_TEXT
/// after "The request passed the validation rules").
/// </summary>
public sealed class PrismExchange
{
    internal PrismExchange(string method, string path)
    {
        Method = method;
        Path = path;
    }

    /// <summary>Lower case, as Prism logs it (<c>post</c>).</summary>
    public string Method { get; }

    /// <summary>e.g. <c>/images/edits</c>.</summary>
    public string Path { get; }

    /// <summary>True when Prism logged "The request passed the validation rules".</summary>
    public bool Passed { get; internal set; }

    /// <summary>True when Prism logged "Request did not pass the validation rules".</summary>
    public bool Failed { get; internal set; }

    /// <summary>The validator's error lines for a failed request, e.g. "Request body property n must be integer,null".</summary>
    public List<string> Violations { get; } = new();

    /// <summary>The "Request terminated with error: …" text, or null when Prism answered normally.</summary>
    public string? TerminatedWith { get; internal set; }

    /// <summary>The status Prism's negotiator chose (<c>Responding with "200"</c>), or null.</summary>
    public string? RespondingWith { get; internal set; }

    /// <summary>Every log line of this request.</summary>
    public List<string> Lines { get; } = new();

    public string Describe() => $"  {Method.ToUpperInvariant()} {Path}: " + (Passed ? "passed validation" : Failed ? "FAILED validation: " + string.Join("; ", Violations) : "no verdict")
        + (TerminatedWith is null ? $", responding with {RespondingWith ?? "?"}" : $", terminated: {TerminatedWith}");
}

/// <summary>Reads Prism's log (the lines <see cref="PrismServer.Output"/> collected after a mark) into <see cref="PrismExchange"/>s.</summary>
public static partial class PrismLog
{
    /// <summary>How long <see cref="Read"/> waits for Prism's log at most: a guard against a hang, not a speed check.</summary>
    public static readonly TimeSpan Guard = TimeSpan.FromMinutes(2);

    /// <summary>
    /// The requests logged after <paramref name="mark"/>. Prism writes its log from a worker process and the test reads
    /// it asynchronously, so a line can come after the client had its answer. This sends a marker request
    /// (<c>GET /openai-images-log-mark/{guid}</c>, which Prism logs like any other and answers 404) and waits for the
    /// marker's own line: everything Prism logged for the requests before it is then in. When Prism has exited (it
    /// does on some malformed multipart bodies), its whole output is read instead.
    /// </summary>
    public static IReadOnlyList<PrismExchange> Read(PrismServer server, int mark)
    {
        var marker = "/openai-images-log-mark/" + Guid.NewGuid().ToString("N");
        try
        {
            using var client = server.CreateClient();
            client.Timeout = Guard;
            using var _ = client.GetAsync(marker.TrimStart('/')).GetAwaiter().GetResult();
        }
        catch (HttpRequestException) when (server.HasExited)
        {
            server.WaitForExit();
            var all = server.Output;
            return Parse(all.Length > mark ? all[mark..] : string.Empty);
        }

        var watch = Stopwatch.StartNew();
        while (true)
        {
            var text = server.Output;
            var at = text.IndexOf(" " + marker + " ", Math.Min(mark, text.Length), StringComparison.Ordinal);
            if (at >= 0)
            {
                var lineStart = text.LastIndexOf('\n', at) + 1;
                return Parse(lineStart > mark ? text[mark..lineStart] : string.Empty);
            }

            Assert.True(watch.Elapsed < Guard, $"Prism never logged the marker request {marker}. Output:{Environment.NewLine}{server.OutputTail()}");
            Thread.Sleep(10);
        }
    }

    public static List<PrismExchange> Parse(string log)
    {
        var exchanges = new List<PrismExchange>();
        PrismExchange? current = null;
        bool inViolations = false;
        foreach (var raw in log.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (Received().Match(line) is { Success: true } received)
            {
                current = new PrismExchange(received.Groups["method"].Value, received.Groups["path"].Value);
                exchanges.Add(current);
                inViolations = false;
            }

            if (current is null)
            {
                continue;
            }

            current.Lines.Add(line);
            if (line.Contains("[VALIDATOR]", StringComparison.Ordinal))
            {
                if (line.Contains("passed the validation rules", StringComparison.Ordinal))
                {
                    current.Passed = true;
                }
                else if (line.Contains("did not pass the validation rules", StringComparison.Ordinal))
                {
                    current.Failed = true;
                    inViolations = true;
                }
                else if (inViolations && ValidatorError().Match(line) is { Success: true } error)
                {
                    current.Violations.Add(error.Groups["message"].Value.Trim());
                }

                continue;
            }

            inViolations = false;
            if (Terminated().Match(line) is { Success: true } terminated)
            {
                current.TerminatedWith = terminated.Groups["what"].Value.Trim();
            }
            else if (Responding().Match(line) is { Success: true } responding)
            {
                current.RespondingWith = responding.Groups["status"].Value;
            }
        }

        return exchanges;
    }

    [GeneratedRegex(@"\[HTTP SERVER\] (?<method>[a-z]+) (?<path>\S+) .*Request received")]
    private static partial Regex Received();

    [GeneratedRegex(@"\[VALIDATOR\]\s+\S+\s+error\s+(?<message>.*)$")]
    private static partial Regex ValidatorError();

    [GeneratedRegex(@"Request terminated with error: (?<what>.*)$")]
    private static partial Regex Terminated();

    [GeneratedRegex(@"Responding with ""(?<status>\d+)""")]
    private static partial Regex Responding();
}

/// <summary>The module's assemblies as the engine loaded them (the tests never reference them at compile time).</summary>
public static class ModuleTypes
{
    /// <summary>OpenAI.Images.Core, reached through New-OpenAIImage's [OutputType] (ImageResult), which loads it.</summary>
    public static System.Reflection.Assembly Core(System.Management.Automation.PowerShell ps)
    {
        var info = (System.Management.Automation.CmdletInfo)ModuleHost.Run(ps, "Get-Command New-OpenAIImage").Output.Single().BaseObject;
        var type = info.OutputType.Select(t => t.Type).FirstOrDefault(t => t?.Name == "ImageResult")
            ?? throw new InvalidOperationException("New-OpenAIImage declares no [OutputType(typeof(ImageResult))].");
        return type.Assembly;
    }
}
