using System;
using System.Globalization;

namespace OpenAI.Images.Json;

/// <summary>Invariant, round-trippable JSON text for doubles (no NaN or infinities: JSON has none).</summary>
internal static class JsonNumberFormat
{
    public static string FormatDouble(double value, string parameterName)
    {
        if (double.IsNaN(value) || double.IsInfinity(value))
        {
            throw new ArgumentOutOfRangeException(parameterName, value, "JSON cannot represent NaN or infinity.");
        }

        // .NET Core 3.0+ "R" is the shortest round-trippable text. .NET Framework's "R" is occasionally wrong, so
        // check it there and fall back to 17 significant digits, which always round-trip. Both produce JSON-valid
        // forms such as "1E+20", "-0", "0.1" or "1E-05".
        string text = value.ToString("R", CultureInfo.InvariantCulture);
#if NETFRAMEWORK
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double parsed) || !parsed.Equals(value))
        {
            text = value.ToString("G17", CultureInfo.InvariantCulture);
        }
#endif
        return text;
    }
}
