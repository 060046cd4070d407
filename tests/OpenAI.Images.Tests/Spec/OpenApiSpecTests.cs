using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace OpenAI.Images.Tests.Spec;

/// <summary>
/// Facts read by hand from openapi/openai-openapi.yaml (OpenAI spec 2.3.0, commit f85dbe2), asserted
/// through <see cref="OpenApiSpec"/>. They prove the reader answers correctly (refs, anyOf branches, nullable),
/// and they fail loudly when the spec file is replaced by one that changed a fact the module relies on.
/// </summary>
public sealed class OpenApiSpecTests
{
    private static OpenApiSpec Spec => OpenApiSpec.Official;

    [Fact]
    public void LoadsTheOfficialSpecOnce()
    {
        // One parse for the whole run (how long it takes is reported, not asserted: it depends on the machine's load).
        Assert.Same(OpenApiSpec.Official, OpenApiSpec.Official);
        Assert.Equal("2.3.0", Spec.Version);
        Assert.EndsWith("openai-openapi.yaml", Spec.FilePath, StringComparison.Ordinal);
        Assert.True(Spec.SchemaNames.Count > 1000, $"only {Spec.SchemaNames.Count} schemas");
        TestContext.Current.SendDiagnosticMessage($"Parsed {Spec.FilePath} in {Spec.ParseTime.TotalMilliseconds:F0} ms");
    }

    // ---- CreateImageRequest (POST /images/generations, JSON) ----

    [Fact]
    public void Generation_Quality_MergesEveryValue() =>
        Assert.Equal(["standard", "hd", "low", "medium", "high", "auto"], Spec.Enum("CreateImageRequest", "quality"));

    [Fact]
    public void Generation_Model_EnumComesFromTheAnyOfBranch() =>
        Assert.Equal(
            ["gpt-image-1.5", "gpt-image-2", "gpt-image-2-2026-04-21", "dall-e-2", "dall-e-3", "gpt-image-1", "gpt-image-1-mini"],
            Spec.Enum("CreateImageRequest", "model"));

    [Fact]
    public void Generation_Size_Enum() =>
        Assert.Equal(
            ["auto", "1024x1024", "1536x1024", "1024x1536", "256x256", "512x512", "1792x1024", "1024x1792"],
            Spec.Enum("CreateImageRequest", "size"));

    [Theory]
    [InlineData("response_format", new[] { "url", "b64_json" })]
    [InlineData("output_format", new[] { "png", "jpeg", "webp" })]
    [InlineData("moderation", new[] { "low", "auto" })]
    [InlineData("background", new[] { "transparent", "opaque", "auto" })]
    [InlineData("style", new[] { "vivid", "natural" })]
    public void Generation_OtherEnums(string property, string[] expected) =>
        Assert.Equal(expected, Spec.Enum("CreateImageRequest", property));

    [Fact]
    public void Generation_N_Range() => Assert.Equal((1L, 10L), Spec.Range("CreateImageRequest", "n"));

    [Fact]
    public void Generation_PartialImages_RangeFollowsTheRef() =>
        Assert.Equal((0L, 3L), Spec.Range("CreateImageRequest", "partial_images"));

    [Fact]
    public void Generation_OutputCompression_HasNoMachineReadableRange() =>
        // 0-100 is only in the description here (JSON edits have minimum/maximum): Prism cannot enforce it.
        Assert.Equal(((long?)null, (long?)null), Spec.Range("CreateImageRequest", "output_compression"));

    [Fact]
    public void Generation_Properties_And_Required()
    {
        Assert.Equal(
            ["prompt", "model", "n", "quality", "response_format", "output_format", "output_compression", "stream",
                "partial_images", "size", "moderation", "background", "style", "user"],
            Spec.Properties("CreateImageRequest"));
        Assert.Equal(["prompt"], Spec.Required("CreateImageRequest"));
    }

    [Theory]
    [InlineData("model", "dall-e-2")]
    [InlineData("n", "1")]
    [InlineData("quality", "auto")]
    [InlineData("response_format", "url")]
    [InlineData("output_format", "png")]
    [InlineData("output_compression", "100")]
    [InlineData("stream", "false")]
    [InlineData("partial_images", "0")]
    [InlineData("size", "auto")]
    [InlineData("moderation", "auto")]
    [InlineData("background", "auto")]
    [InlineData("style", "vivid")]
    [InlineData("prompt", null)]
    [InlineData("user", null)]
    public void Generation_Defaults(string property, string? expected) =>
        Assert.Equal(expected, Spec.Default("CreateImageRequest", property));

