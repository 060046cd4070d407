using System;
using System.Collections.Generic;
using OpenAI.Images.Terminal;

namespace OpenAI.Images.Core.Tests.Terminal;

public class TerminalDetectorTests
{
    private const string Esc = "\u001b";

    /// <summary>A terminal double: records what was asked and answers with a fixed text.</summary>
    private sealed class FakeTerminal
    {
        private readonly string _answer;

        public FakeTerminal(string answer) => _answer = answer;

        public List<string> Requests { get; } = new List<string>();

        public TimeSpan? Timeout { get; private set; }

        public bool? AnswerWasComplete { get; private set; }

        public string Ask(string request, Func<string, bool> isComplete, TimeSpan timeout)
        {
            Requests.Add(request);
            Timeout = timeout;
            AnswerWasComplete = isComplete(_answer);
            return _answer;
        }
    }

    /// <summary>
    /// A terminal double whose answer arrives in pieces, as a reader sees it: after each piece the reader asks whether
    /// the answer is whole, and stops there when it is (what is left is never read).
    /// </summary>
    private sealed class ChunkedTerminal
    {
        private readonly string[] _chunks;

        public ChunkedTerminal(params string[] chunks) => _chunks = chunks;

        public int ChunksRead { get; private set; }

        public string Ask(string request, Func<string, bool> isComplete, TimeSpan timeout)
        {
            string answer = string.Empty;
            foreach (string chunk in _chunks)
            {
                answer += chunk;
                ChunksRead++;
                if (isComplete(answer))
                {
                    break;
                }
            }

            return answer;
        }
    }

    private static TerminalFacts Console(params (string Name, string Value)[] environment)
    {
        var env = new Dictionary<string, string>();
        foreach ((string name, string value) in environment)
        {
            env[name] = value;
        }

        return new TerminalFacts
        {
            Environment = n => env.TryGetValue(n, out string? v) ? v : null,
            HasUserInterface = true,
            SupportsVirtualTerminal = true,
            IsConsoleHost = true,
        };
    }

    [Theory]
    [InlineData("TERM", "xterm-kitty", TerminalGraphicsProtocol.Kitty)]
    [InlineData("KITTY_WINDOW_ID", "3", TerminalGraphicsProtocol.Kitty)]
    [InlineData("TERM_PROGRAM", "iTerm.app", TerminalGraphicsProtocol.ITerm)]
    [InlineData("TERM_PROGRAM", "WezTerm", TerminalGraphicsProtocol.ITerm)]
    [InlineData("WT_SESSION", "5d0f2a5e-1b8f-4e36-8e3a-9b1c7c1c6a11", TerminalGraphicsProtocol.Sixel)]
    [InlineData("TERM_PROGRAM", "vscode", TerminalGraphicsProtocol.Blocks)]
    [InlineData("TERM", "xterm-256color", TerminalGraphicsProtocol.Blocks)]
    public void AutoChoosesFromTheEnvironment(string name, string value, TerminalGraphicsProtocol expected)
    {
        // The terminal answers like tmux: a VT100 report, no Sixel, no cell size.
        var terminal = new FakeTerminal(Esc + "[?1;2c");
        TerminalDecision d = TerminalDetector.Decide(Console((name, value)), TerminalGraphicsProtocol.Auto, terminal.Ask);
        Assert.True(d.CanDraw);
        Assert.Equal(expected, d.Protocol);
        Assert.Equal((10, 20), (d.CellWidth, d.CellHeight));
    }

    [Fact]
    public void KittyWinsOverITermAndSixel()
    {
        TerminalFacts facts = Console(("TERM", "xterm-kitty"), ("TERM_PROGRAM", "WezTerm"), ("WT_SESSION", "x"));
        Assert.Equal(TerminalGraphicsProtocol.Kitty, TerminalDetector.Decide(facts, TerminalGraphicsProtocol.Auto, new FakeTerminal(string.Empty).Ask).Protocol);
        facts = Console(("TERM_PROGRAM", "iTerm.app"), ("WT_SESSION", "x"));
        Assert.Equal(TerminalGraphicsProtocol.ITerm, TerminalDetector.Decide(facts, TerminalGraphicsProtocol.Auto, new FakeTerminal(string.Empty).Ask).Protocol);
    }

