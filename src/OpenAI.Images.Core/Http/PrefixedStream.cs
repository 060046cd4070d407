using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using OpenAI.Images.IO;

namespace OpenAI.Images.Http
{
    /// <summary>A read-only stream that yields a few already-read bytes and then the rest of another stream.</summary>
    internal sealed class PrefixedStream : ReadOnlyStream
    {
        private readonly byte[] _prefix;
        private readonly Stream _rest;
        private int _position;

        public PrefixedStream(byte[] prefix, Stream rest)
        {
            _prefix = prefix;
            _rest = rest;
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_position < _prefix.Length)
            {
                int n = Math.Min(count, _prefix.Length - _position);
                Array.Copy(_prefix, _position, buffer, offset, n);
                _position += n;
                return n;
            }

            return _rest.Read(buffer, offset, count);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            if (_position < _prefix.Length)
            {
                return Task.FromResult(Read(buffer, offset, count));
            }

            return _rest.ReadAsync(buffer, offset, count, cancellationToken);
        }
    }
}
