using System;
using System.Linq;
using System.Management.Automation;
using System.Threading.Tasks;

namespace OpenAI.Images.Tests;

/// <summary>The URL, authentication header and query string of each endpoint shape, as the server receives them.</summary>
public sealed class ConfigEndpointsTests : ConfigTest
{
    private const string AzureKey = "azure-key-0123456789abcdefAZUREKEY";

    public ConfigEndpointsTests(FakeApiFixture fixture) : base(fixture)
    {
    }

    private string Root => Fake.Root.AbsoluteUri.TrimEnd('/');

    [Fact]
    public void OpenAIUsesABearerTokenAndTheOrganizationAndProjectHeadersWhenSet()
    {
        ScriptResult r = Run($"Set-OpenAIConfig -BaseUri '{Root}/v1' -Organization org-123 -Project proj_456\nNew-OpenAIImage 'a'; (Get-OpenAIConfig).Endpoint.AbsoluteUri");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        var request = Fake.ApiRequests.Single();
        Assert.Equal("/v1/images/generations", request.Path);
        Assert.Equal(string.Empty, request.QueryString);
        Assert.Equal("Bearer " + TestKey, request.Header("Authorization"));
        Assert.False(request.HasHeader("api-key"));
        Assert.Equal("org-123", request.Header("OpenAI-Organization"));
        Assert.Equal("proj_456", request.Header("OpenAI-Project"));
        Assert.Equal(Root + "/v1/images/generations", r.Output.Last().ToString());
    }

    [Fact]
    public void TheDefaultEndpointIsOpenAIsPublicApi()
    {
        Environment.SetEnvironmentVariable("OPENAI_BASE_URL", null);
        ScriptResult r = Run("$c = Get-OpenAIConfig; $c.BaseUri.AbsoluteUri; $c.Endpoint.AbsoluteUri; $c.Sources['BaseUri']; $c.ApiType");
        Assert.Equal(new[] { "https://api.openai.com/v1", "https://api.openai.com/v1/images/generations", "Default", "OpenAI" }, r.Output.Select(o => o.ToString()));
    }

    [Theory]
    [InlineData("", "2025-04-01-preview")]
    [InlineData("/openai", "2024-10-21")]
    public void AzureDeploymentsUseTheApiKeyHeaderAndTheApiVersionQuery(string suffix, string version)
    {
        string versionParameter = version == "2025-04-01-preview" ? string.Empty : " -ApiVersion " + version;
        ScriptResult r = Run($"Set-OpenAIConfig -Profile az -ApiType AzureOpenAI -BaseUri '{Root}{suffix}' -AzureDeployment 'img-deploy' -Scope Process{versionParameter}\n"
            + $"New-OpenAIImage 'a' -Profile az -ApiKey '{AzureKey}'\n"
            + $"Edit-OpenAIImage -Path {ModuleHost.Quote(CopyAsset("sample-8x8.png"))} -Prompt 'b' -Profile az -ApiKey '{AzureKey}'");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        var generation = Fake.ApiRequests[0];
        Assert.Equal("/openai/deployments/img-deploy/images/generations", generation.Path);
        Assert.Equal("?api-version=" + version, generation.QueryString);
        Assert.Equal(AzureKey, generation.Header("api-key"));
        Assert.False(generation.HasHeader("Authorization"));
        Assert.Equal("/openai/deployments/img-deploy/images/edits", Fake.ApiRequests[1].Path);
        Assert.Equal("?api-version=" + version, Fake.ApiRequests[1].QueryString);
        Assert.DoesNotContain(AzureKey, r.AllText());
    }

    [Theory]
    [InlineData("")]
    [InlineData("/openai/v1")]
    public void AzureV1UsesABearerTokenAndNoApiVersion(string suffix)
    {
        ScriptResult r = Run($"Set-OpenAIConfig -Profile v1 -ApiType AzureOpenAI -BaseUri '{Root}{suffix}' -Scope Process\nNew-OpenAIImage 'a' -Profile v1 -ApiKey '{AzureKey}'");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        var request = Fake.ApiRequests.Single();
        Assert.Equal("/openai/v1/images/generations", request.Path);
        Assert.Equal(string.Empty, request.QueryString);
        Assert.Equal("Bearer " + AzureKey, request.Header("Authorization"));
        Assert.False(request.HasHeader("api-key"));

        ScriptResult preview = Run($"Set-OpenAIConfig -Profile v1 -ApiVersion preview -Scope Process\nNew-OpenAIImage 'a' -Profile v1 -ApiKey '{AzureKey}'");
        Assert.True(!preview.AllErrors.Any(), preview.Describe());
        Assert.Equal("?api-version=preview", Fake.ApiRequests.Last().QueryString);
    }

