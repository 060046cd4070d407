using System;
using System.Linq;
using System.Management.Automation;
using System.Reflection;
using System.Threading.Tasks;
using OpenAI.Images.FakeApi;

namespace OpenAI.Images.Tests;

/// <summary>
/// Model lifecycle (issue 12) in the real engine. "OpenAI's host" is reached honestly without the internet: the profile's
/// base URI is http://api.openai.com/v1 (so the module's own host decision runs on the real name) and its proxy is the
/// loopback <see cref="RecordingProxy"/>, which forwards requests for that host to the loopback fake and refuses
/// everything else. Nothing leaves 127.0.0.1. The 90-day notice uses the module's internal clock seam.
/// </summary>
public sealed class ModelLifecycleTests : ConfigTest
{
    private const string OpenAIHost = "api.openai.com";
    private const string NewCmd = "OpenAI.Images.PowerShell.Commands.NewOpenAIImageCommand";
    private const string VariationCmd = "OpenAI.Images.PowerShell.Commands.NewOpenAIImageVariationCommand";

    /// <summary>OpenAI's deprecations page: the replacement of the models it shut down on 2026-12-01.</summary>
    private const string Latest = "gpt-image-2.6-sunburst or gpt-image-2.6-flare";

    public ModelLifecycleTests(FakeApiFixture fixture) : base(fixture)
    {
    }

    /// <summary>Script that points the default profile (this session only) at api.openai.com through the proxy.</summary>
    internal static string AtOpenAI(RecordingProxy proxy) =>
        $"Set-OpenAIConfig -BaseUri http://{OpenAIHost}/v1 -AllowInsecureHttp -Proxy '{proxy.Uri}' -Scope Process\n";

    /// <summary>Sets (or clears) the module's clock seam, ModelLifecycle.TodayOverride, by reflection.</summary>
    internal static void SetToday(DateTime? today)
    {
        Assembly? core = AppDomain.CurrentDomain.GetAssemblies().FirstOrDefault(a => a.GetName().Name == "OpenAI.Images.Core");
        if (core is null)
        {
            ModelHostWarmUp();
            core = AppDomain.CurrentDomain.GetAssemblies().First(a => a.GetName().Name == "OpenAI.Images.Core");
        }

        PropertyInfo seam = core.GetType("OpenAI.Images.Validation.ModelLifecycle", throwOnError: true)!
            .GetProperty("TodayOverride", BindingFlags.Static | BindingFlags.NonPublic)!;
        seam.SetValue(null, today);
    }

    private static void ModelHostWarmUp() => ModuleHost.Run("$null = [OpenAI.Images.Validation.ModelLifecycle]::Today");

    public override void Dispose()
    {
        SetToday(null);
        base.Dispose();
    }

    [Theory]
    [InlineData("dall-e-2", "2026-05-12", "New-OpenAIImage", "gpt-image-2")]
    [InlineData("dall-e-3", "2026-05-12", "New-OpenAIImage", "gpt-image-2")]
    [InlineData("gpt-image-1", "2026-10-23", "New-OpenAIImage", "gpt-image-2.5-sunburst or gpt-image-2.5-flare")]
    [InlineData("gpt-image-1-mini", "2026-12-01", "New-OpenAIImage", Latest)]
    [InlineData("gpt-image-1.5", "2026-12-01", "New-OpenAIImage", Latest)]
    [InlineData("gpt-image-1.5-2025-12-16", "2026-12-01", "Edit-OpenAIImage", Latest)]
    [InlineData("chatgpt-image-latest", "2026-12-01", "Edit-OpenAIImage", Latest)]
    public async Task EachRetiredModelWarnsOncePerCallAtOpenAIsHostAndTheRequestsAreStillSent(string model, string date, string command, string replacement)
    {
        SetToday(new DateTime(2026, 12, 3));
        CopyAsset("sample-8x8.png", "in.png");
        await using var proxy = new RecordingProxy(OpenAIHost, Fake.Root);

        string input = command == "Edit-OpenAIImage"
            ? "[pscustomobject]@{ Prompt = 'a red fox'; Path = './in.png' }, [pscustomobject]@{ Prompt = 'a snowy owl'; Path = './in.png' }"
            : "'a red fox', 'a snowy owl'";
        ScriptResult r = Run(AtOpenAI(proxy) + $"{input} | {command} -Model {model}");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        string warning = Assert.Single(r.Warnings);
        Assert.StartsWith($"OpenAI retired the model '{model}' on {date}", warning);
        string[] models = replacement.Split(" or ");
        Assert.Contains($"Its replacement is {replacement}: use {string.Join(" or ", models.Select(m => "-Model " + m))}, ", warning);
        Assert.Contains($"Set-OpenAIConfig -DefaultModel {models[0]}.", warning);
        Assert.Equal(2, r.Images.Count);
        Assert.Equal(2, Fake.ApiRequests.Count);
        Assert.All(Fake.ApiRequests, q => Assert.Equal(model, q.Parameter("model")));
        Assert.All(proxy.Requests, p => Assert.StartsWith($"http://{OpenAIHost}/v1/images/", p.Target));
        Assert.DoesNotContain(TestKey, r.AllText());
    }

