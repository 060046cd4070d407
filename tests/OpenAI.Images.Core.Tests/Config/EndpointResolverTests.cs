using System;
using System.Linq;
using System.Net.Http;
using OpenAI.Images.Http;

namespace OpenAI.Images.Core.Tests.Config;

public sealed class EndpointResolverTests
{
    private static OpenAIClientOptions Options(string baseUri, OpenAIApiType type = OpenAIApiType.OpenAI, string? deployment = null, string? version = null) => new()
    {
        BaseUri = new Uri(baseUri),
        ApiType = type,
        AzureDeployment = deployment,
        ApiVersion = version,
        ApiKey = new ApiKey("key-0123456789abcdefghij"),
    };

    [Theory]
    [InlineData("https://api.openai.com/v1", "https://api.openai.com/v1/images/generations")]
    [InlineData("https://api.openai.com/v1/", "https://api.openai.com/v1/images/generations")]
    [InlineData("http://localhost:8080/compat/api", "http://localhost:8080/compat/api/images/generations")]
    [InlineData("https://gateway.test/v1?tenant=a", "https://gateway.test/v1/images/generations?tenant=a")]
    public void OpenAIAndCompatibleServersAppendThePath(string baseUri, string expected) =>
        Assert.Equal(expected, EndpointResolver.Resolve(Options(baseUri), "images/generations").AbsoluteUri);

    [Theory]
    [InlineData("https://res.openai.azure.com")]
    [InlineData("https://res.openai.azure.com/")]
    [InlineData("https://res.openai.azure.com/openai")]
    [InlineData("https://res.openai.azure.com/openai/v1")]
    public void AzureDeploymentsHaveTheDeploymentAndApiVersion(string baseUri)
    {
        Assert.Equal(
            "https://res.openai.azure.com/openai/deployments/img/images/edits?api-version=2025-04-01-preview",
            EndpointResolver.Resolve(Options(baseUri, OpenAIApiType.AzureOpenAI, "img"), "images/edits").AbsoluteUri);
        Assert.Equal(
            "https://res.openai.azure.com/openai/deployments/img/images/edits?api-version=2024-10-21",
            EndpointResolver.Resolve(Options(baseUri, OpenAIApiType.AzureOpenAI, "img", "2024-10-21"), "images/edits").AbsoluteUri);
        Assert.Equal(
            "https://res.openai.azure.com/openai/v1/images/generations",
            EndpointResolver.Resolve(Options(baseUri, OpenAIApiType.AzureOpenAI), "images/generations").AbsoluteUri);
        Assert.Equal(
            "https://res.openai.azure.com/openai/v1/images/generations?api-version=preview",
            EndpointResolver.Resolve(Options(baseUri, OpenAIApiType.AzureOpenAI, null, "preview"), "images/generations").AbsoluteUri);
    }

    [Fact]
    public void AuthenticationHeadersMatchTheEndpointShape()
    {
        var openAI = new HttpRequestMessage();
        OpenAIClientOptions o = Options("https://api.openai.com/v1");
        o.Organization = "org-1";
        o.Project = "proj_1";
        EndpointResolver.Authenticate(openAI, o);
        Assert.Equal("Bearer key-0123456789abcdefghij", openAI.Headers.GetValues("Authorization").Single());
        Assert.Equal("org-1", openAI.Headers.GetValues("OpenAI-Organization").Single());
        Assert.Equal("proj_1", openAI.Headers.GetValues("OpenAI-Project").Single());
        Assert.False(openAI.Headers.Contains("api-key"));

        var deployments = new HttpRequestMessage();
        EndpointResolver.Authenticate(deployments, Options("https://res.openai.azure.com", OpenAIApiType.AzureOpenAI, "img"));
        Assert.Equal("key-0123456789abcdefghij", deployments.Headers.GetValues("api-key").Single());
        Assert.False(deployments.Headers.Contains("Authorization"));
        Assert.False(deployments.Headers.Contains("OpenAI-Organization"));

        var v1 = new HttpRequestMessage();
        EndpointResolver.Authenticate(v1, Options("https://res.openai.azure.com", OpenAIApiType.AzureOpenAI));
        Assert.Equal("Bearer key-0123456789abcdefghij", v1.Headers.GetValues("Authorization").Single());
    }

    [Theory]
    [InlineData("https://api.example.test/v1", false, true)]
    [InlineData("http://127.0.0.1:5000/v1", false, true)]
    [InlineData("http://127.8.9.10/v1", false, true)]
    [InlineData("http://localhost:5000/v1", false, true)]
    [InlineData("http://[::1]:5000/v1", false, true)]
    [InlineData("http://192.168.1.20/v1", false, false)]
    [InlineData("http://gpu-box.lan/v1", false, false)]
    [InlineData("http://gpu-box.lan/v1", true, true)]
    public void TheKeyGoesOverPlainHttpOnlyToThisComputerUnlessAllowed(string uri, bool allow, bool ok)
    {
        OpenAIClientOptions options = Options(uri);
        options.AllowInsecureHttp = allow;
        if (ok)
        {
            EndpointResolver.EnsureSafeTransport(new Uri(uri), options);
            return;
        }

        var error = Assert.Throws<OpenAIConfigException>(() => EndpointResolver.EnsureSafeTransport(new Uri(uri), options));
        Assert.Equal(OpenAIConfigException.InsecureTransport, error.ErrorId);
        Assert.Contains("AllowInsecureHttp", error.Message);
    }

    [Fact]
    public void UserInfoIsRemovedFromDisplayedAddresses()
    {
        Assert.Equal("http://proxy.test:3128/", EndpointResolver.WithoutUserInfo(new Uri("http://user:pw@proxy.test:3128/")));
        Assert.Equal("https://api.openai.com/v1", EndpointResolver.WithoutUserInfo(new Uri("https://api.openai.com/v1")));
    }
}
