using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.Text;
using OpenAI.Images.Http;
using OpenAI.Images.Json;

namespace OpenAI.Images
{
    /// <summary>
    /// -AdditionalBody: fields the module does not know (yet), merged last into a request's body. A key that names a
    /// field the module sends replaces it; a null value removes it. Values keep their JSON types (strings, numbers,
    /// booleans; objects and arrays in JSON bodies only). The model rules do not look at these fields: the server judges them.
    /// </summary>
    public static class AdditionalBody
    {
        /// <summary>The multipart parts that carry files: never settable through -AdditionalBody.</summary>
        public static readonly IReadOnlyList<string> FileParts = new[] { "image", "image[]", "mask" };

        private const int MaxDepth = 32;

        /// <summary>
        /// Checks the request's <see cref="ImageRequest.AdditionalBody"/> for a body of the given shape and tells
        /// <paramref name="note"/> which of the module's fields it replaces or removes. A JSON body
        /// (<paramref name="jsonBody"/>: generations, batch lines) takes any JSON value; a multipart body (edits and
        /// variations) takes text fields only and no file part. Throws <see cref="OpenAIValidationException"/>.
        /// </summary>
        public static void Validate(ImageRequest request, bool jsonBody, Action<string>? note = null)
        {
            if (request is null)
            {
                throw new ArgumentNullException(nameof(request));
            }

            IReadOnlyList<KeyValuePair<string, JsonValue>> extras = Convert(request.AdditionalBody);
            if (extras.Count == 0)
            {
                return;
            }

            foreach (KeyValuePair<string, JsonValue> extra in extras)
            {
                if (jsonBody)
                {
                    continue;
                }

                if (FileParts.Contains(extra.Key, StringComparer.OrdinalIgnoreCase))
                {
                    throw new OpenAIValidationException(
                        "AdditionalBody",
                        extra.Key,
                        "AdditionalBodyFilePart",
                        $"-AdditionalBody cannot set '{extra.Key}': it is a file part of the multipart/form-data request to /{OpenAIImagesClient.PathOf(request.Operation)}. "
                        + "Give the images with -Path or -LiteralPath and the mask with -Mask.");
                }

                if (extra.Value.Kind == JsonValueKind.Object || extra.Value.Kind == JsonValueKind.Array)
                {
                    throw new OpenAIValidationException(
                        "AdditionalBody",
                        extra.Key,
                        "AdditionalBodyNestedValue",
                        $"-AdditionalBody '{extra.Key}' holds {(extra.Value.Kind == JsonValueKind.Object ? "an object (hashtable)" : "an array")}, but /{OpenAIImagesClient.PathOf(request.Operation)} "
                        + "is sent as multipart/form-data, whose fields are text: give a string, number or boolean.");
                }
            }

            if (note is null)
            {
                return;
            }

            Dictionary<string, object> sent = RequestBody.ModuleFields(request).ToDictionary(f => f.Key, f => f.Value, StringComparer.Ordinal);
            if (jsonBody && request is ImageEditRequest edit)
            {
                sent["images"] = new Described($"{edit.Images.Count} file id(s)");
                if (edit.Mask != null)
                {
                    sent["mask"] = new Described("a file id");
                }
            }

            foreach (KeyValuePair<string, JsonValue> extra in extras)
            {
                bool replaces = sent.TryGetValue(extra.Key, out object? old);
                if (extra.Value.Kind == JsonValueKind.Null)
                {
                    note(replaces
                        ? $"-AdditionalBody removes the field '{extra.Key}' ({Show(old!)}) from the request."
                        : $"-AdditionalBody: '{extra.Key}' is $null and the module does not send that field; nothing to remove.");
                }
                else if (replaces)
                {
                    note($"-AdditionalBody replaces the field '{extra.Key}': {Show(old!)} -> {Shorten(extra.Value.ToJson())}.");
                }
            }
        }

        /// <summary>One line for -WhatIf: the fields -AdditionalBody sends or removes, e.g. <c>complexity="high", user removed</c>; null when there are none.</summary>
        public static string? Describe(ImageRequest request)
        {
            IReadOnlyList<KeyValuePair<string, JsonValue>> extras = Convert(request?.AdditionalBody);
            if (extras.Count == 0)
            {
                return null;
            }

            return string.Join(", ", extras.Select(e => e.Value.Kind == JsonValueKind.Null ? e.Key + " removed" : e.Key + "=" + Shorten(e.Value.ToJson())));
        }

        /// <summary>
        /// The entries as JSON values in their order (a null value: <see cref="JsonValue.Null"/>). Throws
        /// <see cref="OpenAIValidationException"/> for a key that is not a string, and for a value with no JSON form.
        /// </summary>
        internal static IReadOnlyList<KeyValuePair<string, JsonValue>> Convert(IDictionary? body)
        {
            if (body is null || body.Count == 0)
            {
                return Array.Empty<KeyValuePair<string, JsonValue>>();
            }

            return ConvertObject(body, null, 0);
        }

