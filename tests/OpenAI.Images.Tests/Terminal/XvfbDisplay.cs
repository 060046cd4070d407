using System;
using System.Diagnostics;
using System.IO;
using System.Text;

namespace OpenAI.Images.Tests.Terminal;

/// <summary>An X server of its own (Xvfb on a free display number, no TCP), stopped on dispose.</summary>
public sealed class XvfbDisplay : IDisposable
{
    private readonly Process _server;

    private XvfbDisplay(Process server, string name)
    {
        _server = server;
        Name = name;
    }

    /// <summary>The DISPLAY value, e.g. ":93".</summary>
    public string Name { get; }

    /// <summary>Starts Xvfb with one screen of <paramref name="width"/>x<paramref name="height"/> at 24 bits and waits for its socket.</summary>
    public static XvfbDisplay Start(string xvfb, int width, int height)
    {
        for (int number = 90 + Random.Shared.Next(50); number < 200; number++)
        {
            if (File.Exists($"/tmp/.X{number}-lock") || File.Exists($"/tmp/.X11-unix/X{number}"))
            {
                continue;
            }

            var start = new ProcessStartInfo(xvfb)
            {
                ArgumentList = { ":" + number, "-screen", "0", $"{width}x{height}x24", "-nolisten", "tcp" },
                UseShellExecute = false,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            Process server = Process.Start(start)!;
            var log = new StringBuilder();
            server.ErrorDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
            server.OutputDataReceived += (_, e) => { lock (log) { log.AppendLine(e.Data); } };
            server.BeginErrorReadLine();
            server.BeginOutputReadLine();
            if (TerminalPrograms.WaitFor(() => server.HasExited || File.Exists($"/tmp/.X11-unix/X{number}"), TimeSpan.FromMinutes(2)) && !server.HasExited)
            {
                return new XvfbDisplay(server, ":" + number);
            }

            // Another server took the number between the check and the start: try the next one.
            if (!server.HasExited)
            {
                server.Kill();
            }

            server.Dispose();
        }

        throw new InvalidOperationException("No free X display number for Xvfb.");
    }

    public void Dispose()
    {
        if (!_server.HasExited)
        {
            _server.Kill();
            _server.WaitForExit(5000);
        }

        _server.Dispose();
    }
}
