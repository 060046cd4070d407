using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace OpenAI.Images.Tests.Terminal;

/// <summary>
/// Show-OpenAIImage on pwsh in real terminals: tmux (whose capture-pane reads the half-block colours back), xterm as a
/// VT340 under Xvfb (a screenshot shows the Sixel image, and transparency over the background xterm reports), and with
/// standard output redirected (no escape sequences).
/// Each test starts one pwsh; the terminal answers the module's queries itself.
/// </summary>
public sealed class RealTerminalTests : EngineTest
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    public RealTerminalTests(FakeApiFixture fixture) : base(fixture)
    {
    }

    [Fact]
    public void TmuxShowsTheBlocksColoursReplacesPartialImagesInPlaceAndDrawsTransparencyOnBlack()
    {
        string tmux = TerminalPrograms.Require("tmux", "tmux");
        string image = Path.Combine(Temp, "quadrants.png");
        File.WriteAllBytes(image, QuadrantPng.Quadrants(64, 64));
        string alpha = Path.Combine(Temp, "alpha.png");
        File.WriteAllBytes(alpha, HalfTransparent(8));
        string verbose = Path.Combine(Temp, "verbose.txt");
        string script = Script(
            true,
            $"Show-OpenAIImage -LiteralPath {ModuleHost.Quote(image)} -Width 8",
            "Write-Host 'MARK-1'",
            "New-OpenAIImage 'stream me' -PartialImages 2 | Show-OpenAIImage -Width 6",
            "Write-Host 'MARK-2'",
            $"Show-OpenAIImage -LiteralPath {ModuleHost.Quote(alpha)} -Width 4 -Verbose 4> {ModuleHost.Quote(verbose)}",
            "Write-Host 'MARK-3'");

        using var session = new TmuxSession(tmux);
        session.Start(TerminalPrograms.PwshCommand(script));
        Assert.True(TerminalPrograms.WaitFor(() => session.Capture(false).Contains("MARK-3"), Deadline), session.Capture(false));
        string plain = session.Capture(false);
        string coloured = session.Capture(true);

        // Auto chose blocks (tmux 3.3 does not announce Sixel), and the terminal's answer was read, not echoed.
        Assert.DoesNotContain("[?", plain);
        Assert.DoesNotContain("]11", plain);
        string[] lines = plain.Split('\n');
        int mark1 = Array.FindIndex(lines, l => l.StartsWith("MARK-1", StringComparison.Ordinal));
        int mark2 = Array.FindIndex(lines, l => l.StartsWith("MARK-2", StringComparison.Ordinal));
        Assert.Equal(4, mark1); // the 64x64 image at 8 cells: 8x8 pixels, two per cell row: 4 rows, from the first line

        // The colours tmux holds are the image's: red and green above blue and yellow, both half-cells the same.
        string[][] cells = BlockText.Cells(string.Join("\n", coloured.Split('\n').Take(mark1)));
        Assert.Equal(4, cells.Length);
        for (int row = 0; row < 4; row++)
        {
            Assert.Equal(8, cells[row].Length);
            for (int column = 0; column < 8; column++)
            {
                (byte r, byte g, byte b) = QuadrantPng.QuadrantColour(column / 4, row / 2);
                Assert.Equal($"{r};{g};{b}/{r};{g};{b}", cells[row][column]);
            }
        }

        // Two partial images and the final one, 6 cells wide (3 rows each), took the room of one.
        int drawn = Enumerable.Range(mark1 + 1, mark2 - mark1 - 1).Count(i => lines[i].Contains('▀'));
        Assert.True(drawn == 3 && mark2 == mark1 + 4, plain);

        // tmux 3.3 does not answer OSC 11 (it reports only the attributes), so transparency is drawn over black: the
        // 8x8 image at 4 cells is 4x4 pixels in 2 rows, green above, then transparent and half-transparent red.
        Assert.Contains("transparent pixels onto black (#000000): the terminal did not report its background", File.ReadAllText(verbose));
        string[][] alphaCells = BlockText.Cells(string.Join("\n", coloured.Split('\n').Skip(mark2 + 1).Take(2)));
        string green = "0;255;0/0;255;0", clear = "0;0;0/0;0;0", red = "128;0;0/128;0;0";
        Assert.Equal(new[] { green, green, green, green }, alphaCells[0]);
        Assert.Equal(new[] { clear, clear, red, red }, alphaCells[1]);
    }

    [Fact]
    public void RedirectedOutputGetsNoEscapeSequences()
    {
        string tmux = TerminalPrograms.Require("tmux", "tmux");
        File.WriteAllBytes(Path.Combine(Temp, "q.png"), QuadrantPng.Quadrants(16, 16));
        string script = Script(
            false,
            $"Set-Location -LiteralPath {ModuleHost.Quote(Temp)}",
            "foreach ($p in 'Auto', 'Sixel', 'Kitty', 'ITerm', 'Blocks') { Show-OpenAIImage q.png -Protocol $p }",
            "Get-Item q.png | Show-OpenAIImage -PassThru | ForEach-Object { 'passed ' + $_.Name }",
            "New-OpenAIImage 'x' | Show-OpenAIImage -PassThru | ForEach-Object { 'passed ' + $_.GetType().Name }",
            "'END'");

        // Standard output to a file while standard input is tmux's terminal (where a query could be answered), and
        // standard output to a pipe; NO_COLOR keeps pwsh's own formatting plain, so any escape character is ours.
        string file = Path.Combine(Temp, "out.txt");
        using var session = new TmuxSession(tmux);
        session.Start("(" + TerminalPrograms.PwshCommand(script, "NO_COLOR=1") + ") > " + TerminalPrograms.Quote(file) + " 2>&1; echo EXITED; sleep 300");
        Assert.True(TerminalPrograms.WaitFor(() => session.Capture(false).Contains("EXITED"), Deadline), session.Capture(false));
        (int code, string piped, string errors) = TerminalPrograms.Run("sh", new[] { "-c", TerminalPrograms.PwshCommand(script, "NO_COLOR=1") }, Deadline);
        Assert.True(code == 0, piped + errors);

        foreach (string output in new[] { File.ReadAllText(file), piped + errors })
        {
            Assert.DoesNotContain('\u001b', output);
            Assert.DoesNotContain("▀", output);
            Assert.Equal(7, Regex.Matches(output, "draws nothing: the output is redirected").Count); // one per call
            Assert.Contains("Invoke-Item", output);
            Assert.Contains("passed q.png", output);
            Assert.Contains("passed ImageResult", output);
            Assert.Contains("END", output);
        }

        // Nothing reached the terminal either: no image, no query, no answer echoed.
        Assert.Equal("EXITED", session.Capture(false).Trim());
    }

    [Fact]
    public void XtermDrawsTheSixelImageWhereItShouldBeAndAPartialOneIsReplacedInPlace()
    {
        string image = Path.Combine(Temp, "quadrants.png");
        File.WriteAllBytes(image, QuadrantPng.Quadrants(64, 64));
        string partial = Path.Combine(Temp, "partial.png");
        File.WriteAllBytes(partial, QuadrantPng.Create(64, 64, (_, _) => (255, 0, 255)));
        string final = Path.Combine(Temp, "final.png");
        File.WriteAllBytes(final, QuadrantPng.Create(64, 64, (_, _) => (0, 255, 255)));
        Screenshot screen = ShowInXterm(
            "black",
            $"Show-OpenAIImage -LiteralPath {ModuleHost.Quote(image)} -Width 20",
            "$partial = [OpenAI.Images.ImageResult]@{ Data = [IO.File]::ReadAllBytes(" + ModuleHost.Quote(partial) + "); IsPartial = $true; PartialImageIndex = 0 }",
            "$final = [OpenAI.Images.ImageResult]@{ Data = [IO.File]::ReadAllBytes(" + ModuleHost.Quote(final) + ") }",
            "$partial, $final | Show-OpenAIImage -Width 10");

        // The red quadrant starts at the top left of the terminal (inside xterm's 2-pixel border); the image is
        // 20 cells of the width xterm reported wide (DejaVu Sans Mono 10: 8 pixels), each quadrant half of it.
        (int x, int y, int w, int h) red = screen.Bounds((255, 0, 0));
        Assert.InRange(red.x, 0, 4);
        Assert.InRange(red.y, 0, 4);
        Assert.Equal(80, red.w);
        Assert.InRange(red.h, 78, 90); // the height is rounded to whole cells of xterm's height
        Assert.Equal((red.x + red.w, red.y, red.w, red.h), screen.Bounds((0, 255, 0)));
        Assert.Equal((red.x, red.y + red.h, red.w, red.h), screen.Bounds((0, 0, 255)));
        Assert.Equal((red.x + red.w, red.y + red.h, red.w, red.h), screen.Bounds((255, 255, 0)));

        // Below it, the final image drawn over the partial one: cyan, 10 cells (80 pixels) wide, no magenta left.
        (int x, int y, int w, int h) cyan = screen.Bounds((0, 255, 255));
        Assert.Equal(red.x, cyan.x);
        Assert.InRange(cyan.y, red.y + (2 * red.h), red.y + (2 * red.h) + 20);
        Assert.Equal(80, cyan.w);
        Assert.Equal((0, 0, 0, 0), screen.Bounds((255, 0, 255)));
    }

    [Fact]
    public void XtermTellsItsBackgroundAndTransparentPixelsAreCompositedOntoIt()
    {
        // Top half opaque green; bottom left fully transparent (white that must not show); bottom right red at half
        // alpha, which over the background #204060 is (255*128 + 0x20*127)/255 and so on: #902030.
        string image = Path.Combine(Temp, "alpha.png");
        File.WriteAllBytes(image, HalfTransparent(64));
        string verbose = Path.Combine(Temp, "verbose.txt");
        Screenshot screen = ShowInXterm(
            "#204060",
            $"Show-OpenAIImage -LiteralPath {ModuleHost.Quote(image)} -Width 20 -Verbose 4> {ModuleHost.Quote(verbose)}");

        Assert.Contains("transparent pixels onto #204060, the background the terminal reported", File.ReadAllText(verbose));
        (int x, int y, int w, int h) green = screen.Bounds((0, 255, 0));
        Assert.InRange(green.x, 0, 4);
        Assert.Equal(160, green.w);
        Assert.InRange(green.h, 78, 90);

        // The half-transparent red is composited onto the terminal's background (over black it would be #800000)...
        (int x, int y, int w, int h) blended = screen.Bounds((0x90, 0x20, 0x30));
        Assert.Equal((green.x + 80, green.y + green.h, 80), (blended.x, blended.y, blended.w));
        Assert.InRange(blended.h, 70, 90);

        // ... and the transparent quadrant is the background itself: nothing black (or white) was drawn in the image.
        (byte r, byte g, byte b) hole = screen.Pixel(green.x + 40, blended.y + (blended.h / 2));
        Assert.True(Math.Abs(hole.r - 0x20) <= 8 && Math.Abs(hole.g - 0x40) <= 8 && Math.Abs(hole.b - 0x60) <= 8, $"the transparent quadrant is {hole}");
        var drawn = (green.x, green.y, green.w, green.h + blended.h);
        Assert.Equal((green.x, blended.y, 80, blended.h), screen.Bounds((0x20, 0x40, 0x60), drawn));
        Assert.Equal((0, 0, 0, 0), screen.Bounds((0, 0, 0), drawn));
        Assert.Equal((0, 0, 0, 0), screen.Bounds((255, 255, 255), drawn));
        Assert.Equal((0, 0, 0, 0), screen.Bounds((0x80, 0, 0)));
    }

    /// <summary>
    /// A square PNG: top half opaque green, bottom left fully transparent white, bottom right red at alpha 128.
    /// </summary>
    private static byte[] HalfTransparent(int size) => QuadrantPng.CreateWithAlpha(size, size, (x, y) =>
        y < size / 2 ? ((byte)0, (byte)255, (byte)0, (byte)255)
        : x < size / 2 ? ((byte)255, (byte)255, (byte)255, (byte)0)
        : ((byte)255, (byte)0, (byte)0, (byte)128));

    /// <summary>
    /// Runs the lines in pwsh in xterm (as a VT340 with 256 colour registers, window reports allowed: CSI 16 t tells
    /// the cell size) on <paramref name="background"/>, under Xvfb, and returns a screenshot once they are done.
    /// </summary>
    private Screenshot ShowInXterm(string background, params string[] lines)
    {
        string xvfb = TerminalPrograms.Require("Xvfb", "xvfb");
        string xterm = TerminalPrograms.Require("xterm", "xterm");
        string import = TerminalPrograms.Require("import", "imagemagick");
        string convert = TerminalPrograms.Require("convert", "imagemagick");
        string done = Path.Combine(Temp, "done-" + Guid.NewGuid().ToString("N"));
        string script = Script(true, lines.Append($"Set-Content -LiteralPath {ModuleHost.Quote(done)} -Value done").ToArray());

        using var display = XvfbDisplay.Start(xvfb, 640, 400);
        using var terminal = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(xterm)
        {
            ArgumentList =
            {
                "-ti", "vt340", "-xrm", "XTerm*decTerminalID: vt340", "-xrm", "XTerm*numColorRegisters: 256",
                "-xrm", "XTerm*allowWindowOps: true", "-geometry", "80x20+0+0", "-fa", "DejaVu Sans Mono", "-fs", "10",
                "-bg", background, "-fg", "white", "-e", "sh", "-c", TerminalPrograms.PwshCommand(script),
            },
            Environment = { ["DISPLAY"] = display.Name },
            UseShellExecute = false,
        })!;
        try
        {
            Assert.True(TerminalPrograms.WaitFor(() => File.Exists(done), Deadline), "pwsh in xterm did not finish");
            string shot = Path.Combine(Temp, "xterm-" + Guid.NewGuid().ToString("N") + ".png");
            (int code, string output, string error) = TerminalPrograms.Run(import, new[] { "-window", "root", shot }, Deadline, new Dictionary<string, string?> { ["DISPLAY"] = display.Name });
            Assert.True(code == 0, output + error);
            return Screenshot.Read(convert, shot);
        }
        finally
        {
            if (!terminal.HasExited)
            {
                terminal.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>
    /// A script file that imports the built module and runs the lines; then, when <paramref name="stay"/>, waits to be
    /// killed (so that the terminal stays open to be read).
    /// </summary>
    private string Script(bool stay, params string[] lines)
    {
        string path = Path.Combine(Temp, "show-" + Guid.NewGuid().ToString("N") + ".ps1");
        File.WriteAllLines(
            path,
            new[] { $"Import-Module {ModuleHost.Quote(ModuleHost.ManifestPath)} -ErrorAction Stop" }
                .Concat(lines)
                .Concat(stay ? new[] { "Start-Sleep -Seconds 300" } : Array.Empty<string>()));
        return path;
    }

    /// <summary>A tmux server of its own (a fresh socket), 120x40, killed on dispose.</summary>
    private sealed class TmuxSession : IDisposable
    {
        private readonly string _tmux;
        private readonly string _socket = "openai-images-test-" + Guid.NewGuid().ToString("N").Substring(0, 12);

        public TmuxSession(string tmux) => _tmux = tmux;

        public void Start(string shellCommand)
        {
            (int code, string output, string error) = TerminalPrograms.Run(_tmux, new[] { "-L", _socket, "-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "40", shellCommand }, Deadline);
            Assert.True(code == 0, output + error);
        }

        public string Capture(bool escapes)
        {
            var arguments = new List<string> { "-L", _socket, "capture-pane", "-p" };
            if (escapes)
            {
                arguments.Add("-e");
            }

            return TerminalPrograms.Run(_tmux, arguments, Deadline).Output;
        }

        public void Dispose() => TerminalPrograms.Run(_tmux, new[] { "-L", _socket, "kill-server" }, Deadline);
    }
}