    [Fact]
    public void Generation_Descriptions_CarryThePerModelRules()
    {
        Assert.Contains("only `n=1` is supported", Spec.Description("CreateImageRequest", "n"), StringComparison.Ordinal);
        Assert.Contains("only supported for `dall-e-3`", Spec.Description("CreateImageRequest", "style"), StringComparison.Ordinal);
        Assert.Contains("4000 characters for `dall-e-3`", Spec.Description("CreateImageRequest", "prompt"), StringComparison.Ordinal);
        Assert.Contains("Value must be between 0 and 3", Spec.Description("CreateImageRequest", "partial_images"), StringComparison.Ordinal);
    }

    [Fact]
    public void Generation_TypesAndNullability()
    {
        Assert.Equal(["integer"], Spec.Types("CreateImageRequest", "n"));
        Assert.True(Spec.IsNullable("CreateImageRequest", "n"));
        Assert.True(Spec.IsNullable("CreateImageRequest", "model"));
        Assert.False(Spec.IsNullable("CreateImageRequest", "prompt"));
        Assert.Equal(["string"], Spec.Types("CreateImageRequest", "prompt"));
    }

    // ---- CreateImageEditRequest (POST /images/edits, multipart) ----

    [Fact]
    public void Edit_InputFidelity_FollowsTheRefToInputFidelity()
    {
        Assert.Equal(["high", "low"], Spec.Enum("CreateImageEditRequest", "input_fidelity"));
        Assert.Null(Spec.Default("CreateImageEditRequest", "input_fidelity"));
        Assert.StartsWith("Control how much effort", Spec.Description("CreateImageEditRequest", "input_fidelity"), StringComparison.Ordinal);
        Assert.Contains("Defaults to `low`", Spec.Description("CreateImageEditRequest", "input_fidelity"), StringComparison.Ordinal);
    }

    [Fact]
    public void Edit_Quality_HasStandardButNoHd() =>
        Assert.Equal(["standard", "low", "medium", "high", "auto"], Spec.Enum("CreateImageEditRequest", "quality"));

    [Fact]
    public void Edit_Model_Enum() =>
        Assert.Equal(
            ["gpt-image-1.5", "gpt-image-2", "gpt-image-2-2026-04-21", "dall-e-2", "gpt-image-1", "gpt-image-1-mini", "chatgpt-image-latest"],
            Spec.Enum("CreateImageEditRequest", "model"));

    [Fact]
    public void Edit_Size_EnumAndDefault()
    {
        Assert.Equal(["256x256", "512x512", "1024x1024", "1536x1024", "1024x1536", "auto"], Spec.Enum("CreateImageEditRequest", "size"));
        Assert.Equal("1024x1024", Spec.Default("CreateImageEditRequest", "size"));
    }

    [Fact]
    public void Edit_Properties_And_Required()
    {
        Assert.Equal(
            ["image", "prompt", "mask", "background", "model", "n", "size", "response_format", "output_format",
                "output_compression", "user", "input_fidelity", "stream", "partial_images", "quality"],
            Spec.Properties("CreateImageEditRequest"));
        Assert.DoesNotContain("moderation", Spec.Properties("CreateImageEditRequest"));
        Assert.Equal(["prompt", "image"], Spec.Required("CreateImageEditRequest"));
    }

    [Fact]
    public void Edit_RangesAndDefaults()
    {
        Assert.Equal((1L, 10L), Spec.Range("CreateImageEditRequest", "n"));
        Assert.Equal((0L, 3L), Spec.Range("CreateImageEditRequest", "partial_images"));
        Assert.Equal("gpt-image-1.5", Spec.Default("CreateImageEditRequest", "model"));
        Assert.Null(Spec.Default("CreateImageEditRequest", "response_format"));
        Assert.Contains("up to 16 images", Spec.Description("CreateImageEditRequest", "image"), StringComparison.Ordinal);
        Assert.Equal(["string", "array"], Spec.Types("CreateImageEditRequest", "image"));
    }

    // ---- EditImageBodyJsonParam (POST /images/edits, JSON) ----

