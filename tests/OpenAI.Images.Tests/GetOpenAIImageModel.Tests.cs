using System;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;
using OpenAI.Images.FakeApi;

namespace OpenAI.Images.Tests;

/// <summary>
/// Get-OpenAIImageModel (issue 17) against the fake's GET /models, in OpenAI's wire format. OpenAI's own host is
/// reached as in <see cref="ModelLifecycleTests"/>: base URI http://api.openai.com/v1 through a loopback proxy that
/// forwards to the fake; the day is the module's clock seam.
/// </summary>
public sealed class GetOpenAIImageModelTests : ConfigTest
{
    private const string OpenAIHost = "api.openai.com";

    public GetOpenAIImageModelTests(FakeApiFixture fixture) : base(fixture)
    {
        ModelLifecycleTests.SetToday(new DateTime(2026, 12, 7)); // the clock seam, as the lifecycle tests set it
    }

    public override void Dispose()
    {
        ModelLifecycleTests.SetToday(null);
        base.Dispose();
    }

    [Fact]
    public void ListsOnlyTheImageModels_SortedById_WithTheServersFieldsAndTheTablesCapabilities()
    {
        ScriptResult r = Run("Get-OpenAIImageModel");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        var request = Assert.Single(Fake.ApiRequests);
        Assert.Equal(("GET", "/v1/models"), (request.Method, request.Path));
        Assert.Equal("Bearer " + TestKey, request.Header("Authorization"));
        var models = r.Objects("ImageModelInfo");
        Assert.Equal(
            [
                "gpt-image-2", "gpt-image-2-2026-04-21", "gpt-image-2.5-flare", "gpt-image-2.5-flare-2026-09-08", "gpt-image-2.5-sunburst",
                "gpt-image-2.5-sunburst-2026-09-08", "gpt-image-2.6-flare", "gpt-image-2.6-sunburst",
            ],
            models.Select(m => (string)m.Id).ToArray()); // gpt-4o, text-embedding-3-small and whisper-1 are left out
        Assert.All(models, m => Assert.Equal("Live", m.Status.ToString())); // shutdown_date null: none announced
        Assert.All(models, m => Assert.True((bool)m.Known));
        Assert.All(models, m => Assert.Null((object?)m.ShutdownDate));

        dynamic two = models[0];
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(1_776_729_600), (DateTimeOffset)two.Created);
        Assert.Equal("system", (string)two.OwnedBy);
        Assert.Equal(["low", "medium", "high", "auto"], ((System.Collections.Generic.IEnumerable<string>)two.Qualities).ToArray());
        Assert.True((bool)two.CustomSizes && (bool)two.Generations && (bool)two.Edits);

