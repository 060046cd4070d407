namespace OpenAI.Images.Terminal
{
    /// <summary>How big to draw an image in the terminal, on what background, and how to label it.</summary>
    public sealed class TerminalImageOptions
    {
        /// <summary>The width to draw at, in character cells (at least 1). The image is scaled to fit, keeping its aspect ratio. Default 60.</summary>
        public int Columns { get; set; } = 60;

        /// <summary>
        /// An optional limit on the height in character cells (for example the window's height). When the image would
        /// be taller at <see cref="Columns"/> wide, it is drawn smaller (fewer columns), keeping its aspect ratio.
        /// </summary>
        public int? MaxRows { get; set; }

        /// <summary>The width of a character cell in pixels (as the terminal reports it with <c>CSI 16 t</c>). Default 10.</summary>
        public int CellWidth { get; set; } = 10;

        /// <summary>The height of a character cell in pixels (as the terminal reports it with <c>CSI 16 t</c>). Default 20.</summary>
        public int CellHeight { get; set; } = 20;

        /// <summary>The terminal's background colour, which (partly) transparent pixels are composited onto. Default black.</summary>
        public TerminalColor Background { get; set; }

        /// <summary>The kitty image id (<c>i=</c>): a later image sent with the same id replaces this one in place. Kitty only; at least 1; none when null.</summary>
        public int? KittyImageId { get; set; }

        /// <summary>The file name, for error messages and for iTerm2's <c>name=</c>. Optional.</summary>
        public string? Name { get; set; }
    }
}
