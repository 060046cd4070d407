using System;
using System.Collections.Generic;
using System.Linq;
using OpenAI.Images;
using OpenAI.Images.Config;

namespace OpenAI.Images.PowerShell.Config
{
    /// <summary>The names of the profiles that have settings (for tab completion and -ListAvailable).</summary>
    internal static class ProfileNames
    {
        /// <summary>"default", then the saved profiles, then the session-only ones; never throws.</summary>
        public static IEnumerable<string> All()
        {
            var names = new List<string> { ConfigResolver.DefaultProfile };
            try
            {
                names.AddRange(ConfigFile.Load(ConnectionResolver.ConfigFilePath).ProfileNames);
            }
            catch (OpenAIException)
            {
                // A corrupt file is reported by the commands themselves, not by tab completion.
            }

            names.AddRange(SessionConfig.Names());
            return names.Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        }
    }
}
