using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;

namespace OpenAI.Images.Tests.Terminal;

/// <summary>
/// The real terminals the terminal tests drive (tmux; xterm under Xvfb, screenshots with ImageMagick) and the
/// repository's pwsh. A missing program skips the test with what to install, except under CI=true, where it fails.
/// </summary>
public static class TerminalPrograms
{
    /// <summary>Environment variables that would make Auto pick kitty, iTerm2 or Sixel whatever terminal the test runs in.</summary>
    public static readonly string[] TerminalVariables = { "KITTY_WINDOW_ID", "TERM_PROGRAM", "WT_SESSION", "NO_COLOR" };

    private static bool IsCi => string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase);

    /// <summary>The full path of <paramref name="program"/> on PATH; skips (or, under CI, fails) the test when it is missing.</summary>
    public static string Require(string program, string debianPackage)
    {
        string? found = Find(program);
        if (found != null)
        {
            return found;
        }

        string message = $"'{program}' is not installed (Debian: apt-get install {debianPackage})";
        if (IsCi)
        {
            Assert.Fail(message + "; CI=true, so the terminal tests fail instead of skipping.");
        }

        Assert.Skip(message + ": the real-terminal test is skipped.");
        return null!;
    }

    /// <summary>
    /// The command line that starts the repository's pwsh (the dotnet local tool) on a script file, for a shell: the
    /// variables in <see cref="TerminalVariables"/> unset, so that only the terminal itself decides, then
    /// <paramref name="assignments"/> (NAME=value) set.
    /// </summary>
    public static string PwshCommand(string script, params string[] assignments) =>
        "cd " + Quote(ModuleHost.RepoRoot) + " && exec env " + string.Join(" ", TerminalVariables.Select(v => "-u " + v))
        + string.Concat(assignments.Select(a => " " + Quote(a)))
        + " dotnet tool run pwsh -- -NoProfile -NoLogo -NonInteractive -File " + Quote(script);

    /// <summary>A shell single-quoted word.</summary>
    public static string Quote(string value) => "'" + value.Replace("'", "'\\''") + "'";

    /// <summary>Runs a program to its end (at most <paramref name="timeout"/>) and returns its exit code, standard output and error.</summary>
    public static (int ExitCode, string Output, string Error) Run(string program, IEnumerable<string> arguments, TimeSpan timeout, IDictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo(program)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = ModuleHost.RepoRoot,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (KeyValuePair<string, string?> variable in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[variable.Key] = variable.Value;
        }

        using Process process = Process.Start(start)!;
        process.StandardInput.Close();
        var output = new StringBuilder();
        var error = new StringBuilder();
        process.OutputDataReceived += (_, e) => { lock (output) { output.Append(e.Data).Append('\n'); } };
        process.ErrorDataReceived += (_, e) => { lock (error) { error.Append(e.Data).Append('\n'); } };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            return (-1, output.ToString(), "timed out\n" + error);
        }

        process.WaitForExit();
        return (process.ExitCode, output.ToString(), error.ToString());
    }

    /// <summary>Waits until <paramref name="done"/> holds, checking every 100 ms, at most <paramref name="timeout"/>.</summary>
    public static bool WaitFor(Func<bool> done, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (!done())
        {
            if (clock.Elapsed > timeout)
            {
                return false;
            }

            Thread.Sleep(100);
        }

        return true;
    }

    private static string? Find(string program)
    {
        foreach (string dir in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            string candidate = Path.Combine(dir, program);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
