using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using OpenAI.Images.FakeApi;
using OpenAI.Images.Tests.Spec;

namespace OpenAI.Images.Tests.Conformance;

/// <summary>
/// Mutation proof: a broken request field must make the conformance suite fail, without shipping a bug to prove it.
/// The module's own requests are recorded byte for byte by the loopback fake (the cmdlets run in the hosted engine
/// against it), then replayed to Prism with the module's Content-Type and Accept headers:
/// <list type="bullet">
/// <item>unchanged, each must be accepted (200; or, for a streamed request with <c>Accept: text/event-stream</c>,
/// Prism's 500 NO_COMPLEX_OBJECT_TEXT, which comes only after the request passed validation) — so the replay is
/// faithful and the matrix's verdicts carry over;</item>
/// <item>with one field corrupted at a time (a JSON type, an enum value, a bound; a multipart text part rewritten in
/// place; a required part removed), each must be rejected with 422 and a validation entry naming that field — so had the
/// module sent that corruption, the cmdlet matrix (<see cref="PrismCmdletMatrixTests"/>) would have failed.</item>
/// </list>
/// Every field the module sends needs an entry in <see cref="Mutations"/>. A field Prism cannot check is marked blind:
/// the corruption must still pass Prism (pinning the blind spot), and the row names the test that covers it instead.
/// </summary>
[Collection(PrismCollection.Name)]
public sealed class PrismMutationTests : EngineTest
{
    private readonly PrismFixture prism;

    public PrismMutationTests(FakeApiFixture fixture, PrismFixture prism) : base(fixture) => this.prism = prism;

    /// <summary>The module's requests: together they send every request field the module knows.</summary>
    public static TheoryData<string> ModuleRequests => new(Scripts.Keys);

    private static readonly Dictionary<string, string> Scripts = new()
    {
        ["generation, GPT, every field, streamed"] =
            "New-OpenAIImage -Prompt 'A cute baby sea otter' -Model gpt-image-1.5 -Count 2 -Size 1536x1024 -Quality high -Background transparent -Moderation low "
            + "-OutputFormat webp -OutputCompression 80 -User user-1234 -PartialImages 2",
        ["generation, GPT, not streamed"] =
            "New-OpenAIImage -Prompt 'A cute baby sea otter' -Model gpt-image-2 -Size 1536x864 -Quality low -Background opaque -OutputFormat jpeg -OutputCompression 0",
        ["generation, dall-e-3, every field"] =
            "New-OpenAIImage -Prompt 'A cute baby sea otter' -Model dall-e-3 -Count 1 -Size 1792x1024 -Quality hd -Style natural -ResponseFormat b64_json -User user-1234",
        ["edit, GPT, every field, mask, streamed"] =
            "Edit-OpenAIImage -Prompt 'Add a beret' -Path sample-8x8.png -Mask sample-8x8-rgba.png -Model gpt-image-1.5 -Count 2 -Size 1024x1536 -Quality medium "
            + "-Background opaque -InputFidelity high -OutputFormat jpeg -OutputCompression 90 -User user-1234 -Stream -PartialImages 1",
        ["edit, dall-e-2, response format"] =
            "Edit-OpenAIImage -Prompt 'Add a beret' -Path sample-8x8-rgba.png -Model dall-e-2 -Size 512x512 -Quality standard -ResponseFormat b64_json -Count 3",
        ["variation, every field"] =
            "New-OpenAIImageVariation -Path sample-8x8.png -Model dall-e-2 -Count 2 -Size 256x256 -ResponseFormat url -User user-1234",
    };

    /// <summary>How a field is corrupted, and what Prism must say: the Ajv code naming it, or null when Prism is blind to it.</summary>
    private sealed record Mutation(string Field, string Description, Func<Body, Body> Apply, string? Code, string? CoveredBy = null);

