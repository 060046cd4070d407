using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.Management.Automation;
using System.Management.Automation.Host;
using System.Security;
using System.Text;

namespace OpenAI.Images.Tests;

/// <summary>
/// A PowerShell host with a user interface that keeps what is written to it, as an editor's integrated console would
/// show it: <see cref="Screen"/> is every raw Write, in order (what a cmdlet draws); the lines the engine writes for
/// the streams (warnings, verbose, errors) are kept apart in <see cref="Lines"/>. Its window size and VT support are settable.
/// </summary>
public sealed class RecordingHost : PSHost
{
    private readonly RecordingUI _ui;

    public RecordingHost(bool supportsVirtualTerminal = true, int windowWidth = 120, int windowHeight = 40)
    {
        _ui = new RecordingUI(supportsVirtualTerminal, new Size(windowWidth, windowHeight));
    }

    /// <summary>Everything written through the UI's Write methods.</summary>
    public string Screen => _ui.Text.ToString();

    /// <summary>Each Write call's text, in order.</summary>
    public IReadOnlyList<string> Writes => _ui.Writes;

    /// <summary>The stream lines the engine wrote (warnings, verbose, debug, errors, WriteLine).</summary>
    public IReadOnlyCollection<string> Lines => _ui.Lines;

    /// <summary>The warning lines (also in <see cref="Lines"/>); written from any thread, e.g. after Ctrl+C.</summary>
    public IReadOnlyCollection<string> WarningLines => _ui.Warnings;

    public override CultureInfo CurrentCulture => CultureInfo.InvariantCulture;

    public override CultureInfo CurrentUICulture => CultureInfo.InvariantCulture;

    public override Guid InstanceId { get; } = Guid.NewGuid();

    public override string Name => "RecordingHost";

    public override PSHostUserInterface UI => _ui;

    public override Version Version => new Version(1, 0);

    public override void EnterNestedPrompt() => throw new NotSupportedException();

    public override void ExitNestedPrompt() => throw new NotSupportedException();

    public override void NotifyBeginApplication()
    {
    }

    public override void NotifyEndApplication()
    {
    }

    public override void SetShouldExit(int exitCode)
    {
    }

    private sealed class RecordingUI : PSHostUserInterface
    {
        private readonly bool _vt;
        private readonly RecordingRawUI _raw;

        public RecordingUI(bool vt, Size window)
        {
            _vt = vt;
            _raw = new RecordingRawUI(window);
        }

        public StringBuilder Text { get; } = new StringBuilder();

        public List<string> Writes { get; } = new List<string>();

        public ConcurrentQueue<string> Lines { get; } = new ConcurrentQueue<string>();

        public ConcurrentQueue<string> Warnings { get; } = new ConcurrentQueue<string>();

        public override PSHostRawUserInterface RawUI => _raw;

        public override bool SupportsVirtualTerminal => _vt;

        public override void Write(string value)
        {
            Writes.Add(value);
            Text.Append(value);
        }

        public override void Write(ConsoleColor foregroundColor, ConsoleColor backgroundColor, string value) => Write(value);

        public override void WriteLine(string value) => Lines.Enqueue(value);

        public override void WriteErrorLine(string value) => Lines.Enqueue(value);

        public override void WriteDebugLine(string message) => Lines.Enqueue(message);

        public override void WriteProgress(long sourceId, ProgressRecord record)
        {
        }

        public override void WriteVerboseLine(string message) => Lines.Enqueue(message);

        public override void WriteWarningLine(string message)
        {
            Warnings.Enqueue(message);
            Lines.Enqueue(message);
        }

        public override string ReadLine() => throw new NotSupportedException();

        public override SecureString ReadLineAsSecureString() => throw new NotSupportedException();

        public override Dictionary<string, PSObject> Prompt(string caption, string message, Collection<FieldDescription> descriptions) => throw new NotSupportedException();

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName) => throw new NotSupportedException();

        public override PSCredential PromptForCredential(string caption, string message, string userName, string targetName, PSCredentialTypes allowedCredentialTypes, PSCredentialUIOptions options) => throw new NotSupportedException();

        public override int PromptForChoice(string caption, string message, Collection<ChoiceDescription> choices, int defaultChoice) => throw new NotSupportedException();
    }

    private sealed class RecordingRawUI : PSHostRawUserInterface
    {
        public RecordingRawUI(Size window) => WindowSize = window;

        public override ConsoleColor BackgroundColor { get; set; } = ConsoleColor.Black;

        public override Size BufferSize { get; set; } = new Size(120, 1000);

        public override Coordinates CursorPosition { get; set; }

        public override int CursorSize { get; set; } = 25;

        public override ConsoleColor ForegroundColor { get; set; } = ConsoleColor.Gray;

        public override bool KeyAvailable => false;

        public override Size MaxPhysicalWindowSize => WindowSize;

        public override Size MaxWindowSize => WindowSize;

        public override Coordinates WindowPosition { get; set; }

        public override Size WindowSize { get; set; }

        public override string WindowTitle { get; set; } = string.Empty;

        public override void FlushInputBuffer()
        {
        }

        public override BufferCell[,] GetBufferContents(Rectangle rectangle) => throw new NotSupportedException();

        public override KeyInfo ReadKey(ReadKeyOptions options) => throw new NotSupportedException();

        public override void ScrollBufferContents(Rectangle source, Coordinates destination, Rectangle clip, BufferCell fill) => throw new NotSupportedException();

        public override void SetBufferContents(Coordinates origin, BufferCell[,] contents) => throw new NotSupportedException();

        public override void SetBufferContents(Rectangle rectangle, BufferCell fill) => throw new NotSupportedException();
    }
}