    [Fact]
    public void AsksOnceWithTheTimeoutAndReadsSixelAndCellSize()
    {
        // xterm -ti vt340 answers both: cell size 9x18 (CSI 6 ; height ; width t), then attributes with 4.
        var terminal = new FakeTerminal(Esc + "[6;18;9t" + Esc + "[?63;1;2;4;6;9;15;22c");
        TerminalDecision d = TerminalDetector.Decide(Console(), TerminalGraphicsProtocol.Auto, terminal.Ask);
        Assert.Equal(new[] { Esc + "[16t" + Esc + "]11;?" + Esc + "\\" + Esc + "[c" }, terminal.Requests);
        Assert.Equal(TimeSpan.FromMilliseconds(200), terminal.Timeout);
        Assert.True(terminal.AnswerWasComplete);
        Assert.Equal(TerminalGraphicsProtocol.Sixel, d.Protocol);
        Assert.Equal((9, 18), (d.CellWidth, d.CellHeight));
    }

    [Theory]
    [InlineData("[?62;1;6;9;15;22c", false)] // VT220-class terminal without Sixel
    [InlineData("[?64;1;2;6;9;15;18;21;22c", false)]
    [InlineData("[?65;4c", true)]
    [InlineData("[?62;44c", false)] // 44 is not 4
    [InlineData("[?4;6c", false)] // a VT132's report: class 4, not the Sixel attribute
    [InlineData("[?1;2c", false)] // VT100 with advanced video (tmux)
    [InlineData("[?62;4", false)] // cut off: no final c
    public void SixelOnlyFromAttributeFourOfAVt220Report(string answer, bool sixel)
    {
        TerminalDecision d = TerminalDetector.Decide(Console(), TerminalGraphicsProtocol.Auto, new FakeTerminal(Esc + answer).Ask);
        Assert.Equal(sixel ? TerminalGraphicsProtocol.Sixel : TerminalGraphicsProtocol.Blocks, d.Protocol);
    }

    [Fact]
    public void NoAnswerWithinTheTimeoutMeansBlocksAndDefaultCells()
    {
        var silent = new FakeTerminal(string.Empty);
        TerminalDecision d = TerminalDetector.Decide(Console(), TerminalGraphicsProtocol.Auto, silent.Ask);
        Assert.Single(silent.Requests);
        Assert.False(silent.AnswerWasComplete);
        Assert.Equal(TerminalGraphicsProtocol.Blocks, d.Protocol);
        Assert.Equal((10, 20), (d.CellWidth, d.CellHeight));
    }

    [Theory]
    [InlineData("[6;0;9t")]
    [InlineData("[6;18;0t")]
    [InlineData("[6;4000;9t")]
    [InlineData("[4;600;800t")] // a window size report, not the cell size
    public void NonsensicalCellSizesAreIgnored(string answer)
    {
        TerminalDecision d = TerminalDetector.Decide(Console(), TerminalGraphicsProtocol.Sixel, new FakeTerminal(Esc + answer + Esc + "[?62;4c").Ask);
        Assert.Equal((10, 20), (d.CellWidth, d.CellHeight));
    }

    [Fact]
    public void AnExplicitProtocolIsKeptButStillAsksForTheCellSize()
    {
        var terminal = new FakeTerminal(Esc + "[6;16;8t" + Esc + "[?1;2c");
        TerminalDecision d = TerminalDetector.Decide(Console(("TERM", "xterm-kitty")), TerminalGraphicsProtocol.Sixel, terminal.Ask);
        Assert.Equal(TerminalGraphicsProtocol.Sixel, d.Protocol);
        Assert.Equal((8, 16), (d.CellWidth, d.CellHeight));
        Assert.Single(terminal.Requests);
    }

