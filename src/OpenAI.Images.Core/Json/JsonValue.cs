using System;
using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using OpenAI.Images.IO;

namespace OpenAI.Images.Json;

/// <summary>The kind of a <see cref="JsonValue"/>.</summary>
internal enum JsonValueKind
{
    Object,
    Array,
    String,
    Number,
    True,
    False,
    Null,
}

/// <summary>
/// An immutable JSON document node. Numbers keep their JSON text exactly as written; objects keep every property in
/// document order (duplicates included) and look names up with "last one wins".
/// </summary>
internal sealed class JsonValue
{
    private const int LinearLookupLimit = 8;

    private static readonly IReadOnlyList<KeyValuePair<string, JsonValue>> s_noProperties = new ReadOnlyCollection<KeyValuePair<string, JsonValue>>(Array.Empty<KeyValuePair<string, JsonValue>>());
    private static readonly IReadOnlyList<JsonValue> s_noItems = new ReadOnlyCollection<JsonValue>(Array.Empty<JsonValue>());
    private static readonly JsonValue s_true = new JsonValue(JsonValueKind.True);
    private static readonly JsonValue s_false = new JsonValue(JsonValueKind.False);
    private static readonly JsonValue s_null = new JsonValue(JsonValueKind.Null);

    private readonly string? _text; // string content, or a number's JSON text
    private readonly List<KeyValuePair<string, JsonValue>>? _properties;
    private readonly IReadOnlyList<KeyValuePair<string, JsonValue>>? _propertiesView;
    private readonly List<JsonValue>? _items;
    private readonly IReadOnlyList<JsonValue>? _itemsView;
    private Dictionary<string, JsonValue>? _lookup;

    private JsonValue(JsonValueKind kind, string? text = null)
    {
        Kind = kind;
        _text = text;
    }

    private JsonValue(List<KeyValuePair<string, JsonValue>> properties)
    {
        Kind = JsonValueKind.Object;
        _properties = properties;
        _propertiesView = properties.AsReadOnly();
    }

    private JsonValue(List<JsonValue> items)
    {
        Kind = JsonValueKind.Array;
        _items = items;
        _itemsView = items.AsReadOnly();
    }

    public JsonValueKind Kind { get; }

    /// <summary>The JSON null value.</summary>
    public static JsonValue Null => s_null;

    /// <summary>
    /// Parses one complete JSON document (RFC 8259; surrounding whitespace allowed, nothing else).
    /// Strings have no length limit here; nesting is limited to 64 levels.
    /// </summary>
    public static JsonValue Parse(string json)
    {
        if (json is null)
        {
            throw new ArgumentNullException(nameof(json));
        }

        byte[] bytes;
        try
        {
            bytes = new UTF8Encoding(false, true).GetBytes(json);
        }
        catch (EncoderFallbackException e)
        {
            throw new JsonFormatException("The JSON text contains an unpaired surrogate character: " + e.Message, 0);
        }

        using var stream = new MemoryStream(bytes, false);

        // MemoryStream completes every read synchronously, and the reader never captures a context.
        return ParseCoreAsync(stream, CancellationToken.None).GetAwaiter().GetResult();
    }

    /// <summary>
    /// Reads one complete UTF-8 JSON document from <paramref name="utf8"/> to its end. A stream holding more than
    /// <paramref name="maxBytes"/> bytes is a <see cref="JsonFormatException"/> (detected without reading further).
    /// </summary>
    public static async Task<JsonValue> ParseAsync(Stream utf8, long maxBytes, CancellationToken cancellationToken)
    {
        if (utf8 is null)
        {
            throw new ArgumentNullException(nameof(utf8));
        }

        if (maxBytes < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(maxBytes), maxBytes, "maxBytes must not be negative.");
        }

