using System;
using System.Globalization;
using System.Text.RegularExpressions;

namespace OpenAI.Images.Terminal
{
    /// <summary>
    /// Sends <paramref name="request"/> to the terminal and returns what it answered: everything read until
    /// <paramref name="isComplete"/> says the answer is whole, or until <paramref name="timeout"/> has passed (then
    /// whatever came, possibly nothing).
    /// </summary>
    internal delegate string TerminalQuery(string request, Func<string, bool> isComplete, TimeSpan timeout);

    /// <summary>What the host and the process say about the place an image would be drawn on.</summary>
    internal sealed class TerminalFacts
    {
        /// <summary>Reads an environment variable (TERM, TERM_PROGRAM, KITTY_WINDOW_ID, WT_SESSION).</summary>
        public Func<string, string?> Environment { get; set; } = _ => null;

        /// <summary>The host has a user interface (a hosted runspace or a remote host may have none).</summary>
        public bool HasUserInterface { get; set; }

        /// <summary>The host's UI understands escape sequences ($Host.UI.SupportsVirtualTerminal).</summary>
        public bool SupportsVirtualTerminal { get; set; }

        /// <summary>pwsh's console strips escape sequences ($PSStyle.OutputRendering is PlainText).</summary>
        public bool PlainTextRendering { get; set; }

        /// <summary>The host draws on this process's console (pwsh's ConsoleHost), so its input can be queried.</summary>
        public bool IsConsoleHost { get; set; }

        /// <summary>Standard output is redirected to a file or a pipe.</summary>
        public bool OutputRedirected { get; set; }

        /// <summary>Standard input is redirected (the terminal's answers cannot be read).</summary>
        public bool InputRedirected { get; set; }
    }

    /// <summary>How (and whether) to draw: the outcome of <see cref="TerminalDetector.Decide"/>.</summary>
    internal sealed class TerminalDecision
    {
        private TerminalDecision(TerminalGraphicsProtocol protocol, int cellWidth, int cellHeight, TerminalColor? reportedBackground, string? cannotDraw)
        {
            Protocol = protocol;
            CellWidth = cellWidth;
            CellHeight = cellHeight;
            ReportedBackground = reportedBackground;
            CannotDraw = cannotDraw;
        }

        /// <summary>The protocol to draw with (never Auto when <see cref="CanDraw"/>).</summary>
        public TerminalGraphicsProtocol Protocol { get; }

        /// <summary>A character cell's width in pixels (the terminal's answer to CSI 16 t, else 10).</summary>
        public int CellWidth { get; }

        /// <summary>A character cell's height in pixels (the terminal's answer to CSI 16 t, else 20).</summary>
        public int CellHeight { get; }

        /// <summary>
        /// The background colour the terminal reported (its answer to OSC 11), which transparent pixels are composited
        /// onto; null when it did not say, was not asked, or the protocol leaves transparency to the terminal.
        /// </summary>
        public TerminalColor? ReportedBackground { get; }

        /// <summary>The colour to composite transparent pixels onto: the reported background, else black.</summary>
        public TerminalColor Background => ReportedBackground ?? default(TerminalColor);

        /// <summary>
        /// Whether the terminal composites transparency itself (kitty and iTerm2 get the image file as it is), so
        /// <see cref="Background"/> is not used.
        /// </summary>
        public bool TerminalComposites => Protocol == TerminalGraphicsProtocol.Kitty || Protocol == TerminalGraphicsProtocol.ITerm;

        /// <summary>Why nothing can be drawn (for the warning); null when it can.</summary>
        public string? CannotDraw { get; }

        /// <summary>Whether there is a terminal to draw on.</summary>
        public bool CanDraw => CannotDraw == null;

        /// <summary>Drawing is possible.</summary>
        public static TerminalDecision Draw(TerminalGraphicsProtocol protocol, int cellWidth, int cellHeight, TerminalColor? reportedBackground) =>
            new TerminalDecision(protocol, cellWidth, cellHeight, reportedBackground, null);

        /// <summary>Nothing can be drawn, for <paramref name="reason"/>.</summary>
        public static TerminalDecision Nowhere(string reason) =>
            new TerminalDecision(TerminalGraphicsProtocol.Auto, TerminalDetector.DefaultCellWidth, TerminalDetector.DefaultCellHeight, null, reason);
    }

