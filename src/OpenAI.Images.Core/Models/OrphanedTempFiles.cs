using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using OpenAI.Images.Http;

namespace OpenAI.Images
{
    /// <summary>
    /// Removes the module's own temporary files (<c>.openai-images-&lt;32 hex digits&gt;.tmp</c>) that a save killed
    /// before its rename (a crash, <c>kill -9</c>, a closed window) left in a folder. A file is removed only when it is
    /// older than <see cref="MinimumAge"/> and no live writer holds it: it is opened without sharing first, which fails
    /// while its writer (in any process) still has it open, because every writer holds its temporary file the same way
    /// from creation to rename. Saves running at the same moment in other sessions are therefore never touched.
    /// One instance serves one command call and sweeps each folder once; nothing here ever fails a save: a file or
    /// folder that cannot be read or removed is left alone with a debug line.
    /// </summary>
    internal sealed class OrphanedTempFiles
    {
        /// <summary>How old (last written) a temporary file must be before it is taken for an orphan.</summary>
        internal static readonly TimeSpan DefaultMinimumAge = TimeSpan.FromMinutes(1);

        private readonly HashSet<string> _swept = new HashSet<string>(StringComparer.Ordinal);
        private readonly Action<string>? _verbose;
        private readonly Action<string>? _debug;
        private readonly Func<DateTime> _utcNow;

        /// <summary>A sweeper for one command call; <paramref name="verbose"/> hears what was removed, <paramref name="debug"/> what could not be.</summary>
        public OrphanedTempFiles(Action<string>? verbose, Action<string>? debug)
            : this(verbose, debug, DefaultMinimumAge, () => DateTime.UtcNow)
        {
        }

        /// <summary>A sweeper with its own age threshold and clock (tests).</summary>
        internal OrphanedTempFiles(Action<string>? verbose, Action<string>? debug, TimeSpan minimumAge, Func<DateTime> utcNow)
        {
            _verbose = verbose;
            _debug = debug;
            MinimumAge = minimumAge;
            _utcNow = utcNow;
        }

        /// <summary>How old (last written) a temporary file must be before it is taken for an orphan.</summary>
        public TimeSpan MinimumAge { get; }

        /// <summary>True for the name of one of the module's temporary image files (not a file name that merely looks alike).</summary>
        internal static bool IsTempFileName(string fileName)
        {
            int middle = fileName.Length - ImageSink.TempPrefix.Length - ImageSink.TempSuffix.Length;
            return middle == 32
                && fileName.StartsWith(ImageSink.TempPrefix, StringComparison.Ordinal)
                && fileName.EndsWith(ImageSink.TempSuffix, StringComparison.Ordinal)
                && fileName.Substring(ImageSink.TempPrefix.Length, middle).All(c => (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
        }

        /// <summary>
        /// Sweeps <paramref name="folder"/> unless this instance already did; thread-safe. Returns how many files were removed.
        /// </summary>
        public int SweepOnce(string folder)
        {
            string key;
            try
            {
                key = Path.GetFullPath(folder);
            }
            catch (Exception ex) when (IsExpected(ex))
            {
                _debug?.Invoke($"Did not look for orphaned temporary files in '{folder}': {ex.Message}");
                return 0;
            }

            lock (_swept)
            {
                if (!_swept.Add(key))
                {
                    return 0;
                }
            }

            return Sweep(key);
        }

        /// <summary>Removes the orphaned temporary files in <paramref name="folder"/> now; returns how many.</summary>
        internal int Sweep(string folder)
        {
            List<string> candidates;
            try
            {
                // The pattern is only a first filter (on Windows "*.tmp" also matches "*.tmpx"): the name is checked exactly.
                candidates = Directory.EnumerateFiles(folder, ImageSink.TempPrefix + "*" + ImageSink.TempSuffix, SearchOption.TopDirectoryOnly)
                    .Where(f => IsTempFileName(Path.GetFileName(f)))
                    .ToList();
            }
            catch (Exception ex) when (IsExpected(ex))
            {
                _debug?.Invoke($"Did not look for orphaned temporary files in '{folder}': {ex.Message}");
                return 0;
            }

            DateTime cutoff = _utcNow() - MinimumAge;
            int removed = 0;
            foreach (string file in candidates)
            {
                try
                {
                    if (File.GetLastWriteTimeUtc(file) > cutoff)
                    {
                        continue;
                    }

                    // Unshared, so this fails while a live writer holds the file (a sharing violation on Windows, the
                    // writer's exclusive flock on Linux and macOS); the file goes when this handle closes.
                    using (new FileStream(file, FileMode.Open, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.DeleteOnClose))
                    {
                    }

                    removed++;
                }
                catch (FileNotFoundException)
                {
                    // Its writer renamed or deleted it meanwhile.
                }
                catch (Exception ex) when (IsExpected(ex))
                {
                    _debug?.Invoke($"Left the temporary file '{file}' alone: {ex.Message}");
                }
            }

            if (removed > 0)
            {
                _verbose?.Invoke(string.Format(
                    CultureInfo.InvariantCulture,
                    "Removed {0} temporary file{1} that an interrupted save left in '{2}'.",
                    removed,
                    removed == 1 ? string.Empty : "s",
                    folder));
            }

            return removed;
        }

        private static bool IsExpected(Exception ex) =>
            ex is IOException || ex is UnauthorizedAccessException || ex is System.Security.SecurityException || ex is ArgumentException || ex is NotSupportedException;
    }
}