        return await ParseCoreAsync(new LimitedReadStream(utf8, maxBytes), cancellationToken).ConfigureAwait(false);
    }

    private static async Task<JsonValue> ParseCoreAsync(Stream stream, CancellationToken cancellationToken)
    {
        var reader = new JsonStreamReader(stream) { MaxStringLength = int.MaxValue };
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false); // throws on empty input
        JsonValue value = await reader.ReadValueAsync(cancellationToken).ConfigureAwait(false);
        await reader.ReadAsync(cancellationToken).ConfigureAwait(false); // throws on trailing data
        return value;
    }

    /// <summary>The value of the last property named <paramref name="name"/>; null when missing or when this is not an object.</summary>
    public JsonValue? this[string name]
    {
        get
        {
            if (name is null)
            {
                throw new ArgumentNullException(nameof(name));
            }

            List<KeyValuePair<string, JsonValue>>? properties = _properties;
            if (properties is null)
            {
                return null;
            }

            if (properties.Count <= LinearLookupLimit)
            {
                for (int i = properties.Count - 1; i >= 0; i--)
                {
                    if (string.Equals(properties[i].Key, name, StringComparison.Ordinal))
                    {
                        return properties[i].Value;
                    }
                }

                return null;
            }

            Dictionary<string, JsonValue>? lookup = _lookup;
            if (lookup is null)
            {
                lookup = new Dictionary<string, JsonValue>(properties.Count, StringComparer.Ordinal);
                foreach (KeyValuePair<string, JsonValue> property in properties)
                {
                    lookup[property.Key] = property.Value;
                }

                _lookup = lookup;
            }

            return lookup.TryGetValue(name, out JsonValue? value) ? value : null;
        }
    }

    /// <summary>The array item at <paramref name="index"/>; null when out of range or when this is not an array.</summary>
    public JsonValue? this[int index] =>
        _items != null && index >= 0 && index < _items.Count ? _items[index] : null;

    /// <summary>The object's properties in document order (duplicates included); empty if this is not an object.</summary>
    public IReadOnlyList<KeyValuePair<string, JsonValue>> Properties => _propertiesView ?? s_noProperties;

    /// <summary>The array's items; empty if this is not an array.</summary>
    public IReadOnlyList<JsonValue> Items => _itemsView ?? s_noItems;

    /// <summary>The string's content; null unless <see cref="Kind"/> is <see cref="JsonValueKind.String"/>.</summary>
    public string? GetString() => Kind == JsonValueKind.String ? _text : null;

    /// <summary>The number's JSON text as written; null unless <see cref="Kind"/> is <see cref="JsonValueKind.Number"/>.</summary>
    public string? GetRawNumber() => Kind == JsonValueKind.Number ? _text : null;

    /// <summary>The value of an integer-syntax number (no fraction or exponent) that fits in a long; otherwise null.</summary>
    public long? GetInt64()
    {
        if (Kind != JsonValueKind.Number)
        {
            return null;
        }

        string text = _text!;
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            if (c == '.' || c == 'e' || c == 'E')
            {
                return null;
            }
        }

        return long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long value) ? value : null;
    }

    /// <summary>The number as a double (nearest representable value); null unless a number whose magnitude fits a finite double.</summary>
    public double? GetDouble()
    {
        if (Kind != JsonValueKind.Number)
        {
            return null;
        }

        // .NET Framework reports overflow as failure, .NET as infinity: treat both as "does not fit".
        if (!double.TryParse(_text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
            || double.IsInfinity(value) || double.IsNaN(value))
        {
            return null;
        }

        return value;
    }

    /// <summary>true or false for the JSON literals; otherwise null.</summary>
    public bool? GetBoolean() =>
        Kind == JsonValueKind.True ? true : Kind == JsonValueKind.False ? false : null;

    /// <summary>The string value of property <paramref name="name"/>; null if missing, not an object, or not a string.</summary>
    public string? GetStringProperty(string name) => this[name]?.GetString();

    /// <summary>The <see cref="GetInt64"/> value of property <paramref name="name"/>; null if missing or not such a number.</summary>
    public long? GetInt64Property(string name) => this[name]?.GetInt64();

    /// <summary>Compact JSON text for this value.</summary>
    public string ToJson()
    {
        var writer = new JsonWriter();
        writer.WriteValue(this);
        return writer.ToString();
    }

    /// <summary>Same as <see cref="ToJson"/>.</summary>
    public override string ToString() => ToJson();

    public static JsonValue FromString(string value)
    {
        if (value is null)
        {
            throw new ArgumentNullException(nameof(value));
        }

        return new JsonValue(JsonValueKind.String, value);
    }

    public static JsonValue FromNumber(long value) =>
        new JsonValue(JsonValueKind.Number, value.ToString(CultureInfo.InvariantCulture));

    /// <summary>A number with the shortest round-trip text of <paramref name="value"/>; NaN and infinities throw.</summary>
    public static JsonValue FromNumber(double value) =>
        new JsonValue(JsonValueKind.Number, JsonNumberFormat.FormatDouble(value, nameof(value)));

    public static JsonValue FromBoolean(bool value) => value ? s_true : s_false;

    /// <summary>An object with the given properties in order (later duplicates win on lookup).</summary>
    public static JsonValue CreateObject(IEnumerable<KeyValuePair<string, JsonValue>> properties)
    {
        if (properties is null)
        {
            throw new ArgumentNullException(nameof(properties));
        }

        var list = new List<KeyValuePair<string, JsonValue>>();
        foreach (KeyValuePair<string, JsonValue> property in properties)
        {
            if (property.Key is null || property.Value is null)
            {
                throw new ArgumentException("Property names and values must not be null.", nameof(properties));
            }

            list.Add(property);
        }

        return new JsonValue(list);
    }

    /// <summary>An array of the given items.</summary>
    public static JsonValue CreateArray(IEnumerable<JsonValue> items)
    {
        if (items is null)
        {
            throw new ArgumentNullException(nameof(items));
        }

        var list = new List<JsonValue>();
        foreach (JsonValue item in items)
        {
            list.Add(item ?? throw new ArgumentException("Items must not be null.", nameof(items)));
        }

        return new JsonValue(list);
    }

    // Used by JsonStreamReader: the text has been validated against the JSON number grammar; lists are handed over.
    internal static JsonValue FromValidatedNumberText(string text) => new JsonValue(JsonValueKind.Number, text);

    internal static JsonValue CreateObjectOwned(List<KeyValuePair<string, JsonValue>> properties) => new JsonValue(properties);

    internal static JsonValue CreateArrayOwned(List<JsonValue> items) => new JsonValue(items);

    /// <summary>Read-only pass-through that fails once more than maxBytes have come through.</summary>
    private sealed class LimitedReadStream : ReadOnlyStream
    {
        private readonly Stream _inner;
        private readonly long _maxBytes;
        private long _total;

        public LimitedReadStream(Stream inner, long maxBytes)
        {
            _inner = inner;
            _maxBytes = maxBytes;
        }

        public override int Read(byte[] buffer, int offset, int count) =>
            Account(_inner.Read(buffer, offset, Allowed(count)));

        public override async Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Account(await _inner.ReadAsync(buffer, offset, Allowed(count), cancellationToken).ConfigureAwait(false));

        // Never ask for more than one byte beyond the limit: enough to detect an oversized document.
        private int Allowed(int count)
        {
            long remaining = _maxBytes - _total;
            return remaining >= count ? count : (int)remaining + 1;
        }

        private int Account(int read)
        {
            _total += read;
            if (_total > _maxBytes)
            {
                throw new JsonFormatException(
                    "The JSON document is larger than the maximum of " + _maxBytes.ToString(CultureInfo.InvariantCulture) + " bytes.",
                    _maxBytes);
            }

            return read;
        }
    }
}
