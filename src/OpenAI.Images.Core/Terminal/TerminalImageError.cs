namespace OpenAI.Images.Terminal
{
    /// <summary>Why an image cannot be drawn in the terminal (<see cref="TerminalImageException.Reason"/>).</summary>
    public enum TerminalImageError
    {
        /// <summary>The data is not an image this module recognises (PNG, JPEG, WebP or GIF), or its headers are malformed.</summary>
        NotAnImage = 0,

        /// <summary>The image ends before all its data (a chunk, the image data, or the end marker is missing).</summary>
        Truncated,

        /// <summary>The image is damaged: a chunk's CRC is wrong, the compressed data is not valid zlib, or a row has an unknown filter type.</summary>
        CorruptData,

        /// <summary>A dimension is over 16384 pixels.</summary>
        TooLarge,

        /// <summary>The image is JPEG, WebP or GIF, and the protocol needs a PNG (Sixel, blocks, and kitty, whose direct format is PNG only).</summary>
        NeedsPng,
    }
}
