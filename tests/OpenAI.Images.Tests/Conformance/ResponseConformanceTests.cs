using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using System.Text.Json.Nodes;
using OpenAI.Images.FakeApi;
using OpenAI.Images.Tests.Spec;

namespace OpenAI.Images.Tests.Conformance;

/// <summary>
/// The objects the cmdlets emit are filled from spec-shaped responses: every field of ImagesResponse (created,
/// data[].b64_json/url/revised_prompt, background, output_format, size, quality, usage with input_tokens_details and
/// output_tokens_details) and of the stream events (ImageGen/ImageEdit PartialImage and Completed). The bodies are
/// written by hand from the spec; <see cref="TheHandWrittenBodies_HaveEveryPropertyOfTheirSpecSchema"/> compares
/// their keys with the schemas in openai-openapi.yaml, so a field added to the spec fails here until it is mapped
/// (or knowingly ignored). Unknown fields anywhere (top level, data items, usage, details, events, unknown event
/// types) are ignored, never an error. The response values differ from the request's on purpose: each assertion
/// proves the value was read from the response, not echoed from the request.
/// </summary>
public sealed class ResponseConformanceTests : EngineTest
{
    private static readonly string PngB64 = Convert.ToBase64String(SampleImages.Png);
    private static readonly string WebpB64 = Convert.ToBase64String(SampleImages.Webp);
    private static readonly string JpegB64 = Convert.ToBase64String(SampleImages.Jpeg);

    public ResponseConformanceTests(FakeApiFixture fixture) : base(fixture)
    {
    }

    /// <summary>ImagesResponse with every property of the spec (GPT image shape, two images).</summary>
    private static string FullImagesResponse(string unknown = "") => $$"""
        {
          "created": 1713833628,{{unknown}}
          "data": [
            { "b64_json": "{{PngB64}}", "revised_prompt": "A fluffy sea otter pup floating on its back"{{(unknown.Length > 0 ? "," + unknown.TrimEnd(',') : "")}} },
            { "b64_json": "{{WebpB64}}", "url": "https://oaidalleapiprodscus.blob.core.windows.net/private/org-x/img-2.png?se=2026-08-21T10%3A00%3A00Z&sig=abc" }
          ],
          "background": "transparent",
          "output_format": "png",
          "size": "1536x1024",
          "quality": "medium",
          "usage": {
            "total_tokens": 4321,
            "input_tokens": 321,{{unknown}}
            "output_tokens": 4000,
            "output_tokens_details": { "image_tokens": 3900, "text_tokens": 100{{(unknown.Length > 0 ? "," + unknown.TrimEnd(',') : "")}} },
            "input_tokens_details": { "text_tokens": 21, "image_tokens": 300{{(unknown.Length > 0 ? "," + unknown.TrimEnd(',') : "")}} }
          }
        }
        """;

    /// <summary>Unknown properties of every JSON kind, including ones shaped like known fields.</summary>
    private const string Unknown =
        """
        "x_string": "unknown", "x_number": -1.5e300, "x_bool": true, "x_null": null, "x_array": [1, "two", {"b64_json": "!!!not base64!!!"}, [], null],
        "x_object": {"data": [{"b64_json": "!!!"}], "usage": {"total_tokens": "many"}, "created": "yesterday", "error": {"message": "not an error"}}, "x_unicode": "\u00fc\ud83d\ude00",
        """;

    [Fact]
    public void ImagesResponse_EveryFieldFillsTheImageResults()
    {
        Fake.Enqueue(FakeResponse.Json(200, FullImagesResponse()));
        var r = Run("New-OpenAIImage -Prompt 'A cute baby sea otter' -Model gpt-image-1 -Count 2 -Size 1024x1024 -Quality low -Background opaque -OutputFormat webp");
        AssertFullImagesResponse(r);
    }

    [Fact]
    public void ImagesResponse_UnknownFieldsEverywhereAreIgnored()
    {
        var body = FullImagesResponse(Unknown);
        Assert.NotNull(JsonNode.Parse(body)); // still valid JSON
        Fake.Enqueue(FakeResponse.Json(200, body));
        var r = Run("New-OpenAIImage -Prompt 'A cute baby sea otter' -Model gpt-image-1 -Count 2 -Size 1024x1024 -Quality low -Background opaque -OutputFormat webp");
        AssertFullImagesResponse(r);
    }

