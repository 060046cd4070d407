using System;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace OpenAI.Images.FakeApi;

/// <summary>
/// Standalone host: <c>dotnet OpenAI.Images.FakeApi.dll --port 0 [--api-key K] [--no-stdin]</c>.
/// Prints exactly one line, <c>FAKE_OPENAI_LISTENING http://127.0.0.1:{port}/v1</c>, once listening; exits when
/// stdin reaches end-of-file (unless <c>--no-stdin</c>), on <c>POST /_fake/shutdown</c>, or on Ctrl+C / SIGTERM.
/// </summary>
internal static class Program
{
    private const string Usage = "usage: OpenAI.Images.FakeApi [--port N] [--api-key KEY] [--no-stdin]";

    public static async Task<int> Main(string[] args)
    {
        var options = new FakeServerOptions();
        bool watchStdin = true;
        for (int i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--port" when i + 1 < args.Length && int.TryParse(args[i + 1], NumberStyles.None, CultureInfo.InvariantCulture, out int port) && port <= 65535:
                    options.Port = port;
                    i++;
                    break;
                case "--api-key" when i + 1 < args.Length:
                    options.ExpectedApiKey = args[++i];
                    break;
                case "--no-stdin":
                    watchStdin = false;
                    break;
                case "-h":
                case "--help":
                    Console.Out.WriteLine(Usage);
                    return 0;
                default:
                    Console.Error.WriteLine($"unknown or incomplete argument '{args[i]}'");
                    Console.Error.WriteLine(Usage);
                    return 2;
            }
        }

        FakeOpenAIServer server;
        try
        {
            server = await FakeOpenAIServer.StartAsync(options).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            Console.Error.WriteLine($"cannot listen on 127.0.0.1:{options.Port}: {ex.Message}");
            return 1;
        }

        await using FakeOpenAIServer running = server;

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            stop.TrySetResult();
        };
        using var sigterm = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM,
            context =>
            {
                context.Cancel = true;
                stop.TrySetResult();
            });

        Console.Out.WriteLine("FAKE_OPENAI_LISTENING " + server.BaseUri.AbsoluteUri.TrimEnd('/'));
        Console.Out.Flush();

        Task stdinClosed = watchStdin ? Task.Run(WaitForStdinEof) : Task.Delay(Timeout.Infinite);
        await Task.WhenAny(stdinClosed, server.ShutdownRequested, stop.Task).ConfigureAwait(false);
        return 0;
    }

    private static void WaitForStdinEof()
    {
        try
        {
            using Stream stdin = Console.OpenStandardInput();
            byte[] buffer = new byte[256];
            while (stdin.Read(buffer, 0, buffer.Length) > 0)
            {
            }
        }
        catch (IOException)
        {
        }
    }
}
