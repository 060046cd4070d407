using System;
using System.Collections.Generic;
using System.IO;
using System.Security.Cryptography;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace OpenAI.Images.Core.Tests.Http;

/// <summary>Runs alone: it measures the process's allocations, which other tests running at the same time would inflate.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AllocationMeasurementCollection
{
    public const string Name = "Allocation measurement";
}

/// <summary>
/// A multi-megabyte base64 image is decoded from the response stream straight into its file: nothing near the size of
/// the body (no string, no byte[]) is ever allocated.
/// </summary>
[Collection(AllocationMeasurementCollection.Name)]
public sealed class LargeResponseTests : IDisposable
{
    private const int ImageBytes = 24 * 1024 * 1024; // 32 MiB of base64 text in the body

    private readonly ClientRig _rig = new();

    public void Dispose() => _rig.Dispose();

    [Fact]
    public async Task AMultiMegabyteImageIsStreamedToItsFileWithoutBufferingTheBody()
    {
        // Warm up the code paths (JIT, thread pool, first-use caches) with a small response first.
        var body = new GeneratedImageResponseStream(ImageBytes);
        _rig.Handler.Then(() => Replies.Success());
        _rig.Handler.Then(() => Replies.Stream(200, "application/json", body, body.TotalLength));
        ImageFiles.Discard((await _rig.SendAsync(ClientRig.Generation("warm up")))[0]);

        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        IReadOnlyList<ImageResult> results = await _rig.SendAsync();
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;

        Assert.True(body.TotalLength > 32L * 1024 * 1024, "the body should be over 32 MiB");
        Assert.Equal(body.TotalLength, body.Served);
        ImageResult image = Assert.Single(results);
        Assert.Null(image.Data);

        // Everything the request, the JSON reader, the base64 decoder and the file writes allocated together is a
        // small fraction of the body: no copy of it (as text or bytes) was ever made.
        Assert.True(allocated < 4L * 1024 * 1024, $"allocated {allocated:N0} bytes while reading a {body.TotalLength:N0}-byte body");

        var file = new FileInfo(image.PendingFile!);
        Assert.Equal(ImageBytes, file.Length);
        ImageFiles.KeepInMemory(image);
        Assert.Equal(GeneratedImageResponseStream.ExpectedHash(ImageBytes), SHA256.HashData(image.Data!));
        Assert.False(File.Exists(file.FullName));
        Assert.Equal("png", image.OutputFormat);
    }

    /// <summary>
    /// <c>{"created":…,"data":[{"b64_json":"…"}]}</c> whose image is a PNG signature followed by a byte pattern, produced
    /// on the fly: the test itself never holds the body either.
    /// </summary>
    private sealed class GeneratedImageResponseStream : Stream
    {
        private static readonly byte[] Prefix = Encoding.ASCII.GetBytes("{\"created\":1713833628,\"data\":[{\"b64_json\":\"");
        private static readonly byte[] Suffix = Encoding.ASCII.GetBytes("\"}],\"output_format\":\"png\"}");
        private const int RawChunk = 3 * 4096;

        private readonly int _imageBytes;
        private readonly byte[] _raw = new byte[RawChunk];
        private readonly byte[] _text = new byte[RawChunk / 3 * 4];
        private int _textLength;
        private int _textPosition;
        private long _imagePosition;
        private int _stage;
        private int _stagePosition;

        public GeneratedImageResponseStream(int imageBytes)
        {
            _imageBytes = imageBytes;
            TotalLength = Prefix.Length + (4L * ((imageBytes + 2) / 3)) + Suffix.Length;
        }

        public long TotalLength { get; }

        public long Served { get; private set; }

        public static byte ImageByte(long i) => i < 8 ? PngSignature[i] : (byte)((i * 31) % 251);

        private static readonly byte[] PngSignature = { 0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A };

        public static byte[] ExpectedHash(int imageBytes)
        {
            using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            var chunk = new byte[65536];
            for (long i = 0; i < imageBytes; i += chunk.Length)
            {
                int n = (int)Math.Min(chunk.Length, imageBytes - i);
                for (int k = 0; k < n; k++)
                {
                    chunk[k] = ImageByte(i + k);
                }

                hash.AppendData(chunk, 0, n);
            }

            return hash.GetHashAndReset();
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer, offset, count));

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = ReadCore(buffer, offset, count);
            Served += n;
            return n;
        }

        private int ReadCore(byte[] buffer, int offset, int count)
        {
            while (true)
            {
                switch (_stage)
                {
                    case 0:
                        if (_stagePosition < Prefix.Length)
                        {
                            int n = Math.Min(count, Prefix.Length - _stagePosition);
                            Array.Copy(Prefix, _stagePosition, buffer, offset, n);
                            _stagePosition += n;
                            return n;
                        }

                        _stage = 1;
                        break;
                    case 1:
                        if (_textPosition == _textLength)
                        {
                            if (_imagePosition >= _imageBytes)
                            {
                                _stage = 2;
                                _stagePosition = 0;
                                break;
                            }

                            int raw = (int)Math.Min(RawChunk, _imageBytes - _imagePosition);
                            for (int k = 0; k < raw; k++)
                            {
                                _raw[k] = ImageByte(_imagePosition + k);
                            }

                            _imagePosition += raw;
                            System.Buffers.Text.Base64.EncodeToUtf8(_raw.AsSpan(0, raw), _text, out _, out int written);
                            _textLength = written;
                            _textPosition = 0;
                        }

                        int m = Math.Min(count, _textLength - _textPosition);
                        Array.Copy(_text, _textPosition, buffer, offset, m);
                        _textPosition += m;
                        return m;
                    case 2:
                        if (_stagePosition < Suffix.Length)
                        {
                            int n = Math.Min(count, Suffix.Length - _stagePosition);
                            Array.Copy(Suffix, _stagePosition, buffer, offset, n);
                            _stagePosition += n;
                            return n;
                        }

                        return 0;
                }
            }
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
