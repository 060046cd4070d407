using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using OpenAI.Images.Json;
using static OpenAI.Images.Core.Tests.Json.TestStreams;

namespace OpenAI.Images.Core.Tests.Json;

public class JsonStreamReaderTests
{
    public static TheoryData<ReadMode> AllModes => Modes;

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Reads_every_token_kind(ReadMode mode)
    {
        const string json = " {\"a\" : 1,\r\n\t\"b\":[true,false,null,\"x\",-0.5e+10, []],\"c\":{},\"d\":{\"e\":\"f\"}} \n";

        List<string> tokens = await TokensAsync(Reader(json, mode));

        Assert.Equal(
            new[]
            {
                "{", "P:a", "N:1", "P:b", "[", "true", "false", "null", "S:x", "N:-0.5e+10", "[", "]", "]",
                "P:c", "{", "}", "P:d", "{", "P:e", "S:f", "}", "}",
            },
            tokens);
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Reports_depth_and_bytes_consumed(ReadMode mode)
    {
        byte[] json = Encoding.UTF8.GetBytes("{\"a\":[1,{\"b\":\"é\"}]}  ");
        var reader = Reader(json, mode);
        var seen = new List<string>();

        Assert.Equal(JsonTokenType.None, reader.TokenType);
        while (await reader.ReadAsync(Ct))
        {
            seen.Add(reader.TokenType + "@" + reader.Depth);
        }

        Assert.Equal(
            new[]
            {
                "StartObject@0", "PropertyName@1", "StartArray@1", "Number@2", "StartObject@2", "PropertyName@3",
                "String@3", "EndObject@2", "EndArray@1", "EndObject@0",
            },
            seen);
        Assert.Equal(json.Length, reader.BytesConsumed);
        Assert.Equal(JsonTokenType.None, reader.TokenType);
        Assert.False(await reader.ReadAsync(Ct));
    }

    public static TheoryData<string, string, ReadMode> StringCases()
    {
        var cases = new (string Json, string Expected)[]
        {
            ("plain", "plain"),
            ("", ""),
            ("\\\"\\\\\\/\\b\\f\\n\\r\\t", "\"\\/\b\f\n\r\t"),
            ("\\u0041\\u00e9\\u20AC\\u20ac", "Aé€€"),
            ("\\uD83D\\uDE00 \\ud83d\\ude00", "😀 😀"),
            ("é€😀ü中", "é€😀ü中"),
            ("a\\u0000b", "a\0b"),
            ("\\uD800x\\uDC00", "\uD800x\uDC00"),
            ("\u007f\u0080\u07ff\u0800\uffff\U00010000\U0010FFFF", "\u007f\u0080\u07ff\u0800\uffff\U00010000\U0010FFFF"),
            ("x/y\\/z", "x/y/z"),
        };
        var data = new TheoryData<string, string, ReadMode>();
        foreach (var c in cases)
        {
            foreach (ReadMode mode in Enum.GetValues<ReadMode>())
            {
                data.Add(c.Json, c.Expected, mode);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(StringCases))]
    public async Task Unescapes_strings_values_and_property_names(string content, string expected, ReadMode mode)
    {
        var reader = Reader("\"" + content + "\"", mode);
        Assert.True(await reader.ReadAsync(Ct));
        Assert.Equal(JsonTokenType.String, reader.TokenType);
        Assert.Equal(expected, await reader.GetStringAsync(Ct));
        Assert.False(await reader.ReadAsync(Ct));

        reader = Reader("{\"" + content + "\":[\"" + content + "\"]}", mode);
        Assert.True(await reader.ReadAsync(Ct));
        Assert.True(await reader.ReadAsync(Ct));
        Assert.Equal(expected, reader.PropertyName);
        Assert.True(await reader.ReadAsync(Ct));
        Assert.True(await reader.ReadAsync(Ct));
        var copied = new StringBuilder();
        await reader.CopyStringToAsync((chars, offset, count, _) => { copied.Append(chars, offset, count); return Task.CompletedTask; }, Ct);
        Assert.Equal(expected, copied.ToString());
        Assert.Equal(new[] { "]", "}" }, await TokensAsync(reader));
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Strings_left_unread_are_skipped(ReadMode mode)
    {
        string longText = string.Concat(Enumerable.Repeat("ab\\\"c\\u00e9é😀\\n", 3000));
        string json = "{\"skip\":\"" + longText + "\",\"n\":5,\"arr\":[\"a\",\"b\"],\"last\":\"z\"}";
        var reader = Reader(json, mode);

        Assert.Equal(
            new[] { "{", "P:skip", "S", "P:n", "N:5", "P:arr", "[", "S", "S", "]", "P:last", "S", "}" },
            await TokensAsync(reader, materialize: false));
        Assert.Equal(Encoding.UTF8.GetByteCount(json), reader.BytesConsumed);

        reader = Reader(json, mode);
        while (await reader.ReadAsync(Ct) && reader.PropertyName != "last")
        {
        }

        Assert.True(await reader.ReadAsync(Ct));
        Assert.Equal("z", await reader.GetStringAsync(Ct));
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task CopyStringTo_streams_bounded_chunks_without_length_limit(ReadMode mode)
    {
        var random = new Random(7);
        var original = new StringBuilder();
        string[] pieces = { "a", "Z", "\"", "\\", "/", "\n", "\u0001", "é", "中", "😀", "\U0010FFFF", " ", "\uFFFF" };
        while (original.Length < 60_000)
        {
            original.Append(pieces[random.Next(pieces.Length)]);
        }

        string expected = original.ToString();

        // Once escaped by System.Text.Json (non-ASCII as \uXXXX), once by JsonWriter (non-ASCII raw UTF-8).
        foreach (string json in new[] { System.Text.Json.JsonSerializer.Serialize(expected), JsonWriter.Quote(expected) })
        {
            var reader = Reader(json, mode);
            reader.MaxStringLength = 10; // does not apply to CopyStringToAsync
            Assert.True(await reader.ReadAsync(Ct));
            var copied = new StringBuilder();
            int maxChunk = 0;
            int chunks = 0;
            await reader.CopyStringToAsync(
                async (chars, offset, count, ct) =>
                {
                    Assert.InRange(count, 1, 8192);
                    Assert.False(char.IsHighSurrogate(chars[offset + count - 1]), "a chunk ends inside a surrogate pair");
                    Assert.False(char.IsLowSurrogate(chars[offset]), "a chunk starts inside a surrogate pair");
                    maxChunk = Math.Max(maxChunk, count);
                    chunks++;
                    copied.Append(chars, offset, count);
                    await Task.Yield();
                },
                Ct);

            Assert.Equal(expected, copied.ToString());
            Assert.True(chunks >= expected.Length / 8192, "chunks: " + chunks);
            Assert.False(await reader.ReadAsync(Ct));
        }
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task MaxStringLength_limits_materialized_strings(ReadMode mode)
    {
        var reader = Reader("[\"12345\",\"\\u0041\\u0042CDE\",\"123456\"]", mode);
        reader.MaxStringLength = 5;
        Assert.True(await reader.ReadAsync(Ct));
        Assert.True(await reader.ReadAsync(Ct));
        Assert.Equal("12345", await reader.GetStringAsync(Ct));
        Assert.True(await reader.ReadAsync(Ct));
        Assert.Equal("ABCDE", await reader.GetStringAsync(Ct));
        Assert.True(await reader.ReadAsync(Ct));
        await Assert.ThrowsAsync<JsonFormatException>(() => reader.GetStringAsync(Ct));

        reader = Reader("{\"abcdef\":1}", mode);
        reader.MaxStringLength = 5;
        Assert.True(await reader.ReadAsync(Ct));
        await Assert.ThrowsAsync<JsonFormatException>(() => reader.ReadAsync(Ct));

        reader = Reader("{\"a\":[\"ok\",{\"b\":\"too long\"}]}", mode);
        reader.MaxStringLength = 5;
        Assert.True(await reader.ReadAsync(Ct));
        await Assert.ThrowsAsync<JsonFormatException>(() => reader.ReadValueAsync(Ct));

        // A long string that is skipped rather than materialized is fine, and the limit counts UTF-16 chars.
        reader = Reader("[\"" + new string('x', 100_000) + "\",\"😀😀\"]", mode);
        reader.MaxStringLength = 4;
        Assert.Equal(new[] { "[", "S", "S", "]" }, await TokensAsync(reader, materialize: false));
        reader = Reader("\"😀😀😀\"", mode);
        reader.MaxStringLength = 5;
        Assert.True(await reader.ReadAsync(Ct));
        await Assert.ThrowsAsync<JsonFormatException>(() => reader.GetStringAsync(Ct));
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task MaxDepth_limits_nesting(ReadMode mode)
    {
        string ok = new string('[', 64) + new string(']', 64);
        Assert.Equal(128, (await TokensAsync(Reader(ok, mode))).Count);

        string deep = new string('[', 65) + new string(']', 65);
        var ex = await Assert.ThrowsAsync<JsonFormatException>(() => TokensAsync(Reader(deep, mode)));
        Assert.Equal(64, ex.BytePosition);

        var reader = Reader("{\"a\":{\"b\":{\"c\":1}}}", mode);
        reader.MaxDepth = 3;
        Assert.Equal(10, (await TokensAsync(reader)).Count);
        reader = Reader("{\"a\":{\"b\":{\"c\":[]}}}", mode);
        reader.MaxDepth = 3;
        await Assert.ThrowsAsync<JsonFormatException>(() => TokensAsync(reader));
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task SkipAsync_skips_whole_values(ReadMode mode)
    {
        var reader = Reader("{\"a\":{\"x\":[1,2,{\"y\":\"z\"}],\"w\":{}},\"b\":\"str\\u00e9\",\"c\":[[],[1]],\"d\":5,\"e\":null}", mode);
        Assert.True(await reader.ReadAsync(Ct));
        Assert.True(await reader.ReadAsync(Ct));
        Assert.Equal("a", reader.PropertyName);
        await reader.SkipAsync(Ct);
        Assert.Equal(JsonTokenType.EndObject, reader.TokenType);
        Assert.Equal(1, reader.Depth);

        Assert.True(await reader.ReadAsync(Ct));
        Assert.Equal("b", reader.PropertyName);
        await reader.SkipAsync(Ct);
        Assert.Equal(JsonTokenType.String, reader.TokenType);
        await Assert.ThrowsAsync<InvalidOperationException>(() => reader.GetStringAsync(Ct));

        Assert.True(await reader.ReadAsync(Ct));
        Assert.True(await reader.ReadAsync(Ct));
        Assert.Equal(JsonTokenType.StartArray, reader.TokenType);
        await reader.SkipAsync(Ct);
        Assert.Equal(JsonTokenType.EndArray, reader.TokenType);
        Assert.Equal(1, reader.Depth);

        Assert.True(await reader.ReadAsync(Ct));
        Assert.Equal("d", reader.PropertyName);
        Assert.True(await reader.ReadAsync(Ct));
        await reader.SkipAsync(Ct); // scalar: nothing to do
        Assert.Equal("5", reader.GetRawNumber());
        Assert.Equal(new[] { "P:e", "null", "}" }, await TokensAsync(reader));
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task ReadTokenOrSkip_and_ReadStringOrSkip_take_the_expected_value_and_skip_any_other(ReadMode mode)
    {
        var reader = Reader("{\"a\":[1,{\"x\":2}],\"b\":{\"y\":[3]},\"c\":\"text\",\"d\":[4],\"e\":5}", mode);
        Assert.True(await reader.ReadAsync(Ct));

        Assert.True(await reader.ReadAsync(Ct)); // a
        Assert.True(await reader.ReadTokenOrSkipAsync(JsonTokenType.StartArray, Ct));
        Assert.Equal(JsonTokenType.StartArray, reader.TokenType);
        await reader.SkipAsync(Ct);

        Assert.True(await reader.ReadAsync(Ct)); // b: an object where an array was expected, skipped whole
        Assert.False(await reader.ReadTokenOrSkipAsync(JsonTokenType.StartArray, Ct));
        Assert.Equal(JsonTokenType.EndObject, reader.TokenType);
        Assert.Equal(1, reader.Depth);

        Assert.True(await reader.ReadAsync(Ct)); // c
        Assert.Equal("text", await reader.ReadStringOrSkipAsync(Ct));

        Assert.True(await reader.ReadAsync(Ct)); // d: not a string, skipped whole
        Assert.Null(await reader.ReadStringOrSkipAsync(Ct));
        Assert.Equal(JsonTokenType.EndArray, reader.TokenType);

        Assert.True(await reader.ReadAsync(Ct));
        Assert.Equal("e", reader.PropertyName);
        Assert.Equal(new[] { "N:5", "}" }, await TokensAsync(reader));
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task ReadValueAsync_materializes_the_current_value(ReadMode mode)
    {
        var reader = Reader("{\"type\":\"t\",\"data\":{\"n\":[1,2.5,{\"k\":true}],\"s\":\"é\\n\",\"z\":null},\"idx\":3,\"arr\":[\"x\"]}", mode);
        Assert.True(await reader.ReadAsync(Ct));
        Assert.True(await reader.ReadAsync(Ct));
        Assert.True(await reader.ReadAsync(Ct));
        Assert.Equal("t", (await reader.ReadValueAsync(Ct)).GetString());

        Assert.True(await reader.ReadAsync(Ct));
        Assert.Equal("data", reader.PropertyName);
        JsonValue data = await reader.ReadValueAsync(Ct); // from the property name
        Assert.Equal("{\"n\":[1,2.5,{\"k\":true}],\"s\":\"é\\n\",\"z\":null}", data.ToJson());
        Assert.Equal(JsonTokenType.EndObject, reader.TokenType);

        Assert.True(await reader.ReadAsync(Ct));
        Assert.True(await reader.ReadAsync(Ct));
        Assert.Equal(3, (await reader.ReadValueAsync(Ct)).GetInt64());
        Assert.True(await reader.ReadAsync(Ct));
        Assert.True(await reader.ReadAsync(Ct));
        Assert.Equal("[\"x\"]", (await reader.ReadValueAsync(Ct)).ToJson());
        Assert.Equal(new[] { "}" }, await TokensAsync(reader));
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Skips_a_utf8_byte_order_mark(ReadMode mode)
    {
        byte[] json = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes("{\"a\":1}")).ToArray();
        var reader = Reader(json, mode);
        Assert.Equal(new[] { "{", "P:a", "N:1", "}" }, await TokensAsync(reader));
        Assert.Equal(json.Length, reader.BytesConsumed);

        await Assert.ThrowsAsync<JsonFormatException>(() => TokensAsync(Reader(new byte[] { 0xEF, 0xBB, 0xBF }, mode)));
        await Assert.ThrowsAsync<JsonFormatException>(() => TokensAsync(Reader(new byte[] { 0xEF, 0xBB, (byte)'1' }, mode)));
        var ex = await Assert.ThrowsAsync<JsonFormatException>(() => TokensAsync(Reader(new byte[] { 0xEF, 0xBB, 0xBF, (byte)'[', (byte)'x', (byte)']' }, mode)));
        Assert.Equal(4, ex.BytePosition);
    }

    public static TheoryData<string, string, ReadMode> ScalarDocuments()
    {
        var data = new TheoryData<string, string, ReadMode>();
        foreach (ReadMode mode in Enum.GetValues<ReadMode>())
        {
            data.Add("123", "N:123", mode);
            data.Add(" true ", "true", mode);
            data.Add("false", "false", mode);
            data.Add("\nnull\r\n", "null", mode);
            data.Add("\"s\"", "S:s", mode);
            data.Add("\t-0.0e-0 ", "N:-0.0e-0", mode);
            data.Add("0", "N:0", mode);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(ScalarDocuments))]
    public async Task Reads_top_level_scalars(string json, string expected, ReadMode mode)
    {
        var reader = Reader(json, mode);
        Assert.Equal(new[] { expected }, await TokensAsync(reader));
        Assert.False(await reader.ReadAsync(Ct));
        Assert.False(await reader.ReadAsync(Ct));
        Assert.Equal(json.Length, reader.BytesConsumed);
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Keeps_number_text_as_written(ReadMode mode)
    {
        string[] numbers =
        {
            "0", "-0", "1", "-1", "10", "123456789012345678901234567890", "0.5", "-0.0", "1e5", "1E+5", "1e-5",
            "1.25E-0010", "0e0", "-9223372036854775808", "9.99e999", "3.141592653589793238462643383279",
        };
        string json = "[" + string.Join(",", numbers) + "]";
        Assert.Equal(new[] { "[" }.Concat(numbers.Select(n => "N:" + n)).Append("]"), await TokensAsync(Reader(json, mode)));
        json = "[" + string.Join(" , ", numbers) + " ]";
        Assert.Equal(new[] { "[" }.Concat(numbers.Select(n => "N:" + n)).Append("]"), await TokensAsync(Reader(json, mode)));
    }

    public static readonly string[] MalformedDocuments =
    {
        "", " ", "\r\n\t ", "{", "[", "}", "]", "{]", "[}", "[1,]", "{\"a\":1,}", "[,1]", "{,}", "{\"a\"}", "{\"a\":}",
        "{\"a\" 1}", "{a:1}", "{'a':1}", "['a']", "[1 2]", "{\"a\":1 \"b\":2}", "01", "-01", "00", "-", "1.", ".5", "+1",
        "1e", "1e+", "1.e5", "-.5", "0x10", "1_000", "Infinity", "NaN", "-Infinity", "tru", "truex", "nul", "nulll",
        "True", "FALSE", "1 2", "[1] x", "{} {}", "\"abc", "\"\\x\"", "\"\\u12\"", "\"\\u12G4\"", "\"\\\"", "\"a\tb\"",
        "\"a\nb\"", "\"\u0001\"", "\"\u001f\"", "[\"a\",]", "[1,,2]", "{\"a\":1,,\"b\":2}", "{\"a\"::1}", "\"\\U0041\"",
        "[1]]", "{}}", "[01]", "[1.5.2]", "[--1]", "[1e5e5]", "//c\n1", "/*c*/1", "[1,/*c*/2]", "\u00a01", "\f1",
        "[1,\u00a02]", "{\"a\":1}\u0000", "\"\\u\"", "\"\\ud83d\\u\"", "[true false]", "[null,]", "{\"a\":tru}",
        "{\"a\",1}", "{1:2}", "[\"a\":1]", "{\"a\":1]", "[1}", "\"\\", "-1x", "1.0e+", "[-]", "{\"\\u00\":1}",
        "{\"a\":\"b\"\"c\":1}", "\u0000", "[\"\u007f\u0000\"]",
    };

    public static TheoryData<string, ReadMode> MalformedCases()
    {
        var data = new TheoryData<string, ReadMode>();
        foreach (string json in MalformedDocuments)
        {
            foreach (ReadMode mode in Enum.GetValues<ReadMode>())
            {
                data.Add(json, mode);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(MalformedCases))]
    public async Task Rejects_malformed_input(string json, ReadMode mode)
    {
        await Assert.ThrowsAsync<JsonFormatException>(() => TokensAsync(Reader(json, mode), materialize: true));
        await Assert.ThrowsAsync<JsonFormatException>(() => TokensAsync(Reader(json, mode), materialize: false));
        await Assert.ThrowsAsync<JsonFormatException>(async () =>
        {
            var reader = Reader(json, mode);
            await reader.ReadAsync(Ct);
            await reader.ReadValueAsync(Ct);
            await reader.ReadAsync(Ct);
        });
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Rejects_every_truncation_of_a_document(ReadMode mode)
    {
        byte[] json = Encoding.UTF8.GetBytes("{\"a\":[1,-2.5e3,true,false,null,\"x\\u00e9\\n😀é\\uD83D\\uDE00\"],\"b\":{\"c\":\"d\"},\"e\":[]}");
        Assert.Equal(19, (await TokensAsync(Reader(json, mode))).Count);
        for (int length = 0; length < json.Length; length++)
        {
            byte[] prefix = json.Take(length).ToArray();
            var ex = await Assert.ThrowsAsync<JsonFormatException>(() => TokensAsync(Reader(prefix, mode, seed: length), materialize: length % 2 == 0));
            Assert.InRange(ex.BytePosition, 0, length);
        }
    }

    public static TheoryData<byte[], ReadMode> InvalidUtf8Cases()
    {
        byte[][] sequences =
        {
            new byte[] { 0x80 }, new byte[] { 0xBF }, new byte[] { 0xC0, 0x80 }, new byte[] { 0xC1, 0xBF },
            new byte[] { 0xE0, 0x80, 0x80 }, new byte[] { 0xE0, 0x9F, 0xBF }, new byte[] { 0xED, 0xA0, 0x80 },
            new byte[] { 0xED, 0xBF, 0xBF }, new byte[] { 0xF0, 0x80, 0x80, 0x80 }, new byte[] { 0xF0, 0x8F, 0xBF, 0xBF },
            new byte[] { 0xF4, 0x90, 0x80, 0x80 }, new byte[] { 0xF5, 0x80, 0x80, 0x80 }, new byte[] { 0xFF },
            new byte[] { 0xFE }, new byte[] { 0xC3 }, new byte[] { 0xE2, 0x82 }, new byte[] { 0xF0, 0x9F, 0x98 },
            new byte[] { 0xC3, 0x28 }, new byte[] { 0xE2, 0x28, 0xA1 }, new byte[] { 0xE2, 0x82, 0x28 },
            new byte[] { 0xF0, 0x28, 0x8C, 0xBC }, new byte[] { 0xF0, 0x9F, 0x98, 0x28 }, new byte[] { 0xC3, 0xA9, 0xA9 },
        };
        var data = new TheoryData<byte[], ReadMode>();
        foreach (byte[] sequence in sequences)
        {
            foreach (ReadMode mode in Enum.GetValues<ReadMode>())
            {
                data.Add(sequence, mode);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(InvalidUtf8Cases))]
    public async Task Rejects_invalid_utf8(byte[] sequence, ReadMode mode)
    {
        byte[] Wrap(string before, string after) =>
            Encoding.ASCII.GetBytes(before).Concat(sequence).Concat(Encoding.ASCII.GetBytes(after)).ToArray();

        foreach (byte[] json in new[] { Wrap("\"", "\""), Wrap("[\"ok\",\"ab", "cd\"]"), Wrap("{\"", "\":1}"), Wrap("[", "]") })
        {
            await Assert.ThrowsAsync<JsonFormatException>(() => TokensAsync(Reader(json, mode), materialize: true));
            await Assert.ThrowsAsync<JsonFormatException>(() => TokensAsync(Reader(json, mode), materialize: false));
        }
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Accepts_utf8_boundary_code_points(ReadMode mode)
    {
        byte[][] sequences =
        {
            new byte[] { 0xC2, 0x80 }, new byte[] { 0xDF, 0xBF }, new byte[] { 0xE0, 0xA0, 0x80 }, new byte[] { 0xED, 0x9F, 0xBF },
            new byte[] { 0xEE, 0x80, 0x80 }, new byte[] { 0xEF, 0xBF, 0xBF }, new byte[] { 0xF0, 0x90, 0x80, 0x80 },
            new byte[] { 0xF4, 0x8F, 0xBF, 0xBF }, new byte[] { 0x7F },
        };
        foreach (byte[] sequence in sequences)
        {
            byte[] json = new[] { (byte)'"' }.Concat(sequence).Concat(sequence).Append((byte)'"').ToArray();
            Assert.Equal(new[] { "S:" + Encoding.UTF8.GetString(sequence) + Encoding.UTF8.GetString(sequence) }, await TokensAsync(Reader(json, mode)));
        }
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Reports_the_offending_byte_position(ReadMode mode)
    {
        async Task<long> PositionOf(string json) =>
            (await Assert.ThrowsAsync<JsonFormatException>(() => TokensAsync(Reader(json, mode)))).BytePosition;

        Assert.Equal(3, await PositionOf("[1,x]"));
        Assert.Equal(7, await PositionOf("{\"a\":1,}"));
        Assert.Equal(4, await PositionOf("\"ab\\q\""));
        Assert.Equal(7, await PositionOf("\"ab\\u12x4\""));
        Assert.Equal(3, await PositionOf("[1 2]"));
        Assert.Equal(1, await PositionOf("01"));
        Assert.Equal(2, await PositionOf("[\"\n\"]"));
        Assert.Equal(4, await PositionOf("[tru]"));
        Assert.Equal(3, await PositionOf("\"é\u0001\""));
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Rejects_misuse_with_InvalidOperationException(ReadMode mode)
    {
        var reader = Reader("{\"a\":\"s\",\"b\":1}", mode);
        await Assert.ThrowsAsync<InvalidOperationException>(() => reader.ReadValueAsync(Ct));
        await Assert.ThrowsAsync<InvalidOperationException>(() => reader.SkipAsync(Ct));
        Assert.True(await reader.ReadAsync(Ct));
        await Assert.ThrowsAsync<InvalidOperationException>(() => reader.GetStringAsync(Ct));
        Assert.Throws<InvalidOperationException>(() => reader.GetRawNumber());
        Assert.True(await reader.ReadAsync(Ct));
        Assert.Equal("a", reader.PropertyName);
        await Assert.ThrowsAsync<InvalidOperationException>(() => reader.GetStringAsync(Ct));
        Assert.True(await reader.ReadAsync(Ct));
        Assert.Null(reader.PropertyName);
        Assert.Equal("s", await reader.GetStringAsync(Ct));
        await Assert.ThrowsAsync<InvalidOperationException>(() => reader.GetStringAsync(Ct));
        await Assert.ThrowsAsync<InvalidOperationException>(() => reader.CopyStringToAsync((_, _, _, _) => Task.CompletedTask, Ct));
        await Assert.ThrowsAsync<InvalidOperationException>(() => reader.ReadValueAsync(Ct));
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.MaxDepth = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => reader.MaxStringLength = -1);
        Assert.Throws<ArgumentNullException>(() => new JsonStreamReader(null!));
    }

    [Fact]
    public async Task Passes_the_cancellation_token_to_the_stream()
    {
        using var cts = new CancellationTokenSource();
        var reader = Reader("[1,2,3]", ReadMode.OneByte);
        Assert.True(await reader.ReadAsync(cts.Token));
        cts.Cancel();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reader.ReadAsync(cts.Token));
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Does_not_read_the_stream_ahead_of_need_beyond_its_buffer(ReadMode mode)
    {
        // A 3 MB string is walked past without being held: the reader only ever asks the stream for buffer-sized reads.
        byte[] json = Encoding.ASCII.GetBytes("[\"" + new string('q', 3_000_000) + "\",{\"after\":true}]");
        var stream = new ChunkedReadStream(json, mode);
        var reader = new JsonStreamReader(stream, 4096);
        Assert.True(await reader.ReadAsync(Ct));
        Assert.True(await reader.ReadAsync(Ct));
        Assert.InRange(stream.Served, 0, 4096);
        Assert.True(await reader.ReadAsync(Ct));
        Assert.Equal(JsonTokenType.StartObject, reader.TokenType);
        Assert.InRange(stream.Served, 3_000_000, 3_000_000 + 4096 + 4);
        Assert.Equal(new[] { "P:after", "true", "}", "]" }, await TokensAsync(reader));
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task Random_bytes_only_ever_fail_with_JsonFormatException(ReadMode mode)
    {
        var random = new Random(17 + (int)mode);
        byte[] alphabet = Encoding.UTF8.GetBytes("{}[],:\"\\ \n0123456789-+.eEtrufalsn/bu\u00e9😀").Concat(new byte[] { 0x00, 0x1F, 0x80, 0xBF, 0xC3, 0xED, 0xF4, 0xFF }).ToArray();
        int accepted = 0;
        for (int i = 0; i < 1500; i++)
        {
            byte[] json = new byte[random.Next(0, 24)];
            for (int j = 0; j < json.Length; j++)
            {
                json[j] = alphabet[random.Next(alphabet.Length)];
            }

            foreach (bool materialize in new[] { true, false })
            {
                try
                {
                    await TokensAsync(Reader(json, mode, seed: i), materialize);
                    accepted++;
                }
                catch (JsonFormatException ex)
                {
                    Assert.InRange(ex.BytePosition, 0, json.Length);
                }
            }
        }

        Assert.InRange(accepted, 1, 3000 - 1);
    }
}
