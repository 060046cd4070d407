using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using OpenAI.Images.Json;

namespace OpenAI.Images.Core.Tests.Json;

/// <summary>How a test stream hands out its bytes.</summary>
public enum ReadMode
{
    /// <summary>As much as asked for; the reader uses its default buffer.</summary>
    Whole,

    /// <summary>One byte per read call.</summary>
    OneByte,

    /// <summary>Random 1-23 byte chunks, sometimes completing asynchronously; the reader uses its minimum buffer.</summary>
    RandomChunks,
}

/// <summary>A read-only stream over a byte array that returns data in the chunks a <see cref="ReadMode"/> prescribes.</summary>
internal sealed class ChunkedReadStream : Stream
{
    private readonly byte[] _data;
    private readonly ReadMode _mode;
    private readonly Random _random;
    private int _position;

    public ChunkedReadStream(byte[] data, ReadMode mode, int seed = 1234)
    {
        _data = data;
        _mode = mode;
        _random = new Random(seed);
    }

    /// <summary>Bytes handed out so far.</summary>
    public int Served => _position;

    public int ReadCalls { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        ReadCalls++;
        int n = Math.Min(NextChunk(count), _data.Length - _position);
        Array.Copy(_data, _position, buffer, offset, n);
        _position += n;
        return n;
    }

    public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_mode == ReadMode.RandomChunks && _random.Next(8) == 0)
        {
            await Task.Yield();
        }

        return Read(buffer, offset, count);
    }

    private int NextChunk(int count) => _mode switch
    {
        ReadMode.OneByte => Math.Min(1, count),
        ReadMode.RandomChunks => Math.Min(count, _random.Next(1, 24)),
        _ => count,
    };

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

internal static class TestStreams
{
    public static TheoryData<ReadMode> Modes => new() { ReadMode.Whole, ReadMode.OneByte, ReadMode.RandomChunks };

    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static JsonStreamReader Reader(byte[] utf8, ReadMode mode, int seed = 1234) =>
        new JsonStreamReader(new ChunkedReadStream(utf8, mode, seed), mode == ReadMode.RandomChunks ? 16 : 16384);

    public static JsonStreamReader Reader(string json, ReadMode mode, int seed = 1234) =>
        Reader(System.Text.Encoding.UTF8.GetBytes(json), mode, seed);

    /// <summary>Reads every token, rendering each as text; strings are read with GetStringAsync when materialize is set.</summary>
    public static async Task<System.Collections.Generic.List<string>> TokensAsync(JsonStreamReader reader, bool materialize = true)
    {
        var tokens = new System.Collections.Generic.List<string>();
        while (await reader.ReadAsync(Ct))
        {
            tokens.Add(reader.TokenType switch
            {
                JsonTokenType.StartObject => "{",
                JsonTokenType.EndObject => "}",
                JsonTokenType.StartArray => "[",
                JsonTokenType.EndArray => "]",
                JsonTokenType.PropertyName => "P:" + reader.PropertyName,
                JsonTokenType.String => materialize ? "S:" + await reader.GetStringAsync(Ct) : "S",
                JsonTokenType.Number => "N:" + reader.GetRawNumber(),
                JsonTokenType.True => "true",
                JsonTokenType.False => "false",
                JsonTokenType.Null => "null",
                _ => throw new InvalidOperationException("Unexpected token " + reader.TokenType),
            });
        }

        return tokens;
    }
}
