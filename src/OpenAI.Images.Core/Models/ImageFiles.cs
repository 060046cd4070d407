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

        /// <summary>Reads a pending temporary file back into memory and deletes it (when it cannot be saved).</summary>
        public static void KeepInMemory(ImageResult result)
        {
            if (result.PendingFile is null)
            {
                return;
            }

            result.Data = File.ReadAllBytes(result.PendingFile);
            ImageSink.TryDelete(result.PendingFile);
            result.PendingFile = null;
        }

        /// <summary>Deletes a pending temporary file.</summary>
        public static void Discard(ImageResult result)
        {
            ImageSink.TryDelete(result.PendingFile);
            result.PendingFile = null;
        }

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

    /// <summary>Chooses distinct file names for the images of one cmdlet call.</summary>
    public sealed class ImageFileNamer
    {
        private readonly HashSet<string> _used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
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
            string partial = result.IsPartial ? "-partial" + result.PartialImageIndex?.ToString(CultureInfo.InvariantCulture) : string.Empty;
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

            string stamp = (result.Created ?? DateTimeOffset.Now).ToLocalTime().ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture);
            string baseName = stamp + "-" + stem + (imagesInResponse > 1 ? "-" + (result.Index + 1).ToString(CultureInfo.InvariantCulture) : string.Empty) + partial;
            for (int k = 1; ; k++)
            {
                string candidate = Path.Combine(_directory!, baseName + (k == 1 ? string.Empty : "-" + k.ToString(CultureInfo.InvariantCulture)) + ext);
                if (!File.Exists(candidate) && _used.Add(candidate))
                {
                    return candidate;
                }
            }
        }

        /// <summary>The explicit file (-OutFile) as a full path, or null when images go into a directory.</summary>
        public string? OutFile => _outFile;
    }
}