    [Theory]
    [InlineData("New-OpenAIImage -Prompt 'A cute baby sea otter' -Model gpt-image-1.5 -Count 2")]
    [InlineData("New-OpenAIImage -Prompt 'A cute baby sea otter' -Model gpt-image-1.5 -PartialImages 2")]
    [InlineData("Edit-OpenAIImage -Prompt 'Add a beret' -Path otter.png -Model gpt-image-1.5 -PartialImages 1")]
    [InlineData("New-OpenAIImage -Prompt 'A cute baby sea otter' -Model dall-e-3 -ResponseFormat url")]
    [InlineData("New-OpenAIImageVariation -Path otter.png -Count 2 -ResponseFormat b64_json")]
    public void FakeSuccess_WithUnknownFieldsAndExplicitNulls_IsReadNormally(string script)
    {
        CopyAsset("sample-8x8.png", "otter.png");
        Fake.Enqueue(FakeResponse.Success(s =>
        {
            s.ExtraFields = true;
            s.ExplicitNulls = true;
        }));
        var r = Run(script);
        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.NotEmpty(r.Images);
        Assert.All(r.Images, i => Assert.True(i.Data != null || i.Url != null));
        Assert.Contains(r.Images, i => !(bool)i.IsPartial);
    }

    [Fact]
    public void ImagesResponse_DallEUrlItem_WithRevisedPrompt()
    {
        const string Url = "https://oaidalleapiprodscus.blob.core.windows.net/private/org-x/user-y/img-z.png?st=2026-08-21T09%3A00%3A00Z&se=2026-08-21T11%3A00%3A00Z&sp=r&sig=abc%2Bdef%3D";
        Fake.Enqueue(FakeResponse.Json(200, $$"""{"created": 1700000000, "data": [{"url": "{{Url}}", "revised_prompt": "A playful sea otter"}]}"""));
        var r = Run("New-OpenAIImage -Prompt 'A cute baby sea otter' -Model dall-e-3 -Size 1792x1024 -Quality hd -ResponseFormat url");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        var image = Assert.Single(r.Images);
        Assert.Equal(new Uri(Url), (Uri)image.Url);
        Assert.Equal(Url, ((Uri)image.Url).OriginalString);
        Assert.Null(image.Data);
        Assert.Equal("A playful sea otter", (string)image.RevisedPrompt);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1700000000), (DateTimeOffset?)image.Created);
        Assert.Equal("1792x1024", (string)image.Size); // not in dall-e responses: the requested size
        Assert.Equal("hd", (string)image.Quality);
        Assert.Null(image.Usage);
    }

    [Fact]
    public void ImagesResponse_ItemWithBothB64AndUrl_KeepsBoth()
    {
        // Prism's example item has both; a dall-e response_format=b64_json item may carry a revised_prompt too.
        Fake.Enqueue(FakeResponse.Json(200, $$"""{"created": 0, "data": [{"b64_json": "{{PngB64}}", "url": "http://example.com"}]}"""));
        var r = Run("New-OpenAIImage -Prompt 'A cute baby sea otter' -Model dall-e-2 -ResponseFormat b64_json");
        var image = Assert.Single(r.Images);
        Assert.Equal(SampleImages.Png, (byte[])image.Data);
        Assert.Equal(new Uri("http://example.com"), (Uri)image.Url);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(0), (DateTimeOffset?)image.Created);
    }

    public static TheoryData<string, string> StreamCases => new()
    {
        { "image_generation", "New-OpenAIImage -Prompt 'A cute baby sea otter' -Model gpt-image-1.5 -Size 1024x1024 -Quality low -Background auto -OutputFormat jpeg -PartialImages 3" },
        { "image_edit", "Edit-OpenAIImage -Prompt 'Add a beret' -Path otter.png -Model gpt-image-1.5 -Size 1024x1024 -Quality low -Background auto -OutputFormat jpeg -PartialImages 3" },
    };

    [Theory]
    [MemberData(nameof(StreamCases))]
    public void StreamEvents_EveryFieldFillsThePartialAndFinalImages(string prefix, string script)
    {
        CopyAsset("sample-8x8.png", "otter.png");
        Fake.Enqueue(FakeResponse.Raw(200, "text/event-stream", Encoding.UTF8.GetBytes(StreamBody(prefix, string.Empty))));
        AssertStream(Run(script));
    }

    [Theory]
    [MemberData(nameof(StreamCases))]
    public void StreamEvents_UnknownFieldsAndEventTypesAreIgnored(string prefix, string script)
    {
        CopyAsset("sample-8x8.png", "otter.png");
        Fake.Enqueue(FakeResponse.Raw(200, "text/event-stream", Encoding.UTF8.GetBytes(StreamBody(prefix, Unknown))));
        var r = Run(script + " -Verbose");
        AssertStream(r);
        Assert.Contains(r.Verbose, v => v.Contains($"{prefix}.in_progress", StringComparison.Ordinal));
    }

    /// <summary>
    /// A partial_image event (index 2: the API may send fewer partials than asked, so the index must be read, not
    /// counted), an event type the module does not know, a completed event, each with every spec property.
    /// </summary>
    private static string StreamBody(string prefix, string unknown)
    {
        var extra = unknown.Length > 0 ? "," + unknown.ReplaceLineEndings(" ").TrimEnd(',') : string.Empty; // one line per data: field
        var partial = $$"""{"type":"{{prefix}}.partial_image","b64_json":"{{PngB64}}","created_at":1620000000,"size":"1024x1536","quality":"medium","background":"opaque","output_format":"png","partial_image_index":2{{extra}}}""";
        var progress = $$"""{"type":"{{prefix}}.in_progress","sequence_number":7{{extra}}}""";
        var completed = $$"""{"type":"{{prefix}}.completed","b64_json":"{{WebpB64}}","created_at":1620000001,"size":"1536x1024","quality":"high","background":"transparent","output_format":"webp","usage":{"total_tokens":100,"input_tokens":50,"output_tokens":50,"input_tokens_details":{"text_tokens":10,"image_tokens":40{{extra}}}{{extra}}}{{extra}}}""";
        return $"event: {prefix}.partial_image\ndata: {partial}\n\n"
            + (unknown.Length > 0 ? $"event: {prefix}.in_progress\ndata: {progress}\n\n: a comment line\n\n" : string.Empty)
            + $"event: {prefix}.completed\ndata: {completed}\n\n";
    }

    private static void AssertStream(ScriptResult r)
    {
        Assert.True(!r.AllErrors.Any(), r.Describe());
        var images = r.Images;
        Assert.Equal(2, images.Count);
        var partial = images[0];
        Assert.True((bool)partial.IsPartial);
        Assert.Equal(2, (int?)partial.PartialImageIndex);
        Assert.Equal(SampleImages.Png, (byte[])partial.Data);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1620000000), (DateTimeOffset?)partial.Created);
        Assert.Equal("1024x1536", (string)partial.Size);
        Assert.Equal("medium", (string)partial.Quality);
        Assert.Equal("opaque", (string)partial.Background);
        Assert.Equal("png", (string)partial.OutputFormat);
        Assert.Null(partial.Usage);

        var final = images[1];
        Assert.False((bool)final.IsPartial);
        Assert.Null((int?)final.PartialImageIndex);
        Assert.Equal(0, (int)final.Index);
        Assert.Equal(SampleImages.Webp, (byte[])final.Data);
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1620000001), (DateTimeOffset?)final.Created);
        Assert.Equal("1536x1024", (string)final.Size);
        Assert.Equal("high", (string)final.Quality);
        Assert.Equal("transparent", (string)final.Background);
        Assert.Equal("webp", (string)final.OutputFormat);
        Assert.Equal(100L, (long)final.Usage.TotalTokens);
        Assert.Equal(50L, (long)final.Usage.InputTokens);
        Assert.Equal(50L, (long)final.Usage.OutputTokens);
        Assert.Equal(10L, (long)final.Usage.InputTokensDetails.TextTokens);
        Assert.Equal(40L, (long)final.Usage.InputTokensDetails.ImageTokens);
        Assert.Null(final.Usage.OutputTokensDetails); // ImagesUsage (stream events) has none
    }

    private static void AssertFullImagesResponse(ScriptResult r)
    {
        Assert.True(!r.AllErrors.Any(), r.Describe());
        var images = r.Images;
        Assert.Equal(2, images.Count);
        Assert.Equal(SampleImages.Png, (byte[])images[0].Data);
        Assert.Equal(SampleImages.Webp, (byte[])images[1].Data);
        Assert.Equal("A fluffy sea otter pup floating on its back", (string)images[0].RevisedPrompt);
        Assert.Null(images[1].RevisedPrompt);
        Assert.Null(images[0].Url);
        Assert.Equal("https://oaidalleapiprodscus.blob.core.windows.net/private/org-x/img-2.png?se=2026-08-21T10%3A00%3A00Z&sig=abc", ((Uri)images[1].Url).OriginalString);
        for (int i = 0; i < 2; i++)
        {
            var image = images[i];
            Assert.Equal(i, (int)image.Index);
            Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1713833628), (DateTimeOffset?)image.Created);
            Assert.Equal("transparent", (string)image.Background);
            Assert.Equal("png", (string)image.OutputFormat);
            Assert.Equal("1536x1024", (string)image.Size);
            Assert.Equal("medium", (string)image.Quality);
            Assert.False((bool)image.IsPartial);
            var usage = image.Usage;
            Assert.Equal(4321L, (long)usage.TotalTokens);
            Assert.Equal(321L, (long)usage.InputTokens);
            Assert.Equal(4000L, (long)usage.OutputTokens);
            Assert.Equal(21L, (long)usage.InputTokensDetails.TextTokens);
            Assert.Equal(300L, (long)usage.InputTokensDetails.ImageTokens);
            Assert.Equal(100L, (long)usage.OutputTokensDetails.TextTokens);
            Assert.Equal(3900L, (long)usage.OutputTokensDetails.ImageTokens);
        }
    }

    /// <summary>The hand-written bodies above carry exactly the properties of their spec schemas: a new response field in the spec fails here.</summary>
    [Fact]
    public void TheHandWrittenBodies_HaveEveryPropertyOfTheirSpecSchema()
    {
        var spec = OpenApiSpec.Official;
        var response = JsonNode.Parse(FullImagesResponse())!.AsObject();
        var mismatches = new List<string>();
        void Compare(string schema, IEnumerable<JsonObject> objects)
        {
            var keys = objects.SelectMany(o => o.Select(p => p.Key)).Distinct().ToList();
            var properties = spec.Properties(schema);
            mismatches.AddRange(properties.Except(keys).Select(p => $"{schema}.{p} is in the spec but not in the test body (map it to ImageResult, or ignore it knowingly)"));
            mismatches.AddRange(keys.Except(properties).Select(k => $"{k} is in the test body but not in {schema}"));
        }

        Compare("ImagesResponse", [response]);
        Compare("Image", response["data"]!.AsArray().Select(d => d!.AsObject()));
        Compare("ImageGenUsage", [response["usage"]!.AsObject()]);
        Compare("ImageGenInputUsageDetails", [response["usage"]!["input_tokens_details"]!.AsObject()]);
        Compare("ImageGenOutputTokensDetails", [response["usage"]!["output_tokens_details"]!.AsObject()]);
        foreach (var prefix in new[] { "image_generation", "image_edit" })
        {
            var events = StreamBody(prefix, string.Empty).Split('\n').Where(l => l.StartsWith("data: ", StringComparison.Ordinal)).Select(l => JsonNode.Parse(l[6..])!.AsObject()).ToList();
            var schema = prefix == "image_generation" ? "ImageGen" : "ImageEdit";
            Compare(schema + "PartialImageEvent", [events[0]]);
            Compare(schema + "CompletedEvent", [events[1]]);
            Compare("ImagesUsage", [events[1]["usage"]!.AsObject()]);
            Assert.Equal(spec.Enum(schema + "PartialImageEvent", "type"), [(string)events[0]["type"]!]);
            Assert.Equal(spec.Enum(schema + "CompletedEvent", "type"), [(string)events[1]["type"]!]);
        }

        Assert.True(mismatches.Count == 0, string.Join(Environment.NewLine, mismatches));
    }
}
