using System;

namespace OpenAI.Images.Json;

/// <summary>
/// Malformed, truncated or over-limit JSON. <see cref="BytePosition"/> is the offset, in bytes from the
/// start of the input (a UTF-8 byte order mark included), at which the problem was detected.
/// </summary>
internal sealed class JsonFormatException : FormatException
{
    public JsonFormatException(string message, long bytePosition)
        : base(message)
    {
        BytePosition = bytePosition;
    }

    /// <summary>Offset in bytes from the start of the input at which the problem was detected.</summary>
    public long BytePosition { get; }
}
