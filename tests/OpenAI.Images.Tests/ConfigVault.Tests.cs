using System;
using System.IO;
using System.Linq;
using System.Management.Automation;

namespace OpenAI.Images.Tests;

/// <summary>SecretManagement is opt-in: never required, never installed, only used when a key is to be kept in a vault.</summary>
public sealed class ConfigVaultTests : ConfigTest
{
    private const string Key = "sk-vaulted-0123456789VAULTEDKEY";

    public ConfigVaultTests(FakeApiFixture fixture) : base(fixture)
    {
    }

    [Fact]
    public void SavingAKeyWithoutSecretManagementSaysHowToInstallItOrUseProcessScope()
    {
        ErrorRecord error = AssertTerminates($"Set-OpenAIConfig -ApiKey '{Key}' -BaseUri https://example.test/v1", "OpenAI.SecretManagementNotInstalled", out ScriptResult r);
        Assert.Equal(ErrorCategory.NotInstalled, error.CategoryInfo.Category);
        Assert.Contains("Install-Module Microsoft.PowerShell.SecretManagement", error.Exception.Message);
        Assert.Contains("Microsoft.PowerShell.SecretStore", error.Exception.Message);
        Assert.Contains("-Scope Process", error.Exception.Message);
        Assert.False(File.Exists(ConfigFile), "no half-saved profile");
        Assert.DoesNotContain(Key, r.AllText());

        // The failed Import-Module of SecretManagement is handled: only the module's own error reaches $Error.
        ScriptResult log = Run($"Set-OpenAIConfig -ApiKey '{Key}' -ErrorAction SilentlyContinue\n$Error | ForEach-Object {{ $_.FullyQualifiedErrorId }}");
        Assert.Equal(new[] { "OpenAI.SecretManagementNotInstalled,OpenAI.Images.PowerShell.Commands.SetOpenAIConfigCommand" }, log.Output.Select(o => o.ToString()));

        // Without SecretManagement everything else still works: session keys and non-secret saved settings.
        ScriptResult ok = Run($"Set-OpenAIConfig -ApiKey '{Key}' -Scope Process\nSet-OpenAIConfig -MaxRetries 1\nNew-OpenAIImage 'a'; $Error.Count");
        Assert.True(!ok.AllErrors.Any(), ok.Describe());
        Assert.Equal("Bearer " + Key, Fake.ApiRequests.Single().Header("Authorization"));
        Assert.Equal("0", ok.Output.Last().ToString());
        AssertNotInUserFiles(Key);
    }

    [Fact]
    public void AProfileWhoseVaultIsGoneSaysSoInsteadOfSilentlyUsingAnotherKey()
    {
        UseSecretManagementDouble();
        Assert.True(!Run(RegisterVault() + $"Set-OpenAIConfig -ApiKey '{Key}'").AllErrors.Any());
        Environment.SetEnvironmentVariable("PSModulePath", EmptyModules); // SecretManagement uninstalled since

        ScriptResult r = Run("New-OpenAIImage 'a'");
        ErrorRecord error = Assert.Single(r.AllErrors);
        Assert.StartsWith("OpenAI.SecretManagementNotInstalled,", error.FullyQualifiedErrorId);
        Assert.Contains("TestVault", error.Exception.Message);
        Assert.Empty(Fake.ApiRequests);

        // The settings can still be inspected; the key is reported unavailable.
        ScriptResult get = Run("Get-OpenAIConfig");
        Assert.StartsWith("OpenAI.SecretManagementNotInstalled,", Assert.Single(get.AllErrors).FullyQualifiedErrorId);
        dynamic info = Assert.Single(get.Objects("OpenAIConfigInfo"));
        Assert.Null(info.ApiKey);
        Assert.Equal("Vault", info.ApiKeySource.ToString());
    }

    [Fact]
    public void TheKeyGoesToTheDefaultVaultUnderTheProfileNameOrWhereTheUserSays()
    {
        UseSecretManagementDouble();
        ScriptResult r = Run(RegisterVault("Main") + RegisterVault("Other", isDefault: false)
            + $"Set-OpenAIConfig -ApiKey '{Key}'\n"
            + "Set-OpenAIConfig -Profile team -ApiKey 'sk-team-0123456789TEAMxxKEY' -Vault Other -SecretName team-openai\n"
            + "Get-Secret -Name OpenAI.Images-default -Vault Main -AsPlainText\n"
            + "Get-Secret -Name team-openai -Vault Other -AsPlainText\n"
            + "Get-Secret -Name OpenAI.Images-default -Vault Main\n");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal(Key, r.Output[0].ToString());
        Assert.Equal("sk-team-0123456789TEAMxxKEY", r.Output[1].ToString());
        Assert.IsType<System.Security.SecureString>(r.Output[2].BaseObject);
        string text = File.ReadAllText(ConfigFile);
        Assert.Contains("\"apiKeyVault\": \"Other\"", text);
        Assert.Contains("\"apiKeySecret\": \"team-openai\"", text);
        AssertNotInUserFiles(Key);
        AssertNotInUserFiles("sk-team-0123456789TEAMxxKEY");

        // Updating the key without -Vault keeps it where it was.
        ScriptResult update = Run("Set-OpenAIConfig -Profile team -ApiKey 'sk-team2-0123456789TEAM2xKEY'\nGet-Secret -Name team-openai -Vault Other -AsPlainText");
        Assert.True(!update.AllErrors.Any(), update.Describe());
        Assert.Equal("sk-team2-0123456789TEAM2xKEY", update.Output.Single().ToString());

        // Pointing a profile at a secret stored by something else.
        ScriptResult point = Run("Set-Secret -Name from-elsewhere -Secret 'sk-other-0123456789OTHERxKEY' -Vault Other\n"
            + "Set-OpenAIConfig -Profile shared -Vault Other -SecretName from-elsewhere\nNew-OpenAIImage 'a' -Profile shared\n"
            + "Set-OpenAIConfig -Profile typo -Vault Other -SecretName not-there");
        Assert.True(!point.AllErrors.Any(), point.Describe());
        Assert.Equal("Bearer sk-other-0123456789OTHERxKEY", Fake.ApiRequests.Last().Header("Authorization"));
        Assert.Contains(point.Warnings, w => w.Contains("not-there"));
    }

