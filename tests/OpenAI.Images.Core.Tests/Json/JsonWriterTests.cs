using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using OpenAI.Images.Json;
using Stj = System.Text.Json;

namespace OpenAI.Images.Core.Tests.Json;

public class JsonWriterTests
{
    [Fact]
    public void Writes_compact_documents()
    {
        var w = new JsonWriter();
        w.WriteStartObject();
        w.WriteString("model", "gpt-image-1");
        w.WriteNumber("n", 2);
        w.WriteBoolean("stream", true);
        w.WritePropertyName("sizes");
        w.WriteStartArray();
        w.WriteStringValue("1024x1024");
        w.WriteNumberValue(1.5);
        w.WriteNumberValue(-3L);
        w.WriteNullValue();
        w.WriteBooleanValue(false);
        w.WriteStartObject();
        w.WriteEndObject();
        w.WriteStartArray();
        w.WriteEndArray();
        w.WriteEndArray();
        w.WriteNull("user");
        w.WriteNumber("q", 0.25);
        w.WriteValue("raw", JsonValue.Parse("{\"a\":[1e5,\"x\"]}"));
        w.WriteEndObject();

        const string expected = "{\"model\":\"gpt-image-1\",\"n\":2,\"stream\":true,\"sizes\":[\"1024x1024\",1.5,-3,null,false,{},[]],\"user\":null,\"q\":0.25,\"raw\":{\"a\":[1e5,\"x\"]}}";
        Assert.True(w.IsComplete);
        Assert.Equal(expected, w.ToString());
        Assert.Equal(Encoding.UTF8.GetBytes(expected), w.ToUtf8Bytes());
        using var doc = Stj.JsonDocument.Parse(w.ToUtf8Bytes());
        Assert.Equal("gpt-image-1", doc.RootElement.GetProperty("model").GetString());
        Assert.Equal(7, doc.RootElement.GetProperty("sizes").GetArrayLength());
    }

    [Theory]
    [InlineData("plain", "\"plain\"")]
    [InlineData("", "\"\"")]
    [InlineData("q\"b\\s/", "\"q\\\"b\\\\s/\"")]
    [InlineData("\n\r\t\b\f", "\"\\n\\r\\t\\b\\f\"")]
    [InlineData("\u0000\u0001\u001f\u007f", "\"\\u0000\\u0001\\u001F\u007f\"")]
    [InlineData("é中€😀", "\"é中€😀\"")]
    public void Escapes_exactly_what_is_required(string value, string expected)
    {
        var w = new JsonWriter();
        w.WriteStringValue(value);
        Assert.Equal(expected, w.ToString());

        w = new JsonWriter();
        w.WriteStartObject();
        w.WriteString(value, value);
        w.WriteEndObject();
        Assert.Equal("{" + expected + ":" + expected + "}", w.ToString());
    }

    [Fact]
    public void Escaping_round_trips_through_System_Text_Json()
    {
        var random = new Random(99);
        var strings = new List<string>();
        for (int c = 0; c < 0x80; c++)
        {
            strings.Add("x" + (char)c + "y");
        }

        string[] pool = { "a", "\"", "\\", "\n", "\u0000", "\u001f", "é", "中", "😀", "\U0010FFFF", "\u2028", "\uFEFF", "<>&'+" };
        for (int i = 0; i < 300; i++)
        {
            strings.Add(string.Concat(Enumerable.Range(0, random.Next(20)).Select(_ => pool[random.Next(pool.Length)])));
        }

        foreach (string s in strings)
        {
            var w = new JsonWriter();
            w.WriteStartObject();
            w.WriteString(s, s);
            w.WriteEndObject();
            using var doc = Stj.JsonDocument.Parse(w.ToUtf8Bytes());
            Stj.JsonProperty property = doc.RootElement.EnumerateObject().Single();
            Assert.Equal(s, property.Name);
            Assert.Equal(s, property.Value.GetString());
            Assert.Equal(s, JsonValue.Parse(w.ToString()).GetStringProperty(s));
        }
    }

    [Fact]
    public void Escapes_unpaired_surrogates()
    {
        // Not [InlineData]: attribute strings cannot carry unpaired surrogates.
        var cases = new (string Value, string Expected)[]
        {
            ("\uD800", "\"\\uD800\""),
            ("a\uDC00b", "\"a\\uDC00b\""),
            ("\uDC00\uD800", "\"\\uDC00\\uD800\""),
            ("\uD83D\uDE00\uD83D", "\"😀\\uD83D\""),
            ("x\uDBFF", "\"x\\uDBFF\""),
        };
        foreach (var (value, expected) in cases)
        {
            Assert.False(JsonValueTests.IsWellFormedUtf16(value));
            var w = new JsonWriter();
            w.WriteStringValue(value);
            Assert.Equal(expected, w.ToString());
            Assert.Equal(Encoding.UTF8.GetBytes(expected), w.ToUtf8Bytes());
            Assert.Equal(value, JsonValue.Parse(w.ToString()).GetString());
        }
    }

