using System;
using System.Globalization;

namespace OpenAI.Images.Terminal
{
    /// <summary>An sRGB colour, 8 bits per channel: the terminal background that transparent pixels are composited onto.</summary>
    public readonly struct TerminalColor : IEquatable<TerminalColor>
    {
        /// <summary>Creates a colour from its red, green and blue components.</summary>
        /// <param name="r">Red, 0 to 255.</param>
        /// <param name="g">Green, 0 to 255.</param>
        /// <param name="b">Blue, 0 to 255.</param>
        public TerminalColor(byte r, byte g, byte b)
        {
            R = r;
            G = g;
            B = b;
        }

        /// <summary>The red component, 0 to 255.</summary>
        public byte R { get; }

        /// <summary>The green component, 0 to 255.</summary>
        public byte G { get; }

        /// <summary>The blue component, 0 to 255.</summary>
        public byte B { get; }

        /// <summary>Whether two colours have the same components.</summary>
        public static bool operator ==(TerminalColor left, TerminalColor right) => left.Equals(right);

        /// <summary>Whether two colours differ in some component.</summary>
        public static bool operator !=(TerminalColor left, TerminalColor right) => !left.Equals(right);

        /// <inheritdoc />
        public bool Equals(TerminalColor other) => R == other.R && G == other.G && B == other.B;

        /// <inheritdoc />
        public override bool Equals(object? obj) => obj is TerminalColor other && Equals(other);

        /// <inheritdoc />
        public override int GetHashCode() => (R << 16) | (G << 8) | B;

        /// <summary>The colour as <c>#rrggbb</c>.</summary>
        /// <returns>For example <c>#1e1e1e</c>.</returns>
        public override string ToString() => "#" + ((R << 16) | (G << 8) | B).ToString("x6", CultureInfo.InvariantCulture);
    }
}
