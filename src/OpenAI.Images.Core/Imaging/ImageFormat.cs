namespace OpenAI.Images.Imaging
{
    /// <summary>An image container format, as recognised from a file's signature (magic bytes), never from its extension.</summary>
    public enum ImageFormat
    {
        /// <summary>Not a format this module recognises.</summary>
        Unknown = 0,

        /// <summary>Portable Network Graphics (<c>image/png</c>).</summary>
        Png,

        /// <summary>JPEG / JFIF / Exif (<c>image/jpeg</c>).</summary>
        Jpeg,

        /// <summary>WebP, lossy (VP8), lossless (VP8L) or extended (VP8X) (<c>image/webp</c>).</summary>
        Webp,

        /// <summary>Graphics Interchange Format, 87a or 89a (<c>image/gif</c>).</summary>
        Gif,
    }
}