    [Fact]
    public void TheFakeItselfAsTheProxyStandsInForApiOpenAIComAsThePesterSuiteUsesIt()
    {
        // tests/ModelLifecycle.Tests.ps1 has no RecordingProxy: it makes the loopback fake the profile's proxy, which
        // gets absolute-URI requests for http://api.openai.com/... and answers them itself.
        ScriptResult r = Run($"Set-OpenAIConfig -BaseUri http://{OpenAIHost}/v1 -AllowInsecureHttp -Proxy '{Fake.Root}' -Scope Process\n"
            + "New-OpenAIImage 'a fox' -Model gpt-image-1-mini");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.StartsWith("OpenAI retired the model 'gpt-image-1-mini' on 2026-12-01", Assert.Single(r.Warnings));
        Assert.Single(r.Images);
        Assert.Equal(OpenAIHost, Assert.Single(Fake.ApiRequests).Header("Host"));
        Assert.Equal("/v1/images/generations", Fake.ApiRequests[0].Path);
    }

    [Fact]
    public async Task TheWarningComesBeforeSendingSoWhatIfShowsItAndSendsNothing()
    {
        await using var proxy = new RecordingProxy(OpenAIHost, Fake.Root);
        ScriptResult r = Run(AtOpenAI(proxy) + "New-OpenAIImage 'a fox' -Model dall-e-3 -WhatIf");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Contains("dall-e-3", Assert.Single(r.Warnings));
        Assert.Empty(Fake.ApiRequests);
    }

    [Fact]
    public async Task WarningActionAndWarningPreferenceWorkAsUsual()
    {
        await using var proxy = new RecordingProxy(OpenAIHost, Fake.Root);

        ScriptResult silent = Run(AtOpenAI(proxy) + "New-OpenAIImage 'a fox' -Model dall-e-3 -WarningAction SilentlyContinue -WarningVariable w; \"captured: $($w.Count)\"");
        Assert.True(!silent.AllErrors.Any(), silent.Describe());
        Assert.Empty(silent.Warnings);
        Assert.Single(silent.Images);
        Assert.Contains("captured: 1", silent.Output.Select(o => o.ToString()));

        Fake.ClearRequests();
        ScriptResult stop = Run(AtOpenAI(proxy) + "$WarningPreference = 'Stop'\nNew-OpenAIImage 'a fox' -Model dall-e-3");
        Assert.NotNull(stop.Terminating);
        Assert.Empty(Fake.ApiRequests);
    }

    [Theory]
    [InlineData("contoso.openai.azure.com", "Set-OpenAIConfig -ApiType AzureOpenAI -AzureDeployment dall-e-3 ")]
    [InlineData("contoso.openai.azure.com", "Set-OpenAIConfig -ApiType AzureOpenAI ")]
    [InlineData("images.example.test", "Set-OpenAIConfig ")]
    [InlineData("api.openai.com.example.test", "Set-OpenAIConfig ")]
    public async Task OtherHostsGetNoWarning(string host, string configure)
    {
        await using var proxy = new RecordingProxy(host, Fake.Root);
        ScriptResult r = Run($"{configure}-BaseUri http://{host}/v1 -AllowInsecureHttp -Proxy '{proxy.Uri}' -Scope Process\n"
            + "New-OpenAIImage 'a fox' -Model dall-e-3; New-OpenAIImage 'an owl' -Model gpt-image-1-mini");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Empty(r.Warnings);
        Assert.Equal(2, r.Images.Count);
        Assert.Equal(2, proxy.Requests.Count);
        Assert.All(proxy.Requests, p => Assert.Contains(host, p.Target));
    }

