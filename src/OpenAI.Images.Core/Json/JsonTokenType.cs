namespace OpenAI.Images.Json;

/// <summary>The kind of token a <see cref="JsonStreamReader"/> is positioned on.</summary>
internal enum JsonTokenType
{
    None,
    StartObject,
    EndObject,
    StartArray,
    EndArray,
    PropertyName,
    String,
    Number,
    True,
    False,
    Null,
}
