using System;
using System.Collections.Generic;
using System.IO;

namespace OpenAI.Images.IO
{
    /// <summary>
    /// A write-only memory stream that grows in fixed blocks instead of doubling one array (as MemoryStream does), so an
    /// image of N bytes costs about 2N to collect (the blocks, then the one final array) rather than about 5N.
    /// </summary>
    internal sealed class ChunkedBufferStream : Stream
    {
        private const int BlockSize = 64 * 1024;
        private readonly List<byte[]> _blocks = new List<byte[]>();
        private int _used = BlockSize;
        private long _length;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position
        {
            get => _length;
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            while (count > 0)
            {
                if (_used == BlockSize)
                {
                    _blocks.Add(new byte[BlockSize]);
                    _used = 0;
                }

                int n = Math.Min(count, BlockSize - _used);
                Buffer.BlockCopy(buffer, offset, _blocks[_blocks.Count - 1], _used, n);
                _used += n;
                offset += n;
                count -= n;
                _length += n;
            }
        }

        /// <summary>Everything written, as one array.</summary>
        public byte[] ToArray()
        {
            var result = new byte[_length];
            long copied = 0;
            foreach (byte[] block in _blocks)
            {
                int n = (int)Math.Min(BlockSize, _length - copied);
                Buffer.BlockCopy(block, 0, result, (int)copied, n);
                copied += n;
            }

            return result;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
