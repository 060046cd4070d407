using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using OpenAI.Images.Tests.Spec;

namespace OpenAI.Images.Tests.Conformance;

/// <summary>
/// Requests written by hand (HttpClient, not the module) against Prism. The must-reject cases prove that Prism
/// really validates bodies against openai-images.yaml: a Prism that silently skipped validation (as it does when
/// Ajv cannot compile a schema) would answer them 200 and fail this class. The must-accept cases prove that
/// well-formed requests, including a multipart edit written the way OpenAI's SDKs write it, pass.
/// The blind-spot cases pin what Prism 5.14.2 does NOT check, documented in docs/conformance.md.
/// </summary>
[Collection(PrismCollection.Name)]
public sealed class PrismRawRequestTests(PrismFixture prism)
{
    private const string ApiKey = "sk-prism-conformance";
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    // ---------- must reject: 422 naming the offending field ----------

    [Fact]
    public async Task Generation_WithoutPrompt_Is422()
    {
        var reply = await PostJsonAsync("images/generations", """{"model":"gpt-image-1"}""");
        AssertRejected(reply, "prompt", "required");
    }

    [Fact]
    public async Task Generation_NAsString_Is422()
    {
        var reply = await PostJsonAsync("images/generations", """{"prompt":"otter","n":"2"}""");
        AssertRejected(reply, "n", "type");
    }

    [Fact]
    public async Task Generation_NAboveTen_Is422()
    {
        var reply = await PostJsonAsync("images/generations", """{"prompt":"otter","n":11}""");
        AssertRejected(reply, "n", "maximum");
    }

    [Fact]
    public async Task Generation_BadQualityEnum_Is422()
    {
        var reply = await PostJsonAsync("images/generations", """{"prompt":"otter","quality":"ultra"}""");
        AssertRejected(reply, "quality", "enum");
    }

    [Fact]
    public async Task Generation_PartialImagesFour_Is422()
    {
        var reply = await PostJsonAsync("images/generations", """{"prompt":"otter","stream":true,"partial_images":4}""");
        AssertRejected(reply, "partial_images", "maximum");
    }

    [Fact]
    public async Task Variation_Size300_Is422()
    {
        using var form = new SdkMultipart().File("image", "sample-8x8.png", "image/png", await SamplePngAsync()).Text("size", "300x300");
        var reply = await PostAsync("images/variations", form.Content);
        AssertRejected(reply, "size", "enum");
    }

    [Fact]
    public async Task MultipartEdit_WithoutImage_Is422()
    {
        using var form = new SdkMultipart().Text("prompt", "add a hat").Text("model", "gpt-image-1");
        var reply = await PostAsync("images/edits", form.Content);
        AssertRejected(reply, "image", "required");
    }

    [Fact]
    public async Task JsonEdit_SeventeenImages_Is422()
    {
        var images = new JsonArray(Enumerable.Range(1, 17).Select(i => (JsonNode)new JsonObject { ["file_id"] = $"file-{i}" }).ToArray());
        var body = new JsonObject { ["prompt"] = "add a hat", ["model"] = "gpt-image-1", ["images"] = images };
        var reply = await PostJsonAsync("images/edits", body.ToJsonString());
        AssertRejected(reply, "images", "maxItems");
    }

    [Fact]
    public async Task JsonEdit_ImageRefWithBothUrlAndFileId_Is422()
    {
        var reply = await PostJsonAsync(
            "images/edits",
            """{"prompt":"add a hat","images":[{"image_url":"https://example.com/a.png","file_id":"file-1"}]}""");
        AssertRejected(reply, "images", "not");
    }

