using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using OpenAI.Images.Imaging;

namespace OpenAI.Images.Http
{
    /// <summary>
    /// Where one decoded image goes while a response is read: memory, or a hidden temporary file in the folder of the
    /// final file (so that saving it is a rename, atomic on the same volume). A temporary file is deleted unless committed.
    /// </summary>
    internal sealed class ImageSink : IDisposable
    {
        internal const string TempPrefix = ".openai-images-";
        internal const string TempSuffix = ".tmp";

        private readonly IO.ChunkedBufferStream? _memory;
        private readonly FileStream? _file;
        private bool _detached;

        private ImageSink(IO.ChunkedBufferStream memory)
        {
            _memory = memory;
            Stream = memory;
        }

        private ImageSink(FileStream file, string path)
        {
            _file = file;
            TempPath = path;
            Stream = file;
        }

        public Stream Stream { get; }

        public string? TempPath { get; }

        public static ImageSink Create(string? tempDirectory)
        {
            if (tempDirectory is null)
            {
                return new ImageSink(new IO.ChunkedBufferStream());
            }

            string path = Path.Combine(tempDirectory, TempPrefix + Guid.NewGuid().ToString("N") + TempSuffix);
            var stream = new FileStream(path, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 81920, useAsync: true);
            return new ImageSink(stream, path);
        }

        /// <summary>
        /// Decodes the reader's current base64 string token straight into a new sink (memory, or a temporary file in
        /// <paramref name="tempDirectory"/>) and fills <paramref name="result"/> from it, in bounded memory.
        /// </summary>
        public static async Task DecodeBase64StringAsync(Json.JsonStreamReader reader, string? tempDirectory, ImageResult result, CancellationToken cancellationToken)
        {
            using ImageSink sink = Create(tempDirectory);
            var decoder = new Json.Base64ChunkDecoder(sink.Stream);
            await reader.CopyStringToAsync(decoder.WriteAsync, cancellationToken).ConfigureAwait(false);
            await decoder.CompleteAsync(cancellationToken).ConfigureAwait(false);
            await sink.CompleteAsync(result, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Finishes writing; fills <paramref name="result"/> with the bytes or the pending file and the detected format.</summary>
        public async Task CompleteAsync(ImageResult result, CancellationToken cancellationToken)
        {
            await Stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            var header = new byte[16];
            int count;
            if (_memory != null)
            {
                result.Data = _memory.ToArray();
                count = Math.Min(header.Length, result.Data.Length);
                Array.Copy(result.Data, header, count);
            }
            else
            {
                _file!.Position = 0;
                count = await _file.ReadAsync(header, 0, header.Length, cancellationToken).ConfigureAwait(false);

                // The result keeps the file open (unshared) until it is committed or discarded: a held file is never
                // taken for an orphan by another session's clean-up (OrphanedTempFiles), however long it waits.
                result.PendingFile = TempPath;
                result.PendingHandle = _file;
                _detached = true;
            }

            result.DetectedFormat = ImageInfo.DetectFormat(header, count);
        }

        public void Dispose()
        {
            if (_detached)
            {
                return;
            }

            Stream.Dispose();
            if (TempPath != null)
            {
                TryDelete(TempPath);
            }
        }

        internal static void TryDelete(string? path)
        {
            if (path is null)
            {
                return;
            }

            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        }

        /// <summary>Deletes the pending files of results that were never committed.</summary>
        internal static void DiscardPending(IEnumerable<ImageResult> results)
        {
            foreach (ImageResult r in results)
            {
                Discard(r);
            }
        }

        /// <summary>Closes and deletes a result's pending file, if it has one.</summary>
        internal static void Discard(ImageResult result)
        {
            TryDelete(result.ReleasePending());
            result.PendingFile = null;
        }
    }
}
