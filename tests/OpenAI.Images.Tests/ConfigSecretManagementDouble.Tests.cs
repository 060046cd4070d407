using System;
using System.Linq;
using System.Management.Automation;
using System.Security;

namespace OpenAI.Images.Tests;

/// <summary>
/// The SecretManagement test double behaves as the real module's documented contract says (the module's vault code
/// is only as good as this double), in a host that has nothing but Microsoft.PowerShell.Core.
/// </summary>
public sealed class ConfigSecretManagementDoubleTests : ConfigTest
{
    public ConfigSecretManagementDoubleTests(FakeApiFixture fixture) : base(fixture)
    {
        UseSecretManagementDouble();
    }

    [Fact]
    public void ImportsByNameAndExportsTheRealCommandNames()
    {
        ScriptResult r = Run("Import-Module Microsoft.PowerShell.SecretManagement -ErrorAction Stop\n(Get-Command -Module Microsoft.PowerShell.SecretManagement).Name");
        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal(
            new[] { "Get-Secret", "Get-SecretInfo", "Get-SecretVault", "Register-SecretVault", "Remove-Secret", "Set-Secret", "Set-SecretVaultDefault", "Test-SecretVault", "Unlock-SecretVault", "Unregister-SecretVault" },
            r.Output.Select(o => o.ToString()).OrderBy(n => n, StringComparer.Ordinal));
    }

    [Fact]
    public void VaultsHaveNameModuleNameAndIsDefaultAndTheFirstOneIsTheDefault()
    {
        ScriptResult r = Run("Import-Module Microsoft.PowerShell.SecretManagement\n"
            + "Register-SecretVault -Name A -ModuleName Microsoft.PowerShell.SecretStore\nRegister-SecretVault -Name B -ModuleName Other.Vault\n"
            + "Get-SecretVault | ForEach-Object { '{0}|{1}|{2}' -f $_.Name, $_.ModuleName, $_.IsDefault }\nGet-SecretVault -Name Missing");
        Assert.Equal(new[] { "A|Microsoft.PowerShell.SecretStore|True", "B|Other.Vault|False" }, r.Output.Select(o => o.ToString()));
        ErrorRecord error = Assert.Single(r.Errors);
        Assert.StartsWith("GetSecretVaultNotFound,", error.FullyQualifiedErrorId);
        Assert.Equal(ErrorCategory.ObjectNotFound, error.CategoryInfo.Category);
    }

    [Fact]
    public void SecretsComeBackAsSecureStringUnlessAsPlainTextAndMissingOnesAreObjectNotFound()
    {
        ScriptResult r = Run(RegisterVault("V")
            + "Set-Secret -Name s -Secret 'plain-value' -Vault V\n"
            + "Get-Secret -Name s -Vault V\nGet-Secret -Name s -Vault V -AsPlainText\nGet-Secret -Name s\n"
            + "Get-SecretInfo -Name s -Vault V | ForEach-Object { '{0}|{1}|{2}' -f $_.Name, $_.Type, $_.VaultName }\n"
            + "Get-Secret -Name missing -Vault V");
        Assert.IsType<SecureString>(r.Output[0].BaseObject);
        Assert.Equal("plain-value", r.Output[1].ToString());
        Assert.IsType<SecureString>(r.Output[2].BaseObject);
        Assert.Equal("s|String|V", r.Output[3].ToString());
        ErrorRecord missing = Assert.Single(r.Errors);
        Assert.StartsWith("GetSecretNotFound,", missing.FullyQualifiedErrorId);
        Assert.IsType<ItemNotFoundException>(missing.Exception);
        Assert.Equal("The secret missing was not found.", missing.Exception.Message);

        ScriptResult removed = Run("Remove-Secret -Name s -Vault V\nGet-SecretInfo -Vault V\nGet-Secret -Name s -Vault V -ErrorAction SilentlyContinue; 'after'");
        Assert.Equal(new[] { "after" }, removed.Output.Select(o => o.ToString()));
    }

    [Fact]
    public void AnUnknownVaultIsTerminatingAndNoDefaultVaultCannotStore()
    {
        ScriptResult unknown = Run("Import-Module Microsoft.PowerShell.SecretManagement\ntry { Get-Secret -Name x -Vault Nope } catch { $_.FullyQualifiedErrorId }");
        Assert.StartsWith("GetSecretVaultNotFound,", unknown.Output.Single().ToString());

        ScriptResult noDefault = Run("try { Set-Secret -Name x -Secret 'y' } catch { $_.FullyQualifiedErrorId }");
        Assert.StartsWith("SetSecretCommandFailNoVault,", noDefault.Output.Single().ToString());
    }

    [Fact]
    public void ALockedVaultFailsReadsAndWritesUntilUnlocked()
    {
        ScriptResult r = Run(RegisterVault("L", locked: true)
            + "Get-Secret -Name x -Vault L\n"
            + "try { Set-Secret -Name x -Secret 'y' -Vault L } catch { 'set: ' + $_.Exception.Message }\n"
            + "Unlock-SecretVault -Name L -Password ([System.Net.NetworkCredential]::new('', 'pw').SecurePassword)\n"
            + "Set-Secret -Name x -Secret 'y' -Vault L; Get-Secret -Name x -Vault L -AsPlainText");
        ErrorRecord read = Assert.Single(r.Errors);
        Assert.StartsWith("GetSecretException,", read.FullyQualifiedErrorId);
        Assert.IsAssignableFrom<InvalidOperationException>(read.Exception);
        Assert.Contains("Unlock-SecretStore", read.Exception.Message);
        Assert.StartsWith("set: A valid password is required", r.Output[0].ToString());
        Assert.Equal("y", r.Output[1].ToString());
    }
}