    [Fact]
    public void AzureNeedsAnEndpointAndTakesItFromAzureOpenAIEndpointNotOpenAIBaseUrl()
    {
        ScriptResult missing = Run("Set-OpenAIConfig -Profile az -ApiType AzureOpenAI -AzureDeployment d -Scope Process\nNew-OpenAIImage 'a' -Profile az");
        ErrorRecord error = Assert.Single(missing.AllErrors);
        Assert.StartsWith("OpenAI.AzureEndpointMissing,", error.FullyQualifiedErrorId);
        Assert.Contains("AZURE_OPENAI_ENDPOINT", error.Exception.Message);
        Assert.Empty(Fake.ApiRequests);

        Environment.SetEnvironmentVariable("AZURE_OPENAI_ENDPOINT", Root);
        Environment.SetEnvironmentVariable("OPENAI_API_VERSION", "2025-01-01");
        ScriptResult r = Run("Set-OpenAIConfig -Profile az -ApiType AzureOpenAI -AzureDeployment d -Scope Process\nNew-OpenAIImage 'a' -Profile az; (Get-OpenAIConfig -Profile az).Sources['BaseUri']");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal("/openai/deployments/d/images/generations", Fake.ApiRequests.Single().Path);
        Assert.Equal("?api-version=2025-01-01", Fake.ApiRequests.Single().QueryString);
        Assert.Equal("Environment", r.Output.Last().ToString());
    }

    [Fact]
    public void AnyOpenAICompatibleServerWorksByBaseUri()
    {
        ScriptResult r = Run($"New-OpenAIImage 'a' -BaseUri '{Root}/compat/api/' -ApiKey 'local-key-0123456789LOCALKEY'");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal("/compat/api/images/generations", Fake.ApiRequests.Single().Path);
        Assert.Equal("Bearer local-key-0123456789LOCALKEY", Fake.ApiRequests.Single().Header("Authorization"));

        ScriptResult localhost = Run($"New-OpenAIImage 'a' -BaseUri 'http://localhost:{Fake.Port}/v1'");
        Assert.True(!localhost.AllErrors.Any(), localhost.Describe());
    }

    [Fact]
    public async Task TheKeyIsNeverSentOverPlainHttpToAnotherHostUnlessAllowed()
    {
        await using var proxy = new RecordingProxy("fake-openai.test", Fake.Root);
        ErrorRecord error = AssertTerminates(
            $"Set-OpenAIConfig -Profile lan -BaseUri http://fake-openai.test/v1 -Proxy '{proxy.Uri}' -Scope Process\nNew-OpenAIImage 'a' -Profile lan",
            "OpenAI.InsecureTransport");
        Assert.Equal(ErrorCategory.SecurityError, error.CategoryInfo.Category);
        Assert.Contains("-AllowInsecureHttp", error.Exception.Message);
        Assert.Empty(proxy.Requests);
        Assert.Empty(Fake.ApiRequests);

        ScriptResult perCall = Run("New-OpenAIImage 'a' -BaseUri http://fake-openai.test/v1");
        Assert.StartsWith("OpenAI.InsecureTransport,", Assert.Single(perCall.AllErrors).FullyQualifiedErrorId);

        ScriptResult allowed = Run("Set-OpenAIConfig -Profile lan -AllowInsecureHttp -Scope Process\nNew-OpenAIImage 'a' -Profile lan");
        Assert.True(!allowed.AllErrors.Any(), allowed.Describe());
        Assert.Equal("Bearer " + TestKey, Fake.ApiRequests.Single().Header("Authorization"));
        Assert.Single(proxy.Requests);
    }
}
