# TEST DOUBLE of Microsoft.PowerShell.SecretManagement for the OpenAI.Images tests. Not the real module.
# Named like the real module so that `Import-Module Microsoft.PowerShell.SecretManagement` finds it when
# tests/SecretManagementDouble is first on $env:PSModulePath. Same command names, parameters, outputs and error ids as
# the real module's documented contract (see README.md next to this folder); secrets live in memory only.
@{
    RootModule           = 'Microsoft.PowerShell.SecretManagement.psm1'
    ModuleVersion        = '1.1.2'
    GUID                 = '7e4c2a5e-4b8f-4d61-9a3e-2c6f1f0d9b11'
    Author               = 'OpenAI.Images tests'
    Description          = 'In-memory test double of Microsoft.PowerShell.SecretManagement (OpenAI.Images test suite only).'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    FunctionsToExport    = @(
        'Get-Secret', 'Set-Secret', 'Remove-Secret', 'Get-SecretInfo',
        'Get-SecretVault', 'Register-SecretVault', 'Unregister-SecretVault', 'Set-SecretVaultDefault',
        'Test-SecretVault', 'Unlock-SecretVault'
    )
    CmdletsToExport      = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{ PSData = @{ Tags = @('TestDouble') } }
}
