using System;
using System.Linq;
using OpenAI.Images.Validation;

namespace OpenAI.Images.Core.Tests.Validation;

/// <summary>The retirement table and the decisions made from it: which host, which day, which text.</summary>
public sealed class ModelLifecycleTests
{
    private static readonly Uri OpenAI = new("https://api.openai.com/v1");
    private static readonly DateTime Checked = new(2026, 12, 7);
    private const string Latest = "gpt-image-2.6-sunburst or gpt-image-2.6-flare";

    [Fact]
    public void TheTableHoldsOpenAIsAnnouncedShutdownsAndWhenItWasChecked()
    {
        Assert.Equal(Checked, ModelLifecycle.LastChecked);
        Assert.Equal(
            new[]
            {
                "dall-e-3 2026-05-12 gpt-image-2",
                "dall-e-2 2026-05-12 gpt-image-2",
                "gpt-image-1 2026-10-23 gpt-image-2.5-sunburst or gpt-image-2.5-flare",
                $"gpt-image-1.5 2026-12-01 {Latest}",
                $"gpt-image-1-mini 2026-12-01 {Latest}",
                $"chatgpt-image-latest 2026-12-01 {Latest}",
            },
            ModelLifecycle.Retirements.Select(r => $"{r.Model} {r.ShutdownDateText} {r.Replacement}"));
        Assert.Equal(ModelCatalog.CheckedOn, ModelLifecycle.LastChecked);
        Assert.Equal("https://platform.openai.com/docs/deprecations", ModelLifecycle.Find("gpt-image-1.5")!.Source.Split(' ').Last());
        Assert.Equal("https://platform.openai.com/docs/api-reference/images", ModelLifecycle.Find("gpt-image-1")!.Source.Split(' ').Last());
    }

    [Fact]
    public void EveryRowIsACatalogModelAndEveryReplacementIsLiveOnTheDayOfTheCheck()
    {
        var catalog = ModelCatalog.GenerationModels.Concat(ModelCatalog.EditModels).Concat(ModelCatalog.VariationModels).ToHashSet();
        foreach (ModelRetirement row in ModelLifecycle.Retirements)
        {
            Assert.Contains(row.Model, catalog);
            Assert.NotEmpty(row.Replacements);
            foreach (string replacement in row.Replacements)
            {
                Assert.Contains(replacement, catalog);
                Assert.Equal(ModelLifecycleStatus.Live, ModelLifecycle.StatusOf(replacement, ModelLifecycle.LastChecked));
            }
        }

        Assert.Equal(ModelLifecycleStatus.Live, ModelLifecycle.StatusOf(ModelCatalog.DefaultModel, ModelLifecycle.LastChecked));
        Assert.Equal(
            new[]
            {
                "gpt-image-2", "gpt-image-2-2026-04-21", "gpt-image-2.5-flare", "gpt-image-2.5-flare-2026-09-08", "gpt-image-2.5-sunburst",
                "gpt-image-2.5-sunburst-2026-09-08", "gpt-image-2.6-flare", "gpt-image-2.6-sunburst",
            },
            catalog.Where(m => ModelLifecycle.StatusOf(m, Checked) != ModelLifecycleStatus.Retired).OrderBy(m => m, StringComparer.Ordinal));
    }

    [Theory]
    [InlineData("https://api.openai.com/v1", true)]
    [InlineData("https://API.OpenAI.com/v1/", true)]
    [InlineData("https://api.openai.com", true)]
    [InlineData("https://api.openai.com./v1", true)]
    [InlineData("http://api.openai.com:8080/some/gateway/path?x=1", true)]
    [InlineData("https://contoso.openai.azure.com", false)]
    [InlineData("https://contoso.openai.azure.com/openai/v1", false)]
    [InlineData("https://api.openai.com.evil.test/v1", false)]
    [InlineData("https://eu.api.openai.com/v1", false)]
    [InlineData("http://127.0.0.1:5000/v1", false)]
    [InlineData("http://localhost:11434/v1", false)]
    public void OnlyOpenAIsOwnHostCounts(string baseUri, bool expected) =>
        Assert.Equal(expected, ModelLifecycle.IsOpenAIHost(new Uri(baseUri)));

