using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;

namespace OpenAI.Images.Pester.Tests;

/// <summary>One Pester test as tests/Invoke-PesterSuites.ps1 reports it.</summary>
public sealed record PesterRecord(string File, string Key, string Name, string Result, string? Error);

/// <summary>
/// Runs tests/Invoke-PesterSuites.ps1 on the repository's pwsh (<c>dotnet tool run pwsh</c>, the version pinned in
/// .config/dotnet-tools.json) with the Pester that the build restored. Each run happens once per test process.
/// </summary>
public static class PesterRunner
{
    private static readonly Lazy<string> Root = new(FindRepoRoot);
    private static readonly Lazy<Task<Dictionary<string, PesterRecord>>> Together = new(() => RunAsync(null));
    private static readonly ConcurrentDictionary<string, Lazy<Task<Dictionary<string, PesterRecord>>>> Alone = new();

    // pwsh processes at once: the machine has two cores and each suite also starts a fake server.
    private static readonly SemaphoreSlim Slots = new(2);

    /// <summary>The repository root (the folder with OpenAI.Images.slnx).</summary>
    public static string RepoRoot => Root.Value;

    /// <summary>Pester's module folder, restored by this project's PackageDownload.</summary>
    public static string PesterModule { get; } = typeof(PesterRunner).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .Single(a => a.Key == "PesterModuleDirectory").Value!;

    /// <summary>Every Pester test, found by Pester's own discovery (nothing runs).</summary>
    public static IReadOnlyList<PesterRecord> Discover()
    {
        string resultPath = Path.Combine(Path.GetTempPath(), "openai-images-pester-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            (int exitCode, string output) = RunPwshAsync(new[] { "-Discover", "-ResultPath", resultPath }, CancellationToken.None).GetAwaiter().GetResult();
            if (!File.Exists(resultPath))
            {
                throw new InvalidOperationException($"Pester discovery wrote nothing (exit code {exitCode}):\n{output}");
            }

            return Read(resultPath);
        }
        finally
        {
            File.Delete(resultPath);
        }
    }

    /// <summary>The results of every suite run together in one Invoke-Pester.</summary>
    public static Task<Dictionary<string, PesterRecord>> AllTogether() => Together.Value;

    /// <summary>The results of one file run alone.</summary>
    public static Task<Dictionary<string, PesterRecord>> FileAlone(string file) =>
        Alone.GetOrAdd(file, f => new Lazy<Task<Dictionary<string, PesterRecord>>>(() => RunAsync(f))).Value;

    /// <summary>Starts every run now (they take the two slots in turn), so later tests find their results ready.</summary>
    public static void StartAll(IEnumerable<string> files)
    {
        _ = AllTogether();
        foreach (string file in files)
        {
            _ = FileAlone(file);
        }
    }

    private static async Task<Dictionary<string, PesterRecord>> RunAsync(string? file)
    {
        await Slots.WaitAsync().ConfigureAwait(false);
        string resultPath = Path.Combine(Path.GetTempPath(), "openai-images-pester-" + Guid.NewGuid().ToString("N") + ".json");
        try
        {
            var arguments = new List<string> { "-ResultPath", resultPath };
            if (file != null)
            {
                arguments.Add("-Path");
                arguments.Add(Path.Combine(RepoRoot, file));
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(8));
            (int exitCode, string output) = await RunPwshAsync(arguments, timeout.Token).ConfigureAwait(false);
            if (!File.Exists(resultPath))
            {
                throw new InvalidOperationException($"Invoke-Pester ({file ?? "every suite"}) wrote no results (exit code {exitCode}):\n{output}");
            }

            return Read(resultPath).ToDictionary(r => r.Key, StringComparer.Ordinal);
        }
        finally
        {
            File.Delete(resultPath);
            Slots.Release();
        }
    }

    private static List<PesterRecord> Read(string path)
    {
        using FileStream stream = File.OpenRead(path);
        using JsonDocument document = JsonDocument.Parse(stream);
        var records = new List<PesterRecord>();
        foreach (JsonElement e in document.RootElement.EnumerateArray())
        {
            records.Add(new PesterRecord(
                e.GetProperty("file").GetString()!,
                e.GetProperty("key").GetString()!,
                e.GetProperty("name").GetString()!,
                e.GetProperty("result").GetString()!,
                e.GetProperty("error").ValueKind == JsonValueKind.Null ? null : e.GetProperty("error").GetString()));
        }

        return records;
    }

    private static async Task<(int ExitCode, string Output)> RunPwshAsync(IEnumerable<string> scriptArguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepoRoot,
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string argument in new[] { "tool", "run", "pwsh", "--", "-NoProfile", "-NonInteractive", "-File", Path.Combine(RepoRoot, "tests", "Invoke-PesterSuites.ps1"), "-PesterModule", Path.Combine(PesterModule, "Pester.psd1") })
        {
            start.ArgumentList.Add(argument);
        }

        foreach (string argument in scriptArguments)
        {
            start.ArgumentList.Add(argument);
        }

        using Process process = Process.Start(start) ?? throw new InvalidOperationException("dotnet did not start.");
        process.StandardInput.Close();
        var output = new StringBuilder();
        Task stdout = PumpAsync(process.StandardOutput, output);
        Task stderr = PumpAsync(process.StandardError, output);
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("Invoke-Pester did not finish in time:\n" + output);
        }

        await Task.WhenAll(stdout, stderr).ConfigureAwait(false);
        return (process.ExitCode, output.ToString());
    }

    private static async Task PumpAsync(StreamReader reader, StringBuilder sink)
    {
        string? line;
        while ((line = await reader.ReadLineAsync().ConfigureAwait(false)) != null)
        {
            lock (sink)
            {
                sink.AppendLine(line);
            }
        }
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir != null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "OpenAI.Images.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Cannot find the repository root (OpenAI.Images.slnx) above " + AppContext.BaseDirectory);
    }
}
