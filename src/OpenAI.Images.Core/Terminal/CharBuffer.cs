using System;

namespace OpenAI.Images.Terminal
{
    /// <summary>A growable char buffer for the encoders' hot loops: appends without the checks StringBuilder's chunks cost.</summary>
    internal sealed class CharBuffer
    {
        private char[] _chars;
        private int _length;

        public CharBuffer(int capacity) => _chars = new char[Math.Max(16, capacity)];

        public int Length => _length;

        public void Append(char c)
        {
            if (_length == _chars.Length)
            {
                Grow(1);
            }

            _chars[_length++] = c;
        }

        public void Append(string s)
        {
            if (_length + s.Length > _chars.Length)
            {
                Grow(s.Length);
            }

            s.CopyTo(0, _chars, _length, s.Length);
            _length += s.Length;
        }

        /// <summary>Appends <paramref name="count"/> bytes of <paramref name="data"/> as base64 (with padding).</summary>
        public void AppendBase64(byte[] data, int offset, int count)
        {
            int length = (count + 2) / 3 * 4;
            if (_length + length > _chars.Length)
            {
                Grow(length);
            }

            _length += Convert.ToBase64CharArray(data, offset, count, _chars, _length);
        }

        /// <summary>Appends a non-negative integer in decimal (invariant).</summary>
        public void Append(int value)
        {
            if (_length + 11 > _chars.Length)
            {
                Grow(11);
            }

            if (value < 10)
            {
                _chars[_length++] = (char)('0' + value);
                return;
            }

            int digits = value < 100 ? 2 : value < 1000 ? 3 : value < 10000 ? 4 : value < 100000 ? 5 : 10;
            if (digits == 10)
            {
                string s = value.ToString(System.Globalization.CultureInfo.InvariantCulture);
                s.CopyTo(0, _chars, _length, s.Length);
                _length += s.Length;
                return;
            }

            for (int i = _length + digits - 1; i >= _length; i--)
            {
                _chars[i] = (char)('0' + (value % 10));
                value /= 10;
            }

            _length += digits;
        }

        public override string ToString() => new string(_chars, 0, _length);

        private void Grow(int needed)
        {
            var bigger = new char[Math.Max(_chars.Length * 2, _length + needed)];
            Array.Copy(_chars, bigger, _length);
            _chars = bigger;
        }
    }
}
