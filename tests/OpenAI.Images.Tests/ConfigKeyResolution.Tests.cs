using System;
using System.Linq;
using System.Management.Automation;

namespace OpenAI.Images.Tests;

/// <summary>Where the API key comes from: -ApiKey, then Process scope, then the profile's vault secret, then the environment.</summary>
public sealed class ConfigKeyResolutionTests : ConfigTest
{
    private const string ParamKey = "sk-param-0123456789PARAMxKEY1";
    private const string SessionKey = "sk-session-0123456789SESSIONKEY2";
    private const string VaultKey = "sk-vault-0123456789VAULTxxKEY3";

    public ConfigKeyResolutionTests(FakeApiFixture fixture) : base(fixture)
    {
    }

    private static string Secure(string key) => $"([System.Net.NetworkCredential]::new('', '{key}').SecurePassword)";

    private string LastBearer() => Fake.ApiRequests.Last().Header("Authorization")!;

    [Fact]
    public void OnlyTheEnvironmentVariableIsEnoughForCiAndNothingElseIsTouched()
    {
        UseSecretManagementDouble();
        ScriptResult r = Run("New-OpenAIImage 'a fox'; Get-Module Microsoft.PowerShell.SecretManagement; Get-OpenAIConfig");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal("Bearer " + TestKey, LastBearer());
        Assert.Single(r.Images);
        Assert.Empty(r.Objects("PSModuleInfo"));
        Assert.Empty(VaultCalls());
        Assert.False(System.IO.File.Exists(ConfigFile), "nothing is written by just using the module");
        dynamic info = Assert.Single(r.Objects("OpenAIConfigInfo"));
        Assert.Equal("Environment", info.ApiKeySource.ToString());
        Assert.Equal("$env:OPENAI_API_KEY", (string)info.ApiKeyLocation);
        Assert.Equal("sk-…wxyz", (string)info.ApiKey);
        Assert.DoesNotContain(TestKey, r.AllText());
    }

    [Fact]
    public void ParameterBeatsSessionBeatsVaultBeatsEnvironment()
    {
        UseSecretManagementDouble();
        ScriptResult setup = Run(RegisterVault()
            + $"Set-OpenAIConfig -ApiKey {Secure(VaultKey)}\n"
            + $"Set-OpenAIConfig -ApiKey {Secure(SessionKey)} -Scope Process");
        Assert.True(!setup.AllErrors.Any(), setup.Describe());

        ScriptResult param = Run($"New-OpenAIImage 'a' -ApiKey {Secure(ParamKey)}");
        Assert.True(!param.AllErrors.Any(), param.Describe());
        Assert.Equal("Bearer " + ParamKey, LastBearer());

        ScriptResult plainParam = Run($"New-OpenAIImage 'a' -ApiKey '{ParamKey}'");
        Assert.True(!plainParam.AllErrors.Any(), plainParam.Describe());
        Assert.Equal("Bearer " + ParamKey, LastBearer());

        ScriptResult session = Run("New-OpenAIImage 'a'; (Get-OpenAIConfig).ApiKeySource");
        Assert.True(!session.AllErrors.Any(), session.Describe());
        Assert.Equal("Bearer " + SessionKey, LastBearer());
        Assert.Equal("Session", session.Output.Last().ToString());

        // A new PowerShell process: the session key is gone, the vault key is still there.
        ClearSession();
        ScriptResult vault = Run("New-OpenAIImage 'a'; Get-OpenAIConfig");
        Assert.True(!vault.AllErrors.Any(), vault.Describe());
        Assert.Equal("Bearer " + VaultKey, LastBearer());
        dynamic info = Assert.Single(vault.Objects("OpenAIConfigInfo"));
        Assert.Equal("Vault", info.ApiKeySource.ToString());
        Assert.Equal("vault 'TestVault', secret 'OpenAI.Images-default'", (string)info.ApiKeyLocation);
        Assert.Equal("sk-…KEY3", (string)info.ApiKey);

        // The secret is deleted behind the module's back: the environment variable is next, with a warning.
        ScriptResult env = Run("Remove-Secret -Name OpenAI.Images-default -Vault TestVault\nNew-OpenAIImage 'a'");
        Assert.True(!env.AllErrors.Any(), env.Describe());
        Assert.Equal("Bearer " + TestKey, LastBearer());
        Assert.Contains(env.Warnings, w => w.Contains("OpenAI.Images-default") && w.Contains("$env:OPENAI_API_KEY"));

        // Nothing left: a terminating error that lists every way, and says what was missing.
        Environment.SetEnvironmentVariable("OPENAI_API_KEY", null);
        int before = Fake.ApiRequests.Count;
        ErrorRecord error = AssertTerminates("New-OpenAIImage 'a'", "OpenAI.MissingApiKey", out ScriptResult none);
        Assert.Equal(ErrorCategory.AuthenticationError, error.CategoryInfo.Category);
        foreach (string way in new[] { "-ApiKey", "-Scope Process", "SecretManagement", "OPENAI_API_KEY", "OpenAI.Images-default" })
        {
            Assert.Contains(way, error.Exception.Message);
        }

        Assert.Equal(before, Fake.ApiRequests.Count);
        foreach (string key in new[] { ParamKey, SessionKey, VaultKey, TestKey })
        {
            foreach (ScriptResult result in new[] { setup, param, plainParam, session, vault, env, none })
            {
                Assert.DoesNotContain(key, result.AllText());
            }

            AssertNotInUserFiles(key);
        }
    }