    [Fact]
    public void JsonEdit_EnumsRangesAndRequired()
    {
        Assert.Equal(
            ["gpt-image-1.5", "gpt-image-2", "gpt-image-2-2026-04-21", "gpt-image-1", "gpt-image-1-mini", "chatgpt-image-latest"],
            Spec.Enum("EditImageBodyJsonParam", "model"));
        Assert.Equal(["low", "medium", "high", "auto"], Spec.Enum("EditImageBodyJsonParam", "quality"));
        Assert.Equal(["high", "low"], Spec.Enum("EditImageBodyJsonParam", "input_fidelity"));
        Assert.Equal(["auto", "1024x1024", "1536x1024", "1024x1536"], Spec.Enum("EditImageBodyJsonParam", "size"));
        Assert.Equal(["low", "auto"], Spec.Enum("EditImageBodyJsonParam", "moderation"));
        Assert.Equal((1L, 10L), Spec.Range("EditImageBodyJsonParam", "n"));
        Assert.Equal((0L, 100L), Spec.Range("EditImageBodyJsonParam", "output_compression"));
        Assert.Equal((0L, 3L), Spec.Range("EditImageBodyJsonParam", "partial_images"));
        Assert.Equal(["images", "prompt"], Spec.Required("EditImageBodyJsonParam"));
        Assert.Equal(["image_url", "file_id"], Spec.Properties("ImageRefParam"));
    }

    // ---- CreateImageVariationRequest (POST /images/variations, multipart) ----

    [Fact]
    public void Variation_SizeModelAndRequired()
    {
        Assert.Equal(["256x256", "512x512", "1024x1024"], Spec.Enum("CreateImageVariationRequest", "size"));
        Assert.Equal(["dall-e-2"], Spec.Enum("CreateImageVariationRequest", "model"));
        Assert.Equal(["url", "b64_json"], Spec.Enum("CreateImageVariationRequest", "response_format"));
        Assert.Equal((1L, 10L), Spec.Range("CreateImageVariationRequest", "n"));
        Assert.Equal(["image", "model", "n", "response_format", "size", "user"], Spec.Properties("CreateImageVariationRequest"));
        Assert.Equal(["image"], Spec.Required("CreateImageVariationRequest"));
        Assert.Equal("1024x1024", Spec.Default("CreateImageVariationRequest", "size"));
    }

    // ---- Responses ----

    [Fact]
    public void ImagesResponse_Shape()
    {
        Assert.Equal(["created", "data", "background", "output_format", "size", "quality", "usage"], Spec.Properties("ImagesResponse"));
        Assert.Equal(["created"], Spec.Required("ImagesResponse"));
        Assert.Equal(["transparent", "opaque"], Spec.Enum("ImagesResponse", "background"));
        Assert.Equal(["png", "webp", "jpeg"], Spec.Enum("ImagesResponse", "output_format"));
        Assert.Equal(["1024x1024", "1024x1536", "1536x1024"], Spec.Enum("ImagesResponse", "size"));
        Assert.Equal(["low", "medium", "high"], Spec.Enum("ImagesResponse", "quality"));
        Assert.Equal(["b64_json", "url", "revised_prompt"], Spec.Properties("Image"));
        Assert.Empty(Spec.Required("Image"));
        Assert.Equal(["input_tokens", "total_tokens", "output_tokens", "output_tokens_details", "input_tokens_details"], Spec.Properties("ImageGenUsage"));
        Assert.Equal(["input_tokens", "total_tokens", "output_tokens", "input_tokens_details"], Spec.Required("ImageGenUsage"));
        Assert.Equal(["text_tokens", "image_tokens"], Spec.Required("ImageGenInputUsageDetails"));
        Assert.Equal(["image_tokens", "text_tokens"], Spec.Required("ImageGenOutputTokensDetails"));
    }

    public static TheoryData<string, string, string> StreamEvents => new()
    {
        { "ImageGenPartialImageEvent", "image_generation.partial_image", "partial_image_index" },
        { "ImageGenCompletedEvent", "image_generation.completed", "usage" },
        { "ImageEditPartialImageEvent", "image_edit.partial_image", "partial_image_index" },
        { "ImageEditCompletedEvent", "image_edit.completed", "usage" },
    };

    [Theory]
    [MemberData(nameof(StreamEvents))]
    public void StreamEvents_RequireEveryField(string schema, string type, string last)
    {
        string[] expected = ["type", "b64_json", "created_at", "size", "quality", "background", "output_format", last];
        Assert.Equal(expected, Spec.Required(schema));
        Assert.Equal(expected, Spec.Properties(schema));
        Assert.Equal([type], Spec.Enum(schema, "type"));
        Assert.Equal(["1024x1024", "1024x1536", "1536x1024", "auto"], Spec.Enum(schema, "size"));
        Assert.Equal(["low", "medium", "high", "auto"], Spec.Enum(schema, "quality"));
        Assert.Equal(["transparent", "opaque", "auto"], Spec.Enum(schema, "background"));
        Assert.Equal(["png", "webp", "jpeg"], Spec.Enum(schema, "output_format"));
    }

