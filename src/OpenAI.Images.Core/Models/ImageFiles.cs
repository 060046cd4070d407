using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using OpenAI.Images.Http;
using OpenAI.Images.Imaging;

namespace OpenAI.Images
{
    /// <summary>Saving decoded images: names, and atomic commits that never overwrite unless asked.</summary>
    public static class ImageFiles
    {
        /// <summary>The file extension for an image: from its bytes, else its reported format, else .png.</summary>
        public static string ExtensionFor(ImageResult result)
        {
            switch (result.DetectedFormat)
            {
                case ImageFormat.Png: return ".png";
                case ImageFormat.Jpeg: return ".jpg";
                case ImageFormat.Webp: return ".webp";
                case ImageFormat.Gif: return ".gif";
            }

            switch (result.OutputFormat)
            {
                case "jpeg": return ".jpg";
                case "webp": return ".webp";
                default: return ".png";
            }
        }

        /// <summary>A short file-name-safe form of a prompt or file name: lower case letters, digits and dashes.</summary>
        public static string Slug(string? text, int maxLength = 40)
        {
            var sb = new StringBuilder();
            bool dash = false;
            foreach (char c in (text ?? string.Empty).ToLowerInvariant())
            {
                if (c < 128 && char.IsLetterOrDigit(c))
                {
                    sb.Append(c);
                    dash = false;
                }
                else if (sb.Length > 0 && !dash)
                {
                    sb.Append('-');
                    dash = true;
                }

                if (sb.Length >= maxLength)
                {
                    break;
                }
            }

            string slug = sb.ToString().Trim('-');
            return slug.Length == 0 ? "image" : slug;
        }

        /// <summary>
        /// Moves a finished temporary file to its final name. Without <paramref name="overwrite"/> an existing file
        /// is left alone and an <see cref="IOException"/> is thrown; with it the file is replaced in one step.
        /// </summary>
        public static void Commit(string tempPath, string finalPath, bool overwrite)
        {
            if (!overwrite)
            {
                if (File.Exists(finalPath))
                {
                    throw new IOException($"The file '{finalPath}' already exists. Use -Force to overwrite it.");
                }

                File.Move(tempPath, finalPath);
                return;
            }

#if NET
            File.Move(tempPath, finalPath, overwrite: true);
#else
            if (File.Exists(finalPath))
            {
                File.Replace(tempPath, finalPath, null, ignoreMetadataErrors: true);
            }
            else
            {
                File.Move(tempPath, finalPath);
            }
#endif
        }

        /// <summary>
        /// Moves a result's pending temporary file to its final name (see <see cref="Commit(string, string, bool)"/>);
        /// the result has no pending file afterwards. On failure the file stays pending (closed) for
        /// <see cref="KeepInMemory"/> or <see cref="Discard"/>.
        /// </summary>
        internal static void Commit(ImageResult result, string finalPath, bool overwrite)
        {
            string tempPath = result.ReleasePending() ?? throw new InvalidOperationException("The image has no pending file.");
            Commit(tempPath, finalPath, overwrite);
            result.PendingFile = null;
        }

        /// <summary>Reads a pending temporary file back into memory and deletes it (when it cannot be saved).</summary>
        public static void KeepInMemory(ImageResult result)
        {
            string? path = result.ReleasePending();
            if (path is null)
            {
                return;
            }

            result.Data = File.ReadAllBytes(path);
            ImageSink.TryDelete(path);
            result.PendingFile = null;
        }

        /// <summary>Deletes a pending temporary file.</summary>
        public static void Discard(ImageResult result) => ImageSink.Discard(result);

        /// <summary>Writes bytes to a file atomically: a hidden temporary file in the same folder, then a rename.</summary>
        public static void WriteAllBytes(string finalPath, byte[] data, bool overwrite)
        {
            string directory = Path.GetDirectoryName(Path.GetFullPath(finalPath)) ?? ".";
            string temp = Path.Combine(directory, ImageSink.TempPrefix + Guid.NewGuid().ToString("N") + ImageSink.TempSuffix);
            try
            {
                using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
                {
                    stream.Write(data, 0, data.Length);
                    stream.Flush(true);
                }

                Commit(temp, finalPath, overwrite);
            }
            finally
            {
                ImageSink.TryDelete(temp);
            }
        }

        internal static bool HasPendingFile(ImageResult result) => result.PendingFile != null;
    }

