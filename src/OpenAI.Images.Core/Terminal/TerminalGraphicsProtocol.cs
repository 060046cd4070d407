namespace OpenAI.Images.Terminal
{
    /// <summary>
    /// Which terminal graphics protocol to draw an image with. <see cref="Auto"/> is resolved by the caller (terminal
    /// detection) and is never passed to <see cref="TerminalImageRenderer.Render"/>.
    /// </summary>
    public enum TerminalGraphicsProtocol
    {
        /// <summary>Choose from the terminal; the caller resolves this before rendering.</summary>
        Auto = 0,

        /// <summary>DEC Sixel graphics (xterm, Windows Terminal 1.22+, mlterm, foot, WezTerm): a quantised palette image.</summary>
        Sixel,

        /// <summary>The kitty graphics protocol (APC <c>G</c>): the PNG sent as it is, base64 in chunks.</summary>
        Kitty,

        /// <summary>iTerm2 inline images (OSC 1337 <c>File=</c>), also understood by WezTerm: the file sent as it is.</summary>
        ITerm,

        /// <summary>Unicode upper half blocks (<c>▀</c>) with 24-bit foreground and background colours: two pixels per cell.</summary>
        Blocks,
    }
}