    /// <summary>JSON bodies (generations).</summary>
    private static readonly Mutation[] JsonMutations =
    [
        new("prompt", "removed", b => b.WithoutJson("prompt"), "required"),
        new("model", "a number (42)", b => b.WithJson("model", 42), "type"),
        new("n", "the string \"2\"", b => b.WithJson("n", "2"), "type"),
        new("size", "a number (1024)", b => b.WithJson("size", 1024), "type"),
        new("quality", "\"ultra\"", b => b.WithJson("quality", "ultra"), "enum"),
        new("style", "\"anime\"", b => b.WithJson("style", "anime"), "enum"),
        new("background", "\"sometimes\"", b => b.WithJson("background", "sometimes"), "enum"),
        new("moderation", "\"strict\"", b => b.WithJson("moderation", "strict"), "enum"),
        new("output_format", "\"gif\"", b => b.WithJson("output_format", "gif"), "enum"),
        new("output_compression", "the string \"80\"", b => b.WithJson("output_compression", "80"), "type"),
        new("response_format", "\"png\"", b => b.WithJson("response_format", "png"), "enum"),
        new("user", "a number (1234)", b => b.WithJson("user", 1234), "type"),
        new("stream", "the string \"true\"", b => b.WithJson("stream", "true"), "type"),
        new("partial_images", "4", b => b.WithJson("partial_images", 4), "maximum"),
    ];

    /// <summary>multipart/form-data bodies (edits and variations): text parts are rewritten in place, byte for byte.</summary>
    private static readonly Mutation[] EditMutations =
    [
        new("image", "part removed", b => b.WithoutPart("image"), "required"),
        new("mask", "a text file instead of a PNG", b => b.WithFileContent("mask", "not a png"u8.ToArray()), null, "FakeWireConformanceTests.EditMultipart_MaskPart; module validation (mask must be a PNG with alpha)"),
        new("prompt", "part removed", b => b.WithoutPart("prompt"), "required"),
        new("model", "\"foo\"", b => b.WithText("model", "foo"), null, "module validation (ModelCatalog.EditModels) and the drift tests"),
        new("n", "\"abc\"", b => b.WithText("n", "abc"), "type"),
        new("size", "\"7x7\"", b => b.WithText("size", "7x7"), null, "module validation (per-model sizes)"),
        new("quality", "\"hd\" (generations only)", b => b.WithText("quality", "hd"), "enum"),
        new("background", "\"sometimes\"", b => b.WithText("background", "sometimes"), "enum"),
        new("input_fidelity", "\"medium\"", b => b.WithText("input_fidelity", "medium"), "enum"),
        new("output_format", "\"gif\"", b => b.WithText("output_format", "gif"), "enum"),
        new("output_compression", "\"abc\"", b => b.WithText("output_compression", "abc"), "type"),
        new("response_format", "\"png\"", b => b.WithText("response_format", "png"), "enum"),
        new("user", "any text", b => b.WithText("user", "\u0001"), null, "nothing to check: any string is a valid user id"),
        new("stream", "\"maybe\"", b => b.WithText("stream", "maybe"), "type"),
        new("partial_images", "\"4\"", b => b.WithText("partial_images", "4"), "maximum"),
    ];

    private static readonly Mutation[] VariationMutations =
    [
        new("image", "part removed", b => b.WithoutPart("image"), "required"),
        new("model", "\"gpt-image-1\"", b => b.WithText("model", "gpt-image-1"), null, "module validation (variations take dall-e-2 only)"),
        new("n", "\"11\"", b => b.WithText("n", "11"), "maximum"),
        new("size", "\"300x300\"", b => b.WithText("size", "300x300"), "enum"),
        new("response_format", "\"png\"", b => b.WithText("response_format", "png"), "enum"),
        new("user", "any text", b => b.WithText("user", "\u0001"), null, "nothing to check: any string is a valid user id"),
    ];

    private static Mutation[] Mutations(string endpoint) => endpoint switch
    {
        "generations" => JsonMutations,
        "edits" => EditMutations,
        _ => VariationMutations,
    };