    public static TheoryData<string, string, string, string> MoreJsonRejections => new()
    {
        // path, body, offending field, Ajv code
        { "images/generations", """{"prompt":"otter","n":0}""", "n", "minimum" },
        { "images/generations", """{"prompt":"otter","n":2.5}""", "n", "type" },
        { "images/generations", """{"prompt":null}""", "prompt", "type" },
        { "images/generations", """{"prompt":"otter","stream":"true"}""", "stream", "type" },
        { "images/generations", """{"prompt":"otter","partial_images":-1}""", "partial_images", "minimum" },
        { "images/generations", """{"prompt":"otter","style":"anime"}""", "style", "enum" },
        { "images/generations", """{"prompt":"otter","response_format":"png"}""", "response_format", "enum" },
        { "images/generations", """{"prompt":"otter","model":42}""", "model", "type" },
        { "images/edits", """{"prompt":"hat","images":[]}""", "images", "minItems" },
        { "images/edits", """{"prompt":"","images":[{"file_id":"file-1"}]}""", "prompt", "minLength" },
        { "images/edits", """{"prompt":"hat","images":[{"image_url":"not a url"}]}""", "images", "format" },
        { "images/edits", """{"prompt":"hat","images":[{}]}""", "images", "anyOf" },
        { "images/edits", """{"prompt":"hat","images":[{"file_id":"file-1","detail":"high"}]}""", "images", "additionalProperties" },
        { "images/edits", """{"prompt":"hat","images":[{"file_id":"file-1"}],"quality":"standard"}""", "quality", "enum" },
        { "images/edits", """{"prompt":"hat","images":[{"file_id":"file-1"}],"size":"256x256"}""", "size", "enum" },
        { "images/edits", """{"prompt":"hat","images":[{"file_id":"file-1"}],"output_compression":101}""", "output_compression", "maximum" },
    };

    [Theory]
    [MemberData(nameof(MoreJsonRejections))]
    public async Task Json_InvalidField_Is422(string path, string json, string field, string code)
    {
        var reply = await PostJsonAsync(path, json);
        AssertRejected(reply, field, code);
    }

    [Fact]
    public async Task MultipartEdit_QualityHd_Is422()
    {
        using var form = new SdkMultipart()
            .File("image", "sample-8x8.png", "image/png", await SamplePngAsync())
            .Text("prompt", "add a hat")
            .Text("quality", "hd");
        var reply = await PostAsync("images/edits", form.Content);
        AssertRejected(reply, "quality", "enum");
    }

    [Fact]
    public async Task MultipartEdit_NNotANumber_Is422()
    {
        using var form = new SdkMultipart()
            .File("image", "sample-8x8.png", "image/png", await SamplePngAsync())
            .Text("prompt", "add a hat")
            .Text("n", "abc");
        var reply = await PostAsync("images/edits", form.Content);
        AssertRejected(reply, "n", "type");
    }

    [Fact]
    public async Task Variation_WithoutImage_Is422()
    {
        using var form = new SdkMultipart().Text("n", "2");
        var reply = await PostAsync("images/variations", form.Content);
        AssertRejected(reply, "image", "required");
    }

    [Fact]
    public async Task MissingAuthorization_Is401()
    {
        var reply = await PostJsonAsync("images/generations", """{"prompt":"otter"}""", authorize: false);
        Assert.True(reply.Status == HttpStatusCode.Unauthorized, reply.Describe());
        Assert.Equal("application/problem+json", reply.MediaType);
        Assert.Equal("Bearer", reply.Json.GetProperty("headers").GetProperty("WWW-Authenticate").GetString());
    }

    // ---------- must accept: 200 with the example body ----------

    [Fact]
    public async Task Generation_Minimal_Is200()
    {
        var reply = await PostJsonAsync("images/generations", """{"prompt":"A cute baby sea otter"}""");
        AssertAccepted(reply);
    }

    /// <summary>Every CreateImageRequest field that applies to the GPT image models.</summary>
    internal static readonly JsonObject FullGptImageGeneration = new()
    {
        ["prompt"] = "A cute baby sea otter wearing a beret",
        ["model"] = "gpt-image-1.5",
        ["n"] = 2,
        ["quality"] = "high",
        ["size"] = "1536x1024",
        ["background"] = "transparent",
        ["moderation"] = "low",
        ["output_format"] = "webp",
        ["output_compression"] = 80,
        ["stream"] = true,
        ["partial_images"] = 2,
        ["user"] = "user-1234",
    };

    /// <summary>Every CreateImageRequest field that applies to dall-e-3.</summary>
    internal static readonly JsonObject FullDallE3Generation = new()
    {
        ["prompt"] = "A cute baby sea otter",
        ["model"] = "dall-e-3",
        ["n"] = 1,
        ["quality"] = "hd",
        ["size"] = "1792x1024",
        ["response_format"] = "b64_json",
        ["style"] = "natural",
        ["user"] = "user-1234",
    };

    [Fact]
    public async Task Generation_FullGptImage_Is200()
    {
        var reply = await PostJsonAsync("images/generations", FullGptImageGeneration.ToJsonString());
        AssertAccepted(reply);
    }

