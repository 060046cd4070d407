using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace OpenAI.Images.Http
{
    /// <summary>
    /// A <c>multipart/form-data</c> body written the way browsers, curl and OpenAI's own SDKs write it, unlike
    /// <see cref="MultipartFormDataContent"/> (unquoted names, <c>filename*=</c>, RFC 2047 words, no part media type),
    /// which strict parsers reject. Every part has <c>Content-Disposition: form-data; name="…"</c> (plus
    /// <c>; filename="…"</c> and a <c>Content-Type</c> line for files); in names and file names <c>"</c>, CR and LF are
    /// percent-encoded (the HTML form-data rule) and anything else, non-ASCII included, is written as raw UTF-8.
    /// </summary>
    /// <remarks>
    /// The length is always known, so requests carry a <c>Content-Length</c>. Files are opened only while the body is
    /// serialized, so every retry reads them afresh from disk; a file whose size no longer matches its declared length
    /// fails the request with an <see cref="IOException"/> rather than sending a corrupt body.
    /// </remarks>
    internal sealed class MultipartFormContent : HttpContent
    {
        private const int CopyBufferSize = 80 * 1024;
        private const long ProgressInterval = 64 * 1024;

        private static readonly byte[] CrLf = { (byte)'\r', (byte)'\n' };
        private static readonly UTF8Encoding Utf8 = new UTF8Encoding(false);

        private readonly List<Part> _parts = new List<Part>();

        /// <summary>Creates an empty body with a random boundary (<c>----OpenAIImages</c> and 32 hex digits).</summary>
        public MultipartFormContent()
        {
            Boundary = "----OpenAIImages" + Guid.NewGuid().ToString("N");
            var contentType = new MediaTypeHeaderValue("multipart/form-data");
            contentType.Parameters.Add(new NameValueHeaderValue("boundary", Boundary));
            Headers.ContentType = contentType;
        }

        /// <summary>The boundary between parts (letters, digits and dashes only, so it is never quoted).</summary>
        public string Boundary { get; }

        /// <summary>
        /// Called during serialization with the total number of file-content bytes written so far, across all file
        /// parts: at most once per 64 KB and once at the end. Each serialization (each retry) starts again from zero.
        /// </summary>
        public Action<long>? Progress { get; set; }

        /// <summary>Adds a text part: <c>Content-Disposition: form-data; name="{name}"</c>, no media type, the value as UTF-8.</summary>
        /// <param name="name">The field name.</param>
        /// <param name="value">The field value.</param>
        public void AddField(string name, string value)
        {
            if (name is null)
            {
                throw new ArgumentNullException(nameof(name));
            }

            if (value is null)
            {
                throw new ArgumentNullException(nameof(value));
            }

            string header = "--" + Boundary + "\r\nContent-Disposition: form-data; name=\"" + EscapeQuoted(name) + "\"\r\n\r\n";
            _parts.Add(new Part(name, Utf8.GetBytes(header), Utf8.GetBytes(value), null, 0));
        }

        /// <summary>
        /// Adds a file part: <c>Content-Disposition: form-data; name="{name}"; filename="{fileName}"</c> and
        /// <c>Content-Type: {contentType}</c>. The stream is opened (and disposed) each time the body is written.
        /// </summary>
        /// <param name="name">The field name (for example <c>image</c>, <c>image[]</c> or <c>mask</c>).</param>
        /// <param name="fileName">The file name to declare; non-ASCII characters are sent as raw UTF-8.</param>
        /// <param name="contentType">The part's media type, for example <c>image/png</c>.</param>
        /// <param name="openStream">Opens the content, positioned at its start, each time the body is serialized.</param>
        /// <param name="length">The exact number of bytes the stream yields.</param>
        public void AddFile(string name, string fileName, string contentType, Func<Stream> openStream, long length)
        {
            if (name is null)
            {
                throw new ArgumentNullException(nameof(name));
            }

            if (fileName is null)
            {
                throw new ArgumentNullException(nameof(fileName));
            }

            if (contentType is null)
            {
                throw new ArgumentNullException(nameof(contentType));
            }

            if (contentType.Length == 0 || contentType.IndexOf('\r') >= 0 || contentType.IndexOf('\n') >= 0)
            {
                throw new ArgumentException("The content type must be a non-empty single-line value.", nameof(contentType));
            }

            if (openStream is null)
            {
                throw new ArgumentNullException(nameof(openStream));
            }

            if (length < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(length), length, "The length cannot be negative.");
            }

            string header = "--" + Boundary + "\r\nContent-Disposition: form-data; name=\"" + EscapeQuoted(name)
                + "\"; filename=\"" + EscapeQuoted(fileName) + "\"\r\nContent-Type: " + contentType + "\r\n\r\n";
            _parts.Add(new Part(name, Utf8.GetBytes(header), null, openStream, length));
        }

        /// <summary>Percent-encodes <c>"</c>, CR and LF, as the HTML standard does for form-data names and file names.</summary>
        internal static string EscapeQuoted(string value)
        {
            if (value.IndexOfAny(new[] { '"', '\r', '\n' }) < 0)
            {
                return value;
            }

            var sb = new StringBuilder(value.Length + 8);
            foreach (char c in value)
            {
                switch (c)
                {
                    case '"': sb.Append("%22"); break;
                    case '\r': sb.Append("%0D"); break;
                    case '\n': sb.Append("%0A"); break;
                    default: sb.Append(c); break;
                }
            }

            return sb.ToString();
        }

        /// <inheritdoc />
        protected override bool TryComputeLength(out long length)
        {
            long total = 0;
            foreach (Part part in _parts)
            {
                total += part.Header.Length + part.Length + CrLf.Length;
            }

            total += ClosingBytes().Length;
            length = total;
            return true;
        }

        /// <inheritdoc />
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeCoreAsync(stream, CancellationToken.None);

#if NET
        /// <inheritdoc />
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
            SerializeCoreAsync(stream, cancellationToken);

        /// <inheritdoc />
        protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            var progress = new ProgressTracker(Progress);
            byte[]? buffer = null;
            foreach (Part part in _parts)
            {
                cancellationToken.ThrowIfCancellationRequested();
                stream.Write(part.Header, 0, part.Header.Length);
                if (part.Value is not null)
                {
                    stream.Write(part.Value, 0, part.Value.Length);
                }
                else
                {
                    buffer ??= new byte[CopyBufferSize];
                    using (Stream source = OpenPart(part))
                    {
                        long written = 0;
                        while (true)
                        {
                            cancellationToken.ThrowIfCancellationRequested();
                            int n = source.Read(buffer, 0, buffer.Length);
                            if (n <= 0)
                            {
                                break;
                            }

                            written = CheckLength(part, written, n);
                            stream.Write(buffer, 0, n);
                            progress.Add(n);
                        }

                        CheckComplete(part, written);
                    }
                }

                stream.Write(CrLf, 0, CrLf.Length);
            }

            byte[] closing = ClosingBytes();
            stream.Write(closing, 0, closing.Length);
            progress.Finish();
        }
