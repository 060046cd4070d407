using System;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using OpenAI.Images.IO;

namespace OpenAI.Images.Json;

/// <summary>
/// Reads a text/event-stream (WHATWG HTML "Server-sent events" parsing rules) one event at a time, streaming each
/// event's data rather than buffering it: a multi-megabyte data line costs no more memory than the read buffer.
/// </summary>
/// <remarks>
/// <para>Lines end with LF, CRLF or CR. Lines starting with ':' are comments. Fields: 'event' (event name), 'data'
/// (appended, several data lines joined by "\n"), 'id' (<see cref="LastEventId"/>, ignored if it contains NUL),
/// 'retry' (<see cref="RetryMilliseconds"/>, digits only); one space after the colon is stripped; other fields are
/// ignored. A blank line ends an event; events without data lines are dropped. Unlike the WHATWG algorithm, an event
/// cut off by the end of the stream (no final blank line) is still delivered.</para>
/// <para>Because data is streamed, <see cref="ReadNextAsync"/> returns as soon as an event's first data line starts.
/// <see cref="EventName"/> therefore reflects the 'event' fields seen before that point; an 'event' field placed after
/// the data (unusual) updates it only once the data has been read past it.</para>
/// <para>Not thread-safe. The stream is not disposed. Non-data fields are limited to 64 KiB
/// (<see cref="InvalidDataException"/> beyond that).</para>
/// </remarks>
internal sealed class ServerSentEventReader : BufferedByteReader
{
    private const int MaxFieldValueBytes = 65536;

    private static readonly Encoding s_utf8 = new UTF8Encoding(false, false);

    private readonly byte[] _fieldName = new byte[8];
    private bool _started;
    private bool _skipLineFeed; // the previous line ended with CR: a following LF belongs to it
    private DataState _state = DataState.Ended;
    private bool _emitNewLine;
    private EventDataStream _data;
    private string? _eventName;
    private byte[]? _scratch;

    private enum DataState
    {
        InValue,   // inside a data line's value
        LineStart, // at the start of a line inside the current event
        Ended,     // the current event's data is complete (or there is no current event)
    }

    private enum LineKind
    {
        Blank,
        Data,
        EndOfStream,
    }

    private enum Field
    {
        Other,
        Event,
        Data,
        Id,
        Retry,
    }

    public ServerSentEventReader(Stream stream, int bufferSize = 16384)
        : base(stream, bufferSize)
    {
        _data = new EventDataStream(this);
    }

    /// <summary>The current event's 'event' field value; null when it had none.</summary>
    public string? EventName => _eventName;

    /// <summary>The most recent 'id' field value seen in the stream (it persists across events); null before any.</summary>
    public string? LastEventId { get; private set; }

    /// <summary>The most recent valid 'retry' field value, in milliseconds; null before any.</summary>
    public long? RetryMilliseconds { get; private set; }

    /// <summary>
    /// The current event's data (data lines joined by "\n", no trailing newline) as a read-only, forward-only stream
    /// of the raw UTF-8 bytes, read straight from the underlying stream. It ends (reads return 0) at the end of the
    /// event, and once <see cref="ReadNextAsync"/> moves on.
    /// </summary>
    public Stream Data => _data;

