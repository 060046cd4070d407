namespace OpenAI.Images.Terminal
{
    /// <summary>An image ready to write to the terminal: the text to write, and the character cells it covers.</summary>
    public sealed class TerminalImage
    {
        internal TerminalImage(string text, int columns, int rows, TerminalGraphicsProtocol protocol)
        {
            Text = text;
            Columns = columns;
            Rows = rows;
            Protocol = protocol;
        }

        /// <summary>
        /// The complete escape sequence (Sixel, kitty, iTerm2) or block text, to be written as it is. It ends with a
        /// newline, so that the cursor is left at the start of the line below the image (blocks: after the last row's
        /// colour reset; the graphics protocols: after the sequence, which leaves the cursor on the image's last row).
        /// </summary>
        public string Text { get; }

        /// <summary>How many character cells wide the image is drawn.</summary>
        public int Columns { get; }

        /// <summary>How many character cells high the image is drawn (what to move the cursor up by to draw over it in place).</summary>
        public int Rows { get; }

        /// <summary>The protocol <see cref="Text"/> is written in.</summary>
        public TerminalGraphicsProtocol Protocol { get; }
    }
}
