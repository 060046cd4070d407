using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using OpenAI.Images.Json;

namespace OpenAI.Images.Config
{
    /// <summary>The settings file's content: named profiles of non-secret settings.</summary>
    internal sealed class ConfigDocument
    {
        internal const string VersionName = "version";
        internal const string ProfilesName = "profiles";
        internal const int CurrentVersion = 1;

        private readonly List<KeyValuePair<string, ProfileSettings>> _profiles = new List<KeyValuePair<string, ProfileSettings>>();

        /// <summary>Top-level properties this version does not know, kept on rewrite.</summary>
        public List<KeyValuePair<string, JsonValue>> Unknown { get; } = new List<KeyValuePair<string, JsonValue>>();

        /// <summary>Profile names as first written, in file order.</summary>
        public IReadOnlyList<string> ProfileNames => _profiles.Select(p => p.Key).ToList();

        /// <summary>The profile's settings (case-insensitive name), or null.</summary>
        public ProfileSettings? Get(string profile)
        {
            int i = IndexOf(profile);
            return i < 0 ? null : _profiles[i].Value;
        }

        /// <summary>Adds or replaces a profile, keeping its position and the spelling of an existing name.</summary>
        public void Set(string profile, ProfileSettings settings)
        {
            int i = IndexOf(profile);
            if (i < 0)
            {
                _profiles.Add(new KeyValuePair<string, ProfileSettings>(profile, settings));
            }
            else
            {
                _profiles[i] = new KeyValuePair<string, ProfileSettings>(_profiles[i].Key, settings);
            }
        }

        /// <summary>Removes a profile; false when there was none.</summary>
        public bool Remove(string profile)
        {
            int i = IndexOf(profile);
            if (i < 0)
            {
                return false;
            }

            _profiles.RemoveAt(i);
            return true;
        }

        private int IndexOf(string profile) =>
            _profiles.FindIndex(p => string.Equals(p.Key, profile, StringComparison.OrdinalIgnoreCase));

        public static ConfigDocument FromJson(JsonValue root, string path)
        {
            if (root.Kind != JsonValueKind.Object)
            {
                throw ConfigFile.Corrupt(path, "the top level is not a JSON object");
            }

            var doc = new ConfigDocument();
            foreach (KeyValuePair<string, JsonValue> property in root.Properties)
            {
                if (property.Key == VersionName)
                {
                    continue;
                }

                if (property.Key != ProfilesName)
                {
                    doc.Unknown.Add(property);
                    continue;
                }

                if (property.Value.Kind == JsonValueKind.Null)
                {
                    continue;
                }

                if (property.Value.Kind != JsonValueKind.Object)
                {
                    throw ConfigFile.Corrupt(path, "\"profiles\" is not a JSON object");
                }

                foreach (KeyValuePair<string, JsonValue> profile in property.Value.Properties)
                {
                    if (doc.IndexOf(profile.Key) >= 0)
                    {
                        throw ConfigFile.Corrupt(path, $"the profile '{profile.Key}' appears twice");
                    }

                    doc._profiles.Add(new KeyValuePair<string, ProfileSettings>(profile.Key, ProfileSettings.FromJson(profile.Value, profile.Key, path)));
                }
            }

            return doc;
        }

        public JsonValue ToJson()
        {
            var root = new List<KeyValuePair<string, JsonValue>>
            {
                new KeyValuePair<string, JsonValue>(VersionName, JsonValue.FromNumber(CurrentVersion)),
                new KeyValuePair<string, JsonValue>(ProfilesName, JsonValue.CreateObject(_profiles.Select(p => new KeyValuePair<string, JsonValue>(p.Key, p.Value.ToJson())))),
            };
            root.AddRange(Unknown);
            return JsonValue.CreateObject(root);
        }
    }

    /// <summary>
    /// Reads and writes the settings file. Writes are atomic (a temporary file in the same folder, flushed to disk,
    /// then renamed over the old one), so the file is always either the old or the new version, even after a crash.
    /// Concurrent writers (two sessions) take turns through a lock file. Secrets are never written here.
    /// </summary>
    internal static class ConfigFile
    {
        private const string TempPrefix = ".config.json.";
        private const string TempSuffix = ".tmp";
        private const string LockFileName = ".config.json.lock";
        private static readonly UTF8Encoding StrictUtf8 = new UTF8Encoding(false, true);

        /// <summary>How long a writer waits for another one to finish.</summary>
        internal static TimeSpan LockTimeout { get; set; } = TimeSpan.FromSeconds(10);

        /// <summary>Reads the file; a missing file (or folder) is an empty document.</summary>
        public static ConfigDocument Load(string path)
        {
            byte[] bytes;
            try
            {
                if (!File.Exists(path))
                {
                    return new ConfigDocument();
                }

                bytes = File.ReadAllBytes(path);
            }
            catch (FileNotFoundException)
            {
                return new ConfigDocument();
            }
            catch (DirectoryNotFoundException)
            {
                return new ConfigDocument();
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw new OpenAIConfigException(
                    OpenAIConfigException.ConfigReadFailed,
                    $"Cannot read the OpenAI.Images settings file '{path}': {ex.Message}",
                    path,
                    ex);
            }

            return Parse(bytes, path);
        }