    [Theory]
    [MemberData(nameof(ModuleRequests))]
    public async Task EveryFieldTheModuleSends_PrismAcceptsAsSentAndRejectsWhenBroken(string name)
    {
        _ = prism.Server; // skip first when Prism is not installed
        CopyAsset("sample-8x8.png");
        CopyAsset("sample-8x8-rgba.png");
        var run = Run(Scripts[name]);
        Assert.True(!run.AllErrors.Any(), run.Describe());
        var recorded = Assert.Single(Fake.ApiRequests);
        var endpoint = recorded.Path[(recorded.Path.LastIndexOf('/') + 1)..];
        var original = Body.From(recorded);
        var streamed = recorded.Header("Accept") == "text/event-stream";

        // As the module sent it.
        var asSent = await ReplayAsync(recorded, original);
        if (streamed)
        {
            Assert.True(asSent.Status == HttpStatusCode.InternalServerError && asSent.Text.Contains("NO_COMPLEX_OBJECT_TEXT", StringComparison.Ordinal), "unchanged streamed request: " + asSent.Describe());
        }
        else
        {
            Assert.True(asSent.Status == HttpStatusCode.OK, "unchanged request: " + asSent.Describe());
        }

        // Field names: Prism lets unknown fields through, so a misspelt name would pass it; the spec decides here.
        var schema = endpoint switch { "generations" => "CreateImageRequest", "edits" => "CreateImageEditRequest", _ => "CreateImageVariationRequest" };
        var sent = original.FieldNames();
        var notInSpec = sent.Where(f => !OpenApiSpec.Official.HasProperty(schema, f)).ToList();
        Assert.True(notInSpec.Count == 0, $"the module sends fields that {schema} does not have: {string.Join(", ", notInSpec)}");

        // One field broken at a time.
        var mutations = Mutations(endpoint);
        var unknown = sent.Where(f => mutations.All(m => m.Field != f)).ToList();
        Assert.True(unknown.Count == 0, $"the module sends fields with no mutation in PrismMutationTests: {string.Join(", ", unknown)}");

        var failures = new List<string>();
        var report = new List<string>();
        foreach (var mutation in mutations.Where(m => sent.Contains(m.Field)))
        {
            var broken = mutation.Apply(original);
            Assert.NotEqual(original.Bytes, broken.Bytes);
            var reply = await ReplayAsync(recorded, broken);
            if (mutation.Code is null)
            {
                var passed = reply.Status == (streamed ? HttpStatusCode.InternalServerError : HttpStatusCode.OK);
                report.Add($"{mutation.Field} {mutation.Description}: {(int)reply.Status} (Prism is blind; covered by {mutation.CoveredBy})");
                if (!passed)
                {
                    failures.Add($"{mutation.Field} = {mutation.Description}: Prism now rejects it, update the blind spots in docs/conformance.md. {reply.Describe()}");
                }

                continue;
            }

            report.Add($"{mutation.Field} {mutation.Description}: {(int)reply.Status} {mutation.Code}");
            if (!reply.Rejects(mutation.Field, mutation.Code))
            {
                failures.Add($"{mutation.Field} = {mutation.Description}: expected 422 with '{mutation.Code}' naming '{mutation.Field}'. {reply.Describe()}");
            }
        }

        TestContext.Current.SendDiagnosticMessage($"{name}: {string.Join("; ", report)}");
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
    }

    /// <summary>Every property of the three request schemas has a mutation, so a field the module starts sending is already covered.</summary>
    [Fact]
    public void EverySpecRequestProperty_HasAMutation()
    {
        var missing = new List<string>();
        foreach (var (schema, endpoint) in new[] { ("CreateImageRequest", "generations"), ("CreateImageEditRequest", "edits"), ("CreateImageVariationRequest", "variations") })
        {
            var fields = Mutations(endpoint).Select(m => m.Field).ToList();
            missing.AddRange(OpenApiSpec.Official.Properties(schema).Where(p => !fields.Contains(p)).Select(p => $"{schema}.{p}"));
            missing.AddRange(fields.Where(f => !OpenApiSpec.Official.HasProperty(schema, f)).Select(f => $"{f} is not a property of {schema}"));
        }

        Assert.True(missing.Count == 0, string.Join(Environment.NewLine, missing));
    }

