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
        Assert.Equal(new[] { Esc + "[16t" + Esc + "[c" }, terminal.Requests);
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
}
