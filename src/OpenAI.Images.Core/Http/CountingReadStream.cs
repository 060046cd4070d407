using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using OpenAI.Images.IO;

namespace OpenAI.Images.Http
{
    /// <summary>
    /// A read-only pass-through that counts the bytes read and notices the end of the stream, so that a JSON error
    /// at the very end of the data can be told apart (a transfer cut short) from a body that is simply not JSON.
    /// </summary>
    internal sealed class CountingReadStream : ReadOnlyStream
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

        public override int Read(byte[] buffer, int offset, int count) => Count(_inner.Read(buffer, offset, count), count);

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Count(await _inner.ReadAsync(buffer, offset, count, cancellationToken).ConfigureAwait(false), count);

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