    /// <summary>
    /// Decides whether an image can be drawn and with which protocol, from the environment, the host, and (when the
    /// host is this process's console) the terminal's own answers to three queries: CSI 16 t (cell size in pixels),
    /// OSC 11 (the background colour, which transparent pixels are composited onto) and the primary device attributes,
    /// CSI c (whose attribute 4 means Sixel). No I/O of its own: the query is injected.
    /// </summary>
    internal static class TerminalDetector
    {
        /// <summary>The cell width assumed when the terminal does not say.</summary>
        public const int DefaultCellWidth = 10;

        /// <summary>The cell height assumed when the terminal does not say.</summary>
        public const int DefaultCellHeight = 20;

        /// <summary>How long to wait for the terminal's answers.</summary>
        public static readonly TimeSpan QueryTimeout = TimeSpan.FromMilliseconds(200);

        /// <summary>
        /// The query: cell size, background colour (OSC 11, ended by ST), then the primary device attributes. Every VT
        /// terminal answers the last, and terminals answer in order, so its answer ends the read at once (no waiting out
        /// the timeout on a terminal that ignores 16 t or OSC 11).
        /// </summary>
        public const string Query = "\u001b[16t\u001b]11;?\u001b\\\u001b[c";

        private static readonly Regex DeviceAttributes = new Regex(@"\u001b\[\?([0-9;]*)c", RegexOptions.CultureInvariant);
        private static readonly Regex CellSize = new Regex(@"\u001b\[6;([0-9]{1,5});([0-9]{1,5})t", RegexOptions.CultureInvariant);

        // OSC 11 ; rgb:R/G/B (XParseColor's form, 1 to 4 hex digits a component; rgba: adds alpha, as rxvt-unicode
        // answers with a transparent background), ended by BEL or ST (ESC \).
        private static readonly Regex BackgroundReport = new Regex(
            @"\u001b\]11;rgba?:([0-9A-Fa-f]{1,4})/([0-9A-Fa-f]{1,4})/([0-9A-Fa-f]{1,4})(?:/[0-9A-Fa-f]{1,4})?(?:\u0007|\u001b\\)",
            RegexOptions.CultureInvariant);

        /// <summary>
        /// Decides how to draw. <paramref name="query"/> is called at most once, only when the host is this process's
        /// console with neither input nor output redirected, and the requested protocol is not Blocks (which needs neither
        /// the cell size nor the attributes; without the query, its transparency goes onto black).
        /// </summary>
        public static TerminalDecision Decide(TerminalFacts facts, TerminalGraphicsProtocol requested, TerminalQuery? query)
        {
            string? nowhere = WhyNothingCanBeDrawn(facts);
            if (nowhere != null)
            {
                return TerminalDecision.Nowhere(nowhere);
            }

            string? answer = null;
            bool canQuery = query != null && facts.IsConsoleHost && !facts.InputRedirected && !facts.OutputRedirected;
            if (canQuery && requested != TerminalGraphicsProtocol.Blocks)
            {
                answer = query!(Query, IsComplete, QueryTimeout);
            }

            int cellWidth = DefaultCellWidth;
            int cellHeight = DefaultCellHeight;
            if (answer != null && TryParseCellSize(answer, out int width, out int height))
            {
                cellWidth = width;
                cellHeight = height;
            }

            TerminalGraphicsProtocol protocol = requested != TerminalGraphicsProtocol.Auto
                ? requested
                : Choose(facts.Environment, answer);

            // kitty and iTerm2 get the file as it is and composite transparency themselves.
            TerminalColor? background = null;
            bool composited = protocol == TerminalGraphicsProtocol.Sixel || protocol == TerminalGraphicsProtocol.Blocks;
            if (composited && answer != null && TryParseBackground(answer, out TerminalColor reported))
            {
                background = reported;
            }

            return TerminalDecision.Draw(protocol, cellWidth, cellHeight, background);
        }