    /// <summary>
    /// Advances to the next event having at least one data line, first skipping whatever the caller left unread of
    /// the current one. Returns false at the end of the stream.
    /// </summary>
    public async Task<bool> ReadNextAsync(CancellationToken cancellationToken)
    {
        if (_state != DataState.Ended)
        {
            byte[] scratch = _scratch ??= new byte[4096];
            while (await ReadDataAsync(_data, scratch, 0, scratch.Length, cancellationToken).ConfigureAwait(false) > 0)
            {
            }
        }

        _data = new EventDataStream(this); // detaches the previous event's stream
        _eventName = null;

        if (!_started)
        {
            _started = true;
            if ((_pos < _len || await FillAsync(cancellationToken).ConfigureAwait(false)) && _buffer[_pos] == 0xEF
                && await EnsureAsync(3, cancellationToken).ConfigureAwait(false)
                && _buffer[_pos + 1] == 0xBB && _buffer[_pos + 2] == 0xBF)
            {
                _pos += 3;
            }
        }

        while (true)
        {
            LineKind kind = await ReadLineHeaderAsync(cancellationToken).ConfigureAwait(false);
            if (kind == LineKind.EndOfStream)
            {
                _eventName = null;
                _state = DataState.Ended;
                return false;
            }

            if (kind == LineKind.Blank)
            {
                // End of an event without data: dispatch nothing, forget its name.
                _eventName = null;
                continue;
            }

            _state = DataState.InValue;
            _emitNewLine = false;
            return true;
        }
    }

    private async Task<int> ReadDataAsync(EventDataStream owner, byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        if (!ReferenceEquals(owner, _data))
        {
            return 0;
        }

        int written = 0;
        while (written < count)
        {
            if (_state == DataState.InValue)
            {
                if (_emitNewLine)
                {
                    buffer[offset + written++] = (byte)'\n';
                    _emitNewLine = false;
                    continue;
                }

                if (_pos == _len)
                {
                    if (written > 0)
                    {
                        return written; // do not wait for more while holding data for the caller
                    }

                    if (!await FillAsync(cancellationToken).ConfigureAwait(false))
                    {
                        _state = DataState.Ended;
                        return 0;
                    }
                }

                int start = _pos;
                int stop = Math.Min(_len, start + (count - written));
                int i = start;
                while (i < stop)
                {
                    byte b = _buffer[i];
                    if (b == (byte)'\n' || b == (byte)'\r')
                    {
                        break;
                    }

                    i++;
                }

                Buffer.BlockCopy(_buffer, start, buffer, offset + written, i - start);
                written += i - start;
                _pos = i;
                if (i < _len && (_buffer[i] == (byte)'\n' || _buffer[i] == (byte)'\r'))
                {
                    ConsumeLineEnd();
                    _state = DataState.LineStart;
                }
            }
            else if (_state == DataState.LineStart)
            {
                if (written > 0)
                {
                    return written;
                }

                LineKind kind = await ReadLineHeaderAsync(cancellationToken).ConfigureAwait(false);
                if (kind != LineKind.Data)
                {
                    _state = DataState.Ended;
                    return 0;
                }

                _state = DataState.InValue;
                _emitNewLine = true;
            }
            else
            {
                break;
            }
        }

        return written;
    }

