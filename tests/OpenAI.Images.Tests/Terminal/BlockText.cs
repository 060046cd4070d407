using System.Collections.Generic;
using System.Text.RegularExpressions;

namespace OpenAI.Images.Tests.Terminal;

/// <summary>Reads half-block images back from terminal text (what the module writes, or what tmux captures).</summary>
public static class BlockText
{
    private const string Esc = "\u001b";

    /// <summary>
    /// Reads block text back: per line, each ▀ cell as "foreground/background" (the upper and lower pixel), from the
    /// 24-bit SGR colours in force when it is written.
    /// </summary>
    public static string[][] Cells(string text)
    {
        var rows = new List<string[]>();
        string fg = "?";
        string bg = "?";
        foreach (string line in text.Split('\n'))
        {
            var cells = new List<string>();
            foreach (Match m in Regex.Matches(line, Esc + @"\[([0-9;]*)m|▀"))
            {
                if (m.Value == "▀")
                {
                    cells.Add(fg + "/" + bg);
                    continue;
                }

                string[] p = m.Groups[1].Value.Split(';');
                for (int i = 0; i < p.Length; i++)
                {
                    if ((p[i] == "38" || p[i] == "48") && i + 4 < p.Length && p[i + 1] == "2")
                    {
                        string colour = $"{p[i + 2]};{p[i + 3]};{p[i + 4]}";
                        if (p[i] == "38")
                        {
                            fg = colour;
                        }
                        else
                        {
                            bg = colour;
                        }

                        i += 4;
                    }
                    else if (p[i] == "0" || p[i] == string.Empty)
                    {
                        fg = "?";
                        bg = "?";
                    }
                    else if (p[i] == "39")
                    {
                        fg = "?";
                    }
                    else if (p[i] == "49")
                    {
                        bg = "?";
                    }
                }
            }

            if (cells.Count > 0)
            {
                rows.Add(cells.ToArray());
            }
        }

        return rows.ToArray();
    }
}