    [Fact]
    public async Task Generation_FullDallE3_WithCharsetInContentType_Is200()
    {
        using var content = new StringContent(FullDallE3Generation.ToJsonString(), Encoding.UTF8, "application/json");
        Assert.Equal("utf-8", content.Headers.ContentType!.CharSet);
        var reply = await PostAsync("images/generations", content);
        AssertAccepted(reply);
    }

    [Fact]
    public void FullGenerations_TogetherCoverEveryCreateImageRequestProperty()
    {
        var sent = FullGptImageGeneration.Select(p => p.Key).Union(FullDallE3Generation.Select(p => p.Key)).ToHashSet();
        var notSent = OpenApiSpec.Official.Properties("CreateImageRequest").Except(sent).ToList();
        var notInSpec = sent.Where(p => !OpenApiSpec.Official.HasProperty("CreateImageRequest", p)).ToList();
        Assert.True(notSent.Count == 0, "CreateImageRequest properties no full request sends: " + string.Join(", ", notSent));
        Assert.True(notInSpec.Count == 0, "sent but not in CreateImageRequest: " + string.Join(", ", notInSpec));
    }

    [Fact]
    public async Task MultipartEdit_AsOpenAISdkWritesIt_Is200()
    {
        var png = await SamplePngAsync();
        using var form = new SdkMultipart()
            .File("image", "sample-8x8.png", "image/png", png)
            .File("mask", "mask.png", "image/png", png)
            .Text("prompt", "Add a watercolor effect to this image")
            .Text("model", "gpt-image-1.5")
            .Text("n", "2")
            .Text("size", "1024x1536")
            .Text("quality", "high")
            .Text("background", "opaque")
            .Text("output_format", "jpeg")
            .Text("output_compression", "90")
            .Text("input_fidelity", "high")
            .Text("stream", "false")
            .Text("partial_images", "0")
            .Text("user", "user-1234");
        var reply = await PostAsync("images/edits", form.Content);
        AssertAccepted(reply);
    }

    [Fact]
    public async Task JsonEdit_WithUrlAndFileIdReferences_Is200()
    {
        var reply = await PostJsonAsync(
            "images/edits",
            """
            {"prompt":"Add a watercolor effect","model":"gpt-image-1.5",
             "images":[{"image_url":"https://example.com/source.png"},{"file_id":"file-abc123"}],
             "mask":{"file_id":"file-mask"},"n":1,"quality":"medium","input_fidelity":"low","size":"auto",
             "output_format":"png","output_compression":100,"moderation":"auto","background":"auto",
             "stream":false,"partial_images":0,"user":"user-1234"}
            """);
        AssertAccepted(reply);
    }

    [Fact]
    public async Task Variation_Is200()
    {
        using var form = new SdkMultipart()
            .File("image", "sample-8x8.png", "image/png", await SamplePngAsync())
            .Text("model", "dall-e-2")
            .Text("n", "3")
            .Text("response_format", "b64_json")
            .Text("size", "512x512")
            .Text("user", "user-1234");
        var reply = await PostAsync("images/variations", form.Content);
        AssertAccepted(reply);
    }

    // ---------- blind spots: what Prism 5.14.2 lets through (the loopback fake must check these) ----------

    public static TheoryData<string, string> JsonBlindSpots => new()
    {
        { "any model string", """{"prompt":"otter","model":"foo"}""" },
        { "any size string on generations", """{"prompt":"otter","size":"7x7"}""" },
        { "unknown field", """{"prompt":"otter","input_fidelity":"high"}""" },
        { "empty prompt", """{"prompt":""}""" },
        { "output_compression above 100", """{"prompt":"otter","output_compression":150}""" },
        { "dall-e-3 with n=10 and gpt-only fields", """{"prompt":"otter","model":"dall-e-3","n":10,"background":"transparent"}""" },
        { "partial_images without stream", """{"prompt":"otter","partial_images":3}""" },
        { "stream true answered as plain JSON", """{"prompt":"otter","model":"gpt-image-1","stream":true}""" },
    };

    [Theory]
    [MemberData(nameof(JsonBlindSpots))]
    public async Task BlindSpot_Generation_PrismAccepts(string why, string json)
    {
        var reply = await PostJsonAsync("images/generations", json);
        Assert.True(reply.Status == HttpStatusCode.OK, $"Prism now rejects '{why}': update docs/conformance.md. {reply.Describe()}");
    }