    /// <summary>The multipart rewriting itself: parsing and re-serialising a module body gives back the same bytes, and a rewrite changes only that part.</summary>
    [Fact]
    public void MultipartRewrite_IsByteExact()
    {
        CopyAsset("sample-8x8.png");
        CopyAsset("sample-8x8-rgba.png");
        var run = Run("Edit-OpenAIImage -Prompt 'Add a beret' -Path sample-8x8.png -Mask sample-8x8-rgba.png -Model gpt-image-1 -Count 2 -User 'ü'");
        Assert.True(!run.AllErrors.Any(), run.Describe());
        var recorded = Assert.Single(Fake.ApiRequests);
        var body = Body.From(recorded);
        Assert.Equal(recorded.Body, body.WithText("n", "2").Bytes);
        var changed = body.WithText("n", "abc");
        var text = Encoding.Latin1.GetString(changed.Bytes);
        Assert.Equal(recorded.Body.Length + 2, changed.Bytes.Length);
        Assert.Contains("name=\"n\"\r\n\r\nabc\r\n--", text, StringComparison.Ordinal);
        Assert.Equal(body.FieldNames(), changed.FieldNames());
        Assert.DoesNotContain("prompt", body.WithoutPart("prompt").FieldNames());
        Assert.Equal(["image", "mask", "prompt", "model", "n", "user"], body.FieldNames().OrderBy(f => f == "image" ? 0 : f == "mask" ? 1 : 2).ToList());
    }

