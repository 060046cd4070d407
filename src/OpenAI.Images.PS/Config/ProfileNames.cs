using System.Collections.Generic;

namespace OpenAI.Images.PowerShell.Config
{
    /// <summary>The names of saved profiles (for tab completion).</summary>
    internal static class ProfileNames
    {
        public static IEnumerable<string> All() => new[] { "default" };
    }
}