        private static List<KeyValuePair<string, JsonValue>> ConvertObject(IDictionary dictionary, string? path, int depth)
        {
            var properties = new List<KeyValuePair<string, JsonValue>>(dictionary.Count);
            foreach (DictionaryEntry entry in dictionary)
            {
                if (entry.Key is not string key)
                {
                    string where = path is null ? string.Empty : $" (in '{path}')";
                    throw new OpenAIValidationException(
                        "AdditionalBody",
                        entry.Key,
                        "AdditionalBodyKeyNotString",
                        $"-AdditionalBody keys are the API's field names and must be strings; the key {entry.Key}{where} is a {entry.Key.GetType().FullName}. Quote it, for example @{{ '{entry.Key}' = … }}.");
                }

                if (key.Length == 0)
                {
                    throw new OpenAIValidationException("AdditionalBody", key, "AdditionalBodyKeyEmpty", "-AdditionalBody has an empty key" + (path is null ? "." : $" in '{path}'.") + " Give the field's name.");
                }

                string keyPath = path is null ? key : path + "." + key;
                properties.Add(new KeyValuePair<string, JsonValue>(key, ConvertValue(entry.Value, keyPath, depth + 1)));
            }

            return properties;
        }

        private static JsonValue ConvertValue(object? value, string path, int depth)
        {
            if (depth > MaxDepth)
            {
                throw new OpenAIValidationException("AdditionalBody", path, "AdditionalBodyTooDeep", $"-AdditionalBody '{path}' is nested more than {MaxDepth} levels deep (does it contain itself?).");
            }

            switch (value)
            {
                case null:
                    return JsonValue.Null;
                case string s:
                    return JsonValue.FromString(s);
                case char c:
                    return JsonValue.FromString(c.ToString());
                case bool b:
                    return JsonValue.FromBoolean(b);
                case sbyte or byte or short or ushort or int or uint or long or ulong or decimal:
                    return JsonValue.FromValidatedNumberText(((IFormattable)value).ToString(null, CultureInfo.InvariantCulture));
                case float or double:
                    double d = System.Convert.ToDouble(value, CultureInfo.InvariantCulture);
                    if (double.IsNaN(d) || double.IsInfinity(d))
                    {
                        throw new OpenAIValidationException("AdditionalBody", value, "AdditionalBodyValueType", $"-AdditionalBody '{path}' is {d.ToString(CultureInfo.InvariantCulture)}, which JSON cannot represent.");
                    }

                    return JsonValue.FromNumber(d);
                case IDictionary dictionary:
                    return JsonValue.CreateObjectOwned(ConvertObject(dictionary, path, depth));
                case IEnumerable items:
                    var list = new List<JsonValue>();
                    int index = 0;
                    foreach (object? item in items)
                    {
                        list.Add(ConvertValue(item, path + "[" + index.ToString(CultureInfo.InvariantCulture) + "]", depth + 1));
                        index++;
                    }

                    return JsonValue.CreateArrayOwned(list);
                default:
                    throw new OpenAIValidationException(
                        "AdditionalBody",
                        value,
                        "AdditionalBodyValueType",
                        $"-AdditionalBody '{path}' is a {value.GetType().FullName}, which has no JSON form here: give a string, number, boolean, $null (removes the field), hashtable or array.");
            }
        }

        /// <summary>
        /// The module's fields with the extras (from <see cref="Convert"/>) merged in: replaced in place, removed for
        /// null, added at the end.
        /// </summary>
        internal static List<KeyValuePair<string, object>> Merge(List<KeyValuePair<string, object>> fields, IReadOnlyList<KeyValuePair<string, JsonValue>> extras)
        {
            foreach (KeyValuePair<string, JsonValue> extra in extras)
            {
                int at = fields.FindIndex(f => string.Equals(f.Key, extra.Key, StringComparison.Ordinal));
                if (extra.Value.Kind == JsonValueKind.Null)
                {
                    if (at >= 0)
                    {
                        fields.RemoveAt(at);
                    }

                    continue;
                }

                var field = new KeyValuePair<string, object>(extra.Key, extra.Value);
                if (at >= 0)
                {
                    fields[at] = field;
                }
                else
                {
                    fields.Add(field);
                }
            }

            return fields;
        }

        /// <summary>True when the extras (from <see cref="Convert"/>) set or remove <paramref name="field"/> (batch edit lines: images, mask).</summary>
        internal static bool Overrides(IReadOnlyList<KeyValuePair<string, JsonValue>> extras, string field) =>
            extras.Any(e => string.Equals(e.Key, field, StringComparison.Ordinal));

        /// <summary>The text of a scalar value in a multipart field: strings as they are, numbers as written, true/false.</summary>
        internal static string Text(JsonValue value) => value.Kind switch
        {
            JsonValueKind.String => value.GetString()!,
            JsonValueKind.Number => value.GetRawNumber()!,
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => value.ToJson(),
        };

        private static string Show(object value) => value switch
        {
            string s => Shorten(JsonWriter.Quote(s)),
            bool b => b ? "true" : "false",
            int i => i.ToString(CultureInfo.InvariantCulture),
            JsonValue j => Shorten(j.ToJson()),
            _ => System.Convert.ToString(value, CultureInfo.InvariantCulture) ?? string.Empty,
        };

        /// <summary>A field the module sends that has no one value to show (a batch edit line's file ids).</summary>
        private sealed class Described
        {
            private readonly string _text;

            public Described(string text) => _text = text;

            public override string ToString() => _text;
        }

        private static string Shorten(string text) => text.Length <= 80 ? text : text.Substring(0, 77) + "...";
    }
}
