using System;
using System.IO;

namespace OpenAI.Images.IO
{
    /// <summary>
    /// Base of the core's forward-only, read-only stream views (a prefix before a stream, an SSE event's data, a
    /// byte-limited or counting wrapper): everything but reading is unsupported. Subclasses implement Read and ReadAsync.
    /// </summary>
    internal abstract class ReadOnlyStream : Stream
    {
        public sealed override bool CanRead => true;

        public sealed override bool CanSeek => false;

        public sealed override bool CanWrite => false;

        public sealed override long Length => throw new NotSupportedException();

        public sealed override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public sealed override void Flush()
        {
        }

        public sealed override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public sealed override void SetLength(long value) => throw new NotSupportedException();

        public sealed override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