    [Fact]
    public void WithoutADefaultVaultOrWithAnUnknownOneTheErrorSaysWhatToDo()
    {
        UseSecretManagementDouble();
        ScriptResult none = Run($"Import-Module Microsoft.PowerShell.SecretManagement; Set-OpenAIConfig -ApiKey '{Key}'");
        ErrorRecord noDefault = Assert.Single(none.AllErrors);
        Assert.StartsWith("OpenAI.NoDefaultVault,", noDefault.FullyQualifiedErrorId);
        Assert.Contains("Register-SecretVault", noDefault.Exception.Message);
        Assert.Contains("-Scope Process", noDefault.Exception.Message);

        ScriptResult unknown = Run(RegisterVault("Main") + $"Set-OpenAIConfig -ApiKey '{Key}' -Vault Nope");
        ErrorRecord notFound = Assert.Single(unknown.AllErrors);
        Assert.StartsWith("OpenAI.VaultNotFound,", notFound.FullyQualifiedErrorId);
        Assert.Contains("Main", notFound.Exception.Message);
        Assert.False(File.Exists(ConfigFile));
        Assert.DoesNotContain(VaultCalls(), c => c.StartsWith("Set-Secret", StringComparison.Ordinal));
    }

    [Fact]
    public void ALockedVaultIsAClearErrorAndNeverFallsBackToAnotherKey()
    {
        UseSecretManagementDouble();
        ScriptResult lockedWrite = Run(RegisterVault(locked: true) + $"Set-OpenAIConfig -ApiKey '{Key}'");
        ErrorRecord writeError = Assert.Single(lockedWrite.AllErrors);
        Assert.StartsWith("OpenAI.VaultError,", writeError.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ResourceUnavailable, writeError.CategoryInfo.Category);
        Assert.Contains("Unlock-SecretStore", writeError.Exception.Message);
        Assert.False(File.Exists(ConfigFile), "the profile must not point at a secret that was never stored");

        ScriptResult unlocked = Run("Unlock-SecretVault -Name TestVault -Password ([System.Net.NetworkCredential]::new('', 'pw').SecurePassword)\n"
            + $"Set-OpenAIConfig -ApiKey '{Key}'\nNew-OpenAIImage 'a'");
        Assert.True(!unlocked.AllErrors.Any(), unlocked.Describe());
        Assert.Equal("Bearer " + Key, Fake.ApiRequests.Single().Header("Authorization"));

        // The store locks again (its timeout): the command stops, even though $env:OPENAI_API_KEY is set.
        SetVaultLocked("TestVault", true);
        ErrorRecord error = AssertTerminates("New-OpenAIImage 'a'", "OpenAI.VaultError", out ScriptResult r);
        Assert.Contains("TestVault", error.Exception.Message);
        Assert.Contains("Unlock-SecretStore", error.Exception.Message);
        Assert.Contains("-ApiKey", error.Exception.Message);
        Assert.Single(Fake.ApiRequests);

        // Remove-OpenAIConfig cannot remove the secret from a locked vault, and then keeps the profile.
        ScriptResult remove = Run("Remove-OpenAIConfig");
        Assert.StartsWith("OpenAI.VaultError,", Assert.Single(remove.AllErrors).FullyQualifiedErrorId);
        Assert.Contains("apiKeySecret", File.ReadAllText(ConfigFile));

        ScriptResult keep = Run("Remove-OpenAIConfig -KeepSecret");
        Assert.True(!keep.AllErrors.Any(), keep.Describe());
        Assert.DoesNotContain("apiKeySecret", File.ReadAllText(ConfigFile));
        foreach (ScriptResult result in new[] { lockedWrite, unlocked, r, remove, keep })
        {
            Assert.DoesNotContain(Key, result.AllText());
        }
    }

    [Fact]
    public void ProxyCredentialsAreKeptInTheVaultNeverInTheFile()
    {
        UseSecretManagementDouble();
        ScriptResult r = Run(RegisterVault()
            + "$cred = [pscredential]::new('proxy-user', [System.Net.NetworkCredential]::new('', 'proxy-pass-0123456789').SecurePassword)\n"
            + "Set-OpenAIConfig -Proxy http://proxy.test:3128 -ProxyCredential $cred -PassThru\n"
            + "(Get-Secret -Name OpenAI.Images-default-Proxy -Vault TestVault).UserName");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        dynamic info = Assert.Single(r.Objects("OpenAIConfigInfo"));
        Assert.Equal("proxy-user", (string)info.ProxyUserName);
        Assert.Equal("proxy-user", r.Output.Last().ToString());
        Assert.Contains("\"proxyCredentialSecret\": \"OpenAI.Images-default-Proxy\"", File.ReadAllText(ConfigFile));
        AssertNotInUserFiles("proxy-pass-0123456789");
        Assert.DoesNotContain("proxy-pass-0123456789", r.AllText());

        ScriptResult cleared = Run("Set-OpenAIConfig -ProxyCredential $null; (Get-OpenAIConfig).ProxyUserName");
        Assert.True(!cleared.AllErrors.Any(), cleared.Describe());
        Assert.Null(Assert.Single(cleared.Output));
        Assert.DoesNotContain("proxyCredentialSecret", File.ReadAllText(ConfigFile));
    }
}
