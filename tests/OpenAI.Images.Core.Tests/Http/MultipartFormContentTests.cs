using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using OpenAI.Images.Http;
using AspContentDisposition = Microsoft.Net.Http.Headers.ContentDispositionHeaderValue;

namespace OpenAI.Images.Core.Tests.Http;

public class MultipartFormContentTests
{
    private static readonly Encoding Utf8 = new UTF8Encoding(false);

    [Fact]
    public void BoundaryIsRandomAndHeaderIsUnquoted()
    {
        using var a = new MultipartFormContent();
        using var b = new MultipartFormContent();

        Assert.Matches(new Regex("^----OpenAIImages[0-9a-f]{32}$"), a.Boundary);
        Assert.NotEqual(a.Boundary, b.Boundary);
        Assert.Equal("multipart/form-data; boundary=" + a.Boundary, a.Headers.ContentType!.ToString());
    }

    [Fact]
    public async Task WritesTheExactWireFormat()
    {
        byte[] png = TestAssets.Bytes("sample-8x8.png");
        using var content = new MultipartFormContent();
        content.AddField("model", "gpt-image-1");
        content.AddFile("image", "a.png", "image/png", () => new MemoryStream(png), png.Length);
        content.AddField("prompt", "a red square");

        byte[] actual = await SerializeAsync(content);

        string b = content.Boundary;
        byte[] expected = Concat(
            Ascii($"--{b}\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\ngpt-image-1\r\n"),
            Ascii($"--{b}\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n"),
            png,
            Ascii("\r\n"),
            Ascii($"--{b}\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\na red square\r\n"),
            Ascii($"--{b}--\r\n"));
        Assert.Equal(expected, actual);
        Assert.Equal(actual.Length, content.Headers.ContentLength);
    }

    [Fact]
    public async Task EmptyBodyIsJustTheClosingBoundary()
    {
        using var content = new MultipartFormContent();
        byte[] actual = await SerializeAsync(content);
        Assert.Equal(Ascii($"--{content.Boundary}--\r\n"), actual);
        Assert.Equal(actual.Length, content.Headers.ContentLength);
    }

    [Fact]
    public async Task AspNetCoreMultipartReaderParsesEveryPartInOrder()
    {
        byte[] png = TestAssets.Bytes("sample-8x8-rgba.png");
        byte[] jpeg = TestAssets.Bytes("sample-8x8.jpg");
        using var content = new MultipartFormContent();
        content.AddField("model", "gpt-image-1");
        content.AddFile("image[]", "one.png", "image/png", () => new MemoryStream(png), png.Length);
        content.AddFile("image[]", "two.jpg", "image/jpeg", () => new MemoryStream(jpeg), jpeg.Length);
        content.AddField("prompt", "un café ☕, \"quoted\"\r\nsecond line");
        content.AddFile("mask", "mask.png", "image/png", () => new MemoryStream(png), png.Length);

        List<ParsedPart> parts = await ParseAsync(content);

        Assert.Equal(new[] { "model", "image[]", "image[]", "prompt", "mask" }, parts.Select(p => p.Name));
        Assert.Equal("gpt-image-1", Utf8.GetString(parts[0].Body));
        Assert.Null(parts[0].FileName);
        Assert.Null(parts[0].ContentType);
        Assert.Equal("one.png", parts[1].FileName);
        Assert.Equal("image/png", parts[1].ContentType);
        Assert.Equal(png, parts[1].Body);
        Assert.Equal("two.jpg", parts[2].FileName);
        Assert.Equal("image/jpeg", parts[2].ContentType);
        Assert.Equal(jpeg, parts[2].Body);
        Assert.Equal("un café ☕, \"quoted\"\r\nsecond line", Utf8.GetString(parts[3].Body));
        Assert.Null(parts[3].ContentType);
        Assert.Equal("mask.png", parts[4].FileName);
        Assert.Equal(png, parts[4].Body);
    }

