using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace OpenAI.Images.IO
{
    /// <summary>
    /// The byte buffer under the JSON and server-sent-event readers: one fixed buffer over a forward-only stream, with
    /// the unread bytes at <c>_buffer[_pos.._len)</c>. The fields are protected so the readers' scanning loops index the
    /// buffer directly.
    /// </summary>
    internal abstract class BufferedByteReader
    {
        private const int MinimumBufferSize = 16;

        protected readonly Stream _stream;
        protected readonly byte[] _buffer;
        protected int _pos;
        protected int _len;

        /// <summary>Stream offset of <c>_buffer[0]</c>.</summary>
        protected long _bufferOffset;
        protected bool _endOfStream;

        protected BufferedByteReader(Stream stream, int bufferSize)
        {
            if (stream is null)
            {
                throw new ArgumentNullException(nameof(stream));
            }

            if (bufferSize <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(bufferSize), bufferSize, "The buffer size must be positive.");
            }

            if (!stream.CanRead)
            {
                throw new ArgumentException("The stream must be readable.", nameof(stream));
            }

            _stream = stream;
            _buffer = new byte[Math.Max(bufferSize, MinimumBufferSize)];
        }

        /// <summary>Refills the (fully consumed) buffer; false at end of stream.</summary>
        protected async Task<bool> FillAsync(CancellationToken cancellationToken)
        {
            if (_endOfStream)
            {
                return false;
            }

            _bufferOffset += _len;
            _pos = 0;
            _len = 0;
            int read = await _stream.ReadAsync(_buffer, 0, _buffer.Length, cancellationToken).ConfigureAwait(false);
            if (read <= 0)
            {
                _endOfStream = true;
                return false;
            }

            _len = read;
            return true;
        }

        /// <summary>Makes at least <paramref name="count"/> unread bytes available; false if the stream ends first.</summary>
        protected async Task<bool> EnsureAsync(int count, CancellationToken cancellationToken)
        {
            if (_len - _pos >= count)
            {
                return true;
            }

            if (_pos > 0)
            {
                Buffer.BlockCopy(_buffer, _pos, _buffer, 0, _len - _pos);
                _bufferOffset += _pos;
                _len -= _pos;
                _pos = 0;
            }

            while (_len < count)
            {
                if (_endOfStream)
                {
                    return false;
                }

                int read = await _stream.ReadAsync(_buffer, _len, _buffer.Length - _len, cancellationToken).ConfigureAwait(false);
                if (read <= 0)
                {
                    _endOfStream = true;
                    return false;
                }

                _len += read;
            }

            return true;
        }
    }
}