    [Fact]
    public void StreamEventUnions_HaveNoOwnProperties()
    {
        Assert.Empty(Spec.Properties("ImageGenStreamEvent"));
        Assert.Empty(Spec.Properties("ImageEditStreamEvent"));
    }

    // ---- The reader itself ----

    [Fact]
    public void UnknownSchemaOrProperty_Throws()
    {
        var schema = Assert.Throws<KeyNotFoundException>(() => Spec.Properties("NoSuchSchema"));
        Assert.Contains("NoSuchSchema", schema.Message, StringComparison.Ordinal);
        var property = Assert.Throws<KeyNotFoundException>(() => Spec.Enum("CreateImageRequest", "input_fidelity"));
        Assert.Contains("input_fidelity", property.Message, StringComparison.Ordinal);
        Assert.False(Spec.HasProperty("CreateImageRequest", "input_fidelity"));
        Assert.True(Spec.HasProperty("CreateImageEditRequest", "input_fidelity"));
        Assert.False(Spec.HasSchema("NoSuchSchema"));
    }

    [Fact]
    public void PropertiesWithoutEnumOrRange_GiveEmptyAnswers()
    {
        Assert.Empty(Spec.Enum("CreateImageRequest", "prompt"));
        Assert.Empty(Spec.Enum("CreateImageRequest", "n"));
        Assert.Equal(((long?)null, (long?)null), Spec.Range("CreateImageRequest", "quality"));
    }

    [Fact]
    public void YamlDotNetBlankBlockScalarLine_IsWorkedAround()
    {
        // The shape of openai-openapi.yaml line 63264: a `|+` block whose only line is 12 spaces.
        const string Yaml = "stop:\n  example: |+\n            \n  nullable: true\n";
        Assert.ThrowsAny<YamlException>(() => new YamlStream().Load(new StringReader(Yaml))); // if this fails, YamlDotNet got fixed: drop the workaround
        var fixedText = OpenApiSpec.WorkAroundBlankBlockScalarLines(Yaml);
        Assert.Equal("stop:\n  example: |+\n\n  nullable: true\n", fixedText);
        var stream = new YamlStream();
        stream.Load(new StringReader(fixedText));
        var stop = (YamlMappingNode)((YamlMappingNode)stream.Documents[0].RootNode).Children[new YamlScalarNode("stop")];
        Assert.Equal("\n", ((YamlScalarNode)stop.Children[new YamlScalarNode("example")]).Value);
        Assert.Equal("a: |\n  x\n   \n  y\n", OpenApiSpec.WorkAroundBlankBlockScalarLines("a: |\n  x\n   \n  y\n")); // not a leading line: kept
    }

    [Fact]
    public void ThePrismExtract_AgreesWithTheOfficialSpecOnEveryImageRequestEnumAndRange()
    {
        // openai-images.yaml rewrites nullable as explicit null types; the reader must see the same facts. The only
        // enum that differs is quality, widened with xhigh and max (openapi/README.md).
        var extract = OpenApiSpec.Load(RepoLayout.PrismSpec);
        foreach (var schema in new[] { "CreateImageRequest", "CreateImageEditRequest", "EditImageBodyJsonParam", "CreateImageVariationRequest" })
        {
            Assert.Equal(Spec.Properties(schema), extract.Properties(schema));
            Assert.Equal(Spec.Required(schema), extract.Required(schema));
            foreach (var property in Spec.Properties(schema))
            {
                // The one widening openapi/README.md records: quality gains xhigh and max after high (OpenAI's images reference).
                var expected = Spec.Enum(schema, property).ToList();
                if (property == "quality" && schema != "CreateImageVariationRequest")
                {
                    expected.InsertRange(expected.IndexOf("high") + 1, ["xhigh", "max"]);
                }

                Assert.True(
                    expected.SequenceEqual(extract.Enum(schema, property)),
                    $"{schema}.{property}: [{string.Join(", ", expected)}] vs [{string.Join(", ", extract.Enum(schema, property))}]");
                Assert.Equal(Spec.Range(schema, property), extract.Range(schema, property));
                Assert.Equal(Spec.Default(schema, property), extract.Default(schema, property));
                Assert.Equal(Spec.IsNullable(schema, property), extract.IsNullable(schema, property));
            }
        }
    }
}