        /// <summary>Parses the file's bytes (UTF-8, a byte order mark allowed). Blank content is an empty document.</summary>
        public static ConfigDocument Parse(byte[] bytes, string path)
        {
            string text;
            try
            {
                int start = bytes.Length >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0;
                text = StrictUtf8.GetString(bytes, start, bytes.Length - start);
            }
            catch (DecoderFallbackException)
            {
                throw Corrupt(path, "it is not UTF-8 text");
            }

            if (string.IsNullOrWhiteSpace(text))
            {
                return new ConfigDocument();
            }

            JsonValue root;
            try
            {
                root = JsonValue.Parse(text);
            }
            catch (JsonFormatException ex)
            {
                throw Corrupt(path, $"it is not valid JSON ({ex.Message.TrimEnd('.')}, at byte {ex.BytePosition.ToString(CultureInfo.InvariantCulture)})", ex);
            }

            return ConfigDocument.FromJson(root, path);
        }

        /// <summary>
        /// Reads the file, lets <paramref name="change"/> edit the document, and writes it back atomically when
        /// <paramref name="change"/> returns true. The whole read-change-write runs under the lock file.
        /// </summary>
        public static ConfigDocument Update(string path, Func<ConfigDocument, bool> change)
        {
            string directory = Path.GetDirectoryName(Path.GetFullPath(path)) ?? throw new ArgumentException("The settings path has no folder.", nameof(path));
            try
            {
                Directory.CreateDirectory(directory);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                throw WriteFailed(path, ex);
            }

            using (AcquireLock(directory, path))
            {
                ConfigDocument doc = Load(path);
                if (change(doc))
                {
                    Write(path, Serialize(doc.ToJson()));
                }

                return doc;
            }
        }

        /// <summary>The document as indented JSON text ending with a newline.</summary>
        public static string Serialize(JsonValue value)
        {
            var sb = new StringBuilder();
            WriteIndented(sb, value, 0);
            sb.Append('\n');
            return sb.ToString();
        }

        internal static OpenAIConfigException Corrupt(string path, string detail, Exception? inner = null) => new OpenAIConfigException(
            OpenAIConfigException.ConfigCorrupt,
            $"The OpenAI.Images settings file '{path}' is corrupt: {detail}. Fix the file in a text editor, or delete it "
            + $"(Remove-Item -LiteralPath '{path}') and save your settings again with Set-OpenAIConfig. Keys kept in a SecretManagement vault are not affected.",
            path,
            inner);

        private static OpenAIConfigException WriteFailed(string path, Exception ex) => new OpenAIConfigException(
            OpenAIConfigException.ConfigWriteFailed,
            $"Cannot write the OpenAI.Images settings file '{path}': {ex.Message} Nothing was changed. To keep settings for this session only, use Set-OpenAIConfig -Scope Process.",
            path,
            ex);

        private static void Write(string path, string json)
        {
            string directory = Path.GetDirectoryName(Path.GetFullPath(path))!;
            string temp = Path.Combine(directory, TempPrefix + Guid.NewGuid().ToString("N") + TempSuffix);
            try
            {
                byte[] bytes = StrictUtf8.GetBytes(json);
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 4096, FileOptions.None))
                {
                    stream.Write(bytes, 0, bytes.Length);
                    stream.Flush(flushToDisk: true);
                }

#if NET
                File.Move(temp, path, overwrite: true);
#else
                if (File.Exists(path))
                {
                    File.Replace(temp, path, null, ignoreMetadataErrors: true);
                }
                else
                {
                    File.Move(temp, path);
                }
#endif
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
                TryDelete(temp);
                throw WriteFailed(path, ex);
            }

            RemoveStaleTempFiles(directory);
        }

        /// <summary>Temporary files left by a writer that crashed before its rename; never the live file.</summary>
        private static void RemoveStaleTempFiles(string directory)
        {
            try
            {
                foreach (string file in Directory.GetFiles(directory, TempPrefix + "*" + TempSuffix))
                {
                    if (File.GetLastWriteTimeUtc(file) < DateTime.UtcNow.AddMinutes(-10))
                    {
                        TryDelete(file);
                    }
                }
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
            }
        }

        private static void TryDelete(string file)
        {
            try
            {
                File.Delete(file);
            }
            catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
            {
            }
        }

        private static IDisposable AcquireLock(string directory, string path)
        {
            string lockPath = Path.Combine(directory, LockFileName);
            DateTime deadline = DateTime.UtcNow + LockTimeout;
            while (true)
            {
                try
                {
                    return new FileStream(lockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                }
                catch (IOException) when (DateTime.UtcNow < deadline)
                {
                    Thread.Sleep(50);
                }
                catch (Exception ex) when (ex is IOException || ex is UnauthorizedAccessException)
                {
                    throw WriteFailed(path, ex);
                }
            }
        }

        private static void WriteIndented(StringBuilder sb, JsonValue value, int depth)
        {
            switch (value.Kind)
            {
                case JsonValueKind.Object:
                    if (value.Properties.Count == 0)
                    {
                        sb.Append("{}");
                        return;
                    }

                    sb.Append('{');
                    for (int i = 0; i < value.Properties.Count; i++)
                    {
                        sb.Append(i == 0 ? "\n" : ",\n").Append(' ', (depth + 1) * 2);
                        sb.Append(JsonWriter.Quote(value.Properties[i].Key)).Append(": ");
                        WriteIndented(sb, value.Properties[i].Value, depth + 1);
                    }

                    sb.Append('\n').Append(' ', depth * 2).Append('}');
                    return;
                case JsonValueKind.Array:
                    if (value.Items.Count == 0)
                    {
                        sb.Append("[]");
                        return;
                    }

                    sb.Append('[');
                    for (int i = 0; i < value.Items.Count; i++)
                    {
                        sb.Append(i == 0 ? "\n" : ",\n").Append(' ', (depth + 1) * 2);
                        WriteIndented(sb, value.Items[i], depth + 1);
                    }

                    sb.Append('\n').Append(' ', depth * 2).Append(']');
                    return;
                default:
                    sb.Append(value.ToJson());
                    return;
            }
        }
    }
}