    /// <summary>
    /// Chooses distinct file names for the images of one cmdlet call. The image cmdlets run several requests at once,
    /// so they reserve each item's names with <see cref="Reserve"/> as the item is sent (in input order) and name its
    /// images from that reservation whenever they arrive: an item's file names never depend on which request finished
    /// first. <see cref="Next"/> names images one after another (Save-OpenAIImage, which saves in input order).
    /// </summary>
    public sealed class ImageFileNamer
    {
        private readonly HashSet<string> _used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private readonly HashSet<string> _reservedStems = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, int> _occurrences = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        private readonly string? _outFile;
        private readonly string? _directory;

        /// <summary>Names images after <paramref name="outFile"/> (a full path) or inside <paramref name="directory"/>.</summary>
        public ImageFileNamer(string? outFile, string? directory)
        {
            _outFile = outFile;
            _directory = directory;
        }

        /// <summary>The folder the files go to (where temporary files are made so that saving is a rename).</summary>
        public string Directory => _outFile != null ? (Path.GetDirectoryName(_outFile) ?? ".") : _directory!;

        /// <summary>
        /// The path for one image. With -OutFile: the name as given for a single image, NAME-1, NAME-2 … when a
        /// response has several, and the next free number when the call already used a name. In a directory:
        /// TIMESTAMP-SLUG[-N].EXT, never an existing file.
        /// </summary>
        public string Next(ImageResult result, int imagesInResponse, string stem)
        {
            string ext = ImageFiles.ExtensionFor(result);
            string partial = PartialSuffix(result);
            if (_outFile != null)
            {
                string dir = Path.GetDirectoryName(_outFile) ?? ".";
                string name = Path.GetFileNameWithoutExtension(_outFile);
                string givenExt = Path.GetExtension(_outFile);
                if (givenExt.Length > 0)
                {
                    ext = givenExt;
                }

                if (imagesInResponse <= 1)
                {
                    string plain = Path.Combine(dir, name + partial + ext);
                    if (_used.Add(plain))
                    {
                        return plain;
                    }
                }

                for (int k = imagesInResponse > 1 ? result.Index + 1 : 2; ; k++)
                {
                    string candidate = Path.Combine(dir, name + "-" + k.ToString(CultureInfo.InvariantCulture) + partial + ext);
                    if (_used.Add(candidate))
                    {
                        return candidate;
                    }
                }
            }

            string baseName = Stamp(result) + "-" + stem + (imagesInResponse > 1 ? "-" + (result.Index + 1).ToString(CultureInfo.InvariantCulture) : string.Empty) + partial;
            return FreeInDirectory(baseName, ext, 1);
        }

        /// <summary>
        /// Reserves the names of one item's images, in input order: call it on one thread as each item is sent.
        /// With -OutFile the item gets the names <see cref="Next"/> would give if the items were saved one after
        /// another in input order: NAME.EXT for a single image (or NAME-2, NAME-3 … when an earlier item of the call has
        /// it), NAME-1 … NAME-<paramref name="imagesRequested"/> for several (each the next free number). In a directory
        /// the names are TIMESTAMP-SLUG[-N][-partialK][-C].EXT, where TIMESTAMP is when OpenAI created the image and C
        /// counts the items of the call with the same SLUG in input order (none for the first, -2 for the second …).
        /// </summary>
        /// <param name="imagesRequested">How many images the item asked for (-Count; 1 when not given).</param>
        /// <param name="stem">The slug of the item's prompt or input file (directory names only).</param>
        public ReservedImageNames Reserve(int imagesRequested, string stem)
        {
            int count = Math.Max(1, imagesRequested);
            if (_outFile is null)
            {
                _occurrences.TryGetValue(stem, out int seen);
                _occurrences[stem] = seen + 1;
                return new ReservedImageNames(this, stem, Array.Empty<string>(), seen + 1);
            }

            string name = Path.GetFileNameWithoutExtension(_outFile);
            var stems = new string[count];
            if (count == 1)
            {
                stems[0] = _reservedStems.Add(name) ? name : NextFreeStem(name, 2);
            }
            else
            {
                for (int i = 0; i < count; i++)
                {
                    stems[i] = NextFreeStem(name, i + 1);
                }
            }

            return new ReservedImageNames(this, stem, stems, 1);
        }

        /// <summary>The explicit file (-OutFile) as a full path, or null when images go into a directory.</summary>
        public string? OutFile => _outFile;

