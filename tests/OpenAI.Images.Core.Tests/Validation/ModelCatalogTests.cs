using System;
using System.Collections.Generic;
using System.Linq;
using OpenAI.Images.Validation;

namespace OpenAI.Images.Core.Tests.Validation;

/// <summary>
/// The model table (issue 17): exact ids and dated snapshots, what each model takes, and which facts may refuse a
/// request (the spec, OpenAI's pages) and which never do (third parties, undocumented, a model the table does not know).
/// </summary>
public sealed class ModelCatalogTests
{
    [Theory]
    [InlineData("gpt-image-2.5-flare-2026-09-08", "gpt-image-2.5-flare")]
    [InlineData("GPT-Image-2.5-Sunburst", "gpt-image-2.5-sunburst")]
    [InlineData(" gpt-image-2.6-flare ", "gpt-image-2.6-flare")]
    [InlineData("gpt-image-2-2026-04-21", "gpt-image-2")]
    [InlineData("gpt-image-2-2027-01-31", "gpt-image-2")]
    [InlineData("gpt-image-1.5-2025-12-16", "gpt-image-1.5")]
    [InlineData("gpt-image-1-mini", "gpt-image-1-mini")]
    [InlineData("chatgpt-image-latest", "chatgpt-image-latest")]
    [InlineData("dall-e-3", "dall-e-3")]
    public void ARowMatchesItsIdAndItsDatedSnapshots(string model, string row) =>
        Assert.Equal(row, ModelCatalog.Find(model)?.Id);

    [Theory]
    [InlineData("gpt-image-2-foo")]
    [InlineData("gpt-image-2.7-nova")]
    [InlineData("gpt-image-3-preview")]
    [InlineData("gpt-image-2.5")]
    [InlineData("gpt-image-2.5-flare-preview")]
    [InlineData("gpt-image-2.5-flare-2026-13-45")]
    [InlineData("gpt-image-2.5-flare-20260908")]
    [InlineData("gpt-image-1.5-mini")]
    [InlineData("dall-e-3-hd")]
    [InlineData("")]
    [InlineData(null)]
    public void ANameThatOnlyStartsLikeARowIsUnknown(string? model) => Assert.Null(ModelCatalog.Find(model));

    [Fact]
    public void TheTableHasItsCheckDateAndSourcesAndEachRowItsFacts()
    {
        Assert.Equal(new DateTime(2026, 12, 7), ModelCatalog.CheckedOn);
        Assert.Contains(ModelCatalog.Sources, s => s.StartsWith("[spec]", StringComparison.Ordinal));
        Assert.Contains(ModelCatalog.Sources, s => s.Contains("docs/deprecations", StringComparison.Ordinal));
        Assert.Equal(
            new[]
            {
                "gpt-image-2.6-sunburst", "gpt-image-2.6-flare", "gpt-image-2.5-sunburst", "gpt-image-2.5-flare", "gpt-image-2", "gpt-image-1.5",
                "gpt-image-1", "gpt-image-1-mini", "chatgpt-image-latest", "dall-e-3", "dall-e-2",
            },
            ModelCatalog.Models.Select(m => m.Id));

        ModelCapabilities sunburst25 = ModelCatalog.Find("gpt-image-2.5-sunburst")!;
        Assert.Equal(new[] { "low", "medium", "high", "xhigh", "max", "auto" }, sunburst25.Qualities);
        Assert.Equal(FactSource.Reference, sunburst25.QualitySource);
        Assert.True(sunburst25.CustomSizes && sunburst25.Transparency && sunburst25.Streaming && sunburst25.InputFidelity);
        Assert.Equal((FactSource.Reference, FactSource.Reference, FactSource.Undocumented), (sunburst25.CustomSizesSource, sunburst25.TransparencySource, sunburst25.InputFidelitySource));
        Assert.Equal(new[] { "gpt-image-2.5-sunburst-2026-09-08" }, sunburst25.Snapshots);

        ModelCapabilities flare26 = ModelCatalog.Find("gpt-image-2.6-flare")!;
        Assert.Equal(new[] { "low", "medium", "high", "xhigh", "max", "auto" }, flare26.Qualities);
        Assert.Equal((FactSource.ThirdParty, FactSource.ThirdParty, FactSource.ThirdParty), (flare26.QualitySource, flare26.CustomSizesSource, flare26.TransparencySource));
        Assert.Null(flare26.ShutdownDate);

        ModelCapabilities gpt2 = ModelCatalog.Find("gpt-image-2")!;
        Assert.Equal(new[] { "low", "medium", "high", "auto" }, gpt2.Qualities);
        Assert.Equal(FactSource.Spec, gpt2.QualitySource);
        Assert.Equal(new[] { "low" }, ModelCatalog.Find("gpt-image-1-mini")!.InputFidelities);
        Assert.Equal(new[] { "gpt-image-2.5-sunburst", "gpt-image-2.5-flare" }, ModelCatalog.Find("gpt-image-1")!.Replacements);
        Assert.Equal(new DateTime(2026, 12, 1), ModelCatalog.Find("gpt-image-1.5-2025-12-16")!.ShutdownDate);
    }

