using System;
using System.Diagnostics;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Text;
using System.Threading;
using OpenAI.Images.Terminal;

namespace OpenAI.Images.PowerShell
{
    /// <summary>
    /// The screen a cmdlet draws on: what the host and the process say about it (<see cref="Facts"/>), the terminal
    /// query (pwsh's console only), and writing. Images are written through the host's UI, never to the pipeline: on
    /// pwsh's console that is what keeps them apart from the progress display (the host hides progress while it writes
    /// and shows it again below; text written to the console behind the host's back is erased when progress closes).
    /// </summary>
    internal sealed class TerminalSurface
    {
        private const string ConsoleHostName = "ConsoleHost";
        private const string DefaultHostName = "Default Host";
        private readonly PSHostUserInterface? _ui;
        private readonly bool _console;

        private TerminalSurface(PSHost host, TerminalFacts facts)
        {
            _ui = host.UI;
            _console = facts.IsConsoleHost;
            Facts = facts;
        }

        /// <summary>What the host and process say.</summary>
        public TerminalFacts Facts { get; }

        /// <summary>The query to pass to <see cref="TerminalDetector.Decide"/>: pwsh's console only.</summary>
        public TerminalQuery? Query => _console ? AskConsole : (TerminalQuery?)null;

        /// <summary>Gathers the facts about the host <paramref name="cmdlet"/> runs in.</summary>
        public static TerminalSurface For(PSCmdlet cmdlet)
        {
            PSHost host = cmdlet.Host;
            PSHostUserInterface? ui = host.UI;
            bool vt = false;
            try
            {
                vt = ui?.SupportsVirtualTerminal ?? false;
            }
            catch (NotImplementedException)
            {
            }

            bool console = string.Equals(host.Name, ConsoleHostName, StringComparison.Ordinal);
            var facts = new TerminalFacts
            {
                Environment = Environment.GetEnvironmentVariable,
                HasUserInterface = HasUserInterface(host),
                SupportsVirtualTerminal = vt,
                IsConsoleHost = console,
                PlainTextRendering = console && IsPlainText(cmdlet),
                OutputRedirected = Console.IsOutputRedirected,
                InputRedirected = Console.IsInputRedirected,
            };
            return new TerminalSurface(host, facts);
        }

        /// <summary>The window's width and height in cells, when the host can tell.</summary>
        public bool TryGetWindowSize(out int columns, out int rows)
        {
            columns = 0;
            rows = 0;
            try
            {
                Size? size = _ui?.RawUI?.WindowSize;
                if (size is Size s && s.Width > 0 && s.Height > 0)
                {
                    columns = s.Width;
                    rows = s.Height;
                    return true;
                }
            }
            catch (Exception ex) when (ex is NotImplementedException || ex is HostException || ex is System.IO.IOException || ex is PlatformNotSupportedException)
            {
            }

            return false;
        }

        /// <summary>Writes <paramref name="text"/> to the terminal as it is.</summary>
        public void Write(string text) => _ui?.Write(text);

        private static string AskConsole(string request, Func<string, bool> isComplete, TimeSpan timeout)
        {
            var answer = new StringBuilder();
            try
            {
                // Asking whether a key is waiting makes .NET take over the terminal's input settings (on Unix: echo and
                // line buffering off) before the query goes out. Without it, in a pwsh started with -Command or -File
                // (no PSReadLine yet), the terminal's answer arrives while the terminal still echoes input, and shows
                // on the screen as "^[[?62;4c".
                _ = Console.KeyAvailable;
                Console.Out.Write(request);
                Console.Out.Flush();
                var clock = Stopwatch.StartNew();
                while (clock.Elapsed < timeout)
                {
                    if (!Console.KeyAvailable)
                    {
                        Thread.Sleep(2);
                        continue;
                    }

                    ConsoleKeyInfo key = Console.ReadKey(intercept: true);
                    if ((key.Modifiers & ConsoleModifiers.Alt) != 0 && key.KeyChar != '\0')
                    {
                        // .NET on Unix reads ESC and one more character, when those two are all it has read so far,
                        // as Alt and that character (the ST ending an OSC 11 answer, ESC \, often is): put the ESC back.
                        answer.Append('\u001b');
                    }

                    answer.Append(key.KeyChar);
                    if (isComplete(answer.ToString()))
                    {
                        break;
                    }
                }
            }
            catch (InvalidOperationException)
            {
                // No console input after all: go on with what was read (the defaults).
            }

            return answer.ToString();
        }

        private static bool IsPlainText(PSCmdlet cmdlet)
        {
            // $PSStyle (PowerShell 7.2+): with OutputRendering PlainText, pwsh's console strips escape sequences from
            // what is written through it, which would leave the remains of an image on the screen.
            object? style = cmdlet.SessionState.PSVariable.GetValue("PSStyle");
            object? rendering = style == null ? null : PSObject.AsPSObject(style).Properties["OutputRendering"]?.Value;
            return string.Equals(rendering?.ToString(), "PlainText", StringComparison.Ordinal);
        }

        private static bool HasUserInterface(PSHost host)
        {
            // The engine gives every runspace a UI object, even in a host that has none (a runspace created without a
            // host runs in the engine's "Default Host"): such a UI has no raw UI, and writing to it goes nowhere.
            return host.UI?.RawUI != null && !string.Equals(host.Name, DefaultHostName, StringComparison.Ordinal);
        }
    }
}