    public static TheoryData<string> InvalidSequenceNames => new(s_invalidSequences.Keys);

    private static readonly Dictionary<string, Action<JsonWriter>> s_invalidSequences = new()
    {
        ["value without name in object"] = w => { w.WriteStartObject(); w.WriteStringValue("x"); },
        ["number without name in object"] = w => { w.WriteStartObject(); w.WriteNumberValue(1); },
        ["object without name in object"] = w => { w.WriteStartObject(); w.WriteStartObject(); },
        ["name at top level"] = w => w.WritePropertyName("a"),
        ["name in array"] = w => { w.WriteStartArray(); w.WritePropertyName("a"); },
        ["named string in array"] = w => { w.WriteStartArray(); w.WriteString("a", "b"); },
        ["two names"] = w => { w.WriteStartObject(); w.WritePropertyName("a"); w.WritePropertyName("b"); },
        ["end object in array"] = w => { w.WriteStartArray(); w.WriteEndObject(); },
        ["end array in object"] = w => { w.WriteStartObject(); w.WriteEndArray(); },
        ["end object at top level"] = w => w.WriteEndObject(),
        ["end array at top level"] = w => w.WriteEndArray(),
        ["end object after name"] = w => { w.WriteStartObject(); w.WritePropertyName("a"); w.WriteEndObject(); },
        ["second top-level value"] = w => { w.WriteNumberValue(1); w.WriteNumberValue(2); },
        ["second top-level object"] = w => { w.WriteStartObject(); w.WriteEndObject(); w.WriteStartObject(); },
        ["end beyond root"] = w => { w.WriteStartArray(); w.WriteEndArray(); w.WriteEndArray(); },
    };

    [Theory]
    [MemberData(nameof(InvalidSequenceNames))]
    public void Rejects_invalid_sequences(string name)
    {
        Assert.Throws<InvalidOperationException>(() => s_invalidSequences[name](new JsonWriter()));
    }

    [Fact]
    public void Doubles_round_trip_in_invariant_culture()
    {
        var previous = CultureInfo.CurrentCulture;
        CultureInfo.CurrentCulture = new CultureInfo("de-DE");
        try
        {
            var random = new Random(5);
            var values = new List<double>
            {
                0.0, -0.0, 0.1, 1.0 / 3, 1e-300, 5e-324, double.MaxValue, double.MinValue, double.Epsilon, 1e21, 1e-7,
                123456789012345680000.0, 0.30000000000000004, 100, -2.5,
            };
            for (int i = 0; i < 2000; i++)
            {
                double d = BitConverter.Int64BitsToDouble((long)(random.NextDouble() * long.MaxValue) * (random.Next(2) == 0 ? 1 : -1));
                if (double.IsFinite(d))
                {
                    values.Add(d);
                }

                values.Add(random.NextDouble() * Math.Pow(10, random.Next(-30, 30)));
            }

            foreach (double d in values)
            {
                var w = new JsonWriter();
                w.WriteNumberValue(d);
                string text = w.ToString();
                Assert.DoesNotContain(",", text);
                double back = double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture);
                Assert.Equal(BitConverter.DoubleToInt64Bits(d), BitConverter.DoubleToInt64Bits(back));
                using var doc = Stj.JsonDocument.Parse(text);
                Assert.Equal(d, doc.RootElement.GetDouble());
                Assert.Equal(d, JsonValue.Parse(text).GetDouble());
            }
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity)]
    public void Rejects_non_finite_doubles(double value)
    {
        var w = new JsonWriter();
        w.WriteStartObject();
        Assert.Throws<ArgumentOutOfRangeException>(() => w.WriteNumber("x", value));
        w.WriteNumber("ok", 1);
        w.WriteEndObject();
        Assert.Equal("{\"ok\":1}", w.ToString());
        Assert.Throws<ArgumentOutOfRangeException>(() => new JsonWriter().WriteNumberValue(value));
    }

    [Fact]
    public void Writes_long_extremes()
    {
        var w = new JsonWriter();
        w.WriteStartArray();
        w.WriteNumberValue(long.MinValue);
        w.WriteNumberValue(long.MaxValue);
        w.WriteNumberValue(0L);
        w.WriteEndArray();
        Assert.Equal("[-9223372036854775808,9223372036854775807,0]", w.ToString());
    }
}