    [Fact]
    public void KnownValuesGoInTheModulesSpellingAndAnyOtherValueAsGiven()
    {
        Assert.Equal("xhigh", ModelCatalog.Normalize("Quality", "XHigh"));
        Assert.Equal("max", ModelCatalog.Normalize("Quality", "MAX"));
        Assert.Equal("transparent", ModelCatalog.Normalize("Background", "Transparent"));
        Assert.Equal("Ultra-HD", ModelCatalog.Normalize("Quality", "Ultra-HD"));
        Assert.Equal("GIF", ModelCatalog.Normalize("OutputFormat", "GIF"));
        Assert.Null(ModelCatalog.Normalize("Quality", null));
    }

    [Fact]
    public void CompletionValuesAreTheModelsOwnOrTheUnionOfEverythingKnown()
    {
        Assert.Equal(new[] { "low", "medium", "high", "xhigh", "max", "auto" }, ModelCatalog.ValuesFor("Quality", "gpt-image-2.5-flare-2026-09-08", ImageOperation.Edit));
        Assert.Equal(new[] { "low", "medium", "high", "auto" }, ModelCatalog.ValuesFor("Quality", "gpt-image-2", ImageOperation.Generation));
        Assert.Equal(new[] { "standard", "hd", "auto" }, ModelCatalog.ValuesFor("Quality", "dall-e-3", ImageOperation.Generation));
        Assert.Equal(new[] { "low", "medium", "high", "xhigh", "max", "auto", "standard", "hd" }, ModelCatalog.ValuesFor("Quality", null, ImageOperation.Generation));
        Assert.Equal(ModelCatalog.ValuesFor("Quality", null, ImageOperation.Edit), ModelCatalog.ValuesFor("Quality", "gpt-image-2.7-nova", ImageOperation.Edit));
        Assert.Equal(new[] { "low" }, ModelCatalog.ValuesFor("InputFidelity", "gpt-image-1-mini", ImageOperation.Edit));
        Assert.Empty(ModelCatalog.ValuesFor("Background", "dall-e-3", ImageOperation.Generation));
        Assert.Equal(new[] { "vivid", "natural" }, ModelCatalog.ValuesFor("Style", "gpt-image-3-preview", ImageOperation.Generation));
    }

    // ---------- the validator on the table ----------

    private static List<string> Validate(ImageRequest request)
    {
        var notes = new List<string>();
        RequestValidator.Validate(request, notes.Add);
        return notes;
    }

    private static OpenAIValidationException Refused(ImageRequest request) =>
        Assert.Throws<OpenAIValidationException>(() => RequestValidator.Validate(request));

    private static ImageGenerationRequest Generation(string model, string? quality = null, string? size = null) =>
        new() { Model = model, Prompt = "an otter", Quality = quality, Size = size };

    private static ImageEditRequest Edit(string model, string? quality = null, string? inputFidelity = null)
    {
        var edit = new ImageEditRequest { Model = model, Prompt = "add a hat", Quality = quality, InputFidelity = inputFidelity };
        edit.Images.Add(ImageInputFile.FromPath(TestAssets.Path("sample-8x8.png")));
        return edit;
    }

    [Theory]
    [InlineData("gpt-image-2.5-sunburst", "xhigh")]
    [InlineData("gpt-image-2.5-flare-2026-09-08", "max")]
    [InlineData("gpt-image-2.6-sunburst", "xhigh")]
    [InlineData("gpt-image-2.6-flare", "max")]
    public void TheTopQualitiesPassOnTheTwoPointFiveAndTwoPointSixModels(string model, string quality)
    {
        Assert.Empty(Validate(Generation(model, quality)));
        Assert.Empty(Validate(Edit(model, quality)));
    }

    [Theory]
    [InlineData("gpt-image-2", "xhigh", ImageOperation.Generation)]
    [InlineData("gpt-image-2-2026-04-21", "max", ImageOperation.Edit)]
    [InlineData("gpt-image-1.5", "xhigh", ImageOperation.Edit)]
    [InlineData("gpt-image-2.5-flare", "hihg", ImageOperation.Generation)]
    public void AQualityTheSpecOrOpenAIsPagesRuleOutIsRefusedAndTheErrorNamesTheModelsValues(string model, string quality, ImageOperation operation)
    {
        OpenAIValidationException ex = Refused(operation == ImageOperation.Edit ? Edit(model, quality) : Generation(model, quality));
        Assert.Equal(("Quality", "QualityNotSupported", (object?)quality), (ex.ParamName, ex.Rule, ex.Value));
        string takes = string.Join(", ", ModelCatalog.Find(model)!.Qualities);
        Assert.Equal($"-Quality '{quality}' is not supported by {model}; it takes {takes}.", ex.Reason);
    }