    [Fact]
    public void AnExplicitKeyNeverTouchesTheVault()
    {
        UseSecretManagementDouble();
        Run(RegisterVault() + $"Set-OpenAIConfig -ApiKey {Secure(VaultKey)}");
        int calls = VaultCalls().Count;

        ScriptResult r = Run($"New-OpenAIImage 'a' -ApiKey {Secure(ParamKey)}\nSet-OpenAIConfig -ApiKey {Secure(SessionKey)} -Scope Process\nNew-OpenAIImage 'b'");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal(calls, VaultCalls().Count);
        Assert.Equal(new[] { "Bearer " + ParamKey, "Bearer " + SessionKey }, Fake.ApiRequests.Select(q => q.Header("Authorization")));
    }

    [Fact]
    public void AzureProfilesPreferAzureOpenAIApiKeyThenOpenAIApiKey()
    {
        Environment.SetEnvironmentVariable("AZURE_OPENAI_API_KEY", "azure-env-key-0123456789AZUREKEY");
        ScriptResult r = Run($"Set-OpenAIConfig -Profile az -ApiType AzureOpenAI -BaseUri '{Fake.Root}' -AzureDeployment img -Scope Process\nNew-OpenAIImage 'a' -Profile az; (Get-OpenAIConfig -Profile az).ApiKeyLocation");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal("azure-env-key-0123456789AZUREKEY", Fake.ApiRequests.Last().Header("api-key"));
        Assert.Equal("$env:AZURE_OPENAI_API_KEY", r.Output.Last().ToString());

        Environment.SetEnvironmentVariable("AZURE_OPENAI_API_KEY", null);
        ScriptResult fallback = Run("New-OpenAIImage 'a' -Profile az");
        Assert.True(!fallback.AllErrors.Any(), fallback.Describe());
        Assert.Equal(TestKey, Fake.ApiRequests.Last().Header("api-key"));

        Environment.SetEnvironmentVariable("OPENAI_API_KEY", null);
        ScriptResult none = Run("New-OpenAIImage 'a' -Profile az");
        ErrorRecord error = Assert.Single(none.AllErrors);
        Assert.StartsWith("OpenAI.MissingApiKey,", error.FullyQualifiedErrorId);
        Assert.Contains("AZURE_OPENAI_API_KEY", error.Exception.Message);
        Assert.Contains("-Profile az", error.Exception.Message);
    }

    [Fact]
    public void TheKeyAppearsInNoStreamOrDebugTraceAndIsMaskedInGetOpenAIConfig()
    {
        UseSecretManagementDouble();
        ScriptResult r = Run(RegisterVault()
            + "$VerbosePreference = 'Continue'; $DebugPreference = 'Continue'; $InformationPreference = 'Continue'\n"
            + $"Set-OpenAIConfig -ApiKey '{VaultKey}' -PassThru -Verbose\n"
            + "New-OpenAIImage 'a' -Verbose\n"
            + $"Set-OpenAIConfig -ApiKey {Secure(SessionKey)} -Scope Process -PassThru\n"
            + "New-OpenAIImage 'b' -Debug\n"
            + "$c = Get-OpenAIConfig; $c; $c.Display('ApiKey'); $c.ToString(); $c.Sources['ApiKey']\n"
            + $"New-OpenAIImage 'c' -ApiKey '{ParamKey}' -Debug\n");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.NotEmpty(r.Debug);
        Assert.Contains(r.Debug, d => d.Contains("Authorization: Bearer sk-…KEY2"));
        Assert.Contains(r.Debug, d => d.Contains("Authorization: Bearer sk-…KEY1"));
        Assert.Contains("sk-…KEY2 (Session: Set-OpenAIConfig -Scope Process)", r.Output.Select(o => o.ToString()));
        string all = r.AllText();
        foreach (string key in new[] { VaultKey, SessionKey, ParamKey })
        {
            Assert.DoesNotContain(key, all);
            AssertNotInUserFiles(key);
        }

        // What the vault holds is a SecureString, never a plain string.
        ScriptResult stored = Run("(Get-SecretInfo -Name OpenAI.Images-default -Vault TestVault).Type");
        Assert.Equal("SecureString", stored.Output.Single().ToString());
    }
}
