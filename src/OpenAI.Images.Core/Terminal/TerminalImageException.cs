using System;

namespace OpenAI.Images.Terminal
{
    /// <summary>
    /// An image cannot be drawn in the terminal. <see cref="Reason"/> says why, stably; the message names the file
    /// (when <see cref="TerminalImageOptions.Name"/> was given) and what to do.
    /// </summary>
    public sealed class TerminalImageException : Exception
    {
        /// <summary>Creates the failure.</summary>
        /// <param name="reason">Why the image cannot be drawn.</param>
        /// <param name="message">What is wrong and what to do, for the user.</param>
        /// <param name="innerException">The underlying failure, if any (for example the inflater's).</param>
        public TerminalImageException(TerminalImageError reason, string message, Exception? innerException = null)
            : base(message, innerException)
        {
            Reason = reason;
        }

        /// <summary>
        /// Why: <see cref="TerminalImageError.NotAnImage"/>, <see cref="TerminalImageError.Truncated"/>,
        /// <see cref="TerminalImageError.CorruptData"/> (bad CRC, bad zlib, bad filter), <see cref="TerminalImageError.TooLarge"/>
        /// (a dimension over 16384) or <see cref="TerminalImageError.NeedsPng"/> (JPEG/WebP/GIF where a PNG is needed).
        /// </summary>
        public TerminalImageError Reason { get; }
    }
}
