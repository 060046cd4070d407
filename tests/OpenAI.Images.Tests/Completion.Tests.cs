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
    public void ModelCompletesTheGenerationModelsOfTheSpec()
    {
        Assert.Equal(
            new[] { "gpt-image-2", "gpt-image-2-2026-04-21", "gpt-image-1.5", "gpt-image-1", "gpt-image-1-mini", "dall-e-3", "dall-e-2" },
            Complete("New-OpenAIImage -Model "));
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
    public void EnumParametersCompleteTheirSpecValues()
    {
        // PowerShell lists ValidateSet values in alphabetical order.
        Assert.Equal(new[] { "auto", "hd", "high", "low", "medium", "standard" }, Complete("New-OpenAIImage -Quality "));
        Assert.Equal(new[] { "jpeg", "png", "webp" }, Complete("Edit-OpenAIImage -OutputFormat "));
    }
}