    [Fact]
    public void BlocksNeedNoQuery()
    {
        var terminal = new FakeTerminal(Esc + "[?62;4c");
        TerminalDecision d = TerminalDetector.Decide(Console(), TerminalGraphicsProtocol.Blocks, terminal.Ask);
        Assert.Equal(TerminalGraphicsProtocol.Blocks, d.Protocol);
        Assert.Empty(terminal.Requests);
    }

    [Theory]
    [InlineData(true, false)] // input redirected: the answer cannot be read
    [InlineData(false, true)] // another host (an editor's console): not this process's terminal
    public void NoQueryWithoutAConsoleToReadFrom(bool inputRedirected, bool otherHost)
    {
        TerminalFacts facts = Console();
        facts.InputRedirected = inputRedirected;
        facts.IsConsoleHost = !otherHost;
        var terminal = new FakeTerminal(Esc + "[6;18;9t" + Esc + "[?63;4c");
        TerminalDecision d = TerminalDetector.Decide(facts, TerminalGraphicsProtocol.Auto, terminal.Ask);
        Assert.Empty(terminal.Requests);
        Assert.True(d.CanDraw);
        Assert.Equal(TerminalGraphicsProtocol.Blocks, d.Protocol);
        Assert.Equal((10, 20), (d.CellWidth, d.CellHeight));

        // Windows Terminal is still recognised without asking.
        TerminalFacts wt = Console(("WT_SESSION", "x"));
        wt.InputRedirected = inputRedirected;
        wt.IsConsoleHost = !otherHost;
        Assert.Equal(TerminalGraphicsProtocol.Sixel, TerminalDetector.Decide(wt, TerminalGraphicsProtocol.Auto, terminal.Ask).Protocol);
        Assert.Empty(terminal.Requests);
    }

    [Theory]
    [InlineData("no UI", "no user interface")]
    [InlineData("redirected", "output is redirected")]
    [InlineData("no VT", "does not support virtual terminal")]
    [InlineData("PlainText", "PlainText")]
    [InlineData("dumb", "dumb")]
    public void NothingToDrawOnMeansNoQueryAndAReason(string situation, string reason)
    {
        foreach (TerminalGraphicsProtocol requested in new[] { TerminalGraphicsProtocol.Auto, TerminalGraphicsProtocol.Sixel, TerminalGraphicsProtocol.Kitty, TerminalGraphicsProtocol.Blocks })
        {
            TerminalFacts facts = Console(("TERM", "xterm-kitty"));
            switch (situation)
            {
                case "no UI": facts.HasUserInterface = false; break;
                case "redirected": facts.OutputRedirected = true; break;
                case "no VT": facts.SupportsVirtualTerminal = false; break;
                case "PlainText": facts.PlainTextRendering = true; break;
                default: facts.Environment = n => n == "TERM" ? "dumb" : null; break;
            }

            var terminal = new FakeTerminal(Esc + "[?63;4c");
            TerminalDecision d = TerminalDetector.Decide(facts, requested, terminal.Ask);
            Assert.False(d.CanDraw);
            Assert.Contains(reason, d.CannotDraw);
            Assert.Empty(terminal.Requests);
        }
    }

    [Fact]
    public void RedirectedOutputOfAnotherHostDoesNotMatter()
    {
        // A host with its own VT-capable UI (not pwsh's console) draws through that UI, whatever the process's stdout is.
        TerminalFacts facts = Console();
        facts.IsConsoleHost = false;
        facts.OutputRedirected = true;
        facts.InputRedirected = true;
        TerminalDecision d = TerminalDetector.Decide(facts, TerminalGraphicsProtocol.Auto, null);
        Assert.True(d.CanDraw, d.CannotDraw);
        Assert.Equal(TerminalGraphicsProtocol.Blocks, d.Protocol);
    }

    [Theory]
    [InlineData("\u001b[?62;4c", true)]
    [InlineData("\u001b[6;18;9t\u001b[?1;2c", true)]
    [InlineData("\u001b[6;18;9t", false)]
    [InlineData("\u001b[?62;4", false)]
    [InlineData("", false)]
    public void TheReadEndsWithTheAttributesReport(string answer, bool complete)
    {
        Assert.Equal(complete, TerminalDetector.IsComplete(answer));
    }