    [Theory]
    [InlineData("2026-12-03", "dall-e-3", ModelLifecycleStatus.Retired)]
    [InlineData("2026-05-11", "dall-e-3", ModelLifecycleStatus.Retiring)]
    [InlineData("2026-05-12", "dall-e-3", ModelLifecycleStatus.Retired)]
    [InlineData("2026-09-01", "gpt-image-1-mini", ModelLifecycleStatus.Live)]
    [InlineData("2026-09-02", "gpt-image-1-mini", ModelLifecycleStatus.Retiring)]
    [InlineData("2026-11-30", "GPT-IMAGE-1.5", ModelLifecycleStatus.Retiring)]
    [InlineData("2026-12-03", "gpt-image-1.5-2025-12-16", ModelLifecycleStatus.Retired)]
    [InlineData("2026-12-03", "gpt-image-1.5-preview", ModelLifecycleStatus.Live)]
    [InlineData("2026-12-03", "gpt-image-1-2025-04-15", ModelLifecycleStatus.Retired)]
    [InlineData("2026-12-07", "gpt-image-2.6-flare", ModelLifecycleStatus.Live)]
    [InlineData("2026-12-03", "gpt-image-2", ModelLifecycleStatus.Live)]
    [InlineData("2026-12-03", "my-local-model", ModelLifecycleStatus.Live)]
    public void StatusFollowsTheDateAndTheNinetyDayWindow(string today, string model, ModelLifecycleStatus expected) =>
        Assert.Equal(expected, ModelLifecycle.StatusOf(model, DateTime.Parse(today, System.Globalization.CultureInfo.InvariantCulture)));

    [Fact]
    public void ARetiredModelAtOpenAIGetsAWarningWithDateReplacementAndTheDefaultModelCommand()
    {
        foreach (ModelRetirement row in ModelLifecycle.Retirements)
        {
            ImageOperation operation = row.Model == "chatgpt-image-latest" ? ImageOperation.Edit : ImageOperation.Generation;
            string? warning = ModelLifecycle.RequestWarning(row.Model, OpenAI, operation, Checked);
            Assert.NotNull(warning);
            Assert.Contains($"OpenAI retired the model '{row.Model}' on {row.ShutdownDateText}", warning);
            Assert.Contains($"Its replacement is {row.Replacement}: use {string.Join(" or ", row.Replacements.Select(r => "-Model " + r))}, ", warning);
            Assert.Contains($"Set-OpenAIConfig -DefaultModel {row.Replacements[0]}.", warning);
        }

        Assert.Contains("Set-OpenAIConfig -Profile work -DefaultModel gpt-image-2", ModelLifecycle.RequestWarning("dall-e-3", OpenAI, ImageOperation.Generation, Checked, "work"));
        Assert.StartsWith(
            $"OpenAI retired the model 'gpt-image-1.5-2025-12-16' on 2026-12-01: api.openai.com will most likely answer model_not_found (the request is still sent). Its replacement is {Latest}: use -Model gpt-image-2.6-sunburst or -Model gpt-image-2.6-flare, or make it the default with Set-OpenAIConfig -DefaultModel gpt-image-2.6-sunburst.",
            ModelLifecycle.RequestWarning("gpt-image-1.5-2025-12-16", OpenAI, ImageOperation.Edit, Checked));
    }

    [Fact]
    public void OtherHostsAndLiveModelsGetNoWarning()
    {
        Assert.Null(ModelLifecycle.RequestWarning("dall-e-3", new Uri("https://contoso.openai.azure.com"), ImageOperation.Generation, Checked));
        Assert.Null(ModelLifecycle.RequestWarning("dall-e-3", new Uri("http://127.0.0.1:8080/v1"), ImageOperation.Generation, Checked));
        Assert.Null(ModelLifecycle.RequestWarning("gpt-image-2", OpenAI, ImageOperation.Generation, Checked));
        Assert.Null(ModelLifecycle.RequestWarning("gpt-image-1-mini", OpenAI, ImageOperation.Generation, new DateTime(2026, 9, 1)));
        Assert.Null(ModelLifecycle.RequestWarning(null, OpenAI, ImageOperation.Generation, Checked));
        Assert.Null(ModelLifecycle.DefaultModelWarning("gpt-image-1", new Uri("https://contoso.openai.azure.com"), Checked));
    }

    [Fact]
    public void WithinNinetyDaysTheWarningSaysWillBeRetired()
    {
        string? warning = ModelLifecycle.RequestWarning("gpt-image-1", OpenAI, ImageOperation.Generation, new DateTime(2026, 10, 1));
        Assert.NotNull(warning);
        Assert.StartsWith("OpenAI will retire the model 'gpt-image-1' on 2026-10-23 (in 22 days).", warning);
        Assert.Contains("Set-OpenAIConfig -DefaultModel gpt-image-2.5-sunburst", warning);
    }

    [Fact]
    public void TheVariationWarningPointsToEditWithGptImage2()
    {
        string? warning = ModelLifecycle.RequestWarning("dall-e-2", OpenAI, ImageOperation.Variation, Checked);
        Assert.NotNull(warning);
        Assert.Contains("OpenAI retired 'dall-e-2', its only model for image variations, on 2026-05-12", warning);
        Assert.Contains("Edit-OpenAIImage -Model gpt-image-2", warning);
        Assert.Contains("prompt", warning);
    }

