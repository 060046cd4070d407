using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Text.Json.Nodes;
using OpenAI.Images.FakeApi;
using OpenAI.Images.Tests.Batch;

namespace OpenAI.Images.Tests;

/// <summary>
/// Issue 17 through the real cmdlets and the loopback fake: the 2.5 and 2.6 models' top qualities reach the wire in
/// every request shape and come back as strings; gpt-image-2 with xhigh is refused before sending; a model the table
/// does not know (or only a name that starts like one it knows) gets every value sent exactly as given.
/// </summary>
public sealed class ModelTableTests : BatchTest
{
    public ModelTableTests(FakeApiFixture fixture) : base(fixture)
    {
    }

    [Theory]
    [InlineData("gpt-image-2.5-sunburst", "xhigh")]
    [InlineData("gpt-image-2.5-flare-2026-09-08", "max")]
    [InlineData("gpt-image-2.6-sunburst", "max")]
    [InlineData("gpt-image-2.6-flare", "xhigh")]
    public void TheTopQualitiesReachTheWireForGenerationsAndMultipartEdits_AndComeBackAsStrings(string model, string quality)
    {
        CopyAsset("sample-8x8.png", "photo.png");
        ScriptResult r = Run($"New-OpenAIImage 'an otter' -Model {model} -Quality {quality.ToUpperInvariant()} -Size 2048x1152\n"
            + $"Edit-OpenAIImage 'add a hat' -Path photo.png -Model {model} -Quality {quality} -Size 1536x864");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal(2, Fake.ApiRequests.Count);
        RecordedRequest generation = Fake.ApiRequests[0], edit = Fake.ApiRequests[1];
        Assert.Equal(("/v1/images/generations", model, quality, "2048x1152"), (generation.Path, (string?)generation.Json!["model"], (string?)generation.Json["quality"], (string?)generation.Json["size"]));
        Assert.StartsWith("multipart/form-data", edit.ContentType);
        Assert.Equal(("/v1/images/edits", model, quality, "1536x864"), (edit.Path, edit.Field("model"), edit.Field("quality"), edit.Field("size")));

        // The fake reports what it was asked for: the result keeps OpenAI's strings.
        Assert.Equal(new[] { (quality, "2048x1152"), (quality, "1536x864") }, r.Images.Select(i => ((string)i.Quality, (string)i.Size)));
    }

    [Fact]
    public void TheTopQualitiesReachEachBatchLineAndTheReceivedResults()
    {
        CopyAsset("sample-8x8.png", "photo.png");
        ScriptResult r = RunChecked(NoPollDelay + """
            $jobs = @(
                Start-OpenAIImageBatch 'an otter' -Model gpt-image-2.5-flare -Quality xhigh -Size 2048x1152 -Name gen
                Start-OpenAIImageBatch 'add a hat' -Path photo.png -Model gpt-image-2.6-sunburst -Quality MAX -Name edit
            )
            $jobs | ForEach-Object { $null = Wait-OpenAIImageBatch -JobPath $_.JobPath -PollIntervalSec 1; Receive-OpenAIImageBatch -JobPath $_.JobPath }
            """);

        Assert.Empty(r.AllErrors);
        List<List<JsonObject>> inputs = UploadedInputs();
        Assert.Equal(2, inputs.Count);
        JsonObject gen = Assert.Single(inputs[0]), edit = Assert.Single(inputs[1]);
        Assert.Equal(("/v1/images/generations", "gpt-image-2.5-flare", "xhigh", "2048x1152"), ((string?)gen["url"], (string?)gen["body"]!["model"], (string?)gen["body"]!["quality"], (string?)gen["body"]!["size"]));
        Assert.Equal(("/v1/images/edits", "gpt-image-2.6-sunburst", "max"), ((string?)edit["url"], (string?)edit["body"]!["model"], (string?)edit["body"]!["quality"]));
        Assert.Equal(new[] { ("xhigh", "2048x1152"), ("max", "1024x1024") }, r.Images.Select(i => ((string)i.Quality, (string)i.Size)));
    }