    [Fact]
    public void TheLoopbackFakeItselfGetsNoWarning()
    {
        ScriptResult r = Run("New-OpenAIImage 'a fox' -Model dall-e-3");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Empty(r.Warnings);
        Assert.Single(r.Images);
    }

    [Fact]
    public async Task WithinNinetyDaysOfTheShutdownTheWarningSaysWillBeRetired()
    {
        await using var proxy = new RecordingProxy(OpenAIHost, Fake.Root);

        SetToday(new DateTime(2026, 10, 1));
        ScriptResult soon = Run(AtOpenAI(proxy) + "New-OpenAIImage 'a fox' -Model gpt-image-1");
        Assert.True(!soon.AllErrors.Any(), soon.Describe());
        string warning = Assert.Single(soon.Warnings);
        Assert.StartsWith("OpenAI will retire the model 'gpt-image-1' on 2026-10-23 (in 22 days).", warning);
        Assert.Contains("Its replacement is gpt-image-2.5-sunburst or gpt-image-2.5-flare", warning);
        Assert.Contains("Set-OpenAIConfig -DefaultModel gpt-image-2.5-sunburst", warning);

        // 91 days before gpt-image-1-mini's shutdown: nothing yet; one day later: the notice.
        SetToday(new DateTime(2026, 9, 1));
        Assert.Empty(Run(AtOpenAI(proxy) + "New-OpenAIImage 'a fox' -Model gpt-image-1-mini").Warnings);
        SetToday(new DateTime(2026, 9, 2));
        Assert.StartsWith("OpenAI will retire the model 'gpt-image-1-mini' on 2026-12-01 (in 90 days).", Assert.Single(Run(AtOpenAI(proxy) + "New-OpenAIImage 'a fox' -Model gpt-image-1-mini").Warnings));

        // Before OpenAI announced anything for it, gpt-image-2 is live on any day.
        Assert.Empty(Run(AtOpenAI(proxy) + "New-OpenAIImage 'a fox' -Model gpt-image-2").Warnings);
    }

