using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace OpenAI.Images.Http
{
    /// <summary>
    /// A read-only pass-through that counts the bytes read and notices the end of the stream, so that a JSON error
    /// at the very end of the data can be told apart (a transfer cut short) from a body that is simply not JSON.
    /// </summary>
    internal sealed class CountingReadStream : Stream
    {
        private readonly Stream _inner;

        public CountingReadStream(Stream inner)
        {
            _inner = inner;
        }

        /// <summary>Bytes handed out so far.</summary>
        public long BytesRead { get; private set; }

        /// <summary>True once a read returned 0: the body ended.</summary>
        public bool ReachedEnd { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Count(_inner.Read(buffer, offset, count), count);

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Count(await _inner.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false), count);

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        private int Count(int read, int asked)
        {
            if (read > 0)
            {
                BytesRead += read;
            }
            else if (asked > 0)
            {
                ReachedEnd = true;
            }

            return read;
        }
    }
}