    [Fact]
    public void ModelNotFoundFromOpenAIIsExplainedForATableModelOnly()
    {
        var notFound = new OpenAIException(OpenAIErrorKind.NotFound, "x") { StatusCode = 404, Code = "model_not_found", ServerMessage = "The model `dall-e-3` does not exist or you do not have access to it." };
        Assert.True(ModelLifecycle.TryExplainNotFound(notFound, "dall-e-3", OpenAI, ImageOperation.Generation, Checked, out string explanation, out string action));
        Assert.Equal("OpenAI retired 'dall-e-3' on 2026-05-12; its replacement is gpt-image-2.", explanation);
        Assert.Contains("-Model gpt-image-2", action);
        Assert.Contains("Set-OpenAIConfig -DefaultModel gpt-image-2", action);

        // A 404 that names the model, without the code.
        var plain404 = new OpenAIException(OpenAIErrorKind.NotFound, "x") { StatusCode = 404, ServerMessage = "Unknown model gpt-image-1-mini" };
        Assert.True(ModelLifecycle.TryExplainNotFound(plain404, "gpt-image-1-mini", OpenAI, ImageOperation.Generation, Checked, out string mini, out string miniAction));
        Assert.Equal($"OpenAI retired 'gpt-image-1-mini' on 2026-12-01; its replacement is {Latest}.", mini);
        Assert.StartsWith("Use -Model gpt-image-2.6-sunburst or -Model gpt-image-2.6-flare, or make it the default with Set-OpenAIConfig -DefaultModel gpt-image-2.6-sunburst.", miniAction);

        // Not explained: another host, a model outside the table, a 404 that does not name the model, another error.
        Assert.False(ModelLifecycle.TryExplainNotFound(notFound, "dall-e-3", new Uri("https://contoso.openai.azure.com"), ImageOperation.Generation, Checked, out _, out _));
        Assert.False(ModelLifecycle.TryExplainNotFound(notFound, "my-model", OpenAI, ImageOperation.Generation, Checked, out _, out _));
        var route404 = new OpenAIException(OpenAIErrorKind.NotFound, "x") { StatusCode = 404, ServerMessage = "Invalid URL (POST /v1/images/generations)" };
        Assert.False(ModelLifecycle.TryExplainNotFound(route404, "dall-e-3", OpenAI, ImageOperation.Generation, Checked, out _, out _));
        var badRequest = new OpenAIException(OpenAIErrorKind.InvalidRequest, "x") { StatusCode = 400, Code = "invalid_value", ServerMessage = "dall-e-3 does not take size 256x256" };
        Assert.False(ModelLifecycle.TryExplainNotFound(badRequest, "dall-e-3", OpenAI, ImageOperation.Generation, Checked, out _, out _));

        Assert.True(ModelLifecycle.TryExplainNotFound(notFound, "dall-e-2", OpenAI, ImageOperation.Variation, Checked, out _, out string variationAction));
        Assert.Contains("Edit-OpenAIImage -Model gpt-image-2", variationAction);
    }

    [Fact]
    public void CompletionListsLiveModelsFirstAndNotesRetirementsInTheTooltip()
    {
        var models = new[] { "dall-e-3", "gpt-image-1.5", "gpt-image-2", "gpt-image-1", "custom" };
        Assert.Equal(new[] { "gpt-image-1.5", "gpt-image-2", "custom", "dall-e-3", "gpt-image-1" }, ModelLifecycle.LiveFirst(models, new DateTime(2026, 11, 1)));
        Assert.Equal(new[] { "gpt-image-2", "custom", "dall-e-3", "gpt-image-1.5", "gpt-image-1" }, ModelLifecycle.LiveFirst(models, Checked));
        Assert.Equal($"gpt-image-1-mini: retired at OpenAI on 2026-12-01 (use {Latest} there); Azure OpenAI or OpenAI-compatible servers may still serve it", ModelLifecycle.Tooltip("gpt-image-1-mini", Checked));
        Assert.StartsWith("dall-e-3: retired at OpenAI on 2026-05-12", ModelLifecycle.Tooltip("dall-e-3", Checked));
        Assert.StartsWith("gpt-image-1.5: retires at OpenAI on 2026-12-01", ModelLifecycle.Tooltip("gpt-image-1.5", new DateTime(2026, 11, 1)));
        Assert.Equal("gpt-image-2", ModelLifecycle.Tooltip("gpt-image-2", Checked));
    }

    [Fact]
    public void TheClockSeamReplacesTodayAndCanBeCleared()
    {
        try
        {
            ModelLifecycle.TodayOverride = new DateTime(2026, 10, 1, 17, 30, 0);
            Assert.Equal(new DateTime(2026, 10, 1), ModelLifecycle.Today);
        }
        finally
        {
            ModelLifecycle.TodayOverride = null;
        }

        Assert.Equal(DateTime.UtcNow.Date, ModelLifecycle.Today);
    }
}
