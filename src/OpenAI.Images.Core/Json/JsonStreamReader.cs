using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using OpenAI.Images.IO;

namespace OpenAI.Images.Json;

/// <summary>
/// Forward-only, pull-based reader of one UTF-8 JSON value (RFC 8259) from a stream. It holds at most its
/// byte buffer plus whatever the caller asks it to materialize: string values are lazy, so a multi-megabyte
/// string can be skipped or copied out in chunks (<see cref="CopyStringToAsync"/>) without ever being held whole.
/// </summary>
/// <remarks>
/// Not thread-safe; one operation at a time. After a <see cref="JsonFormatException"/> the reader's state is
/// undefined and it should be abandoned. The stream is not disposed.
/// </remarks>
internal sealed class JsonStreamReader : BufferedByteReader
{
    private const int CharChunkSize = 8192;

    private static readonly byte[] s_true = { (byte)'t', (byte)'r', (byte)'u', (byte)'e' };
    private static readonly byte[] s_false = { (byte)'f', (byte)'a', (byte)'l', (byte)'s', (byte)'e' };
    private static readonly byte[] s_null = { (byte)'n', (byte)'u', (byte)'l', (byte)'l' };

    private bool _started;

    // true = object, false = array; one entry per open container.
    private readonly List<bool> _containers = new List<bool>();
    private Expect _expect = Expect.Value;
    private JsonTokenType _tokenType;
    private int _depth;
    private string? _propertyName;
    private string? _rawNumber;
    private bool _stringPending;
    private char[]? _chars;
    private int _maxDepth = 64;
    private int _maxStringLength = 1_048_576;

    private enum Expect
    {
        Value,
        ValueOrEndArray,
        PropertyNameOrEndObject,
        PropertyName,
        Colon,
        CommaOrEnd,
        EndOfInput,
        Finished,
    }

    private enum NumberState
    {
        Invalid,
        Start,
        Minus,
        Zero,
        Integer,
        Dot,
        Fraction,
        Exponent,
        ExponentSign,
        ExponentDigits,
    }

    /// <summary>Creates a reader over UTF-8 JSON (a leading UTF-8 byte order mark is skipped).</summary>
    public JsonStreamReader(Stream stream, int bufferSize = 16384)
        : base(stream, bufferSize)
    {
    }

    /// <summary>Maximum nesting of objects and arrays (default 64); deeper input is a <see cref="JsonFormatException"/>.</summary>
    public int MaxDepth
    {
        get => _maxDepth;
        set
        {
            if (value < 1)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "MaxDepth must be at least 1.");
            }

