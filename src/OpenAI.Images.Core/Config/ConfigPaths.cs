using System;
using System.IO;

namespace OpenAI.Images.Config
{
    /// <summary>
    /// Where the settings file lives: <c>%APPDATA%\OpenAI.Images\config.json</c> on Windows,
    /// <c>$XDG_CONFIG_HOME/OpenAI.Images/config.json</c> (default <c>~/.config</c>) on Linux and macOS.
    /// </summary>
    internal static class ConfigPaths
    {
        public const string FolderName = "OpenAI.Images";
        public const string FileName = "config.json";

        /// <summary>The settings file's full path for the current user.</summary>
        public static string DefaultFile() => DefaultFile(Environment.GetEnvironmentVariable, IsWindows);

        /// <summary>The settings file's full path, reading the environment through <paramref name="environment"/>.</summary>
        public static string DefaultFile(Func<string, string?> environment, bool windows) =>
            Path.Combine(ConfigRoot(environment, windows), FolderName, FileName);

        public static bool IsWindows => Path.DirectorySeparatorChar == '\\';

        private static string ConfigRoot(Func<string, string?> environment, bool windows)
        {
            if (windows)
            {
                string? appData = environment("APPDATA");
                if (IsAbsolute(appData))
                {
                    return appData!;
                }

                return Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData, Environment.SpecialFolderOption.DoNotVerify);
            }

            // XDG Base Directory: a relative XDG_CONFIG_HOME is invalid and must be ignored.
            string? xdg = environment("XDG_CONFIG_HOME");
            if (IsAbsolute(xdg))
            {
                return xdg!;
            }

            string? home = environment("HOME");
            if (!IsAbsolute(home))
            {
                home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile, Environment.SpecialFolderOption.DoNotVerify);
            }

            if (string.IsNullOrEmpty(home))
            {
                throw new OpenAIConfigException(
                    OpenAIConfigException.ConfigWriteFailed,
                    "Cannot find the folder for the OpenAI.Images settings: neither $XDG_CONFIG_HOME nor $HOME is set. Set one of them, or use Set-OpenAIConfig -Scope Process.");
            }

            return Path.Combine(home!, ".config");
        }

        private static bool IsAbsolute(string? path) => !string.IsNullOrWhiteSpace(path) && Path.IsPathRooted(path);
    }
}
