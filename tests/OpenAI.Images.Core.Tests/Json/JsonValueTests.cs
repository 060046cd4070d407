using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using OpenAI.Images.Json;
using static OpenAI.Images.Core.Tests.Json.TestStreams;
using Stj = System.Text.Json;

namespace OpenAI.Images.Core.Tests.Json;

public class JsonValueTests
{
    public static TheoryData<ReadMode> AllModes => Modes;

    [Fact]
    public void Exposes_values_through_typed_accessors()
    {
        JsonValue v = JsonValue.Parse(
            " {\"s\":\"text\",\"i\":42,\"neg\":-7,\"big\":9223372036854775808,\"f\":1.5,\"e\":1e3,\"t\":true,\"fa\":false," +
            "\"n\":null,\"a\":[1,\"two\"],\"o\":{\"k\":\"v\"},\"dup\":1,\"dup\":2} ");

        Assert.Equal(JsonValueKind.Object, v.Kind);
        Assert.Equal("text", v.GetStringProperty("s"));
        Assert.Equal(42, v.GetInt64Property("i"));
        Assert.Equal(-7, v["neg"]!.GetInt64());
        Assert.Null(v["big"]!.GetInt64());
        Assert.Equal(9223372036854775808d, v["big"]!.GetDouble());
        Assert.Null(v["f"]!.GetInt64());
        Assert.Equal(1.5, v["f"]!.GetDouble());
        Assert.Null(v["e"]!.GetInt64());
        Assert.Equal(1000d, v["e"]!.GetDouble());
        Assert.True(v["t"]!.GetBoolean());
        Assert.False(v["fa"]!.GetBoolean());
        Assert.Equal(JsonValueKind.Null, v["n"]!.Kind);
        Assert.Null(v["n"]!.GetBoolean());
        Assert.Equal(2, v["a"]!.Items.Count);
        Assert.Equal(1, v["a"]![0]!.GetInt64());
        Assert.Equal("two", v["a"]![1]!.GetString());
        Assert.Null(v["a"]![2]);
        Assert.Null(v["a"]![-1]);
        Assert.Equal("v", v["o"]!.GetStringProperty("k"));
        Assert.Equal(2, v.GetInt64Property("dup")); // last wins
        Assert.Equal(13, v.Properties.Count);       // duplicates kept in document order
        Assert.Equal("dup", v.Properties[11].Key);
        Assert.Equal(1, v.Properties[11].Value.GetInt64());

        Assert.Null(v["missing"]);
        Assert.Null(v.GetStringProperty("i"));
        Assert.Null(v.GetInt64Property("s"));
        Assert.Null(v["s"]!["x"]);
        Assert.Null(v["s"]![0]);
        Assert.Null(v[0]);
        Assert.Empty(v["s"]!.Properties);
        Assert.Empty(v["s"]!.Items);
        Assert.Empty(v.Items);
        Assert.Null(v["i"]!.GetString());
        Assert.Null(v["s"]!.GetDouble());
        Assert.Null(v["s"]!.GetBoolean());
    }

    [Fact]
    public void Looks_up_large_objects_with_last_one_winning()
    {
        var writer = new JsonWriter();
        writer.WriteStartObject();
        for (int i = 0; i < 50; i++)
        {
            writer.WriteNumber("k" + (i % 20), i);
        }

        writer.WriteEndObject();
        JsonValue v = JsonValue.Parse(writer.ToString());
        Assert.Equal(50, v.Properties.Count);
        for (int k = 0; k < 20; k++)
        {
            Assert.Equal(k < 10 ? 40 + k : 20 + k, v.GetInt64Property("k" + k));
        }

        Assert.Null(v["k20"]);
    }

    [Theory]
    [InlineData("0", 0L)]
    [InlineData("-0", 0L)]
    [InlineData("9223372036854775807", long.MaxValue)]
    [InlineData("-9223372036854775808", long.MinValue)]
    [InlineData("9223372036854775808", null)]
    [InlineData("-9223372036854775809", null)]
    [InlineData("1.0", null)]
    [InlineData("1e2", null)]
    [InlineData("12345678901234567890123", null)]
    public void GetInt64_only_for_integral_numbers_that_fit(string json, long? expected)
    {
        Assert.Equal(expected, JsonValue.Parse(json).GetInt64());
    }

    [Theory]
    [InlineData("1e400", null)]
    [InlineData("-1e400", null)]
    [InlineData("1e-400", 0d)]
    [InlineData("0.1", 0.1)]
    [InlineData("-2.5E+3", -2500d)]
    [InlineData("1.7976931348623157e308", double.MaxValue)]
    public void GetDouble_returns_finite_values_only(string json, double? expected)
    {
        Assert.Equal(expected, JsonValue.Parse(json).GetDouble());
    }