    /// <summary>
    /// What the cmdlet matrix relies on for streamed requests: with <c>Accept: text/event-stream</c> (as the module
    /// sends it) Prism still validates the body first, so an invalid one gets 422; a valid one passes validation and
    /// then fails with 500 NO_COMPLEX_OBJECT_TEXT (Prism cannot write the JSON example as an event stream).
    /// </summary>
    [Fact]
    public async Task Streaming_WithEventStreamAccept_ValidatesFirst_ThenCannotAnswer()
    {
        async Task<Reply> PostStreamingAsync(string json)
        {
            var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
            content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            var server = prism.Server;
            using var request = new HttpRequestMessage(HttpMethod.Post, "images/generations") { Content = content };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
            request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            var ct = TestContext.Current.CancellationToken;
            using var response = await prism.Client.SendAsync(request, ct);
            return new Reply(response.StatusCode, response.Content.Headers.ContentType?.MediaType, await response.Content.ReadAsStringAsync(ct), server);
        }

        var valid = await PostStreamingAsync("""{"prompt":"otter","model":"gpt-image-1","stream":true,"partial_images":2}""");
        Assert.True(valid.Status == HttpStatusCode.InternalServerError, "a valid streamed request: " + valid.Describe());
        Assert.Equal("https://stoplight.io/prism/errors#NO_COMPLEX_OBJECT_TEXT", valid.Json.GetProperty("type").GetString());

        var invalid = await PostStreamingAsync("""{"prompt":"otter","model":"gpt-image-1","stream":true,"partial_images":2,"n":"2"}""");
        AssertRejected(invalid, "n", "type");
    }

    [Fact]
    public async Task BlindSpot_MultipartEdit_RepeatedImagePartsAndTextImage_Pass()
    {
        var png = await SamplePngAsync();
        var seventeen = new SdkMultipart().Text("prompt", "p");
        for (var i = 0; i < 17; i++)
        {
            seventeen.File("image", $"i{i}.png", "image/png", png);
        }

        using (seventeen)
        {
            var reply = await PostAsync("images/edits", seventeen.Content);
            Assert.True(reply.Status == HttpStatusCode.OK, "17 repeated image parts: " + reply.Describe());
        }

        using var textImage = new SdkMultipart().Text("prompt", "p").Text("image", "not a file");
        var textReply = await PostAsync("images/edits", textImage.Content);
        Assert.True(textReply.Status == HttpStatusCode.OK, "image as a text field: " + textReply.Describe());
    }

    [Fact]
    public async Task BlindSpot_UnknownFieldsAndParts_Pass()
    {
        var png = await SamplePngAsync();
        using (var edit = new SdkMultipart().File("image", "a.png", "image/png", png).Text("prompt", "p").Text("moderation", "low").Text("foo", "bar"))
        {
            var reply = await PostAsync("images/edits", edit.Content);
            Assert.True(reply.Status == HttpStatusCode.OK, "moderation/foo parts on a multipart edit: " + reply.Describe());
        }

        using (var variation = new SdkMultipart().File("image", "a.png", "image/png", png).Text("prompt", "p").Text("model", "gpt-image-1"))
        {
            var reply = await PostAsync("images/variations", variation.Content);
            Assert.True(reply.Status == HttpStatusCode.OK, "prompt part and a GPT model on a variation: " + reply.Describe());
        }

        var json = await PostJsonAsync("images/edits", """{"prompt":"p","images":[{"file_id":"file-1"}],"foo":1,"response_format":"url"}""");
        Assert.True(json.Status == HttpStatusCode.OK, "top-level unknown keys on a JSON edit: " + json.Describe());
    }

    [Fact]
    public async Task BlindSpot_MultipartEdit_ImageArrayPartsAreInvisibleToPrism()
    {
        var png = await SamplePngAsync();
        using var form = new SdkMultipart()
            .File("image[]", "a.png", "image/png", png)
            .File("image[]", "b.png", "image/png", png)
            .Text("prompt", "combine");
        var reply = await PostAsync("images/edits", form.Content);
        AssertRejected(reply, "image", "required");
    }

    // ---------- helpers ----------

    private async Task<byte[]> SamplePngAsync()
    {
        _ = prism.Server; // skips the test first when Prism is not installed
        var path = RepoLayout.Asset("sample-8x8.png");
        var bytes = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
        Assert.True(bytes.AsSpan().StartsWith(PngSignature), $"{path} is not a PNG");
        return bytes;
    }

    private Task<Reply> PostJsonAsync(string path, string json, bool authorize = true)
    {
        var content = new ByteArrayContent(Encoding.UTF8.GetBytes(json));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return PostAsync(path, content, authorize, dispose: true);
    }

