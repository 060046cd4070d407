using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Threading.Tasks;
using static OpenAI.Images.FakeApi.Tests.TestSupport;

namespace OpenAI.Images.FakeApi.Tests;

public class MultipartTests
{
    private const string Boundary = "----fake-boundary-7MA4YWxkTrZu0gW";

    /// <summary>A multipart body written byte by byte, the way OpenAI's Python SDK writes it (headers as raw UTF-8).</summary>
    private static ByteArrayContent RawMultipart(params (string Headers, byte[] Data)[] parts)
    {
        using var body = new MemoryStream();
        foreach ((string headers, byte[] data) in parts)
        {
            body.Write(Encoding.UTF8.GetBytes("--" + Boundary + "\r\n" + headers + "\r\n\r\n"));
            body.Write(data);
            body.Write("\r\n"u8);
        }

        body.Write(Encoding.UTF8.GetBytes("--" + Boundary + "--\r\n"));
        var content = new ByteArrayContent(body.ToArray());
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=" + Boundary);
        return content;
    }

    [Fact]
    public async Task RawUtf8FileNames_ArriveIntact_WithNamesTypesAndBytes()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);
        byte[] png = Asset("sample-8x8.png");
        byte[] jpg = Asset("sample-8x8.jpg");

        using HttpResponseMessage response = await client.PostAsync("images/edits", RawMultipart(
            ("Content-Disposition: form-data; name=\"model\"", "gpt-image-1"u8.ToArray()),
            ("Content-Disposition: form-data; name=\"prompt\"", Encoding.UTF8.GetBytes("Ein Fuchs – 狐")),
            ("Content-Disposition: form-data; name=\"image[]\"; filename=\"фото 1.png\"\r\nContent-Type: image/png", png),
            ("Content-Disposition: form-data; name=\"image[]\"; filename=\"日本語.jpg\"\r\nContent-Type: image/jpeg", jpg),
            ("Content-Disposition: form-data; name=\"n\"", "11"u8.ToArray()),
            ("Content-Disposition: form-data; name=\"n\"", "2"u8.ToArray())), Ct);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(2, (await ReadJsonObjectAsync(response))["data"]!.AsArray().Count);

        RecordedRequest r = server.Requests.Single();
        Assert.Null(r.MultipartError);
        Assert.Equal(6, r.Parts.Count);
        Assert.Equal("Ein Fuchs – 狐", r.Field("prompt"));
        Assert.Equal("2", r.Field("n"));
        Assert.Equal(new[] { "11", "2" }, r.PartsNamed("n").Select(p => p.Text));
        Assert.Empty(r.Files("image"));
        Assert.False(r.Parts[0].IsFile);
        Assert.Null(r.Parts[0].FileName);
        Assert.Null(r.Parts[0].ContentType);

        IReadOnlyList<RecordedPart> images = r.Files("image[]");
        Assert.Equal(2, images.Count);
        Assert.Equal("фото 1.png", images[0].FileName);
        Assert.Equal("form-data; name=\"image[]\"; filename=\"фото 1.png\"", images[0].ContentDisposition);
        Assert.Equal("image/png", images[0].ContentType);
        Assert.Equal(png, images[0].Data);
        Assert.Equal("日本語.jpg", images[1].FileName);
        Assert.Equal("image/jpeg", images[1].ContentType);
        Assert.Equal(jpg, images[1].Data);
    }

    [Fact]
    public async Task DotNetDefaultMultipart_EncodesNonAsciiNames_AndTheFakeDecodesThem()
    {
        // What MultipartFormDataContent.Add(content, name, fileName) really sends: unquoted name, a MIME
        // encoded-word in filename, an RFC 5987 filename*, and no part Content-Type. The fake reports the
        // decoded name (from filename*) and keeps the raw header so tests can reject this form.
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);
        using var form = new MultipartFormDataContent { { new ByteArrayContent(Asset("sample-8x8.png")), "image", "фото.png" } };

        (await client.PostAsync("images/variations", form, Ct)).Dispose();

        RecordedPart part = server.Requests.Single().Files("image").Single();
        Assert.Equal("фото.png", part.FileName);
        Assert.Null(part.ContentType);
        Assert.StartsWith("form-data; name=image; filename=\"=?utf-8?B?", part.ContentDisposition);
        Assert.Contains("filename*=utf-8''%D1%84%D0%BE%D1%82%D0%BE.png", part.ContentDisposition);
    }

    [Fact]
    public async Task DotNetMultipart_WithAUtf8HeaderEncoding_CanSendRawUtf8Names()
    {
        // The way to make HttpClient write a raw UTF-8 quoted filename (like the Python SDK does).
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);
        var file = new ByteArrayContent(Asset("sample-8x8.png"));
        file.Headers.TryAddWithoutValidation("Content-Disposition", "form-data; name=\"image\"; filename=\"café.png\"");
        file.Headers.ContentType = new MediaTypeHeaderValue("image/png");
        using var form = new MultipartFormDataContent { file };
        form.HeaderEncodingSelector = (_, _) => Encoding.UTF8;

        (await client.PostAsync("images/edits", form, Ct)).Dispose();

        RecordedPart part = server.Requests.Single().Files("image").Single();
        Assert.Equal("café.png", part.FileName);
        Assert.Equal("form-data; name=\"image\"; filename=\"café.png\"", part.ContentDisposition);
        Assert.Equal("image/png", part.ContentType);
    }

    [Fact]
    public async Task DotNetMultipart_WithoutAHeaderEncoding_SendsLatin1()
    {
        // Without HeaderEncodingSelector, HttpClient writes part headers as Latin-1: 'é' survives as a
        // single 0xE9 byte, which is not UTF-8, so the server sees U+FFFD. Pinned here because it is easy to miss.
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);
        var file = new ByteArrayContent(Asset("sample-8x8.png"));
        file.Headers.TryAddWithoutValidation("Content-Disposition", "form-data; name=\"image\"; filename=\"café.png\"");
        using var form = new MultipartFormDataContent { file };

        (await client.PostAsync("images/edits", form, Ct)).Dispose();

        RecordedRequest r = server.Requests.Single();
        Assert.Contains(new byte[] { (byte)'f', 0xE9, (byte)'.' }, Enumerable.Range(0, r.Body.Length - 2).Select(i => new[] { r.Body[i], r.Body[i + 1], r.Body[i + 2] }));
        Assert.Equal("caf\uFFFD.png", r.Files("image").Single().FileName);
    }

    [Fact]
    public async Task Rfc5987FileNameStar_WinsOverFileName()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);

        (await client.PostAsync("images/edits", RawMultipart(
            ("Content-Disposition: form-data; name=\"image\"; filename=\"fallback.png\"; filename*=UTF-8''%C3%BCber.png\r\nContent-Type: image/png", Asset("sample-8x8.png"))), Ct)).Dispose();

        Assert.Equal("über.png", server.Requests.Single().Files("image").Single().FileName);
    }

    [Fact]
    public async Task QuotedFileNameEscapes_AndEmptyFiles_AreRecorded()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);

        (await client.PostAsync("images/edits", RawMultipart(
            ("Content-Disposition: form-data; name=\"image\"; filename=\"a;b=c.png\"\r\nContent-Type: image/png", Array.Empty<byte>()),
            ("Content-Disposition: form-data; name=\"mask\"; filename=\"\"\r\nContent-Type: application/octet-stream", new byte[] { 0, 1, 2 })), Ct)).Dispose();

        RecordedRequest r = server.Requests.Single();
        RecordedPart image = r.Files("image").Single();
        Assert.Equal("a;b=c.png", image.FileName);
        Assert.Empty(image.Data);
        RecordedPart mask = r.Files("mask").Single();
        Assert.Equal(string.Empty, mask.FileName);
        Assert.Equal(new byte[] { 0, 1, 2 }, mask.Data);
    }

    [Fact]
    public async Task MalformedMultipart_Gets400_AndIsStillRecorded()
    {
        await using var server = await FakeOpenAIServer.StartAsync();
        using HttpClient client = Client(server);
        var content = new ByteArrayContent(Encoding.ASCII.GetBytes("--" + Boundary + "\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\nno closing boundary"));
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/form-data; boundary=" + Boundary);

        using HttpResponseMessage response = await client.PostAsync("images/edits", content, Ct);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.NotNull(server.Requests.Single().MultipartError);
    }
}