    [Theory]
    [InlineData(" { \"a\" : [ 1 , 2.50 , -0 , 1E+2 ] , \"b\" : { } , \"c\" : [ ] , \"d\" : \"\\u00e9\\/\\n\" , \"e\" : null } ",
        "{\"a\":[1,2.50,-0,1E+2],\"b\":{},\"c\":[],\"d\":\"é/\\n\",\"e\":null}")]
    [InlineData("\"\\uD83D\\uDE00\"", "\"😀\"")]
    [InlineData("\"\\uDE00\"", "\"\\uDE00\"")]
    [InlineData("[true,false,null]", "[true,false,null]")]
    [InlineData("{\"x\":1,\"x\":2}", "{\"x\":1,\"x\":2}")]
    public void ToJson_writes_compact_json(string json, string expected)
    {
        Assert.Equal(expected, JsonValue.Parse(json).ToJson());
        Assert.Equal(expected, JsonValue.Parse(expected).ToJson());
    }

    [Fact]
    public void Factories_build_values()
    {
        JsonValue v = JsonValue.CreateObject(new[]
        {
            new KeyValuePair<string, JsonValue>("s", JsonValue.FromString("a\"b")),
            new KeyValuePair<string, JsonValue>("n", JsonValue.FromNumber(-12)),
            new KeyValuePair<string, JsonValue>("d", JsonValue.FromNumber(0.1)),
            new KeyValuePair<string, JsonValue>("b", JsonValue.FromBoolean(true)),
            new KeyValuePair<string, JsonValue>("z", JsonValue.Null),
            new KeyValuePair<string, JsonValue>("a", JsonValue.CreateArray(new[] { JsonValue.FromNumber(1), JsonValue.FromBoolean(false) })),
        });
        Assert.Equal("{\"s\":\"a\\\"b\",\"n\":-12,\"d\":0.1,\"b\":true,\"z\":null,\"a\":[1,false]}", v.ToJson());
        Assert.Equal(v.ToJson(), v.ToString());
        Assert.Equal(-12, v.GetInt64Property("n"));
        Assert.Equal(0.1, v["d"]!.GetDouble());
        Assert.Throws<ArgumentOutOfRangeException>(() => JsonValue.FromNumber(double.NaN));
        Assert.Throws<ArgumentOutOfRangeException>(() => JsonValue.FromNumber(double.NegativeInfinity));
        Assert.Throws<ArgumentNullException>(() => JsonValue.FromString(null!));
    }

    [Fact]
    public void Parse_rejects_malformed_documents()
    {
        foreach (string json in JsonStreamReaderTests.MalformedDocuments)
        {
            Assert.Throws<JsonFormatException>(() => JsonValue.Parse(json));
        }

        Assert.Throws<JsonFormatException>(() => JsonValue.Parse("\"\uD800\"")); // unpaired surrogate in the text itself
    }

    [Fact]
    public void Parse_has_no_string_length_limit_but_limits_depth()
    {
        string big = new string('x', 2_000_000);
        Assert.Equal(big, JsonValue.Parse("[\"" + big + "\"]")[0]!.GetString());
        Assert.Equal(JsonValueKind.Array, JsonValue.Parse(new string('[', 64) + new string(']', 64)).Kind);
        Assert.Throws<JsonFormatException>(() => JsonValue.Parse(new string('[', 65) + new string(']', 65)));
    }

    [Theory]
    [MemberData(nameof(AllModes))]
    public async Task ParseAsync_enforces_maxBytes(ReadMode mode)
    {
        byte[] json = Encoding.UTF8.GetBytes("{\"data\":[{\"b64_json\":\"QUJD\"}],\"created\":1}\n");
        JsonValue v = await JsonValue.ParseAsync(new ChunkedReadStream(json, mode), json.Length, Ct);
        Assert.Equal("QUJD", v["data"]![0]!.GetStringProperty("b64_json"));

        var ex = await Assert.ThrowsAsync<JsonFormatException>(() => JsonValue.ParseAsync(new ChunkedReadStream(json, mode), json.Length - 1, Ct));
        Assert.Equal(json.Length - 1, ex.BytePosition);

        // The limit is checked without draining the stream.
        var huge = new ChunkedReadStream(Encoding.ASCII.GetBytes("[\"" + new string('a', 1_000_000) + "\"]"), mode);
        await Assert.ThrowsAsync<JsonFormatException>(() => JsonValue.ParseAsync(huge, 1000, Ct));
        Assert.InRange(huge.Served, 1000, 1001);

        await Assert.ThrowsAsync<JsonFormatException>(() => JsonValue.ParseAsync(new ChunkedReadStream(Array.Empty<byte>(), mode), 10, Ct));
        await Assert.ThrowsAsync<JsonFormatException>(() => JsonValue.ParseAsync(new ChunkedReadStream(Encoding.ASCII.GetBytes("{}x"), mode), 10, Ct));
        Assert.Equal(JsonValueKind.Object, (await JsonValue.ParseAsync(new ChunkedReadStream(Encoding.ASCII.GetBytes("{}"), mode), long.MaxValue, Ct)).Kind);
    }

