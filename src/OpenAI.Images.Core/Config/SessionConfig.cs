using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Security;

namespace OpenAI.Images.Config
{
    /// <summary>A profile's settings for this process only (Set-OpenAIConfig -Scope Process).</summary>
    internal sealed class SessionProfile
    {
        public ProfileSettings Settings { get; set; } = new ProfileSettings();

        /// <summary>The key, kept only in memory as a read-only SecureString.</summary>
        public SecureString? ApiKey { get; set; }

        public NetworkCredential? ProxyCredential { get; set; }

        public SessionProfile Clone() => new SessionProfile
        {
            Settings = Settings.Clone(),
            ApiKey = ApiKey,
            ProxyCredential = ProxyCredential,
        };
    }

    /// <summary>
    /// The Process-scope settings: in memory, shared by every runspace of this process, gone when it exits.
    /// Nothing here is ever written to disk.
    /// </summary>
    internal static class SessionConfig
    {
        private static readonly object Gate = new object();
        private static readonly List<KeyValuePair<string, SessionProfile>> Profiles = new List<KeyValuePair<string, SessionProfile>>();

        /// <summary>A copy of the profile's session settings, or null.</summary>
        public static SessionProfile? Get(string profile)
        {
            lock (Gate)
            {
                int i = IndexOf(profile);
                return i < 0 ? null : Profiles[i].Value.Clone();
            }
        }

        /// <summary>Applies <paramref name="change"/> to the profile's session settings (created when missing).</summary>
        public static void Update(string profile, Action<SessionProfile> change)
        {
            lock (Gate)
            {
                int i = IndexOf(profile);
                SessionProfile current = i < 0 ? new SessionProfile() : Profiles[i].Value.Clone();
                change(current);
                if (i < 0)
                {
                    Profiles.Add(new KeyValuePair<string, SessionProfile>(profile, current));
                }
                else
                {
                    Profiles[i] = new KeyValuePair<string, SessionProfile>(Profiles[i].Key, current);
                }
            }
        }

        public static bool Remove(string profile)
        {
            lock (Gate)
            {
                int i = IndexOf(profile);
                if (i < 0)
                {
                    return false;
                }

                Profiles.RemoveAt(i);
                return true;
            }
        }

        public static IReadOnlyList<string> Names()
        {
            lock (Gate)
            {
                return Profiles.Select(p => p.Key).ToList();
            }
        }

        /// <summary>Forgets every session profile.</summary>
        public static void Clear()
        {
            lock (Gate)
            {
                Profiles.Clear();
            }
        }

        private static int IndexOf(string profile) =>
            Profiles.FindIndex(p => string.Equals(p.Key, profile, StringComparison.OrdinalIgnoreCase));
    }
}