    /// <summary>
    /// At the start of a line, processes lines until a blank line, a data line (left positioned at its value, after
    /// the optional space) or the end of the stream. Comments and other fields are consumed and applied.
    /// </summary>
    private async Task<LineKind> ReadLineHeaderAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_pos == _len && !await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                return LineKind.EndOfStream;
            }

            byte first = _buffer[_pos];
            if (_skipLineFeed)
            {
                _skipLineFeed = false;
                if (first == (byte)'\n')
                {
                    _pos++;
                    continue;
                }
            }

            if (first == (byte)'\n' || first == (byte)'\r')
            {
                ConsumeLineEnd();
                return LineKind.Blank;
            }

            // Field name: up to ':' or the end of the line (the line end itself is left in place).
            int nameLength = 0;
            bool colon = false;
            while (_pos < _len || await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                byte b = _buffer[_pos];
                if (b == (byte)'\n' || b == (byte)'\r')
                {
                    break;
                }

                _pos++;
                if (b == (byte)':')
                {
                    colon = true;
                    break;
                }

                if (nameLength < _fieldName.Length)
                {
                    _fieldName[nameLength] = b;
                }

                nameLength++;
            }

            Field field = Identify(nameLength);
            if (colon && (_pos < _len || await FillAsync(cancellationToken).ConfigureAwait(false)) && _buffer[_pos] == (byte)' ')
            {
                _pos++;
            }

            if (field == Field.Data)
            {
                return LineKind.Data;
            }

            // A comment (empty name) or another field: read the rest of the line.
            string? value = await ReadRestOfLineAsync(field != Field.Other, cancellationToken).ConfigureAwait(false);
            switch (field)
            {
                case Field.Event:
                    _eventName = value;
                    break;
                case Field.Id:
                    if (value!.IndexOf('\0') < 0)
                    {
                        LastEventId = value;
                    }

                    break;
                case Field.Retry:
                    if (value!.Length > 0 && IsAllAsciiDigits(value)
                        && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out long retry))
                    {
                        RetryMilliseconds = retry;
                    }

                    break;
            }
        }
    }

    private static bool IsAllAsciiDigits(string value)
    {
        foreach (char c in value)
        {
            if (c < '0' || c > '9')
            {
                return false;
            }
        }

        return true;
    }

    private Field Identify(int nameLength)
    {
        byte[] n = _fieldName;
        switch (nameLength)
        {
            case 2 when n[0] == (byte)'i' && n[1] == (byte)'d':
                return Field.Id;
            case 4 when n[0] == (byte)'d' && n[1] == (byte)'a' && n[2] == (byte)'t' && n[3] == (byte)'a':
                return Field.Data;
            case 5 when n[0] == (byte)'e' && n[1] == (byte)'v' && n[2] == (byte)'e' && n[3] == (byte)'n' && n[4] == (byte)'t':
                return Field.Event;
            case 5 when n[0] == (byte)'r' && n[1] == (byte)'e' && n[2] == (byte)'t' && n[3] == (byte)'r' && n[4] == (byte)'y':
                return Field.Retry;
            default:
                return Field.Other;
        }
    }

    /// <summary>Reads through the end of the current line (consuming the line end); returns the text if asked to keep it.</summary>
    private async Task<string?> ReadRestOfLineAsync(bool keep, CancellationToken cancellationToken)
    {
        MemoryStream? kept = keep ? new MemoryStream() : null;
        while (_pos < _len || await FillAsync(cancellationToken).ConfigureAwait(false))
        {
            int start = _pos;
            int i = start;
            while (i < _len && _buffer[i] != (byte)'\n' && _buffer[i] != (byte)'\r')
            {
                i++;
            }

            if (kept != null)
            {
                if (kept.Length + (i - start) > MaxFieldValueBytes)
                {
                    throw new InvalidDataException("A server-sent event field is longer than " + MaxFieldValueBytes.ToString(CultureInfo.InvariantCulture) + " bytes.");
                }

                kept.Write(_buffer, start, i - start);
            }

            _pos = i;
            if (i < _len)
            {
                ConsumeLineEnd();
                break;
            }
        }

        return kept is null ? null : s_utf8.GetString(kept.GetBuffer(), 0, (int)kept.Length);
    }

    private void ConsumeLineEnd()
    {
        if (_buffer[_pos++] == (byte)'\r')
        {
            _skipLineFeed = true;
        }
    }

    /// <summary>The read-only view of one event's data.</summary>
    private sealed class EventDataStream : ReadOnlyStream
    {
        private readonly ServerSentEventReader _owner;

        public EventDataStream(ServerSentEventReader owner) => _owner = owner;

        public override int Read(byte[] buffer, int offset, int count)
        {
            Validate(buffer, offset, count);

            // The reader never captures a synchronization context, so blocking here cannot deadlock.
            return _owner.ReadDataAsync(this, buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Validate(buffer, offset, count);
            return _owner.ReadDataAsync(this, buffer, offset, count, cancellationToken);
        }

        private static void Validate(byte[] buffer, int offset, int count)
        {
            if (buffer is null)
            {
                throw new ArgumentNullException(nameof(buffer));
            }

            if (offset < 0 || count < 0 || offset > buffer.Length - count)
            {
                throw new ArgumentOutOfRangeException(nameof(count), "offset and count do not describe a range of the array.");
            }
        }
    }
}