    // ---- Differential testing against System.Text.Json ----

    private static readonly string[] s_handWritten =
    {
        "{}", "[]", "0", "-0", "1", "-1", "0.0", "1e1", "1E-1", "1e+1", "-1.5e-10", "123456789012345678901234567890",
        "9223372036854775807", "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "1e400", "-1e400",
        "1e-400", "4.9e-324", "1.7976931348623157e308", "true", "false", "null", "\"\"", "\"\\u0000\"", "\"\\/\"",
        "\"\\uD834\\uDD1E\"", "\"𝄞\"", "\"\\u00e9\"", "[1,[2,[3,[4]]]]", "{\"a\":{\"b\":{\"c\":{}}}}", "{\"\":\"\"}",
        "{\"a\":1,\"a\":2}", " \t\r\n[ \t\r\n1 \t\r\n, \t\r\n2 \t\r\n] \t\r\n", "[\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"]",
        "{\"type\":\"image_generation.partial_image\",\"b64_json\":\"iVBORw0KGgo=\",\"partial_image_index\":0}",
        // malformed
        "", "[", "]", "{", "}", "[1,]", "{\"a\":1,}", "01", "-", "1.", ".5", "+1", "1e", "[1 2]", "{\"a\" 1}", "tru",
        "nul", "\"\\x\"", "\"a\tb\"", "\"\\u12\"", "[1]x", "{}{}", "NaN", "Infinity", "'a'", "{a:1}", "[,]", "[1,,2]",
        "//c\n1", "\"\u0001\"", "-01", "00", "1.e1", "0x1", "[--1]", "{\"a\"::1}", "[\"a\":1]", "{\"a\":1]", "\"\\",
        "\f1", "\u00a01", "[1,\u00a02]",
    };

    [Fact]
    public async Task Matches_System_Text_Json_on_hand_written_documents()
    {
        int compared = 0;
        foreach (string json in s_handWritten.Concat(Deep(63)).Concat(Deep(64)).Concat(Deep(65)))
        {
            await CompareWithSystemTextJsonAsync(json);
            compared++;
        }

        Assert.True(compared > 80);
    }

    [Fact]
    public async Task Matches_System_Text_Json_on_generated_documents()
    {
        var random = new Random(20240601);
        int valid = 0;
        int invalid = 0;
        for (int i = 0; i < 400; i++)
        {
            string json = GenerateDocument(random);
            Assert.True(await CompareWithSystemTextJsonAsync(json), json);
            valid++;

            // Mutate: delete, insert or replace one character, or truncate. Most results are invalid.
            for (int m = 0; m < 3; m++)
            {
                string mutated = Mutate(random, json);
                if (IsWellFormedUtf16(mutated))
                {
                    if (!await CompareWithSystemTextJsonAsync(mutated))
                    {
                        invalid++;
                    }
                }
            }
        }

        Assert.Equal(400, valid);
        Assert.True(invalid > 300, "invalid mutations compared: " + invalid);
    }

    private static IEnumerable<string> Deep(int depth)
    {
        yield return new string('[', depth) + new string(']', depth);
        yield return string.Concat(Enumerable.Repeat("{\"a\":", depth - 1)) + "{}" + new string('}', depth - 1);
    }

    /// <summary>Parses with both parsers; asserts they agree on validity and, when valid, on content. Returns validity.</summary>
    private static async Task<bool> CompareWithSystemTextJsonAsync(string json)
    {
        byte[] utf8 = new UTF8Encoding(false, true).GetBytes(json);
        Stj.JsonDocument? expected = null;
        try
        {
            expected = Stj.JsonDocument.Parse(utf8);
        }
        catch (Stj.JsonException)
        {
        }

        JsonValue? actual = null;
        JsonFormatException? error = null;
        try
        {
            actual = JsonValue.Parse(json);
        }
        catch (JsonFormatException e)
        {
            error = e;
        }

        // The streaming paths must agree with the string path.
        JsonValue? streamed = null;
        JsonValue? byteByByte = null;
        try
        {
            streamed = await JsonValue.ParseAsync(new ChunkedReadStream(utf8, ReadMode.RandomChunks, json.Length), utf8.Length, Ct);
        }
        catch (JsonFormatException)
        {
        }

        try
        {
            byteByByte = await JsonValue.ParseAsync(new ChunkedReadStream(utf8, ReadMode.OneByte), utf8.Length, Ct);
        }
        catch (JsonFormatException)
        {
        }

        using (expected)
        {
            if (expected is null)
            {
                Assert.True(actual is null, "accepted, but System.Text.Json rejects: " + json);
                Assert.Null(streamed);
                Assert.Null(byteByByte);
                return false;
            }

            Assert.True(actual != null, "rejected (" + error?.Message + "), but System.Text.Json accepts: " + json);
            Assert.NotNull(streamed);
            Assert.NotNull(byteByByte);
            AssertEquivalent(expected.RootElement, actual!, "$", json);
            AssertEquivalent(expected.RootElement, streamed!, "$", json);
            AssertEquivalent(expected.RootElement, byteByByte!, "$", json);

            // Our compact output means the same to System.Text.Json and to us.
            string compact = actual!.ToJson();
            using (Stj.JsonDocument again = Stj.JsonDocument.Parse(compact))
            {
                AssertEquivalent(again.RootElement, actual, "$", compact);
            }

            AssertEquivalent(expected.RootElement, JsonValue.Parse(compact), "$", compact);
            return true;
        }
    }

    private static void AssertEquivalent(Stj.JsonElement expected, JsonValue actual, string path, string json)
    {
        string where = path + " in " + (json.Length > 200 ? json.Substring(0, 200) + "..." : json);
        switch (expected.ValueKind)
        {
            case Stj.JsonValueKind.Object:
                Assert.True(actual.Kind == JsonValueKind.Object, where);
                var properties = expected.EnumerateObject().ToList();
                Assert.True(properties.Count == actual.Properties.Count, where);
                for (int i = 0; i < properties.Count; i++)
                {
                    string key = actual.Properties[i].Key;
                    string? name = null;
                    try
                    {
                        name = properties[i].Name;
                    }
                    catch (InvalidOperationException)
                    {
                        // System.Text.Json refuses to materialize unpaired surrogate escapes; we keep them.
                        Assert.False(IsWellFormedUtf16(key), where);
                    }

                    Assert.True(name is null || name == key, where);
                    AssertEquivalent(properties[i].Value, actual.Properties[i].Value, path + "." + key, json);
                    JsonValue last = actual.Properties.Last(p => p.Key == key).Value;
                    Assert.Same(last, actual[key]);
                }

                break;
            case Stj.JsonValueKind.Array:
                Assert.True(actual.Kind == JsonValueKind.Array, where);
                Assert.True(expected.GetArrayLength() == actual.Items.Count, where);
                int index = 0;
                foreach (Stj.JsonElement item in expected.EnumerateArray())
                {
                    AssertEquivalent(item, actual.Items[index], path + "[" + index + "]", json);
                    Assert.Same(actual.Items[index], actual[index]);
                    index++;
                }

                break;
            case Stj.JsonValueKind.String:
                Assert.True(actual.Kind == JsonValueKind.String, where);
                string? text = null;
                try
                {
                    text = expected.GetString();
                }
                catch (InvalidOperationException)
                {
                    // System.Text.Json refuses to materialize unpaired surrogate escapes; we keep them.
                    Assert.False(IsWellFormedUtf16(actual.GetString()!), where);
                }

                if (text != null)
                {
                    Assert.True(text == actual.GetString(), where);
                }

                break;
            case Stj.JsonValueKind.Number:
                Assert.True(actual.Kind == JsonValueKind.Number, where);
                Assert.True(expected.GetRawText() == actual.GetRawNumber(), where);
                Assert.True((expected.TryGetInt64(out long l) ? l : (long?)null) == actual.GetInt64(), where);
                double? expectedDouble = expected.TryGetDouble(out double d) && double.IsFinite(d) ? d : null;
                Assert.True(Nullable.Equals(expectedDouble, actual.GetDouble()), where + ": " + expectedDouble + " vs " + actual.GetDouble());
                break;
            case Stj.JsonValueKind.True:
                Assert.True(actual.Kind == JsonValueKind.True && actual.GetBoolean() == true, where);
                break;
            case Stj.JsonValueKind.False:
                Assert.True(actual.Kind == JsonValueKind.False && actual.GetBoolean() == false, where);
                break;
            default:
                Assert.True(actual.Kind == JsonValueKind.Null, where);
                break;
        }
    }

    internal static bool IsWellFormedUtf16(string s)
    {
        for (int i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(s[i]))
            {
                return false;
            }
        }

        return true;
    }

    private static string GenerateDocument(Random random)
    {
        var sb = new StringBuilder();
        Whitespace(random, sb);
        GenerateValue(random, sb, 0);
        Whitespace(random, sb);
        return sb.ToString();
    }

    private static void Whitespace(Random random, StringBuilder sb)
    {
        int n = random.Next(4) == 0 ? random.Next(1, 4) : 0;
        for (int i = 0; i < n; i++)
        {
            sb.Append(" \t\r\n"[random.Next(4)]);
        }
    }

    private static readonly string[] s_numbers =
    {
        "0", "-0", "7", "-42", "1234567890", "9223372036854775807", "9223372036854775808", "-9223372036854775808",
        "-9223372036854775809", "0.5", "-0.125", "3.14159", "1e10", "1E10", "1e+10", "1e-10", "2.5E-3", "-6.02e23",
        "1e308", "1e309", "1e-320", "123456789012345678901234567890", "0.000001", "10.0", "1e0",
    };

    private static void GenerateValue(Random random, StringBuilder sb, int depth)
    {
        int kind = random.Next(depth < 5 ? 9 : 6);
        switch (kind)
        {
            case 0:
                sb.Append(random.Next(3) switch { 0 => "true", 1 => "false", _ => "null" });
                break;
            case 1:
            case 2:
                if (random.Next(2) == 0)
                {
                    sb.Append(s_numbers[random.Next(s_numbers.Length)]);
                }
                else
                {
                    sb.Append(random.Next(2) == 0 ? "-" : string.Empty).Append(random.Next(1, 100000));
                    if (random.Next(2) == 0)
                    {
                        sb.Append('.').Append(random.Next(0, 1000000));
                    }

                    if (random.Next(3) == 0)
                    {
                        sb.Append("eE"[random.Next(2)]).Append(random.Next(3) switch { 0 => "+", 1 => "-", _ => "" }).Append(random.Next(0, 40));
                    }
                }

                break;
            case 3:
            case 4:
            case 5:
                GenerateString(random, sb);
                break;
            case 6:
            case 7:
                sb.Append('{');
                int properties = random.Next(5);
                for (int i = 0; i < properties; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    Whitespace(random, sb);
                    GenerateString(random, sb);
                    Whitespace(random, sb);
                    sb.Append(':');
                    Whitespace(random, sb);
                    GenerateValue(random, sb, depth + 1);
                    Whitespace(random, sb);
                }

                Whitespace(random, sb);
                sb.Append('}');
                break;
            default:
                sb.Append('[');
                int items = random.Next(5);
                for (int i = 0; i < items; i++)
                {
                    if (i > 0)
                    {
                        sb.Append(',');
                    }

                    Whitespace(random, sb);
                    GenerateValue(random, sb, depth + 1);
                    Whitespace(random, sb);
                }

                Whitespace(random, sb);
                sb.Append(']');
                break;
        }
    }

    private static readonly string[] s_stringPieces =
    {
        "a", "b", "key", "Z", "0", " ", "é", "ü", "中", "€", "😀", "𝄞", "\u007f", "\u0080", "\uffff", "/", "'",
        "\\\"", "\\\\", "\\/", "\\b", "\\f", "\\n", "\\r", "\\t", "\\u0000", "\\u001f", "\\u00e9", "\\u00E9",
        "\\u4e2d", "\\uD83D\\uDE00", "\\ud834\\udd1e", "\\uFFFF", "\\u0041",
    };

    private static void GenerateString(Random random, StringBuilder sb)
    {
        sb.Append('"');
        int n = random.Next(random.Next(10) == 0 ? 200 : 8);
        for (int i = 0; i < n; i++)
        {
            sb.Append(s_stringPieces[random.Next(s_stringPieces.Length)]);
        }

        sb.Append('"');
    }

    private static string Mutate(Random random, string json)
    {
        const string insertable = "{}[],:\"\\ 0123456789abcdefnrtuxE.+-\u0001\u00e9";
        if (json.Length == 0)
        {
            return insertable[random.Next(insertable.Length)].ToString();
        }

        int at = random.Next(json.Length);
        switch (random.Next(4))
        {
            case 0:
                return json.Remove(at, 1);
            case 1:
                return json.Insert(at, insertable[random.Next(insertable.Length)].ToString());
            case 2:
                return json.Remove(at, 1).Insert(at, insertable[random.Next(insertable.Length)].ToString());
            default:
                return json.Substring(0, at);
        }
    }
}
