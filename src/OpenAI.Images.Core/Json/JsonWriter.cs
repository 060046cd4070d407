using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;

namespace OpenAI.Images.Json;

/// <summary>
/// Builds compact JSON text holding exactly one top-level value. Out-of-order calls (a value without a property name
/// inside an object, a name outside an object, a mismatched end, a second top-level value) throw
/// <see cref="InvalidOperationException"/>. Strings escape '"', '\', control characters and unpaired surrogates;
/// other non-ASCII text is written as-is.
/// </summary>
internal sealed class JsonWriter
{
    private static readonly UTF8Encoding s_utf8 = new UTF8Encoding(false, true);

    private readonly StringBuilder _builder = new StringBuilder();
    private readonly List<Frame> _frames = new List<Frame>();
    private bool _nameWritten;
    private bool _rootStarted;

    /// <summary>True once the single top-level value has been completely written.</summary>
    public bool IsComplete => _rootStarted && _frames.Count == 0;

    public void WriteStartObject()
    {
        BeforeValue();
        _builder.Append('{');
        _frames.Add(new Frame(true));
    }

    public void WriteEndObject()
    {
        if (_frames.Count == 0 || !_frames[_frames.Count - 1].IsObject)
        {
            throw new InvalidOperationException("WriteEndObject called with no open object.");
        }

        if (_nameWritten)
        {
            throw new InvalidOperationException("WriteEndObject called after a property name with no value.");
        }

        _frames.RemoveAt(_frames.Count - 1);
        _builder.Append('}');
    }

    public void WriteStartArray()
    {
        BeforeValue();
        _builder.Append('[');
        _frames.Add(new Frame(false));
    }

    public void WriteEndArray()
    {
        if (_frames.Count == 0 || _frames[_frames.Count - 1].IsObject)
        {
            throw new InvalidOperationException("WriteEndArray called with no open array.");
        }

        _frames.RemoveAt(_frames.Count - 1);
        _builder.Append(']');
    }

    public void WritePropertyName(string name)
    {
        if (name is null)
        {
            throw new ArgumentNullException(nameof(name));
        }

        if (_frames.Count == 0 || !_frames[_frames.Count - 1].IsObject)
        {
            throw new InvalidOperationException("A property name can only be written inside an object.");
        }

        if (_nameWritten)
        {
            throw new InvalidOperationException("A property name must be followed by a value.");
        }

        Frame frame = _frames[_frames.Count - 1];
        if (frame.HasItems)
        {
            _builder.Append(',');
        }

        frame.HasItems = true;
        WriteQuoted(name);
        _builder.Append(':');
        _nameWritten = true;
    }

    public void WriteStringValue(string value)
    {
        if (value is null)
        {
            throw new ArgumentNullException(nameof(value));
        }

        BeforeValue();
        WriteQuoted(value);
    }

    public void WriteNumberValue(long value)
    {
        BeforeValue();
        _builder.Append(value.ToString(CultureInfo.InvariantCulture));
    }

    /// <summary>Writes the shortest round-trip form; NaN and infinities throw <see cref="ArgumentOutOfRangeException"/>.</summary>
    public void WriteNumberValue(double value)
    {
        string text = JsonNumberFormat.FormatDouble(value, nameof(value));
        BeforeValue();
        _builder.Append(text);
    }

    public void WriteBooleanValue(bool value)
    {
        BeforeValue();
        _builder.Append(value ? "true" : "false");
    }

    public void WriteNullValue()
    {
        BeforeValue();
        _builder.Append("null");
    }

    public void WriteString(string name, string value)
    {
        if (value is null)
        {
            throw new ArgumentNullException(nameof(value));
        }

        WritePropertyName(name);
        WriteStringValue(value);
    }

    public void WriteNumber(string name, long value)
    {
        WritePropertyName(name);
        WriteNumberValue(value);
    }

    public void WriteNumber(string name, double value)
    {
        JsonNumberFormat.FormatDouble(value, nameof(value)); // validate before writing the name
        WritePropertyName(name);
        WriteNumberValue(value);
    }

    public void WriteBoolean(string name, bool value)
    {
        WritePropertyName(name);
        WriteBooleanValue(value);
    }