        /// <summary>Why there is nothing to draw on, or null when there is.</summary>
        public static string? WhyNothingCanBeDrawn(TerminalFacts facts)
        {
            if (!facts.HasUserInterface)
            {
                return "this PowerShell host has no user interface to draw on";
            }

            if (facts.IsConsoleHost && facts.OutputRedirected)
            {
                return "the output is redirected";
            }

            if (!facts.SupportsVirtualTerminal)
            {
                return "this host does not support virtual terminal sequences";
            }

            if (facts.PlainTextRendering)
            {
                return "$PSStyle.OutputRendering is PlainText";
            }

            if (string.Equals(facts.Environment("TERM"), "dumb", StringComparison.Ordinal))
            {
                return "TERM is 'dumb'";
            }

            return null;
        }

        /// <summary>The protocol Auto stands for, from the environment and the terminal's answer (null: not asked).</summary>
        public static TerminalGraphicsProtocol Choose(Func<string, string?> environment, string? answer)
        {
            if (string.Equals(environment("TERM"), "xterm-kitty", StringComparison.Ordinal) || !string.IsNullOrEmpty(environment("KITTY_WINDOW_ID")))
            {
                return TerminalGraphicsProtocol.Kitty;
            }

            string? program = environment("TERM_PROGRAM");
            if (string.Equals(program, "iTerm.app", StringComparison.Ordinal) || string.Equals(program, "WezTerm", StringComparison.Ordinal))
            {
                return TerminalGraphicsProtocol.ITerm;
            }

            if (!string.IsNullOrEmpty(environment("WT_SESSION")) || (answer != null && AnnouncesSixel(answer)))
            {
                return TerminalGraphicsProtocol.Sixel;
            }

            return TerminalGraphicsProtocol.Blocks;
        }

        /// <summary>Whether the answer holds a whole primary device attributes report (which ends the read).</summary>
        public static bool IsComplete(string answer) => DeviceAttributes.IsMatch(answer);

        /// <summary>
        /// Whether the device attributes report (CSI ? class ; attributes c) lists attribute 4, Sixel graphics. Only a
        /// VT220-or-later report (class 62 and up) lists attributes; in a VT100-family report (CSI ? 1 ; 2 c, or a VT132's
        /// CSI ? 4 ; 6 c) the numbers mean something else.
        /// </summary>
        public static bool AnnouncesSixel(string answer)
        {
            Match m = DeviceAttributes.Match(answer);
            if (!m.Success)
            {
                return false;
            }

            string[] parts = m.Groups[1].Value.Split(';');
            if (parts.Length < 2 || !int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int deviceClass) || deviceClass < 62)
            {
                return false;
            }

            for (int i = 1; i < parts.Length; i++)
            {
                if (parts[i] == "4")
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// Reads the background colour from an answer to OSC 11 (OSC 11 ; rgb:R/G/B, or rgba:R/G/B/A, ended by BEL or
        /// ST); false when absent, cut short or malformed. Each component has 1 to 4 hex digits and is scaled to 8 bits
        /// (a component of n digits is a fraction of 16^n - 1); alpha is ignored.
        /// </summary>
        public static bool TryParseBackground(string answer, out TerminalColor colour)
        {
            colour = default;
            Match m = BackgroundReport.Match(answer);
            if (!m.Success)
            {
                return false;
            }

            colour = new TerminalColor(ScaleComponent(m.Groups[1].Value), ScaleComponent(m.Groups[2].Value), ScaleComponent(m.Groups[3].Value));
            return true;
        }

        private static byte ScaleComponent(string hex)
        {
            int value = int.Parse(hex, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
            int max = (1 << (4 * hex.Length)) - 1;
            return (byte)(((value * 255) + (max / 2)) / max);
        }

        /// <summary>Reads the cell size from an answer to CSI 16 t (CSI 6 ; height ; width t); false when absent or nonsensical.</summary>
        public static bool TryParseCellSize(string answer, out int width, out int height)
        {
            width = 0;
            height = 0;
            Match m = CellSize.Match(answer);
            if (!m.Success)
            {
                return false;
            }

            int h = int.Parse(m.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture);
            int w = int.Parse(m.Groups[2].Value, NumberStyles.None, CultureInfo.InvariantCulture);
            if (w < 1 || h < 1 || w > 512 || h > 512)
            {
                return false;
            }

            width = w;
            height = h;
            return true;
        }
    }
}