    [Fact]
    public async Task NonAsciiFileNameIsRawUtf8InsideQuotes()
    {
        byte[] png = TestAssets.Bytes("sample-8x8.png");
        using var content = new MultipartFormContent();
        content.AddFile("image", "café ☕.png", "image/png", () => new MemoryStream(png), png.Length);

        byte[] raw = await SerializeAsync(content);
        string text = Utf8.GetString(raw);

        byte[] expectedHeader = Utf8.GetBytes("Content-Disposition: form-data; name=\"image\"; filename=\"café ☕.png\"\r\n");
        Assert.True(IndexOf(raw, expectedHeader) > 0, "the raw UTF-8 file name should appear inside the quotes");
        Assert.DoesNotContain("filename*", text, StringComparison.Ordinal);
        Assert.DoesNotContain("=?utf-8?", text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal(raw.Length, content.Headers.ContentLength);

        List<ParsedPart> parts = await ParseAsync(content);
        Assert.Equal("café ☕.png", Assert.Single(parts).FileName);
    }

    [Fact]
    public async Task QuotesAndLineBreaksInNamesArePercentEncoded()
    {
        using var content = new MultipartFormContent();
        content.AddField("a\"b\r\nc", "v");
        content.AddFile("f\"ile", "evil\".png\r\nContent-Type: text/html", "image/png", () => new MemoryStream(new byte[] { 1, 2, 3 }), 3);

        byte[] raw = await SerializeAsync(content);
        string text = Utf8.GetString(raw);

        Assert.Contains("Content-Disposition: form-data; name=\"a%22b%0D%0Ac\"\r\n\r\nv\r\n", text, StringComparison.Ordinal);
        Assert.Contains(
            "Content-Disposition: form-data; name=\"f%22ile\"; filename=\"evil%22.png%0D%0AContent-Type: text/html\"\r\nContent-Type: image/png\r\n\r\n",
            text,
            StringComparison.Ordinal);

        List<ParsedPart> parts = await ParseAsync(content);
        Assert.Equal("a%22b%0D%0Ac", parts[0].Name);
        Assert.Equal("f%22ile", parts[1].Name);
        Assert.Equal("evil%22.png%0D%0AContent-Type: text/html", parts[1].FileName);
        Assert.Equal("image/png", parts[1].ContentType);
    }

    [Fact]
    public void EscapeLeavesOtherCharactersAlone()
    {
        Assert.Equal("plain name.png", MultipartFormContent.EscapeQuoted("plain name.png"));
        Assert.Equal("%22%0D%0A%22", MultipartFormContent.EscapeQuoted("\"\r\n\""));
        Assert.Equal("back\\slash;semi=colon%25", MultipartFormContent.EscapeQuoted("back\\slash;semi=colon%25"));
    }

    [Fact]
    public void ArgumentsAreValidated()
    {
        using var content = new MultipartFormContent();
        Func<Stream> open = () => new MemoryStream();
        Assert.Throws<ArgumentNullException>(() => content.AddField(null!, "v"));
        Assert.Throws<ArgumentNullException>(() => content.AddField("n", null!));
        Assert.Throws<ArgumentNullException>(() => content.AddFile("n", null!, "image/png", open, 0));
        Assert.Throws<ArgumentNullException>(() => content.AddFile("n", "f", "image/png", null!, 0));
        Assert.Throws<ArgumentException>(() => content.AddFile("n", "f", "image/png\r\nX-Evil: 1", open, 0));
        Assert.Throws<ArgumentException>(() => content.AddFile("n", "f", string.Empty, open, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => content.AddFile("n", "f", "image/png", open, -1));
    }

    [Fact]
    public async Task ContentLengthEqualsBytesWrittenForLargeFiles()
    {
        byte[] data = RandomBytes(300_000, 7);
        using var content = new MultipartFormContent();
        content.AddField("n", "1");
        content.AddFile("image", "big.png", "image/png", () => new MemoryStream(data), data.Length);
        content.AddFile("mask", "big2.png", "image/png", () => new MemoryStream(data), data.Length);

        long? declared = content.Headers.ContentLength;
        byte[] raw = await SerializeAsync(content);

        Assert.Equal(raw.Length, declared);
        List<ParsedPart> parts = await ParseAsync(content);
        Assert.Equal(data, parts[1].Body);
        Assert.Equal(data, parts[2].Body);
    }

    [Fact]
    public async Task SynchronousSerializationWritesTheSameBytes()
    {
        byte[] png = TestAssets.Bytes("sample-8x8.png");
        using var content = new MultipartFormContent();
        content.AddField("model", "dall-e-2");
        content.AddFile("image", "a.png", "image/png", () => new MemoryStream(png), png.Length);

        byte[] asyncBytes = await SerializeAsync(content);
        using var sync = new MemoryStream();
        content.CopyTo(sync, null, CancellationToken.None);

        Assert.Equal(asyncBytes, sync.ToArray());
    }

    [Fact]
    public async Task FilesAreOpenedOnEachSerializationAndDisposed()
    {
        byte[] png = TestAssets.Bytes("sample-8x8.png");
        var opened = new List<TrackingStream>();
        using var content = new MultipartFormContent();
        content.AddFile("image", "a.png", "image/png", () =>
        {
            var s = new TrackingStream(new MemoryStream(png));
            opened.Add(s);
            return s;
        }, png.Length);

        Assert.Empty(opened); // nothing is opened when the part is added
        await SerializeAsync(content);
        await SerializeAsync(content);

        Assert.Equal(2, opened.Count);
        Assert.All(opened, s => Assert.True(s.Disposed));
    }

    [Fact]
    public async Task FileThatChangedLengthOnDiskThrowsIOException()
    {
        string path = Path.Combine(Path.GetTempPath(), "multipart-" + Guid.NewGuid().ToString("N") + ".png");
        File.WriteAllBytes(path, RandomBytes(1000, 3));
        try
        {
            using var content = new MultipartFormContent();
            content.AddFile("image", "a.png", "image/png", () => new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read), new FileInfo(path).Length);
            await SerializeAsync(content);

            using (var grow = new FileStream(path, FileMode.Append))
            {
                grow.Write(new byte[10], 0, 10);
            }

            AssertFileChanged(await Record.ExceptionAsync(() => SerializeAsync(content)));

            File.WriteAllBytes(path, RandomBytes(900, 3));
            AssertFileChanged(await Record.ExceptionAsync(() => SerializeAsync(content)));
            AssertFileChanged(Record.Exception(() => content.CopyTo(new MemoryStream(), null, CancellationToken.None)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task StreamLongerThanDeclaredThrowsBeforeWritingTheExtraBytes()
    {
        using var content = new MultipartFormContent();
        content.AddFile("image", "a.png", "image/png", () => new MemoryStream(new byte[200_000]), 100_000);
        using var target = new MemoryStream();

        AssertFileChanged(await Record.ExceptionAsync(() => content.CopyToAsync(target, TestContext.Current.CancellationToken)));
        Assert.True(target.Length < 100_000 + 1000, $"wrote {target.Length} bytes");
    }

    [Fact]
    public async Task CancellationStopsTheCopy()
    {
        const long length = 1L << 30; // 1 GiB that is never materialised
        TrackingStream? source = null;
        using var content = new MultipartFormContent();
        content.AddFile("image", "huge.png", "image/png", () => source = new TrackingStream(new ZeroStream(length)), length);
        using var cts = new CancellationTokenSource();
        using var target = new CancelAfterStream(cts, cancelAfterBytes: 200_000);

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => content.CopyToAsync(target, cts.Token));

        Assert.True(target.BytesWritten < 2_000_000, $"wrote {target.BytesWritten} bytes after cancellation");
        Assert.NotNull(source);
        Assert.True(source.Disposed);
    }

    [Fact]
    public async Task ProgressIsMonotonicAndEndsAtTheTotalFileLength()
    {
        byte[] big = RandomBytes(300_000, 11);
        byte[] small = RandomBytes(1000, 12);
        var reports = new List<long>();
        using var content = new MultipartFormContent { Progress = reports.Add };
        content.AddField("model", "gpt-image-1");
        content.AddFile("image[]", "big.png", "image/png", () => new MemoryStream(big), big.Length);
        content.AddFile("image[]", "small.png", "image/png", () => new MemoryStream(small), small.Length);

        await SerializeAsync(content);

        Assert.NotEmpty(reports);
        Assert.Equal(big.Length + small.Length, reports[reports.Count - 1]);
        for (int i = 1; i < reports.Count; i++)
        {
            Assert.True(reports[i] > reports[i - 1], "progress must increase");
            if (i < reports.Count - 1)
            {
                Assert.True(reports[i] - reports[i - 1] >= 64 * 1024, "at most one report per 64 KB");
            }
        }

        Assert.True(reports.Count >= 3, $"expected several reports for 300 KB, got {reports.Count}");

        // A retry serializes again and reports again from the start.
        reports.Clear();
        await SerializeAsync(content);
        Assert.Equal(big.Length + small.Length, reports[reports.Count - 1]);
        Assert.True(reports[0] <= 80 * 1024);
    }

    [Fact]
    public async Task HttpClientSendsContentLengthAndTheExactBody()
    {
        byte[] png = TestAssets.Bytes("sample-8x8-rgba.png");
        using var content = new MultipartFormContent();
        content.AddField("model", "dall-e-2");
        content.AddFile("image", "café.png", "image/png", () => new MemoryStream(png), png.Length);
        byte[] expectedBody = await SerializeAsync(content);

        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            int port = ((IPEndPoint)listener.LocalEndpoint).Port;
            Task<(string Head, byte[] Body)> server = ReceiveOneRequestAsync(listener);
            using var http = new HttpClient();
            using HttpResponseMessage response = await http.PostAsync($"http://127.0.0.1:{port}/v1/images/edits", content, TestContext.Current.CancellationToken);
            (string head, byte[] body) = await server;

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Contains($"\r\nContent-Length: {expectedBody.Length}\r\n", head, StringComparison.OrdinalIgnoreCase);
            Assert.Contains($"\r\nContent-Type: multipart/form-data; boundary={content.Boundary}\r\n", head, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("Transfer-Encoding", head, StringComparison.OrdinalIgnoreCase);
            Assert.Equal(expectedBody, body);
        }
        finally
        {
            listener.Stop();
        }
    }

    // ---- helpers ----

    /// <summary>
    /// The content throws <see cref="IOException"/>; HttpContent.CopyToAsync / CopyTo (and HttpClient) wrap whatever
    /// the serializer throws in an HttpRequestException, so accept either shape.
    /// </summary>
    private static void AssertFileChanged(Exception? ex)
    {
        Assert.NotNull(ex);
        IOException io = ex as IOException ?? Assert.IsType<IOException>(Assert.IsType<HttpRequestException>(ex).InnerException);
        Assert.Contains("changed while being uploaded", io.Message, StringComparison.Ordinal);
    }

    private static async Task<byte[]> SerializeAsync(HttpContent content)
    {
        // CopyToAsync (unlike ReadAsByteArrayAsync) does not buffer the content, so each call serializes afresh.
        using var ms = new MemoryStream();
        await content.CopyToAsync(ms, TestContext.Current.CancellationToken);
        return ms.ToArray();
    }

    private sealed record ParsedPart(string Name, string? FileName, string? ContentType, byte[] Body);

    private static async Task<List<ParsedPart>> ParseAsync(MultipartFormContent content)
    {
        byte[] raw = await SerializeAsync(content);
        var reader = new MultipartReader(content.Boundary, new MemoryStream(raw));
        var parts = new List<ParsedPart>();
        MultipartSection? section;
        while ((section = await reader.ReadNextSectionAsync(TestContext.Current.CancellationToken)) is not null)
        {
            AspContentDisposition disposition = AspContentDisposition.Parse(section.ContentDisposition);
            Assert.Equal("form-data", disposition.DispositionType.Value);
            using var body = new MemoryStream();
            await section.Body.CopyToAsync(body, TestContext.Current.CancellationToken);
            string? fileName = disposition.FileName.HasValue ? HeaderUtilities.RemoveQuotes(disposition.FileName).Value : null;
            Assert.False(disposition.FileNameStar.HasValue);
            parts.Add(new ParsedPart(HeaderUtilities.RemoveQuotes(disposition.Name).Value!, fileName, section.ContentType, body.ToArray()));
        }

        return parts;
    }

    private static async Task<(string Head, byte[] Body)> ReceiveOneRequestAsync(TcpListener listener)
    {
        using TcpClient client = await listener.AcceptTcpClientAsync();
        NetworkStream stream = client.GetStream();
        var head = new MemoryStream();
        var one = new byte[1];
        while (!EndsWith(head, "\r\n\r\n"))
        {
            if (await stream.ReadAsync(one, 0, 1) == 0)
            {
                throw new IOException("The connection closed before the request head ended.");
            }

            head.WriteByte(one[0]);
        }

        string headText = Encoding.ASCII.GetString(head.ToArray());
        Match match = Regex.Match(headText, @"\r\nContent-Length:\s*(\d+)\r\n", RegexOptions.IgnoreCase);
        byte[] body = Array.Empty<byte>();
        if (match.Success)
        {
            body = new byte[int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)];
            int read = 0;
            while (read < body.Length)
            {
                int n = await stream.ReadAsync(body, read, body.Length - read);
                if (n == 0)
                {
                    throw new IOException("The connection closed before the body ended.");
                }

                read += n;
            }
        }

        byte[] response = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        await stream.WriteAsync(response, 0, response.Length);
        return (headText, body);
    }

    private static bool EndsWith(MemoryStream ms, string suffix)
    {
        if (ms.Length < suffix.Length)
        {
            return false;
        }

        byte[] buffer = ms.GetBuffer();
        for (int i = 0; i < suffix.Length; i++)
        {
            if (buffer[ms.Length - suffix.Length + i] != suffix[i])
            {
                return false;
            }
        }

        return true;
    }

    private static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);

    private static byte[] Concat(params byte[][] arrays) => arrays.SelectMany(a => a).ToArray();

    private static byte[] RandomBytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    private static int IndexOf(byte[] haystack, byte[] needle)
    {
        for (int i = 0; i + needle.Length <= haystack.Length; i++)
        {
            int j = 0;
            while (j < needle.Length && haystack[i + j] == needle[j])
            {
                j++;
            }

            if (j == needle.Length)
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Records whether it was disposed.</summary>
    private sealed class TrackingStream : Stream
    {
        private readonly Stream _inner;

        public TrackingStream(Stream inner) => _inner = inner;

        public bool Disposed { get; private set; }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => _inner.Read(buffer, offset, count);
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            Disposed = true;
            if (disposing)
            {
                _inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }

    /// <summary>Yields a given number of zero bytes without allocating them.</summary>
    private sealed class ZeroStream : Stream
    {
        private long _remaining;

        public ZeroStream(long length) => _remaining = length;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            int n = (int)Math.Min(count, _remaining);
            Array.Clear(buffer, offset, n);
            _remaining -= n;
            return n;
        }

        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A write-only sink that cancels a token once enough bytes have arrived, and counts what it got.</summary>
    private sealed class CancelAfterStream : Stream
    {
        private readonly CancellationTokenSource _cts;
        private readonly long _cancelAfterBytes;

        public CancelAfterStream(CancellationTokenSource cts, long cancelAfterBytes)
        {
            _cts = cts;
            _cancelAfterBytes = cancelAfterBytes;
        }

        public long BytesWritten { get; private set; }

        public override bool CanRead => false;
        public override bool CanSeek => false;
        public override bool CanWrite => true;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count)
        {
            BytesWritten += count;
            if (BytesWritten >= _cancelAfterBytes)
            {
                _cts.Cancel();
            }
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            Write(buffer, offset, count);
            return Task.CompletedTask;
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
