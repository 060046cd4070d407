using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using OpenAI.Images.IO;

namespace OpenAI.Images.Batch
{
    /// <summary>
    /// Splits a JSONL stream into one stream per line without ever holding a whole line: JSON strings cannot contain a
    /// raw line feed, so every <c>\n</c> ends a record. Blank lines are skipped.
    /// </summary>
    internal sealed class JsonLinesReader
    {
        private readonly Stream _inner;
        private readonly byte[] _buffer = new byte[65536];
        private int _start;
        private int _end;
        private bool _eof;
        private LineStream? _current;

        public JsonLinesReader(Stream inner) => _inner = inner;

        /// <summary>1-based number of the current line in the file.</summary>
        public int LineNumber { get; private set; }

        /// <summary>The next non-blank line as a stream, or null at the end of the file.</summary>
        public async Task<Stream?> NextLineAsync(CancellationToken ct)
        {
            if (_current != null)
            {
                // Skip whatever the caller left unread of the previous line.
                var sink = new byte[8192];
                while (await _current.ReadAsync(sink, 0, sink.Length, ct).ConfigureAwait(false) > 0)
                {
                }

                _current = null;
            }

            while (true)
            {
                if (_start >= _end && !await FillAsync(ct).ConfigureAwait(false))
                {
                    return null;
                }

                LineNumber++;
                if (_buffer[_start] == (byte)'\n' || _buffer[_start] == (byte)'\r')
                {
                    // Blank line (or the \r of \r\n at the start of an empty line): skip it.
                    if (_buffer[_start] == (byte)'\r')
                    {
                        LineNumber--;
                    }

                    _start++;
                    continue;
                }

                _current = new LineStream(this);
                return _current;
            }
        }

        private async Task<bool> FillAsync(CancellationToken ct)
        {
            if (_eof)
            {
                return false;
            }

            _start = 0;
            _end = await _inner.ReadAsync(_buffer, 0, _buffer.Length, ct).ConfigureAwait(false);
            if (_end == 0)
            {
                _eof = true;
                return false;
            }

            return true;
        }

        private sealed class LineStream : ReadOnlyStream
        {
            private readonly JsonLinesReader _owner;
            private bool _done;

            public LineStream(JsonLinesReader owner) => _owner = owner;

            public override int Read(byte[] buffer, int offset, int count) =>
                ReadAsync(buffer, offset, count, CancellationToken.None).GetAwaiter().GetResult();

            public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            {
                if (_done || count == 0)
                {
                    return 0;
                }

                JsonLinesReader o = _owner;
                if (o._start >= o._end && !await o.FillAsync(cancellationToken).ConfigureAwait(false))
                {
                    _done = true;
                    return 0;
                }

                int available = Math.Min(count, o._end - o._start);
                int newline = Array.IndexOf(o._buffer, (byte)'\n', o._start, available);
                int take = newline >= 0 ? newline - o._start : available;
                Buffer.BlockCopy(o._buffer, o._start, buffer, offset, take);
                o._start += take;
                if (newline >= 0)
                {
                    o._start++;
                    _done = true;
                    if (take == 0)
                    {
                        return 0;
                    }
                }

                return take;
            }
        }
    }
}