            _maxDepth = value;
        }
    }

    /// <summary>
    /// Maximum length in UTF-16 chars (default 1,048,576) of a string materialized by <see cref="GetStringAsync"/>,
    /// <see cref="ReadValueAsync"/> or a property name, and of a number's text. <see cref="CopyStringToAsync"/> has no limit.
    /// </summary>
    public int MaxStringLength
    {
        get => _maxStringLength;
        set
        {
            if (value < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "MaxStringLength must not be negative.");
            }

            _maxStringLength = value;
        }
    }

    /// <summary>The current token; <see cref="JsonTokenType.None"/> before the first read and after the end.</summary>
    public JsonTokenType TokenType => _tokenType;

    /// <summary>
    /// Number of containers enclosing the current token (a top-level value has depth 0; a container's start and
    /// end tokens have the depth of the container itself, its members one more).
    /// </summary>
    public int Depth => _depth;

    /// <summary>Bytes consumed from the stream so far (a lazy string's unread content is not yet consumed).</summary>
    public long BytesConsumed => _bufferOffset + _pos;

    /// <summary>The property name when <see cref="TokenType"/> is <see cref="JsonTokenType.PropertyName"/>; otherwise null.</summary>
    public string? PropertyName => _tokenType == JsonTokenType.PropertyName ? _propertyName : null;

    /// <summary>The number's JSON text as written, when <see cref="TokenType"/> is <see cref="JsonTokenType.Number"/>.</summary>
    public string GetRawNumber()
    {
        if (_tokenType != JsonTokenType.Number || _rawNumber is null)
        {
            throw new InvalidOperationException("The current token is not a number.");
        }

        return _rawNumber;
    }

    /// <summary>
    /// Advances to the next token. Returns false only once the single top-level value is complete and nothing but
    /// whitespace follows it. Malformed input, trailing data or a truncated value throw <see cref="JsonFormatException"/>.
    /// </summary>
    public async Task<bool> ReadAsync(CancellationToken cancellationToken)
    {
        if (_stringPending)
        {
            _stringPending = false;
            await ReadStringContentAsync(false, 0, null, cancellationToken).ConfigureAwait(false);
        }

        if (_expect == Expect.Finished)
        {
            return false;
        }

        if (!_started)
        {
            await ReadPreambleAsync(cancellationToken).ConfigureAwait(false);
        }

        _propertyName = null;
        _rawNumber = null;

        while (true)
        {
            bool more = await SkipWhitespaceAsync(cancellationToken).ConfigureAwait(false);
            if (_expect == Expect.EndOfInput)
            {
                if (more)
                {
                    throw Error("Unexpected " + Describe(_buffer[_pos]) + " after the end of the JSON value.");
                }

                _expect = Expect.Finished;
                _tokenType = JsonTokenType.None;
                _depth = 0;
                return false;
            }

            if (!more)
            {
                throw Error(_tokenType == JsonTokenType.None && _containers.Count == 0
                    ? "The input contains no JSON value."
                    : "Unexpected end of data: the JSON value is incomplete.");
            }

            byte b = _buffer[_pos];
            switch (_expect)
            {
                case Expect.Colon:
                    if (b != (byte)':')
                    {
                        throw Error("Expected ':' after a property name but found " + Describe(b) + ".");
                    }

                    _pos++;
                    _expect = Expect.Value;
                    continue;

                case Expect.CommaOrEnd:
                    bool inObject = _containers[_containers.Count - 1];
                    if (b == (byte)',')
                    {
                        _pos++;
                        _expect = inObject ? Expect.PropertyName : Expect.Value;
                        continue;
                    }

                    if (b == (inObject ? (byte)'}' : (byte)']'))
                    {
                        EndContainer();
                        return true;
                    }

                    throw Error("Expected ',' or '" + (inObject ? "}" : "]") + "' but found " + Describe(b) + ".");

                case Expect.PropertyNameOrEndObject:
                    if (b == (byte)'}')
                    {
                        EndContainer();
                        return true;
                    }

                    goto case Expect.PropertyName;

                case Expect.PropertyName:
                    if (b != (byte)'"')
                    {
                        throw Error(b == (byte)'}'
                            ? "Trailing comma before '}'."
                            : "Expected a property name (a string) but found " + Describe(b) + ".");
                    }

                    _pos++;
                    _depth = _containers.Count;
                    _propertyName = await ReadStringContentAsync(true, _maxStringLength, null, cancellationToken).ConfigureAwait(false);
                    _tokenType = JsonTokenType.PropertyName;
                    _expect = Expect.Colon;
                    return true;

                case Expect.ValueOrEndArray:
                    if (b == (byte)']')
                    {
                        EndContainer();
                        return true;
                    }

                    await ReadValueStartAsync(b, cancellationToken).ConfigureAwait(false);
                    return true;

                default:
                    if (b == (byte)']' && _containers.Count > 0 && !_containers[_containers.Count - 1])
                    {
                        throw Error("Trailing comma before ']'.");
                    }

                    await ReadValueStartAsync(b, cancellationToken).ConfigureAwait(false);
                    return true;
            }
        }
    }

    /// <summary>
    /// Reads the current string token's content, unescaped. Valid once per string token, as the alternative to
    /// <see cref="CopyStringToAsync"/>. Content longer than <see cref="MaxStringLength"/> is a <see cref="JsonFormatException"/>.
    /// </summary>
    public async Task<string> GetStringAsync(CancellationToken cancellationToken)
    {
        TakePendingString();
        string? value = await ReadStringContentAsync(true, _maxStringLength, null, cancellationToken).ConfigureAwait(false);
        return value!;
    }

    /// <summary>
    /// Reads the next value (on a property name: the property's value) and returns its text when it is a string;
    /// any other value is skipped and gives null.
    /// </summary>
    public async Task<string?> ReadStringOrSkipAsync(CancellationToken cancellationToken)
    {
        return await ReadTokenOrSkipAsync(JsonTokenType.String, cancellationToken).ConfigureAwait(false)
            ? await GetStringAsync(cancellationToken).ConfigureAwait(false)
            : null;
    }

    /// <summary>
    /// Reads the next value (on a property name: the property's value) and returns true when it starts with
    /// <paramref name="expected"/> (the reader then stands on that token); any other value is skipped and gives false.
    /// </summary>
    public async Task<bool> ReadTokenOrSkipAsync(JsonTokenType expected, CancellationToken cancellationToken)
    {
        await ReadAsync(cancellationToken).ConfigureAwait(false);
        if (_tokenType == expected)
        {
            return true;
        }

        await SkipAsync(cancellationToken).ConfigureAwait(false);
        return false;
    }

    /// <summary>
    /// Streams the current string token's unescaped content to <paramref name="sink"/> in chunks of at most 8192
    /// chars (never splitting a surrogate pair), with no length limit and bounded memory. The chunk array is reused
    /// once the sink's task completes. Valid once per string token, as the alternative to <see cref="GetStringAsync"/>.
    /// </summary>
    /// <param name="sink">Receives (chars, offset, count, cancellationToken).</param>
    /// <param name="cancellationToken">Cancels the read.</param>
    public async Task CopyStringToAsync(Func<char[], int, int, CancellationToken, Task> sink, CancellationToken cancellationToken)
    {
        if (sink is null)
        {
            throw new ArgumentNullException(nameof(sink));
        }

        TakePendingString();
        await ReadStringContentAsync(false, 0, sink, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads the whole value starting at the current token (a container start or a scalar; on a property name, the
    /// property's value) into a <see cref="JsonValue"/>. The reader is left on the value's last token.
    /// </summary>
    public async Task<JsonValue> ReadValueAsync(CancellationToken cancellationToken)
    {
        if (_tokenType == JsonTokenType.PropertyName)
        {
            await ReadAsync(cancellationToken).ConfigureAwait(false);
        }

        switch (_tokenType)
        {
            case JsonTokenType.StartObject:
            case JsonTokenType.StartArray:
                break;
            case JsonTokenType.None:
            case JsonTokenType.EndObject:
            case JsonTokenType.EndArray:
            case JsonTokenType.PropertyName:
                throw new InvalidOperationException("The reader is not positioned at the start of a value (current token: " + _tokenType + ").");
            default:
                return await ReadScalarAsync(cancellationToken).ConfigureAwait(false);
        }

        var stack = new List<ContainerBuilder> { new ContainerBuilder(_tokenType == JsonTokenType.StartObject) };
        while (true)
        {
            if (!await ReadAsync(cancellationToken).ConfigureAwait(false))
            {
                throw Error("Unexpected end of data: the JSON value is incomplete.");
            }

            ContainerBuilder top = stack[stack.Count - 1];
            switch (_tokenType)
            {
                case JsonTokenType.PropertyName:
                    top.PendingName = _propertyName;
                    break;
                case JsonTokenType.StartObject:
                case JsonTokenType.StartArray:
                    stack.Add(new ContainerBuilder(_tokenType == JsonTokenType.StartObject));
                    break;
                case JsonTokenType.EndObject:
                case JsonTokenType.EndArray:
                    stack.RemoveAt(stack.Count - 1);
                    JsonValue built = top.Build();
                    if (stack.Count == 0)
                    {
                        return built;
                    }

                    stack[stack.Count - 1].Add(built);
                    break;
                default:
                    top.Add(await ReadScalarAsync(cancellationToken).ConfigureAwait(false));
                    break;
            }
        }
    }

    /// <summary>
    /// Skips the value starting at the current token (on a property name, the property's value). The reader is left
    /// on the skipped value's last token. On other tokens this does nothing.
    /// </summary>
    public async Task SkipAsync(CancellationToken cancellationToken)
    {
        if (_tokenType == JsonTokenType.None)
        {
            throw new InvalidOperationException("The reader is not positioned on a token.");
        }

        if (_tokenType == JsonTokenType.PropertyName)
        {
            await ReadAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_tokenType == JsonTokenType.StartObject || _tokenType == JsonTokenType.StartArray)
        {
            int depth = _depth;
            do
            {
                if (!await ReadAsync(cancellationToken).ConfigureAwait(false))
                {
                    throw Error("Unexpected end of data: the JSON value is incomplete.");
                }
            }
            while (!((_tokenType == JsonTokenType.EndObject || _tokenType == JsonTokenType.EndArray) && _depth == depth));
        }
        else if (_stringPending)
        {
            _stringPending = false;
            await ReadStringContentAsync(false, 0, null, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<JsonValue> ReadScalarAsync(CancellationToken cancellationToken)
    {
        switch (_tokenType)
        {
            case JsonTokenType.String:
                return JsonValue.FromString(await GetStringAsync(cancellationToken).ConfigureAwait(false));
            case JsonTokenType.Number:
                return JsonValue.FromValidatedNumberText(_rawNumber!);
            case JsonTokenType.True:
                return JsonValue.FromBoolean(true);
            case JsonTokenType.False:
                return JsonValue.FromBoolean(false);
            default:
                return JsonValue.Null;
        }
    }

    private void TakePendingString()
    {
        if (_tokenType != JsonTokenType.String)
        {
            throw new InvalidOperationException("The current token is not a string (current token: " + _tokenType + ").");
        }

        if (!_stringPending)
        {
            throw new InvalidOperationException("The current string's content has already been read.");
        }

        _stringPending = false;
    }

    private async Task ReadPreambleAsync(CancellationToken cancellationToken)
    {
        _started = true;
        if (await EnsureAsync(1, cancellationToken).ConfigureAwait(false) && _buffer[_pos] == 0xEF
            && await EnsureAsync(3, cancellationToken).ConfigureAwait(false)
            && _buffer[_pos + 1] == 0xBB && _buffer[_pos + 2] == 0xBF)
        {
            _pos += 3;
        }
    }

    private async Task ReadValueStartAsync(byte b, CancellationToken cancellationToken)
    {
        switch (b)
        {
            case (byte)'{':
                StartContainer(true);
                return;
            case (byte)'[':
                StartContainer(false);
                return;
            case (byte)'"':
                _pos++;
                _tokenType = JsonTokenType.String;
                _depth = _containers.Count;
                _stringPending = true;
                AfterValue();
                return;
            case (byte)'t':
                await ReadLiteralAsync(s_true, JsonTokenType.True, cancellationToken).ConfigureAwait(false);
                return;
            case (byte)'f':
                await ReadLiteralAsync(s_false, JsonTokenType.False, cancellationToken).ConfigureAwait(false);
                return;
            case (byte)'n':
                await ReadLiteralAsync(s_null, JsonTokenType.Null, cancellationToken).ConfigureAwait(false);
                return;
            default:
                if (b == (byte)'-' || (b >= (byte)'0' && b <= (byte)'9'))
                {
                    await ReadNumberAsync(cancellationToken).ConfigureAwait(false);
                    return;
                }

                throw Error("Unexpected " + Describe(b) + ": expected a JSON value.");
        }
    }

    private void StartContainer(bool isObject)
    {
        if (_containers.Count >= _maxDepth)
        {
            throw Error("The JSON nesting depth exceeds the maximum of " + _maxDepth.ToString(CultureInfo.InvariantCulture) + ".");
        }

        _pos++;
        _depth = _containers.Count;
        _containers.Add(isObject);
        _tokenType = isObject ? JsonTokenType.StartObject : JsonTokenType.StartArray;
        _expect = isObject ? Expect.PropertyNameOrEndObject : Expect.ValueOrEndArray;
    }

    private void EndContainer()
    {
        _pos++;
        bool isObject = _containers[_containers.Count - 1];
        _containers.RemoveAt(_containers.Count - 1);
        _depth = _containers.Count;
        _tokenType = isObject ? JsonTokenType.EndObject : JsonTokenType.EndArray;
        AfterValue();
    }

    private void AfterValue()
    {
        _expect = _containers.Count == 0 ? Expect.EndOfInput : Expect.CommaOrEnd;
    }

    private async Task ReadLiteralAsync(byte[] literal, JsonTokenType type, CancellationToken cancellationToken)
    {
        bool complete = await EnsureAsync(literal.Length, cancellationToken).ConfigureAwait(false);
        int available = Math.Min(_len - _pos, literal.Length);
        for (int i = 0; i < available; i++)
        {
            if (_buffer[_pos + i] != literal[i])
            {
                throw ErrorAt(BytesConsumed + i, "Invalid literal: unexpected " + Describe(_buffer[_pos + i]) + ".");
            }
        }

        if (!complete)
        {
            throw ErrorAt(BytesConsumed + available, "Unexpected end of data inside a literal.");
        }

        _pos += literal.Length;
        if ((_pos < _len || await FillAsync(cancellationToken).ConfigureAwait(false)) && !IsDelimiter(_buffer[_pos]))
        {
            throw Error("Invalid literal: unexpected " + Describe(_buffer[_pos]) + ".");
        }

        _tokenType = type;
        _depth = _containers.Count;
        AfterValue();
    }

    private async Task ReadNumberAsync(CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        NumberState state = NumberState.Start;
        while (_pos < _len || await FillAsync(cancellationToken).ConfigureAwait(false))
        {
            byte[] buffer = _buffer;
            int pos = _pos;
            int end = _len;
            bool stopped = false;
            while (pos < end)
            {
                NumberState next = NextNumberState(state, buffer[pos]);
                if (next == NumberState.Invalid)
                {
                    stopped = true;
                    break;
                }

                state = next;
                text.Append((char)buffer[pos]);
                pos++;
            }

            _pos = pos;
            if (text.Length > _maxStringLength)
            {
                throw Error("The number is longer than the maximum of " + _maxStringLength.ToString(CultureInfo.InvariantCulture) + " characters.");
            }

            if (stopped)
            {
                break;
            }
        }

        bool atEnd = _pos == _len; // only when the stream has ended
        if (state != NumberState.Zero && state != NumberState.Integer && state != NumberState.Fraction && state != NumberState.ExponentDigits)
        {
            throw Error(atEnd
                ? "Unexpected end of data inside a number."
                : "Invalid number: unexpected " + Describe(_buffer[_pos]) + ".");
        }

        if (!atEnd && !IsDelimiter(_buffer[_pos]))
        {
            throw Error("Invalid number: unexpected " + Describe(_buffer[_pos]) + ".");
        }

        _rawNumber = text.ToString();
        _tokenType = JsonTokenType.Number;
        _depth = _containers.Count;
        AfterValue();
    }

    private static NumberState NextNumberState(NumberState state, byte b)
    {
        bool digit = b >= (byte)'0' && b <= (byte)'9';
        switch (state)
        {
            case NumberState.Start:
                return b == (byte)'-' ? NumberState.Minus : b == (byte)'0' ? NumberState.Zero : digit ? NumberState.Integer : NumberState.Invalid;
            case NumberState.Minus:
                return b == (byte)'0' ? NumberState.Zero : digit ? NumberState.Integer : NumberState.Invalid;
            case NumberState.Zero:
                return b == (byte)'.' ? NumberState.Dot : (b == (byte)'e' || b == (byte)'E') ? NumberState.Exponent : NumberState.Invalid;
            case NumberState.Integer:
                return digit ? NumberState.Integer : b == (byte)'.' ? NumberState.Dot : (b == (byte)'e' || b == (byte)'E') ? NumberState.Exponent : NumberState.Invalid;
            case NumberState.Dot:
                return digit ? NumberState.Fraction : NumberState.Invalid;
            case NumberState.Fraction:
                return digit ? NumberState.Fraction : (b == (byte)'e' || b == (byte)'E') ? NumberState.Exponent : NumberState.Invalid;
            case NumberState.Exponent:
                return (b == (byte)'+' || b == (byte)'-') ? NumberState.ExponentSign : digit ? NumberState.ExponentDigits : NumberState.Invalid;
            case NumberState.ExponentSign:
            case NumberState.ExponentDigits:
                return digit ? NumberState.ExponentDigits : NumberState.Invalid;
            default:
                return NumberState.Invalid;
        }
    }

    private static bool IsDelimiter(byte b) =>
        b == (byte)' ' || b == (byte)'\t' || b == (byte)'\n' || b == (byte)'\r' || b == (byte)',' || b == (byte)']' || b == (byte)'}';

    /// <summary>
    /// Reads string content after the opening quote through the closing quote, unescaping and validating UTF-8.
    /// collect: returns the string (limited to maxLength); otherwise sink (may be null to skip) gets the chunks.
    /// </summary>
    private async Task<string?> ReadStringContentAsync(
        bool collect, int maxLength, Func<char[], int, int, CancellationToken, Task>? sink, CancellationToken cancellationToken)
    {
        char[] chars = _chars ??= new char[CharChunkSize];
        int limit = chars.Length - 2; // room for a surrogate pair after the fast loop
        int n = 0;
        long flushed = 0;
        StringBuilder? builder = null;

        while (true)
        {
            if (n >= limit)
            {
                // Flush the chunk, holding back a trailing high surrogate so that pairs are never split.
                int count = char.IsHighSurrogate(chars[n - 1]) ? n - 1 : n;
                flushed += count;
                if (collect)
                {
                    if (flushed > maxLength)
                    {
                        throw Error(TooLongMessage(maxLength));
                    }

                    (builder ??= new StringBuilder()).Append(chars, 0, count);
                }
                else if (sink != null)
                {
                    await sink(chars, 0, count, cancellationToken).ConfigureAwait(false);
                }

                if (count < n)
                {
                    chars[0] = chars[n - 1];
                }

                n -= count;
            }

            if (_pos == _len && !await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                throw Error("Unexpected end of data inside a string.");
            }

            // Fast path: plain printable ASCII.
            byte[] buffer = _buffer;
            int pos = _pos;
            int stop = Math.Min(_len, pos + (limit - n));
            while (pos < stop)
            {
                byte b = buffer[pos];
                if (b < 0x20 || b == (byte)'"' || b == (byte)'\\' || b >= 0x80)
                {
                    break;
                }

                chars[n++] = (char)b;
                pos++;
            }

            _pos = pos;
            if (pos == stop)
            {
                continue;
            }

            byte c = buffer[pos];
            if (c == (byte)'"')
            {
                _pos++;
                flushed += n;
                if (collect)
                {
                    if (flushed > maxLength)
                    {
                        throw Error(TooLongMessage(maxLength));
                    }

                    if (builder is null)
                    {
                        return new string(chars, 0, n);
                    }

                    builder.Append(chars, 0, n);
                    return builder.ToString();
                }

                if (sink != null && n > 0)
                {
                    await sink(chars, 0, n, cancellationToken).ConfigureAwait(false);
                }

                return null;
            }

            if (c == (byte)'\\')
            {
                if (_len - _pos < 2 && !await EnsureAsync(2, cancellationToken).ConfigureAwait(false))
                {
                    throw ErrorAt(_bufferOffset + _len, "Unexpected end of data inside a string escape.");
                }

                byte e = _buffer[_pos + 1];
                char unescaped;
                switch (e)
                {
                    case (byte)'"': unescaped = '"'; break;
                    case (byte)'\\': unescaped = '\\'; break;
                    case (byte)'/': unescaped = '/'; break;
                    case (byte)'b': unescaped = '\b'; break;
                    case (byte)'f': unescaped = '\f'; break;
                    case (byte)'n': unescaped = '\n'; break;
                    case (byte)'r': unescaped = '\r'; break;
                    case (byte)'t': unescaped = '\t'; break;
                    case (byte)'u':
                        if (_len - _pos < 6 && !await EnsureAsync(6, cancellationToken).ConfigureAwait(false))
                        {
                            // Report a bad hex digit rather than truncation if one is already visible.
                            for (int i = _pos + 2; i < _len; i++)
                            {
                                if (HexValue(_buffer[i]) < 0)
                                {
                                    throw ErrorAt(_bufferOffset + i, "Invalid \\u escape: " + Describe(_buffer[i]) + " is not a hexadecimal digit.");
                                }
                            }

                            throw ErrorAt(_bufferOffset + _len, "Unexpected end of data inside a string escape.");
                        }

                        int value = 0;
                        for (int i = _pos + 2; i < _pos + 6; i++)
                        {
                            int h = HexValue(_buffer[i]);
                            if (h < 0)
                            {
                                throw ErrorAt(_bufferOffset + i, "Invalid \\u escape: " + Describe(_buffer[i]) + " is not a hexadecimal digit.");
                            }

                            value = (value << 4) | h;
                        }

                        // Each \u escape is one UTF-16 code unit; an escaped pair simply yields both units in order.
                        chars[n++] = (char)value;
                        _pos += 6;
                        continue;
                    default:
                        throw ErrorAt(BytesConsumed + 1, "Invalid escape sequence '\\" + (e >= 0x20 && e < 0x7F ? ((char)e).ToString() : "?") + "' in a string.");
                }

                chars[n++] = unescaped;
                _pos += 2;
                continue;
            }

            if (c < 0x20)
            {
                throw Error("Unescaped control character " + Describe(c) + " in a string.");
            }

            // Multi-byte UTF-8 (Unicode table 3-7): reject overlong forms, encoded surrogates and values above U+10FFFF.
            int need;
            int codePoint;
            byte secondMin = 0x80;
            byte secondMax = 0xBF;
            if (c >= 0xC2 && c <= 0xDF)
            {
                need = 2;
                codePoint = c & 0x1F;
            }
            else if (c >= 0xE0 && c <= 0xEF)
            {
                need = 3;
                codePoint = c & 0x0F;
                if (c == 0xE0)
                {
                    secondMin = 0xA0;
                }
                else if (c == 0xED)
                {
                    secondMax = 0x9F;
                }
            }
            else if (c >= 0xF0 && c <= 0xF4)
            {
                need = 4;
                codePoint = c & 0x07;
                if (c == 0xF0)
                {
                    secondMin = 0x90;
                }
                else if (c == 0xF4)
                {
                    secondMax = 0x8F;
                }
            }
            else
            {
                throw Error("Invalid UTF-8: unexpected byte 0x" + c.ToString("X2", CultureInfo.InvariantCulture) + ".");
            }

            bool complete = _len - _pos >= need || await EnsureAsync(need, cancellationToken).ConfigureAwait(false);
            int have = Math.Min(need, _len - _pos);
            for (int i = 1; i < have; i++)
            {
                byte cont = _buffer[_pos + i];
                if (cont < (i == 1 ? secondMin : (byte)0x80) || cont > (i == 1 ? secondMax : (byte)0xBF))
                {
                    throw ErrorAt(BytesConsumed + i, "Invalid UTF-8: unexpected byte 0x" + cont.ToString("X2", CultureInfo.InvariantCulture) + " in a multi-byte sequence.");
                }

                codePoint = (codePoint << 6) | (cont & 0x3F);
            }

            if (!complete)
            {
                throw ErrorAt(_bufferOffset + _len, "Unexpected end of data inside a string.");
            }

            if (codePoint >= 0x10000)
            {
                codePoint -= 0x10000;
                chars[n++] = (char)(0xD800 + (codePoint >> 10));
                chars[n++] = (char)(0xDC00 + (codePoint & 0x3FF));
            }
            else
            {
                chars[n++] = (char)codePoint;
            }

            _pos += need;
        }
    }

    private static string TooLongMessage(int maxLength) =>
        "The string is longer than the maximum of " + maxLength.ToString(CultureInfo.InvariantCulture) + " characters.";

    private static int HexValue(byte b)
    {
        if (b >= (byte)'0' && b <= (byte)'9')
        {
            return b - '0';
        }

        if (b >= (byte)'a' && b <= (byte)'f')
        {
            return b - 'a' + 10;
        }

        if (b >= (byte)'A' && b <= (byte)'F')
        {
            return b - 'A' + 10;
        }

        return -1;
    }

    /// <summary>Skips JSON whitespace; false when the stream ends.</summary>
    private async Task<bool> SkipWhitespaceAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            while (_pos < _len)
            {
                byte b = _buffer[_pos];
                if (b != (byte)' ' && b != (byte)'\n' && b != (byte)'\r' && b != (byte)'\t')
                {
                    return true;
                }

                _pos++;
            }

            if (!await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                return false;
            }
        }
    }

    private JsonFormatException Error(string message) => ErrorAt(BytesConsumed, message);

    private static JsonFormatException ErrorAt(long position, string message) =>
        new JsonFormatException(message + " (byte " + position.ToString(CultureInfo.InvariantCulture) + ")", position);

    private static string Describe(byte b) =>
        b >= 0x21 && b < 0x7F
            ? "'" + ((char)b).ToString() + "'"
            : "byte 0x" + b.ToString("X2", CultureInfo.InvariantCulture);

    private sealed class ContainerBuilder
    {
        private readonly List<KeyValuePair<string, JsonValue>>? _properties;
        private readonly List<JsonValue>? _items;

        public ContainerBuilder(bool isObject)
        {
            if (isObject)
            {
                _properties = new List<KeyValuePair<string, JsonValue>>();
            }
            else
            {
                _items = new List<JsonValue>();
            }
        }

        public string? PendingName { get; set; }

        public void Add(JsonValue value)
        {
            if (_properties != null)
            {
                _properties.Add(new KeyValuePair<string, JsonValue>(PendingName!, value));
                PendingName = null;
            }
            else
            {
                _items!.Add(value);
            }
        }

        public JsonValue Build() =>
            _properties != null ? JsonValue.CreateObjectOwned(_properties) : JsonValue.CreateArrayOwned(_items!);
    }
}