        dynamic sunburst = models.Single(m => m.Id == "gpt-image-2.5-sunburst-2026-09-08");
        Assert.Contains("xhigh", (System.Collections.Generic.IEnumerable<string>)sunburst.Qualities);
        Assert.Contains("max", (System.Collections.Generic.IEnumerable<string>)sunburst.Qualities);
    }

    [Fact]
    public void Name_TakesWildcardsAndPipelineInput_NamesEachModelOnce_AndAnExactNameNotListedIsAnError()
    {
        ScriptResult r = Run("""
            'GPT-IMAGE-2.5-*', 'gpt-image-2.5-flare' | Get-OpenAIImageModel
            Get-OpenAIImageModel -Name 'gpt-image-2.6-sunburst', 'gpt-4o', 'dall-e-*'
            """);

        Assert.Equal(
            ["gpt-image-2.5-flare", "gpt-image-2.5-flare-2026-09-08", "gpt-image-2.5-sunburst", "gpt-image-2.5-sunburst-2026-09-08", "gpt-image-2.6-sunburst"],
            r.Objects("ImageModelInfo").Select(m => (string)m.Id).ToArray());
        ErrorRecord error = Assert.Single(r.AllErrors); // gpt-4o is not an image model; 'dall-e-*' is a wildcard that matches nothing
        Assert.StartsWith("OpenAI.ModelNotListed", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        Assert.Equal("gpt-4o", error.TargetObject);
        Assert.Equal(2, Fake.ApiRequests.Count); // one GET /models per call
    }

    [Fact]
    public async Task AtOpenAI_TheServersShutdownDateWins_ElseTheTablesDateAndReplacement_AndUnknownModelsAreUnknown()
    {
        Fake.Models =
        [
            new FakeModel("gpt-image-2", ShutdownDate: "2027-01-15"),           // 39 days away: retiring
            new FakeModel("gpt-image-2.6-flare", ShutdownDate: "2027-12-31"),   // far away: live
            new FakeModel("gpt-image-1", ShutdownDate: "2026-10-23"),           // past: retired
            new FakeModel("chatgpt-image-latest", ShutdownDate: null),          // null: none announced, whatever the table says
            new FakeModel("gpt-image-1.5", OmitShutdownDate: true),             // no property: the table (retired 2026-12-01)
            new FakeModel("gpt-image-2.5-sunburst", OmitShutdownDate: true),    // no property, no retirement in the table: live
            new FakeModel("gpt-image-3-preview", OmitShutdownDate: true),       // not in the table, no date: unknown
            new FakeModel("my-custom-model", OmitShutdownDate: true),           // not an image model
        ];
        await using var proxy = new RecordingProxy(OpenAIHost, Fake.Root);

        ScriptResult r = Run(ModelLifecycleTests.AtOpenAI(proxy) + "Get-OpenAIImageModel");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal($"http://{OpenAIHost}/v1/models", Assert.Single(proxy.Requests).Target);
        var byId = r.Objects("ImageModelInfo").ToDictionary(m => (string)m.Id);
        Assert.Equal(7, byId.Count);
        Assert.DoesNotContain("my-custom-model", byId.Keys);

        void Check(string id, string status, string? date, string? replacement, bool known)
        {
            dynamic m = byId[id];
            Assert.True(status == m.Status.ToString(), $"{id}: status {m.Status}");
            Assert.Equal(date is null ? null : DateTime.Parse(date, System.Globalization.CultureInfo.InvariantCulture), (DateTime?)m.ShutdownDate);
            Assert.Equal(replacement, (string?)m.Replacement);
            Assert.Equal(known, (bool)m.Known);
        }

        Check("gpt-image-2", "Retiring", "2027-01-15", null, known: true);
        Check("gpt-image-2.6-flare", "Live", "2027-12-31", null, known: true);
        Check("gpt-image-1", "Retired", "2026-10-23", "gpt-image-2.5-sunburst or gpt-image-2.5-flare", known: true);
        Check("chatgpt-image-latest", "Live", null, "gpt-image-2.6-sunburst or gpt-image-2.6-flare", known: true);
        Check("gpt-image-1.5", "Retired", "2026-12-01", "gpt-image-2.6-sunburst or gpt-image-2.6-flare", known: true);
        Check("gpt-image-2.5-sunburst", "Live", null, null, known: true);
        Check("gpt-image-3-preview", "Unknown", null, null, known: false);
        dynamic unknown = byId["gpt-image-3-preview"];
        Assert.Empty((System.Collections.Generic.IEnumerable<string>)unknown.Qualities);
        Assert.Null((bool?)unknown.CustomSizes);
        Assert.Null((bool?)unknown.Generations);
        Assert.Null((bool?)unknown.Edits);
    }

    [Fact]
    public void ElsewhereTheTablesDatesDoNotApply_OnlyTheServersOwn()
    {
        Fake.Models =
        [
            new FakeModel("gpt-image-1.5", OmitShutdownDate: true),
            new FakeModel("dall-e-3", OmitShutdownDate: true),
            new FakeModel("gpt-image-1", ShutdownDate: "2027-06-30"),
        ];

        ScriptResult r = Run("Get-OpenAIImageModel");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        var byId = r.Objects("ImageModelInfo").ToDictionary(m => (string)m.Id);
        Assert.Equal("Unknown", byId["gpt-image-1.5"].Status.ToString()); // OpenAI's retirement is not this server's
        Assert.Null((object?)byId["gpt-image-1.5"].ShutdownDate);
        Assert.Null((string?)byId["gpt-image-1.5"].Replacement);
        Assert.True((bool)byId["dall-e-3"].Known);
        Assert.Equal("Unknown", byId["dall-e-3"].Status.ToString());
        Assert.Equal("Live", byId["gpt-image-1"].Status.ToString());
        Assert.Equal(new DateTime(2027, 6, 30), (DateTime?)byId["gpt-image-1"].ShutdownDate);
    }

    [Fact]
    public void AServerWithoutModels_IsAClearErrorThatSaysWhatToDo()
    {
        Fake.Models = null; // the route does not exist: 404 Invalid URL, as on servers without it

        ScriptResult r = Run("Get-OpenAIImageModel -MaxRetries 0");

        ErrorRecord error = Assert.Single(r.AllErrors);
        Assert.StartsWith("OpenAI.ModelListNotAvailable", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
        string message = error.ErrorDetails?.Message ?? error.Exception.Message;
        Assert.Contains($"The server at {Fake.BaseUri} does not list its models: GET /models answered HTTP 404 (Invalid URL (GET /v1/models))", message, StringComparison.Ordinal);
        Assert.Contains("-Model", message, StringComparison.Ordinal);
        Assert.Contains("-Model", error.ErrorDetails!.RecommendedAction, StringComparison.Ordinal);
        Assert.Equal(404, (int?)((dynamic)error.Exception).StatusCode);
        Assert.Empty(r.Objects("ImageModelInfo"));
        Assert.Single(Fake.ApiRequests); // a 404 is not retried
    }

    [Fact]
    public void OtherErrorsKeepOpenAIsMessage_AndTheKeyNeverShows()
    {
        Fake.Enqueue(FakeResponse.Error(401, "Incorrect API key provided: sk-tes***wxyz.", code: "invalid_api_key"));

        ScriptResult r = Run("Get-OpenAIImageModel");

        ErrorRecord error = Assert.Single(r.AllErrors);
        Assert.StartsWith("OpenAI.Authentication", error.FullyQualifiedErrorId, StringComparison.Ordinal);
        Assert.Contains("Incorrect API key provided", error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain(TestKey, r.AllText());
    }
}
