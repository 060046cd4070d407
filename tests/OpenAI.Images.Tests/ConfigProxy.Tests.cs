using System;
using System.IO;
using System.Linq;
using System.Threading.Tasks;

namespace OpenAI.Images.Tests;

/// <summary>
/// Requests go through the profile's proxy. The target is http://fake-openai.test (not loopback, so the client does
/// not bypass the proxy); the recording proxy forwards it to the fake server.
/// </summary>
public sealed class ConfigProxyTests : ConfigTest
{
    private const string Host = "fake-openai.test";

    public ConfigProxyTests(FakeApiFixture fixture) : base(fixture)
    {
    }

    [Fact]
    public async Task RequestsGoThroughTheProfilesProxyWithItsCredential()
    {
        await using var proxy = new RecordingProxy(Host, Fake.Root) { RequiredCredential = "proxy-user:proxy-pass-0123456789" };
        ScriptResult r = Run("$cred = [pscredential]::new('proxy-user', [System.Net.NetworkCredential]::new('', 'proxy-pass-0123456789').SecurePassword)\n"
            + $"Set-OpenAIConfig -Profile corp -BaseUri http://{Host}/v1 -AllowInsecureHttp -Proxy '{proxy.Uri}' -ProxyCredential $cred -Scope Process\n"
            + "New-OpenAIImage 'a fox' -Profile corp -Debug; Get-OpenAIConfig -Profile corp");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Single(r.Images);
        ProxiedRequest last = proxy.Requests.Last();
        Assert.Equal("POST", last.Method);
        Assert.Equal($"http://{Host}/v1/images/generations", last.Target);
        Assert.Equal("Basic " + Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes("proxy-user:proxy-pass-0123456789")), last.Header("Proxy-Authorization"));
        Assert.Equal("Bearer " + TestKey, Fake.ApiRequests.Single().Header("Authorization"));
        Assert.Equal("a fox", (string?)Fake.ApiRequests.Single().Json!["prompt"]);
        dynamic info = Assert.Single(r.Objects("OpenAIConfigInfo"));
        Assert.Equal("proxy-user", (string)info.ProxyUserName);
        Assert.DoesNotContain("proxy-pass-0123456789", r.AllText());
        AssertNotInUserFiles("proxy-pass-0123456789");
    }

    [Fact]
    public async Task HttpsTargetsAreTunnelledThroughTheProxy()
    {
        await using var proxy = new RecordingProxy(Host, Fake.Root);
        ScriptResult r = Run($"Set-OpenAIConfig -Profile corp -Proxy '{proxy.Uri}' -Scope Process\nNew-OpenAIImage 'a' -BaseUri https://{Host}/v1 -MaxRetries 0 -Profile corp");

        Assert.StartsWith("OpenAI.Network", Assert.Single(r.AllErrors).FullyQualifiedErrorId);
        ProxiedRequest connect = Assert.Single(proxy.Requests);
        Assert.Equal("CONNECT", connect.Method);
        Assert.Equal($"{Host}:443", connect.Target);
        Assert.Empty(Fake.ApiRequests);
        Assert.DoesNotContain(TestKey, r.AllText());
    }

    [Fact]
    public async Task ASavedProxyAndVaultCredentialApplyInANewSession()
    {
        UseSecretManagementDouble();
        await using var proxy = new RecordingProxy(Host, Fake.Root) { RequiredCredential = "u:p-0123456789abc" };
        ScriptResult set = Run(RegisterVault()
            + "$cred = [pscredential]::new('u', [System.Net.NetworkCredential]::new('', 'p-0123456789abc').SecurePassword)\n"
            + $"Set-OpenAIConfig -BaseUri http://{Host}/v1 -AllowInsecureHttp -Proxy '{proxy.Uri}' -ProxyCredential $cred");
        Assert.True(!set.AllErrors.Any(), set.Describe());
        AssertNotInUserFiles("p-0123456789abc");

        ClearSession();
        ScriptResult r = Run("New-OpenAIImage 'a'");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal($"http://{Host}/v1/images/generations", proxy.Requests.Last().Target);
        Assert.NotNull(proxy.Requests.Last().Header("Proxy-Authorization"));
    }

    [Fact]
    public async Task SaveOpenAIImageDownloadsThroughTheProfilesProxyWithoutTheKey()
    {
        await using var proxy = new RecordingProxy(Host, Fake.Root);
        ScriptResult r = Run($"Set-OpenAIConfig -Profile corp -Proxy '{proxy.Uri}' -Scope Process\n"
            + "$image = New-OpenAIImage 'a' -Model dall-e-2 -ResponseFormat url\n"
            + $"$image.Url = [uri] $image.Url.AbsoluteUri.Replace('127.0.0.1:{Fake.Port}', '{Host}')\n"
            + "$image | Save-OpenAIImage -OutputDirectory out -Profile corp");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        ProxiedRequest download = Assert.Single(proxy.Requests);
        Assert.Equal("GET", download.Method);
        Assert.StartsWith($"http://{Host}/_fake/download/", download.Target);
        Assert.Null(download.Header("Authorization"));
        Assert.Single(Directory.GetFiles(Path.Combine(Temp, "out")));
    }
}