    [Fact]
    public async Task ModelNotFoundFromOpenAIGetsTheRetirementDateAndReplacement()
    {
        await using var proxy = new RecordingProxy(OpenAIHost, Fake.Root);
        Fake.Enqueue(FakeResponse.Error(404, "The model `dall-e-3` does not exist or you do not have access to it.", "invalid_request_error", "model_not_found"));

        ScriptResult r = Run(AtOpenAI(proxy) + "New-OpenAIImage 'a fox' -Model dall-e-3 -WarningAction SilentlyContinue");

        ErrorRecord error = Assert.Single(r.AllErrors);
        Assert.Equal("OpenAI.NotFound," + NewCmd, error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal("a fox", error.TargetObject);
        Assert.Contains("The model `dall-e-3` does not exist", error.ErrorDetails.Message);
        Assert.Contains("OpenAI retired 'dall-e-3' on 2026-05-12; its replacement is gpt-image-2.", error.ErrorDetails.Message);
        Assert.Contains("OpenAI retired 'dall-e-3' on 2026-05-12", error.ToString());
        Assert.Contains("-Model gpt-image-2", error.ErrorDetails.RecommendedAction);
        Assert.Contains("Set-OpenAIConfig -DefaultModel gpt-image-2", error.ErrorDetails.RecommendedAction);
        Assert.DoesNotContain(TestKey, r.AllText());
    }

    [Fact]
    public async Task A404NamingTheModelWithoutTheCodeIsExplainedToo()
    {
        await using var proxy = new RecordingProxy(OpenAIHost, Fake.Root);
        Fake.Enqueue(FakeResponse.Error(404, "Model gpt-image-1 is not available.", "invalid_request_error", null));

        ScriptResult r = Run(AtOpenAI(proxy) + "New-OpenAIImage 'a fox' -Model gpt-image-1 -WarningAction SilentlyContinue");

        ErrorRecord error = Assert.Single(r.AllErrors);
        Assert.Contains("OpenAI retired 'gpt-image-1' on 2026-10-23; its replacement is gpt-image-2.5-sunburst or gpt-image-2.5-flare.", error.ErrorDetails.Message);
        Assert.Contains("Use -Model gpt-image-2.5-sunburst or -Model gpt-image-2.5-flare, or make it the default with Set-OpenAIConfig -DefaultModel gpt-image-2.5-sunburst.", error.ErrorDetails.RecommendedAction);
    }

    [Fact]
    public void TheSameErrorFromAnotherServerIsLeftAsItIs()
    {
        Fake.Enqueue(FakeResponse.Error(404, "The model `dall-e-3` does not exist or you do not have access to it.", "invalid_request_error", "model_not_found"));
        ScriptResult r = Run("New-OpenAIImage 'a fox' -Model dall-e-3");

        ErrorRecord error = Assert.Single(r.AllErrors);
        Assert.Equal("OpenAI.NotFound," + NewCmd, error.FullyQualifiedErrorId);
        Assert.DoesNotContain("retired", error.ErrorDetails.Message);
        Assert.True(string.IsNullOrEmpty(error.ErrorDetails.RecommendedAction), error.ErrorDetails.RecommendedAction);
    }

    [Fact]
    public async Task VariationsAtOpenAIPointToEditWithGptImage2AndExplainTheError()
    {
        string square = CopyAsset("sample-8x8.png", "logo.png");
        await using var proxy = new RecordingProxy(OpenAIHost, Fake.Root);
        Fake.Enqueue(FakeResponse.Error(404, "The model `dall-e-2` does not exist or you do not have access to it.", "invalid_request_error", "model_not_found"));

        ScriptResult r = Run(AtOpenAI(proxy) + "New-OpenAIImageVariation ./logo.png");

        string warning = Assert.Single(r.Warnings);
        Assert.StartsWith("OpenAI retired 'dall-e-2', its only model for image variations, on 2026-05-12", warning);
        Assert.Contains("Edit-OpenAIImage -Model gpt-image-2", warning);
        ErrorRecord error = Assert.Single(r.AllErrors);
        Assert.Equal("OpenAI.NotFound," + VariationCmd, error.FullyQualifiedErrorId);
        Assert.Equal(square, error.TargetObject);
        Assert.Contains("OpenAI retired 'dall-e-2' on 2026-05-12; its replacement is gpt-image-2.", error.ErrorDetails.Message);
        Assert.Contains("Edit-OpenAIImage -Model gpt-image-2", error.ErrorDetails.RecommendedAction);
        Assert.Equal("/v1/images/variations", Assert.Single(Fake.ApiRequests).Path);
    }

    [Fact]
    public void VariationsAtOtherServersWorkAsBefore()
    {
        CopyAsset("sample-8x8.png", "logo.png");
        ScriptResult r = Run("New-OpenAIImageVariation ./logo.png -Count 2");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Empty(r.Warnings);
        Assert.Equal(2, r.Images.Count);
        Assert.Equal("dall-e-2", Assert.Single(Fake.ApiRequests).Field("model"));
    }

    [Fact]
    public async Task SetDefaultModelToARetiredModelWarnsWhenTheProfileTargetsOpenAI()
    {
        // The built-in base URI is OpenAI's: no OPENAI_BASE_URL, nothing saved.
        Environment.SetEnvironmentVariable("OPENAI_BASE_URL", null);
        ScriptResult saved = Run("Set-OpenAIConfig -DefaultModel gpt-image-1-mini");
        Assert.True(!saved.AllErrors.Any(), saved.Describe());
        string warning = Assert.Single(saved.Warnings);
        Assert.StartsWith("OpenAI retired the model 'gpt-image-1-mini' on 2026-12-01", warning);
        Assert.Contains($"Its replacement is {Latest}: Set-OpenAIConfig -DefaultModel gpt-image-2.6-sunburst.", warning);

        ScriptResult named = Run("Set-OpenAIConfig -Profile work -BaseUri https://api.openai.com/v1 -DefaultModel dall-e-3 -Scope Process");
        Assert.Contains("Set-OpenAIConfig -Profile work -DefaultModel gpt-image-2", Assert.Single(named.Warnings));

        Assert.Empty(Run("Set-OpenAIConfig -Profile work -DefaultModel gpt-image-2 -Scope Process").Warnings);
        Assert.Empty(Run("Set-OpenAIConfig -Profile az -ApiType AzureOpenAI -BaseUri https://contoso.openai.azure.com -DefaultModel dall-e-3 -Scope Process").Warnings);
        Assert.Empty(Run("Set-OpenAIConfig -Profile local -BaseUri http://localhost:8080/v1 -DefaultModel dall-e-3").Warnings);
        Assert.Empty(Run("Set-OpenAIConfig -Profile work -DefaultModel dall-e-3 -Scope Process -WhatIf").Warnings);

        // The image cmdlets warn for the profile's default model as for -Model.
        await using var proxy = new RecordingProxy(OpenAIHost, Fake.Root);
        ScriptResult r = Run(AtOpenAI(proxy) + "Set-OpenAIConfig -DefaultModel dall-e-3 -Scope Process -WarningAction SilentlyContinue\nNew-OpenAIImage 'a fox'");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.StartsWith("OpenAI retired the model 'dall-e-3' on 2026-05-12", Assert.Single(r.Warnings));
        Assert.Equal("dall-e-3", Assert.Single(Fake.ApiRequests).Parameter("model"));
    }

    private static (string Text, string Tooltip)[] Complete(string line)
    {
        ScriptResult r = ModuleHost.Run(
            "(TabExpansion2 -inputScript $args[0] -cursorColumn $args[0].Length).CompletionMatches | ForEach-Object { $_.CompletionText + '|' + $_.ToolTip }",
            null,
            line);
        Assert.True(!r.AllErrors.Any(), r.Describe());
        return r.Output.Select(o => o.ToString().Split('|', 2)).Select(p => (p[0], p[1])).ToArray();
    }

    [Fact]
    public void ModelCompletionListsLiveModelsFirstAndRetiredOnesWithTheirDate()
    {
        // On 2026-10-25 gpt-image-1 (2026-10-23) is retired but gpt-image-1.5 and gpt-image-1-mini (2026-12-01) are not:
        // gpt-image-1 moves behind them although the catalog lists it before gpt-image-1-mini.
        SetToday(new DateTime(2026, 10, 25));
        var october = Complete("New-OpenAIImage -Model ");
        string[] current =
        [
            "gpt-image-2.6-sunburst", "gpt-image-2.6-flare", "gpt-image-2.5-sunburst", "gpt-image-2.5-sunburst-2026-09-08",
            "gpt-image-2.5-flare", "gpt-image-2.5-flare-2026-09-08", "gpt-image-2", "gpt-image-2-2026-04-21",
        ];
        Assert.Equal(
            [.. current, "gpt-image-1.5", "gpt-image-1.5-2025-12-16", "gpt-image-1-mini", "chatgpt-image-latest", "gpt-image-1", "dall-e-3", "dall-e-2"],
            october.Select(c => c.Text));
        Assert.StartsWith("gpt-image-1: retired at OpenAI on 2026-10-23", october.Single(c => c.Text == "gpt-image-1").Tooltip);
        Assert.StartsWith("gpt-image-1.5: retires at OpenAI on 2026-12-01", october.Single(c => c.Text == "gpt-image-1.5").Tooltip);

        SetToday(new DateTime(2026, 12, 3));
        var today = Complete("Edit-OpenAIImage -Model ");
        Assert.Equal(
            [.. current, "gpt-image-1.5", "gpt-image-1.5-2025-12-16", "gpt-image-1", "gpt-image-1-mini", "chatgpt-image-latest", "dall-e-2"],
            today.Select(c => c.Text));
        Assert.Equal("gpt-image-2.6-sunburst", today[0].Tooltip);
        Assert.StartsWith($"gpt-image-1.5-2025-12-16: retired at OpenAI on 2026-12-01 (use {Latest} there)", today.Single(c => c.Text == "gpt-image-1.5-2025-12-16").Tooltip);
        Assert.StartsWith("chatgpt-image-latest: retired at OpenAI on 2026-12-01", today.Single(c => c.Text == "chatgpt-image-latest").Tooltip);
        Assert.StartsWith("dall-e-2: retired at OpenAI on 2026-05-12", Assert.Single(Complete("New-OpenAIImageVariation -Model ")).Tooltip);
        Assert.StartsWith("dall-e-3: retired at OpenAI on 2026-05-12", Assert.Single(Complete("Set-OpenAIConfig -DefaultModel dall-e-3")).Tooltip);
    }
}
