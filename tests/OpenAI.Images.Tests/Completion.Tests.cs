using System.Linq;

namespace OpenAI.Images.Tests;

/// <summary>Tab completion through the engine's own completion entry point (TabExpansion2), as a user's Tab key uses it.</summary>
public sealed class CompletionTests
{
    private static string[] Complete(string line)
    {
        ScriptResult r = ModuleHost.Run(
            "(TabExpansion2 -inputScript $args[0] -cursorColumn $args[0].Length).CompletionMatches | ForEach-Object CompletionText",
            null,
            line);
        Assert.True(!r.AllErrors.Any(), r.Describe());
        return r.Output.Select(o => o.ToString()).ToArray();
    }

    [Fact]
    public void ModelCompletesTheGenerationModelsOfTheTableNewestFirst()
    {
        string[] models = Complete("New-OpenAIImage -Model ");
        Assert.Equal(new[] { "gpt-image-2.6-sunburst", "gpt-image-2.6-flare", "gpt-image-2.5-sunburst", "gpt-image-2.5-sunburst-2026-09-08" }, models.Take(4));
        Assert.Equal(new[] { "gpt-image-2.5-flare", "gpt-image-2.5-flare-2026-09-08" }, Complete("New-OpenAIImage -Model gpt-image-2.5-f"));
        Assert.Equal(new[] { "dall-e-3", "dall-e-2" }, Complete("New-OpenAIImage -Model dall"));
    }

    [Fact]
    public void ModelCompletionFollowsTheEndpoint()
    {
        Assert.Contains("chatgpt-image-latest", Complete("Edit-OpenAIImage -Model "));
        Assert.DoesNotContain("dall-e-3", Complete("Edit-OpenAIImage -Model "));
        Assert.Equal(new[] { "dall-e-2" }, Complete("New-OpenAIImageVariation -Model "));
    }

    [Fact]
    public void SizeCompletesWhatTheChosenModelTakes()
    {
        Assert.Equal(new[] { "1024x1024", "1792x1024", "1024x1792" }, Complete("New-OpenAIImage -Model dall-e-3 -Size "));
        Assert.Equal(new[] { "256x256", "512x512", "1024x1024" }, Complete("Edit-OpenAIImage -Model dall-e-2 -Size "));
        string[] gpt2 = Complete("New-OpenAIImage -Size ");
        Assert.Contains("auto", gpt2);
        Assert.Contains("1536x1024", gpt2);
        Assert.Contains("2048x1152", gpt2);
        Assert.DoesNotContain("1792x1024", gpt2);
        Assert.Equal(new[] { "1536x1024" }, Complete("New-OpenAIImage -Model gpt-image-1 -Size 15"));
    }

    [Fact]
    public void ValueParametersCompleteWhatTheChosenModelTakes()
    {
        Assert.Equal(new[] { "low", "medium", "high", "xhigh", "max", "auto" }, Complete("New-OpenAIImage -Model gpt-image-2.5-sunburst -Quality "));
        Assert.Equal(new[] { "low", "medium", "high", "xhigh", "max", "auto" }, Complete("Edit-OpenAIImage -Model gpt-image-2.6-flare -Quality "));
        Assert.Equal(new[] { "low", "medium", "high", "auto" }, Complete("New-OpenAIImage -Model gpt-image-2 -Quality "));
        Assert.Equal(new[] { "standard", "hd", "auto" }, Complete("New-OpenAIImage -Model dall-e-3 -Quality "));
        Assert.Equal(new[] { "xhigh" }, Complete("Start-OpenAIImageBatch 'x' -Model gpt-image-2.5-flare-2026-09-08 -Quality x"));
        Assert.Equal(new[] { "low" }, Complete("Edit-OpenAIImage -Model gpt-image-1-mini -InputFidelity "));
        Assert.Equal(new[] { "low" }, Complete("Start-OpenAIImageBatch 'x' -Path a.png -Model gpt-image-1-mini -InputFidelity "));
        Assert.Equal(new[] { "vivid", "natural" }, Complete("New-OpenAIImage -Model dall-e-3 -Style "));
        Assert.Empty(Complete("New-OpenAIImage -Model dall-e-3 -Background "));
    }

    [Fact]
    public void WithoutAModelOrWithOneTheTableDoesNotKnowCompletionOffersEveryKnownValue()
    {
        string[] all = ["low", "medium", "high", "xhigh", "max", "auto", "standard", "hd"];
        Assert.Equal(all, Complete("New-OpenAIImage -Quality "));
        Assert.Equal(all, Complete("New-OpenAIImage -Model gpt-image-2.7-nova -Quality "));
        Assert.Equal(new[] { "low", "medium", "high", "xhigh", "max", "auto", "standard" }, Complete("Edit-OpenAIImage -Quality "));
        Assert.Equal(new[] { "png", "jpeg", "webp" }, Complete("Edit-OpenAIImage -OutputFormat "));
        Assert.Equal(new[] { "transparent", "opaque", "auto" }, Complete("Start-OpenAIImageBatch 'x' -Background "));
    }
}