    [Theory]
    [InlineData("rgb:2020/4040/6060", 0x20, 0x40, 0x60)] // four digits a component (xterm)
    [InlineData("rgb:ffff/8080/0000", 0xff, 0x80, 0x00)]
    [InlineData("rgb:1e1e/1e1e/2e2e", 0x1e, 0x1e, 0x2e)]
    [InlineData("rgb:20/40/60", 0x20, 0x40, 0x60)] // two digits
    [InlineData("rgb:f/8/0", 0xff, 0x88, 0x00)] // one digit: f is all of it, 8 is 8/15
    [InlineData("rgb:800/fff/000", 0x80, 0xff, 0x00)] // three digits: 0x800/0xfff of 255 is 127.5, rounded up
    [InlineData("rgb:FFFF/0/a0", 0xff, 0x00, 0xa0)] // upper case, and components of different lengths
    [InlineData("rgba:2020/4040/6060/ffff", 0x20, 0x40, 0x60)] // rxvt-unicode's form with alpha (ignored)
    public void TheBackgroundIsReadFromTheOsc11Answer(string colour, int r, int g, int b)
    {
        var expected = new TerminalColor((byte)r, (byte)g, (byte)b);
        foreach (string end in new[] { Esc + "\\", "\u0007" })
        {
            Assert.True(TerminalDetector.TryParseBackground(Esc + "]11;" + colour + end, out TerminalColor parsed), colour + end);
            Assert.Equal(expected, parsed);

            // Between the other answers, as the terminal sends them: cell size, background, attributes.
            var terminal = new FakeTerminal(Esc + "[6;18;9t" + Esc + "]11;" + colour + end + Esc + "[?63;1;2;4c");
            TerminalDecision d = TerminalDetector.Decide(Console(), TerminalGraphicsProtocol.Auto, terminal.Ask);
            Assert.True(terminal.AnswerWasComplete);
            Assert.Equal(TerminalGraphicsProtocol.Sixel, d.Protocol);
            Assert.Equal((9, 18), (d.CellWidth, d.CellHeight));
            Assert.Equal(expected, d.ReportedBackground);
            Assert.Equal(expected, d.Background);
            Assert.False(d.TerminalComposites);
        }
    }

    [Theory]
    [InlineData("")] // no answer at all
    [InlineData("\u001b]11;rgb:2020/4040/6060")] // no terminator: cut short
    [InlineData("\u001b]11;rgb:2020/4040\u001b\\")] // two components
    [InlineData("\u001b]11;rgb:20202/4040/6060\u001b\\")] // five digits
    [InlineData("\u001b]11;rgb:2g20/4040/6060\u001b\\")] // not hex
    [InlineData("\u001b]11;rgb:/4040/6060\u001b\\")] // an empty component
    [InlineData("\u001b]11;#204060\u001b\\")] // not XParseColor's rgb: form
    [InlineData("\u001b]11;rgbi:0.1/0.2/0.3\u001b\\")]
    [InlineData("\u001b]10;rgb:2020/4040/6060\u001b\\")] // the foreground, not the background
    [InlineData("\u001b]11;?\u001b\\")] // the query echoed back
    [InlineData("]11;rgb:2020/4040/6060\u0007")] // no ESC
    [InlineData("\u001b]11;rgb:2020/4040/6060\u001b")] // ESC without the backslash of ST
    public void GarbageOrNoBackgroundAnswerMeansBlack(string osc)
    {
        Assert.False(TerminalDetector.TryParseBackground(osc, out TerminalColor parsed));
        Assert.Equal(default, parsed);

        TerminalDecision d = TerminalDetector.Decide(Console(), TerminalGraphicsProtocol.Auto, new FakeTerminal(osc + Esc + "[?1;2c").Ask);
        Assert.Equal(TerminalGraphicsProtocol.Blocks, d.Protocol);
        Assert.Null(d.ReportedBackground);
        Assert.Equal(new TerminalColor(0, 0, 0), d.Background);
    }