    [Fact]
    public void AValueOutsideAThirdPartyListIsSentWithANote()
    {
        var notes = Validate(Generation("gpt-image-2.6-flare", "ultra"));
        Assert.Equal("-Quality 'ultra' is not among the values third parties list for gpt-image-2.6-flare (low, medium, high, xhigh, max, auto): it is sent as given and OpenAI will judge it.", Assert.Single(notes));
        Assert.Contains("'gif'", Assert.Single(Validate(new ImageGenerationRequest { Model = "gpt-image-2.6-sunburst", Prompt = "x", OutputFormat = "gif" })));
        Assert.Contains("(OpenAI documents none)", Assert.Single(Validate(Edit("gpt-image-2.5-sunburst", inputFidelity: "medium"))));
    }

    [Theory]
    [InlineData("gpt-image-3-preview")]
    [InlineData("gpt-image-2.7-nova")]
    [InlineData("gpt-image-2-foo")]
    public void AModelTheTableDoesNotKnowSendsEveryValueAsGivenWithOneNote(string model)
    {
        var request = new ImageGenerationRequest
        {
            Model = model, Prompt = "an otter", Quality = "ultra", Size = "8k", Background = "glass", OutputFormat = "avif", Moderation = "strict", Style = "noir",
        };
        string note = Assert.Single(Validate(request));
        Assert.Equal($"Model '{model}' is not in this module's model table (checked on 2026-12-07): its values are sent as given and OpenAI will judge them.", note);
        Assert.Single(Validate(new ImageGenerationRequest { Model = model, Prompt = "x", Background = "transparent", OutputFormat = "jpeg" }));
        Assert.Single(Validate(new ImageEditRequest { Model = model, Prompt = "x", InputFidelity = "extreme", Images = { ImageInputFile.FromPath(TestAssets.Path("sample-8x8.png")) } }));
    }

    [Theory]
    [InlineData("2048x1152", null)]
    [InlineData("3840x2160", null)]
    [InlineData("1536x512", null)]
    [InlineData("1000x1000", "SizeNotMultipleOf16")]
    [InlineData("4096x1536", "SizeTooLarge")]
    [InlineData("3840x1024", "SizeAspectRatio")]
    [InlineData("3840x3840", "SizeTooManyPixels")]
    [InlineData("huge", "SizeFormat")]
    public void CustomSizesOnTwoPointFiveFollowTheReference(string size, string? rule)
    {
        foreach (string model in new[] { "gpt-image-2.5-sunburst", "gpt-image-2.5-flare-2026-09-08" })
        {
            if (rule is null)
            {
                Assert.Empty(Validate(Generation(model, size: size)));
                continue;
            }

            OpenAIValidationException ex = Refused(Generation(model, size: size));
            Assert.Equal(("Size", rule, (object?)size), (ex.ParamName, ex.Rule, ex.Value));
            Assert.Contains(rule == "SizeFormat" ? "use WIDTHxHEIGHT" : model, ex.Reason, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void CustomSizeLimitsThatOnlyThirdPartiesGiveAreNotedNotEnforced()
    {
        string note = Assert.Single(Validate(Generation("gpt-image-2.6-sunburst", size: "1000x1000")));
        Assert.StartsWith("-Size '1000x1000': gpt-image-2.6-sunburst needs both width and height to be multiples of 16.", note);
        Assert.EndsWith("Only third parties give these limits for gpt-image-2.6-sunburst: the size is sent as given and OpenAI will judge it.", note);
        Assert.Empty(Validate(Generation("gpt-image-2.6-sunburst", size: "2048x1152")));
    }

    [Fact]
    public void TransparencyIsNeverRefusedOnAGptImageModel()
    {
        foreach (string model in new[] { "gpt-image-2", "gpt-image-2.5-flare", "gpt-image-2.6-flare" })
        {
            var notes = Validate(new ImageGenerationRequest { Model = model, Prompt = "a sticker", Background = "transparent", OutputFormat = "png" });
            Assert.Empty(notes);
        }

        Assert.Equal("BackgroundNotSupported", Refused(new ImageGenerationRequest { Model = "gpt-image-2", Prompt = "x", Background = "transparant" }).Rule);
    }

    [Fact]
    public void InputFidelityFollowsTheReferenceForGptImage1MiniAndNotesItForGptImage2()
    {
        Assert.Empty(Validate(Edit("gpt-image-1-mini", inputFidelity: "low")));
        OpenAIValidationException ex = Refused(Edit("gpt-image-1-mini", inputFidelity: "high"));
        Assert.Equal(("InputFidelityNotSupported", "-InputFidelity 'high' is not supported by gpt-image-1-mini; it takes low."), (ex.Rule, ex.Reason));
        Assert.Contains("omit this parameter", Assert.Single(Validate(Edit("gpt-image-2", inputFidelity: "high"))), StringComparison.Ordinal);
    }
}
