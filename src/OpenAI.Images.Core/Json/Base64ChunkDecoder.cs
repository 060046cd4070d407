using System;
using System.Globalization;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace OpenAI.Images.Json;

/// <summary>
/// Incremental decoder of standard base64 (alphabet A-Z a-z 0-9 + /, '=' padding required on the last group) that
/// writes the decoded bytes to a stream in blocks. Input may be split anywhere, including inside a 4-character group;
/// ASCII whitespace is ignored. Memory use is one fixed output block.
/// </summary>
internal sealed class Base64ChunkDecoder
{
    private const int BlockSize = 16384;
    private const sbyte Invalid = -1;
    private const sbyte Whitespace = -2;
    private const sbyte Padding = -3;

    private static readonly sbyte[] s_map = BuildMap();

    private readonly Stream _destination;
    private readonly byte[] _block = new byte[BlockSize];
    private int _blockCount;
    private int _bits;      // accumulated 6-bit values of the current group
    private int _groupCount; // characters of the current group seen (0-3)
    private int _padState;   // 0: none; 1: "xx=" seen, one more '=' needed; 2: padding complete, only whitespace may follow
    private long _produced;
    private long _charsSeen;
    private bool _completed;

    public Base64ChunkDecoder(Stream destination)
    {
        _destination = destination ?? throw new ArgumentNullException(nameof(destination));
        if (!destination.CanWrite)
        {
            throw new ArgumentException("The destination stream must be writable.", nameof(destination));
        }
    }

    /// <summary>Bytes decoded so far; all of them have reached the destination once <see cref="CompleteAsync"/> returns.</summary>
    public long BytesWritten => _produced;

    /// <summary>Decodes another piece of base64 text. Invalid characters or misplaced padding throw <see cref="FormatException"/>.</summary>
    public async Task WriteAsync(char[] chars, int offset, int count, CancellationToken cancellationToken)
    {
        if (chars is null)
        {
            throw new ArgumentNullException(nameof(chars));
        }

        if (offset < 0 || count < 0 || offset > chars.Length - count)
        {
            throw new ArgumentOutOfRangeException(nameof(count), "offset and count do not describe a range of the array.");
        }

        if (_completed)
        {
            throw new InvalidOperationException("The decoder has already been completed.");
        }

        int i = offset;
        int end = offset + count;
        while (i < end)
        {
            i = DecodeIntoBlock(chars, i, end);
            if (_blockCount > BlockSize - 3)
            {
                await _destination.WriteAsync(_block, 0, _blockCount, cancellationToken).ConfigureAwait(false);
                _blockCount = 0;
            }
        }
    }

    /// <summary>
    /// Writes the remaining bytes and flushes the destination. Input that stops inside a group (including a missing
    /// '=' padding) throws <see cref="FormatException"/>. Further calls do nothing.
    /// </summary>
    public async Task CompleteAsync(CancellationToken cancellationToken)
    {
        if (_completed)
        {
            return;
        }

        if (_groupCount != 0 || _padState == 1)
        {
            throw new FormatException("The base64 data ends inside a 4-character group (truncated data or missing '=' padding).");
        }

        _completed = true;
        if (_blockCount > 0)
        {
            await _destination.WriteAsync(_block, 0, _blockCount, cancellationToken).ConfigureAwait(false);
            _blockCount = 0;
        }

        await _destination.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    // Decodes from chars[i..end) until the input or the room in the block runs out; returns the next index.
    private int DecodeIntoBlock(char[] chars, int i, int end)
    {
        byte[] block = _block;
        int blockCount = _blockCount;
        int bits = _bits;
        int groupCount = _groupCount;
        try
        {
            while (i < end && blockCount <= BlockSize - 3)
            {
                char c = chars[i];
                int v = c < 128 ? s_map[c] : Invalid;
                if (v >= 0)
                {
                    if (_padState != 0)
                    {
                        throw Error("Unexpected base64 data after '=' padding", c);
                    }

                    bits = (bits << 6) | v;
                    if (++groupCount == 4)
                    {
                        block[blockCount] = (byte)(bits >> 16);
                        block[blockCount + 1] = (byte)(bits >> 8);
                        block[blockCount + 2] = (byte)bits;
                        blockCount += 3;
                        _produced += 3;
                        bits = 0;
                        groupCount = 0;
                    }
                }
                else if (v == Padding)
                {
                    if (_padState == 1)
                    {
                        // "xx==": 12 bits, one byte.
                        block[blockCount++] = (byte)(bits >> 4);
                        _produced += 1;
                        bits = 0;
                        groupCount = 0;
                        _padState = 2;
                    }
                    else if (_padState == 0 && groupCount == 2)
                    {
                        _padState = 1;
                    }
                    else if (_padState == 0 && groupCount == 3)
                    {
                        // "xxx=": 18 bits, two bytes.
                        block[blockCount] = (byte)(bits >> 10);
                        block[blockCount + 1] = (byte)(bits >> 2);
                        blockCount += 2;
                        _produced += 2;
                        bits = 0;
                        groupCount = 0;
                        _padState = 2;
                    }
                    else
                    {
                        throw Error("Misplaced '=' padding in base64 data", c);
                    }
                }
                else if (v != Whitespace)
                {
                    throw Error("Invalid character in base64 data", c);
                }

                i++;
                _charsSeen++;
            }
        }
        finally
        {
            _blockCount = blockCount;
            _bits = bits;
            _groupCount = groupCount;
        }

        return i;
    }

    private FormatException Error(string message, char c) =>
        new FormatException(message + ": U+" + ((int)c).ToString("X4", CultureInfo.InvariantCulture)
            + " at character " + _charsSeen.ToString(CultureInfo.InvariantCulture) + ".");

    private static sbyte[] BuildMap()
    {
        var map = new sbyte[128];
        for (int i = 0; i < map.Length; i++)
        {
            map[i] = Invalid;
        }

        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        for (int i = 0; i < alphabet.Length; i++)
        {
            map[alphabet[i]] = (sbyte)i;
        }

        map['='] = Padding;
        map[' '] = Whitespace;
        map['\t'] = Whitespace;
        map['\n'] = Whitespace;
        map['\f'] = Whitespace;
        map['\r'] = Whitespace;
        return map;
    }
}