    [Theory]
    [InlineData("New-OpenAIImage 'an otter' -Quality xhigh", "gpt-image-2")]
    [InlineData("New-OpenAIImage 'an otter' -Model gpt-image-2-2026-04-21 -Quality xhigh", "gpt-image-2-2026-04-21")]
    [InlineData("Start-OpenAIImageBatch 'an otter' -Quality xhigh", "gpt-image-2")]
    public void GptImage2WithXhighIsRefusedBeforeSending_AndTheErrorNamesTheValuesItTakes(string script, string model)
    {
        ScriptResult r = Run(script);

        // Start-OpenAIImageBatch adds its summary ("1 of 1 requests are not valid …") after the request's own error.
        ErrorRecord error = r.AllErrors.First();
        Assert.StartsWith("OpenAI.Validation.QualityNotSupported,", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal(ErrorCategory.InvalidArgument, error.CategoryInfo.Category);
        Assert.Equal("xhigh", error.TargetObject);
        Assert.Equal($"-Quality 'xhigh' is not supported by {model}; it takes low, medium, high, auto.", error.ErrorDetails.Message);
        Assert.Empty(Fake.ApiRequests);
    }

    [Theory]
    [InlineData("gpt-image-3-preview")]
    [InlineData("gpt-image-2.7-nova")]
    [InlineData("gpt-image-2-foo")]
    public void AModelTheTableDoesNotKnowGetsEveryValueSentUnchanged_WithOneVerboseLine(string model)
    {
        CopyAsset("sample-8x8.png", "photo.png");
        ScriptResult r = Run(
            $"New-OpenAIImage 'an otter' -Model {model} -Quality Ultra -Size 8K -Background Glass -OutputFormat AVIF -Moderation strict -Style noir -Verbose\n"
            + $"Edit-OpenAIImage 'add a hat' -Path photo.png -Model {model} -Quality xhigh -InputFidelity Extreme -Background transparent -OutputFormat jpeg");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        JsonNode body = Fake.ApiRequests[0].Json!;
        Assert.Equal(
            new[] { "Ultra", "8K", "Glass", "AVIF", "strict", "noir" },
            new[] { "quality", "size", "background", "output_format", "moderation", "style" }.Select(f => (string?)body[f]));
        RecordedRequest edit = Fake.ApiRequests[1];
        Assert.Equal(new[] { "xhigh", "Extreme", "transparent", "jpeg" }, new[] { "quality", "input_fidelity", "background", "output_format" }.Select(edit.Field));
        Assert.Equal(
            $"Model '{model}' is not in this module's model table (checked on 2026-12-07): its values are sent as given and OpenAI will judge them.",
            Assert.Single(r.Verbose, v => v.Contains("model table", StringComparison.Ordinal)));
        Assert.Equal("Ultra", (string)r.Images[0].Quality);
    }

    [Fact]
    public void KnownValuesInAnotherCaseAreSentInLowerCase()
    {
        ScriptResult r = Run("New-OpenAIImage 'an otter' -Model GPT-IMAGE-2.5-SUNBURST -Quality XHigh -Background Transparent -OutputFormat PNG -Moderation Low");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        JsonNode body = Assert.Single(Fake.ApiRequests).Json!;
        Assert.Equal(
            new[] { "GPT-IMAGE-2.5-SUNBURST", "xhigh", "transparent", "png", "low" },
            new[] { "model", "quality", "background", "output_format", "moderation" }.Select(f => (string?)body[f]));
    }

    [Fact]
    public void AThirdPartyOnlyListIsNoticedButNeverBlocks()
    {
        ScriptResult r = Run("New-OpenAIImage 'an otter' -Model gpt-image-2.6-flare -Quality ultra -Size 1000x1000 -Verbose");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal(("ultra", "1000x1000"), ((string?)Fake.ApiRequests[0].Json!["quality"], (string?)Fake.ApiRequests[0].Json!["size"]));
        Assert.Contains(r.Verbose, v => v.StartsWith("-Quality 'ultra' is not among the values third parties list for gpt-image-2.6-flare", StringComparison.Ordinal));
        Assert.Contains(r.Verbose, v => v.EndsWith("Only third parties give these limits for gpt-image-2.6-flare: the size is sent as given and OpenAI will judge it.", StringComparison.Ordinal));
    }
}