    private async Task<Reply> PostAsync(string path, HttpContent content, bool authorize = true, bool dispose = false)
    {
        var server = prism.Server;
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = content };
        if (authorize)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
        }

        try
        {
            var ct = TestContext.Current.CancellationToken;
            using var response = await prism.Client.SendAsync(request, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            return new Reply(response.StatusCode, response.Content.Headers.ContentType?.MediaType, body, server);
        }
        catch (HttpRequestException e)
        {
            Assert.Fail($"POST {path}: no answer from Prism ({e.Message}); exited: {server.HasExited}. Prism output:{Environment.NewLine}{server.OutputTail()}");
            throw;
        }
        finally
        {
            if (dispose)
            {
                content.Dispose();
            }
        }
    }

    private static void AssertRejected(Reply reply, string field, string code)
    {
        Assert.True(reply.Status == HttpStatusCode.UnprocessableEntity, $"expected 422 naming '{field}'. {reply.Describe()}");
        Assert.Equal("application/problem+json", reply.MediaType);
        var validation = reply.Json.GetProperty("validation").EnumerateArray().ToList();
        Assert.True(
            validation.Any(v => Names(v, field) && v.GetProperty("code").GetString() == code),
            $"no validation entry with code '{code}' naming '{field}'. {reply.Describe()}");
    }

    /// <summary>["body","n"] names n; a "required" entry has location ["body"] and names the field in its message.</summary>
    private static bool Names(JsonElement entry, string field) =>
        entry.GetProperty("location").EnumerateArray().Skip(1).Take(1).Any(s => s.GetString() == field)
        || (entry.GetProperty("code").GetString() == "required"
            && entry.GetProperty("message").GetString()!.Contains($"'{field}'", StringComparison.Ordinal));

    private static void AssertAccepted(Reply reply)
    {
        Assert.True(reply.Status == HttpStatusCode.OK, "expected 200. " + reply.Describe());
        Assert.Equal("application/json", reply.MediaType);
        var data = reply.Json.GetProperty("data");
        Assert.True(data.GetArrayLength() >= 1, reply.Describe());
        var image = Convert.FromBase64String(data[0].GetProperty("b64_json").GetString()!);
        Assert.True(image.AsSpan().StartsWith(PngSignature), "b64_json is not a PNG: " + reply.Describe());
    }

    private sealed record Reply(HttpStatusCode Status, string? MediaType, string Body, PrismServer Server)
    {
        public JsonElement Json
        {
            get
            {
                using var doc = JsonDocument.Parse(Body);
                return doc.RootElement.Clone();
            }
        }

        public string Describe() =>
            $"Got {(int)Status} {MediaType}: {(Body.Length > 2000 ? Body[..2000] + "…" : Body)}{Environment.NewLine}"
            + $"Prism output (tail):{Environment.NewLine}{Server.OutputTail(2000)}";
    }
}

/// <summary>
/// multipart/form-data written the way OpenAI's SDKs write it, which Prism's parser needs: name first, quoted
/// name and filename (no filename*), a Content-Type on each file part, none on text parts, and an unquoted
/// boundary in the request's Content-Type. .NET's MultipartFormDataContent.Add(content, name, fileName) does not.
/// </summary>
internal sealed class SdkMultipart : IDisposable
{
    private readonly MultipartContent content;

    public SdkMultipart()
    {
        var boundary = "openai-images-" + Guid.NewGuid().ToString("N");
        content = new MultipartContent("form-data", boundary);
        content.Headers.ContentType = new MediaTypeHeaderValue("multipart/form-data");
        content.Headers.ContentType.Parameters.Add(new NameValueHeaderValue("boundary", boundary));
    }

    public HttpContent Content => content;

    public SdkMultipart Text(string name, string value)
    {
        var part = new ByteArrayContent(Encoding.UTF8.GetBytes(value));
        part.Headers.TryAddWithoutValidation("Content-Disposition", $"form-data; name=\"{name}\"");
        content.Add(part);
        return this;
    }

    public SdkMultipart File(string name, string fileName, string mediaType, byte[] bytes)
    {
        var part = new ByteArrayContent(bytes);
        part.Headers.TryAddWithoutValidation("Content-Disposition", $"form-data; name=\"{name}\"; filename=\"{fileName}\"");
        part.Headers.ContentType = new MediaTypeHeaderValue(mediaType);
        content.Add(part);
        return this;
    }

    public void Dispose() => content.Dispose();
}