#endif

        private async Task SerializeCoreAsync(Stream stream, CancellationToken cancellationToken)
        {
            var progress = new ProgressTracker(Progress);
            byte[]? buffer = null;
            foreach (Part part in _parts)
            {
                cancellationToken.ThrowIfCancellationRequested();
                await stream.WriteAsync(part.Header, 0, part.Header.Length, cancellationToken).ConfigureAwait(false);
                if (part.Value is not null)
                {
                    await stream.WriteAsync(part.Value, 0, part.Value.Length, cancellationToken).ConfigureAwait(false);
                }
                else
                {
                    buffer ??= new byte[CopyBufferSize];
                    using (Stream source = OpenPart(part))
                    {
                        long written = 0;
                        while (true)
                        {
                            cancellationToken.ThrowIfCancellationRequested();
                            int n = await source.ReadAsync(buffer, 0, buffer.Length, cancellationToken).ConfigureAwait(false);
                            if (n <= 0)
                            {
                                break;
                            }

                            written = CheckLength(part, written, n);
                            await stream.WriteAsync(buffer, 0, n, cancellationToken).ConfigureAwait(false);
                            progress.Add(n);
                        }

                        CheckComplete(part, written);
                    }
                }

                await stream.WriteAsync(CrLf, 0, CrLf.Length, cancellationToken).ConfigureAwait(false);
            }

            byte[] closing = ClosingBytes();
            await stream.WriteAsync(closing, 0, closing.Length, cancellationToken).ConfigureAwait(false);
            progress.Finish();
        }

        private static Stream OpenPart(Part part)
        {
            Stream? source = part.OpenStream!();
            if (source is null)
            {
                throw new InvalidOperationException("The stream factory of a multipart file part returned null.");
            }

            return source;
        }

        private static long CheckLength(Part part, long written, int count)
        {
            long total = written + count;
            if (total > part.Length)
            {
                throw new IOException($"The file for part '{part.Name}' is longer than the {part.Length} bytes expected; it changed while being uploaded.");
            }

            return total;
        }

        private static void CheckComplete(Part part, long written)
        {
            if (written != part.Length)
            {
                throw new IOException($"The file for part '{part.Name}' ended after {written} of the {part.Length} bytes expected; it changed while being uploaded.");
            }
        }

        private byte[] ClosingBytes() => Encoding.ASCII.GetBytes("--" + Boundary + "--\r\n");

        private sealed class Part
        {
            public Part(string name, byte[] header, byte[]? value, Func<Stream>? openStream, long fileLength)
            {
                Name = name;
                Header = header;
                Value = value;
                OpenStream = openStream;
                Length = value is null ? fileLength : value.Length;
            }

            /// <summary>The boundary line and part headers, through the blank line.</summary>
            public byte[] Header { get; }

            /// <summary>A text part's UTF-8 value, or null for a file part.</summary>
            public byte[]? Value { get; }

            /// <summary>A file part's stream factory, or null for a text part.</summary>
            public Func<Stream>? OpenStream { get; }

            /// <summary>The number of content bytes.</summary>
            public long Length { get; }

            /// <summary>The field name, for error messages.</summary>
            public string Name { get; }
        }

        private sealed class ProgressTracker
        {
            private readonly Action<long>? _callback;
            private long _total;
            private long _reported = -1;

            public ProgressTracker(Action<long>? callback) => _callback = callback;

            public void Add(int count)
            {
                _total += count;
                if (_callback is not null && _total - Math.Max(_reported, 0) >= ProgressInterval)
                {
                    _reported = _total;
                    _callback(_total);
                }
            }

            public void Finish()
            {
                if (_callback is not null && _reported != _total)
                {
                    _reported = _total;
                    _callback(_total);
                }
            }
        }
    }
}