    private async Task<Reply> ReplayAsync(RecordedRequest recorded, Body body)
    {
        var path = recorded.Path[(recorded.Path.IndexOf("/images/", StringComparison.Ordinal) + 1)..]; // Prism has no /v1
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(body.Bytes) };
        request.Content.Headers.TryAddWithoutValidation("Content-Type", recorded.ContentType);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "sk-prism-mutation");
        if (recorded.Header("Accept") is { } accept)
        {
            request.Headers.TryAddWithoutValidation("Accept", accept);
        }

        var ct = TestContext.Current.CancellationToken;
        using var response = await prism.Client.SendAsync(request, ct);
        return new Reply(response.StatusCode, await response.Content.ReadAsStringAsync(ct));
    }

    private sealed record Reply(HttpStatusCode Status, string Text)
    {
        /// <summary>422 with a validation entry at ["body", field] with this code, or a "required" entry naming the field.</summary>
        public bool Rejects(string field, string code)
        {
            if (Status != HttpStatusCode.UnprocessableEntity)
            {
                return false;
            }

            using var doc = JsonDocument.Parse(Text);
            return doc.RootElement.GetProperty("validation").EnumerateArray().Any(v =>
                v.GetProperty("code").GetString() == code
                && (v.GetProperty("location").EnumerateArray().Skip(1).Take(1).Any(s => s.GetString() == field)
                    || (code == "required" && v.GetProperty("message").GetString()!.Contains($"'{field}'", StringComparison.Ordinal))));
        }

        public string Describe() => $"Got {(int)Status}: {(Text.Length > 1500 ? Text[..1500] + "…" : Text)}";
    }

    /// <summary>A request body as recorded, with copy-on-write edits: a JSON object, or multipart parts kept as raw bytes.</summary>
    private sealed class Body
    {
        private readonly JsonObject? json;
        private readonly byte[]? boundary;
        private readonly List<(string Name, byte[] Head, byte[] Content)>? parts;

        private Body(byte[] bytes, JsonObject? json, byte[]? boundary, List<(string, byte[], byte[])>? parts)
        {
            Bytes = bytes;
            this.json = json;
            this.boundary = boundary;
            this.parts = parts;
        }

        public byte[] Bytes { get; }

        public static Body From(RecordedRequest request)
        {
            if (request.Json is JsonObject obj)
            {
                return new Body(request.Body, obj, null, null);
            }

            var type = MediaTypeHeaderValue.Parse(request.ContentType!);
            Assert.Equal("multipart/form-data", type.MediaType);
            var boundary = Encoding.ASCII.GetBytes("--" + type.Parameters.Single(p => p.Name == "boundary").Value!.Trim('"'));
            var parts = Split(request.Body, boundary);
            var body = new Body(request.Body, null, boundary, parts);
            Assert.Equal(request.Body, body.Rebuild(parts).Bytes); // the split is lossless
            return body;
        }

        public IReadOnlyList<string> FieldNames() =>
            json is not null ? json.Select(p => p.Key).ToList() : parts!.Select(p => p.Name.EndsWith("[]", StringComparison.Ordinal) ? p.Name[..^2] : p.Name).Distinct().ToList();

        public Body WithJson(string name, JsonNode? value)
        {
            var copy = json!.DeepClone().AsObject();
            copy[name] = value;
            return new Body(Encoding.UTF8.GetBytes(copy.ToJsonString()), copy, null, null);
        }

        public Body WithoutJson(string name)
        {
            var copy = json!.DeepClone().AsObject();
            Assert.True(copy.Remove(name));
            return new Body(Encoding.UTF8.GetBytes(copy.ToJsonString()), copy, null, null);
        }

        public Body WithText(string name, string value) => WithFileContent(name, Encoding.UTF8.GetBytes(value));

        public Body WithFileContent(string name, byte[] content)
        {
            Assert.Contains(parts!, p => p.Name == name);
            return Rebuild(parts!.Select(p => p.Name == name ? (p.Name, p.Head, content) : p).ToList());
        }

        public Body WithoutPart(string name)
        {
            Assert.Contains(parts!, p => p.Name == name);
            return Rebuild(parts!.Where(p => p.Name != name).ToList());
        }

        private Body Rebuild(List<(string Name, byte[] Head, byte[] Content)> newParts)
        {
            var crlf = "\r\n"u8.ToArray();
            var output = new List<byte>();
            foreach (var (_, head, content) in newParts)
            {
                output.AddRange(boundary!);
                output.AddRange(crlf);
                output.AddRange(head);
                output.AddRange(content);
                output.AddRange(crlf);
            }

            output.AddRange(boundary!);
            output.AddRange("--\r\n"u8.ToArray());
            return new Body(output.ToArray(), null, boundary, newParts);
        }

        /// <summary>"--b\r\n" head "\r\n\r\n" content "\r\n--b" ... "--b--\r\n", as the module writes it.</summary>
        private static List<(string, byte[], byte[])> Split(byte[] body, byte[] boundary)
        {
            var result = new List<(string, byte[], byte[])>();
            var span = body.AsSpan();
            Assert.True(span.StartsWith(boundary), "multipart body does not start with its boundary");
            var at = boundary.Length;
            while (!span[at..].StartsWith("--"u8))
            {
                Assert.True(span[at..].StartsWith("\r\n"u8));
                at += 2;
                var headEnd = span[at..].IndexOf("\r\n\r\n"u8) + at + 4;
                var next = span[headEnd..].IndexOf([.. "\r\n"u8, .. boundary]) + headEnd;
                Assert.True(next >= headEnd, "unterminated part");
                var head = span[at..headEnd].ToArray();
                var headText = Encoding.UTF8.GetString(head);
                var nameStart = headText.IndexOf("name=\"", StringComparison.Ordinal) + 6;
                var name = headText[nameStart..headText.IndexOf('"', nameStart)];
                result.Add((name, head, span[headEnd..next].ToArray()));
                at = next + 2 + boundary.Length;
            }

            Assert.True(span[at..].SequenceEqual("--\r\n"u8), "unexpected bytes after the closing boundary");
            return result;
        }
    }
}