        /// <summary>The path for one image of a reservation (see <see cref="ReservedImageNames.PathFor"/>).</summary>
        internal string PathFor(ReservedImageNames names, ImageResult result, int imagesInResponse)
        {
            string ext = ImageFiles.ExtensionFor(result);
            string partial = PartialSuffix(result);
            if (_outFile != null)
            {
                string givenExt = Path.GetExtension(_outFile);
                if (givenExt.Length > 0)
                {
                    ext = givenExt;
                }

                int index = Math.Max(0, result.Index);
                if (!names.TryGetStem(index, out string fileStem))
                {
                    // More images than the item asked for: the extra ones take the next free numbers as they arrive.
                    fileStem = NextFreeStem(Path.GetFileNameWithoutExtension(_outFile), index + 1);
                    names.AddExtra(index, fileStem);
                }

                string path = Path.Combine(Directory, fileStem + partial + ext);
                _used.Add(path);
                return path;
            }

            string number = imagesInResponse > 1 ? "-" + (result.Index + 1).ToString(CultureInfo.InvariantCulture) : string.Empty;
            return FreeInDirectory(Stamp(result) + "-" + names.Slug + number + partial, ext, names.Occurrence);
        }

        private string NextFreeStem(string name, int from)
        {
            for (int k = from; ; k++)
            {
                string candidate = name + "-" + k.ToString(CultureInfo.InvariantCulture);
                if (_reservedStems.Add(candidate))
                {
                    return candidate;
                }
            }
        }

        /// <summary>BASE[-K].EXT in the directory for the first K from <paramref name="from"/> (1: no suffix) that is neither a file nor used.</summary>
        private string FreeInDirectory(string baseName, string ext, int from)
        {
            for (int k = Math.Max(1, from); ; k++)
            {
                string candidate = Path.Combine(_directory!, baseName + (k == 1 ? string.Empty : "-" + k.ToString(CultureInfo.InvariantCulture)) + ext);
                if (!File.Exists(candidate) && _used.Add(candidate))
                {
                    return candidate;
                }
            }
        }

        private static string PartialSuffix(ImageResult result) =>
            result.IsPartial ? "-partial" + result.PartialImageIndex?.ToString(CultureInfo.InvariantCulture) : string.Empty;

        private static string Stamp(ImageResult result) =>
            (result.Created ?? DateTimeOffset.Now).ToLocalTime().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
    }

    /// <summary>
    /// The file names reserved for one item of a call (<see cref="ImageFileNamer.Reserve"/>), in input order. Use it on
    /// the thread that reserved it.
    /// </summary>
    public sealed class ReservedImageNames
    {
        private readonly ImageFileNamer _namer;
        private readonly string[] _stems;
        private Dictionary<int, string>? _extra;

        internal ReservedImageNames(ImageFileNamer namer, string slug, string[] stems, int occurrence)
        {
            _namer = namer;
            Slug = slug;
            _stems = stems;
            Occurrence = occurrence;
        }

        /// <summary>-OutFile: the reserved names (without folder and extension) of the item's images, by image index; empty in a directory.</summary>
        public IReadOnlyList<string> Stems => _stems;

        /// <summary>The item's slug (directory names).</summary>
        public string Slug { get; }

        /// <summary>Which item with this slug the item is in the call (1 for the first); directory names only.</summary>
        public int Occurrence { get; }

        /// <summary>
        /// The path for one of the item's images; a partial image gets -partialK after its name. -OutFile: the name reserved
        /// for its index, with the given extension (else the image's own). Directory: see <see cref="ImageFileNamer.Reserve"/>;
        /// a name that exists as a file is skipped for the next free number.
        /// </summary>
        /// <param name="result">The image (its Index, Created, format and partial index count).</param>
        /// <param name="imagesInResponse">How many images the response holds (directory names get -N when several); 1 for partial images.</param>
        public string PathFor(ImageResult result, int imagesInResponse) => _namer.PathFor(this, result, imagesInResponse);

        internal bool TryGetStem(int index, out string stem)
        {
            if (index < _stems.Length)
            {
                stem = _stems[index];
                return true;
            }

            if (_extra != null && _extra.TryGetValue(index, out string? extra))
            {
                stem = extra;
                return true;
            }

            stem = string.Empty;
            return false;
        }

        internal void AddExtra(int index, string stem) => (_extra ??= new Dictionary<int, string>())[index] = stem;
    }
}
