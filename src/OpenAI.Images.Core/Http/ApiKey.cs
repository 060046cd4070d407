using System;
using System.Runtime.InteropServices;
using System.Security;

namespace OpenAI.Images
{
    /// <summary>An API key that never shows itself: <see cref="ToString"/> and every diagnostic see only <see cref="Masked"/>.</summary>
    public sealed class ApiKey
    {
        private readonly string _value;

        /// <summary>Wraps a plain-text key.</summary>
        public ApiKey(string value)
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                throw new ArgumentException("The API key is empty.", nameof(value));
            }

            _value = value.Trim();
        }

        /// <summary>Reads a key from a SecureString.</summary>
        public static ApiKey FromSecureString(SecureString value)
        {
            if (value is null)
            {
                throw new ArgumentNullException(nameof(value));
            }

            IntPtr ptr = IntPtr.Zero;
            try
            {
                ptr = Marshal.SecureStringToGlobalAllocUnicode(value);
                return new ApiKey(Marshal.PtrToStringUni(ptr) ?? string.Empty);
            }
            finally
            {
                if (ptr != IntPtr.Zero)
                {
                    Marshal.ZeroFreeGlobalAllocUnicode(ptr);
                }
            }
        }

        /// <summary>The key shortened for display, for example <c>sk-…wxyz</c>.</summary>
        public string Masked => Mask(_value);

        /// <summary>Masks any secret the way <see cref="Masked"/> does.</summary>
        public static string Mask(string secret)
        {
            if (secret.Length <= 8)
            {
                return "…";
            }

            int dash = secret.IndexOf('-');
            string prefix = dash > 0 && dash <= 8 ? secret.Substring(0, dash + 1) : string.Empty;
            return prefix + "…" + secret.Substring(secret.Length - 4);
        }

        /// <summary>Replaces every occurrence of this key in <paramref name="text"/> with the masked form.</summary>
        public string Scrub(string text) =>
            string.IsNullOrEmpty(text) ? text : text.Replace(_value, Masked);

        internal string Reveal() => _value;

        /// <summary>Returns <see cref="Masked"/>, never the key.</summary>
        public override string ToString() => Masked;
    }
}