    [Fact]
    public void AnAnswerSplitAcrossReadsIsReadWholeAndOnlyTheAttributesEndTheRead()
    {
        // The background answer comes in pieces, ST itself split between two reads; the read goes on to the attributes.
        var terminal = new ChunkedTerminal(
            Esc + "[6;1",
            "8;9t" + Esc + "]1",
            "1;rgb:2020/40",
            "40/6060" + Esc,
            "\\",
            Esc + "[?62;",
            "4c",
            "left unread");
        TerminalDecision d = TerminalDetector.Decide(Console(), TerminalGraphicsProtocol.Auto, terminal.Ask);
        Assert.Equal(7, terminal.ChunksRead);
        Assert.Equal(new TerminalColor(0x20, 0x40, 0x60), d.ReportedBackground);
        Assert.Equal(TerminalGraphicsProtocol.Sixel, d.Protocol);
        Assert.Equal((9, 18), (d.CellWidth, d.CellHeight));

        // No prefix of the background answer ends the read, nor reads as a colour until its terminator.
        string osc = Esc + "]11;rgb:2020/4040/6060" + Esc + "\\";
        for (int i = 0; i < osc.Length; i++)
        {
            Assert.False(TerminalDetector.IsComplete(osc.Substring(0, i)));
            Assert.False(TerminalDetector.TryParseBackground(osc.Substring(0, i), out _));
        }

        Assert.False(TerminalDetector.IsComplete(osc));
        Assert.True(TerminalDetector.TryParseBackground(osc, out _));
    }

    [Theory]
    [InlineData(TerminalGraphicsProtocol.Kitty, "TERM", "xterm-kitty")]
    [InlineData(TerminalGraphicsProtocol.ITerm, "TERM_PROGRAM", "WezTerm")]
    public void KittyAndITermLeaveTransparencyToTheTerminal(TerminalGraphicsProtocol protocol, string name, string value)
    {
        string answer = Esc + "]11;rgb:2020/4040/6060" + Esc + "\\" + Esc + "[?62;4c";
        foreach (TerminalGraphicsProtocol requested in new[] { TerminalGraphicsProtocol.Auto, protocol })
        {
            TerminalDecision d = TerminalDetector.Decide(Console((name, value)), requested, new FakeTerminal(answer).Ask);
            Assert.Equal(protocol, d.Protocol);
            Assert.True(d.TerminalComposites);
            Assert.Null(d.ReportedBackground);
            Assert.Equal(new TerminalColor(0, 0, 0), d.Background);
        }

        // The same answer, drawn with Sixel there, is composited onto the reported colour.
        TerminalDecision sixel = TerminalDetector.Decide(Console((name, value)), TerminalGraphicsProtocol.Sixel, new FakeTerminal(answer).Ask);
        Assert.Equal(new TerminalColor(0x20, 0x40, 0x60), sixel.Background);
    }

    [Fact]
    public void WithoutAQueryTheBackgroundIsBlack()
    {
        string answer = Esc + "]11;rgb:ffff/ffff/ffff" + Esc + "\\" + Esc + "[?62;4c";
        TerminalFacts redirected = Console();
        redirected.InputRedirected = true;
        TerminalFacts otherHost = Console();
        otherHost.IsConsoleHost = false;
        foreach ((TerminalFacts facts, TerminalGraphicsProtocol requested) in new[]
        {
            (redirected, TerminalGraphicsProtocol.Auto),
            (otherHost, TerminalGraphicsProtocol.Sixel),
            (Console(), TerminalGraphicsProtocol.Blocks), // blocks are drawn without asking
        })
        {
            var terminal = new FakeTerminal(answer);
            TerminalDecision d = TerminalDetector.Decide(facts, requested, terminal.Ask);
            Assert.Empty(terminal.Requests);
            Assert.True(d.CanDraw);
            Assert.Null(d.ReportedBackground);
            Assert.Equal(new TerminalColor(0, 0, 0), d.Background);
        }

        Assert.Null(TerminalDetector.Decide(Console(), TerminalGraphicsProtocol.Auto, null).ReportedBackground);
    }
}