    public void WriteNull(string name)
    {
        WritePropertyName(name);
        WriteNullValue();
    }

    /// <summary>Writes a whole <see cref="JsonValue"/> (numbers keep their original text).</summary>
    public void WriteValue(JsonValue value)
    {
        if (value is null)
        {
            throw new ArgumentNullException(nameof(value));
        }

        switch (value.Kind)
        {
            case JsonValueKind.Object:
                WriteStartObject();
                foreach (KeyValuePair<string, JsonValue> property in value.Properties)
                {
                    WritePropertyName(property.Key);
                    WriteValue(property.Value);
                }

                WriteEndObject();
                break;
            case JsonValueKind.Array:
                WriteStartArray();
                foreach (JsonValue item in value.Items)
                {
                    WriteValue(item);
                }

                WriteEndArray();
                break;
            case JsonValueKind.String:
                WriteStringValue(value.GetString()!);
                break;
            case JsonValueKind.Number:
                BeforeValue();
                _builder.Append(value.GetRawNumber());
                break;
            case JsonValueKind.True:
                WriteBooleanValue(true);
                break;
            case JsonValueKind.False:
                WriteBooleanValue(false);
                break;
            default:
                WriteNullValue();
                break;
        }
    }

    /// <summary>Writes a property whose value is a whole <see cref="JsonValue"/>.</summary>
    public void WriteValue(string name, JsonValue value)
    {
        if (value is null)
        {
            throw new ArgumentNullException(nameof(value));
        }

        WritePropertyName(name);
        WriteValue(value);
    }

    /// <summary>The JSON text written so far.</summary>
    public override string ToString() => _builder.ToString();

    /// <summary>The JSON text written so far, UTF-8 encoded without a byte order mark.</summary>
    public byte[] ToUtf8Bytes() => s_utf8.GetBytes(_builder.ToString());

    /// <summary>JSON string literal (with quotes) for <paramref name="value"/>, escaped as this writer does.</summary>
    public static string Quote(string value)
    {
        if (value is null)
        {
            throw new ArgumentNullException(nameof(value));
        }

        var writer = new JsonWriter();
        writer.WriteQuoted(value);
        return writer._builder.ToString();
    }

    private void BeforeValue()
    {
        if (_frames.Count == 0)
        {
            if (_rootStarted)
            {
                throw new InvalidOperationException("The JSON document already has its top-level value.");
            }

            _rootStarted = true;
            return;
        }

        Frame frame = _frames[_frames.Count - 1];
        if (frame.IsObject)
        {
            if (!_nameWritten)
            {
                throw new InvalidOperationException("A value inside an object must be preceded by a property name.");
            }

            _nameWritten = false;
            return;
        }

        if (frame.HasItems)
        {
            _builder.Append(',');
        }

        frame.HasItems = true;
    }

    private void WriteQuoted(string value)
    {
        StringBuilder sb = _builder;
        sb.Append('"');
        int runStart = 0;
        for (int i = 0; i < value.Length; i++)
        {
            char c = value[i];
            string? escape;
            if (c < 0x20 || c == '"' || c == '\\')
            {
                switch (c)
                {
                    case '"': escape = "\\\""; break;
                    case '\\': escape = "\\\\"; break;
                    case '\n': escape = "\\n"; break;
                    case '\r': escape = "\\r"; break;
                    case '\t': escape = "\\t"; break;
                    case '\b': escape = "\\b"; break;
                    case '\f': escape = "\\f"; break;
                    default: escape = null; break;
                }
            }
            else if (char.IsSurrogate(c))
            {
                if (char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]))
                {
                    i++; // a valid pair is written as-is
                    continue;
                }

                escape = null; // unpaired surrogate: \uXXXX
            }
            else
            {
                continue;
            }

            sb.Append(value, runStart, i - runStart);
            if (escape != null)
            {
                sb.Append(escape);
            }
            else
            {
                sb.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }

            runStart = i + 1;
        }

        sb.Append(value, runStart, value.Length - runStart);
        sb.Append('"');
    }

    private sealed class Frame
    {
        public Frame(bool isObject) => IsObject = isObject;

        public bool IsObject { get; }

        public bool HasItems { get; set; }
    }
}
