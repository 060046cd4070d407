# TEST DOUBLE of Microsoft.PowerShell.SecretManagement (see the .psd1 and ../README.md).
# Uses only the PowerShell language and Microsoft.PowerShell.Core cmdlets, so it loads in a host that has nothing else.
#
# State: vaults and their secrets, in memory. The hashtable is kept in AppDomain data so that every runspace of one
# process sees the same vaults, like the real per-user registry and vaults (a "new session" in a hosted test sees the
# secrets an earlier one stored); a new process starts empty. Tests reset it with:
#   [AppDomain]::CurrentDomain.SetData('SecretManagementDouble.State', $null)
# Test-only switches ride on the real parameters: Register-SecretVault -VaultParameters @{ Locked = $true } registers a
# locked vault (reads and writes fail as a locked SecretStore does until Unlock-SecretVault). Every call is logged in
# State.Calls ("Get-Secret name=... vault=...") so tests can prove a vault was or was not touched.

class PasswordRequiredException : System.InvalidOperationException {
    PasswordRequiredException([string] $message) : base($message) { }
}

$script:StateKey = 'SecretManagementDouble.State'
$script:State = [System.AppDomain]::CurrentDomain.GetData($script:StateKey)
if ($null -eq $script:State) {
    $script:State = [hashtable]::Synchronized(@{
        Vaults = [System.Collections.Specialized.OrderedDictionary]::new([System.StringComparer]::OrdinalIgnoreCase)
        Calls  = [System.Collections.ArrayList]::new()
    })
    [System.AppDomain]::CurrentDomain.SetData($script:StateKey, $script:State)
}

$script:NoVaultRegistered = 'There are currently no extension vaults registered. At least one vault must be registered before SecretManagement can add or retrieve secrets. You can download SecretManagement extension vault modules from PowerShellGallery.'
$script:PasswordRequired = 'A valid password is required to access the Microsoft.PowerShell.SecretStore vault. Use the Unlock-SecretStore cmdlet to provide the required password to access the store.'

function Get-DoubleState {
    # Current state (a test may have reset it after this module was imported).
    $current = [System.AppDomain]::CurrentDomain.GetData($script:StateKey)
    if ($null -eq $current) {
        $current = [hashtable]::Synchronized(@{
            Vaults = [System.Collections.Specialized.OrderedDictionary]::new([System.StringComparer]::OrdinalIgnoreCase)
            Calls  = [System.Collections.ArrayList]::new()
        })
        [System.AppDomain]::CurrentDomain.SetData($script:StateKey, $current)
    }
    $current
}

function Write-DoubleCall([string] $Text) {
    $null = (Get-DoubleState).Calls.Add($Text)
}

function New-DoubleError([System.Exception] $Exception, [string] $Id, [System.Management.Automation.ErrorCategory] $Category, $Target) {
    [System.Management.Automation.ErrorRecord]::new($Exception, $Id, $Category, $Target)
}

function Get-DoubleVault([System.Management.Automation.PSCmdlet] $Cmdlet, [string] $Name) {
    $vaults = (Get-DoubleState).Vaults
    if (-not $vaults.Contains($Name)) {
        $Cmdlet.ThrowTerminatingError((New-DoubleError ([System.Management.Automation.PSInvalidOperationException]::new("Vault not found in registry: $Name")) 'GetSecretVaultNotFound' ObjectNotFound $Name))
    }
    $vaults[$Name]
}

function Get-DoubleDefaultVaultName {
    foreach ($vault in (Get-DoubleState).Vaults.Values) {
        if ($vault.IsDefault) { return $vault.Name }
    }
    $null
}

function Test-DoubleRegistered([System.Management.Automation.PSCmdlet] $Cmdlet) {
    if ((Get-DoubleState).Vaults.Count -eq 0) { $Cmdlet.WriteWarning($script:NoVaultRegistered) }
}

function New-PasswordRequired { [PasswordRequiredException]::new($script:PasswordRequired) }

function ConvertTo-DoubleSecureString([string] $Text) {
    [System.Net.NetworkCredential]::new('', $Text).SecurePassword
}

function ConvertFrom-DoubleSecureString([System.Security.SecureString] $Secure) {
    [System.Net.NetworkCredential]::new('', $Secure).Password
}

function Get-DoubleSecretType($Value) {
    if ($Value -is [string]) { return 'String' }
    if ($Value -is [System.Security.SecureString]) { return 'SecureString' }
    if ($Value -is [System.Management.Automation.PSCredential]) { return 'PSCredential' }
    if ($Value -is [hashtable]) { return 'Hashtable' }
    if ($Value -is [byte[]]) { return 'ByteArray' }
    'Unknown'
}

function New-DoubleVaultInfo($Vault) {
    [pscustomobject]@{
        PSTypeName      = 'Microsoft.PowerShell.SecretManagement.SecretVaultInfo'
        Name            = $Vault.Name
        ModuleName      = $Vault.ModuleName
        ModulePath      = $Vault.ModulePath
        Description     = $Vault.Description
        VaultParameters = $Vault.VaultParameters
        IsDefault       = [bool] $Vault.IsDefault
    }
}

function New-DoubleSecretInfo($Vault, [string] $Name) {
    $entry = $Vault.Secrets[$Name]
    [pscustomobject]@{
        PSTypeName = 'Microsoft.PowerShell.SecretManagement.SecretInformation'
        Name       = $Name
        Type       = Get-DoubleSecretType $entry.Value
        VaultName  = $Vault.Name
        Metadata   = $entry.Metadata
    }
}

function Register-SecretVault {
    [CmdletBinding(SupportsShouldProcess = $true)]
    param(
        [Parameter(Mandatory = $true, Position = 1)] [ValidateNotNullOrEmpty()] [string] $ModuleName,
        [Parameter(Position = 0)] [string] $Name,
        [hashtable] $VaultParameters,
        [switch] $DefaultVault,
        [switch] $AllowClobber,
        [switch] $PassThru,
        [string] $Description
    )
    if (-not $Name) { $Name = $ModuleName }
    Write-DoubleCall "Register-SecretVault name=$Name"
    $vaults = (Get-DoubleState).Vaults
    if ($vaults.Contains($Name) -and -not $AllowClobber) {
        $PSCmdlet.ThrowTerminatingError((New-DoubleError ([System.InvalidOperationException]::new('Provided Name for vault is already being used.')) 'RegisterSecretVaultInvalidVaultName' InvalidArgument $Name))
    }
    if (-not $PSCmdlet.ShouldProcess($Name, 'Register module as a SecretManagement extension vault for current user')) { return }
    $parameters = if ($VaultParameters) { $VaultParameters.Clone() } else { @{} }
    $makeDefault = $DefaultVault.IsPresent -or $vaults.Count -eq 0 -or ($vaults.Count -eq 1 -and $vaults.Contains($Name))
    if ($makeDefault) { foreach ($v in $vaults.Values) { $v.IsDefault = $false } }
    $vaults[$Name] = @{
        Name            = $Name
        ModuleName      = $ModuleName
        ModulePath      = [System.IO.Path]::Combine($PSScriptRoot, $ModuleName)
        Description     = $Description
        VaultParameters = $parameters
        IsDefault       = $makeDefault
        Locked          = [bool] $parameters['Locked']
        Secrets         = @{}
    }
    if ($PassThru) { New-DoubleVaultInfo $vaults[$Name] }
}

function Unregister-SecretVault {
    [CmdletBinding(SupportsShouldProcess = $true)]
    param([Parameter(Mandatory = $true, Position = 0, ValueFromPipelineByPropertyName = $true)] [string[]] $Name)
    process {
        foreach ($n in $Name) {
            Write-DoubleCall "Unregister-SecretVault name=$n"
            $vaults = (Get-DoubleState).Vaults
            if (-not $vaults.Contains($n)) {
                $PSCmdlet.WriteError((New-DoubleError ([System.Management.Automation.ItemNotFoundException]::new("Unable to find secret vault $n to unregister it.")) 'UnregisterSecretVaultObjectNotFound' ObjectNotFound $n))
                continue
            }
            if ($PSCmdlet.ShouldProcess($n, 'Unregister')) { $vaults.Remove($n) }
        }
    }
}

function Get-SecretVault {
    [CmdletBinding()]
    param([Parameter(Position = 0)] [SupportsWildcards()] [string[]] $Name)
    Write-DoubleCall "Get-SecretVault name=$($Name -join ',')"
    $vaults = (Get-DoubleState).Vaults
    if (-not $Name) { $Name = @('*') }
    foreach ($n in $Name) {
        if ([System.Management.Automation.WildcardPattern]::ContainsWildcardCharacters($n)) {
            $pattern = [System.Management.Automation.WildcardPattern]::new($n, [System.Management.Automation.WildcardOptions]::IgnoreCase)
            foreach ($v in @($vaults.Values)) { if ($pattern.IsMatch($v.Name)) { New-DoubleVaultInfo $v } }
        }
        elseif ($vaults.Contains($n)) {
            New-DoubleVaultInfo $vaults[$n]
        }
        else {
            $PSCmdlet.WriteError((New-DoubleError ([System.Management.Automation.ItemNotFoundException]::new("Vault $n does not exist in registry.")) 'GetSecretVaultNotFound' ObjectNotFound $n))
        }
    }
}

function Set-SecretVaultDefault {
    [CmdletBinding(SupportsShouldProcess = $true)]
    param(
        [Parameter(Position = 0)] [string] $Name,
        [switch] $ClearDefault
    )
    Write-DoubleCall "Set-SecretVaultDefault name=$Name"
    $vaults = (Get-DoubleState).Vaults
    if ($ClearDefault) { foreach ($v in $vaults.Values) { $v.IsDefault = $false }; return }
    if (-not $vaults.Contains($Name)) {
        $PSCmdlet.ThrowTerminatingError((New-DoubleError ([System.Management.Automation.ItemNotFoundException]::new("Vault $Name does not exist in registry.")) 'VaultNotFound' ObjectNotFound $Name))
    }
    if ($PSCmdlet.ShouldProcess($Name, 'Set vault as default')) {
        foreach ($v in $vaults.Values) { $v.IsDefault = $false }
        $vaults[$Name].IsDefault = $true
    }
}

function Test-SecretVault {
    [CmdletBinding()]
    param([Parameter(Position = 0)] [string[]] $Name)
    $vaults = (Get-DoubleState).Vaults
    if (-not $Name) { $Name = @($vaults.Keys) }
    foreach ($n in $Name) {
        $vault = Get-DoubleVault $PSCmdlet $n
        -not $vault.Locked
    }
}

function Unlock-SecretVault {
    [CmdletBinding()]
    param(
        [Parameter(Mandatory = $true, Position = 0)] [ValidateNotNullOrEmpty()] [string] $Name,
        [Parameter(Mandatory = $true, Position = 1)] [System.Security.SecureString] $Password
    )
    Write-DoubleCall "Unlock-SecretVault name=$Name"
    $vault = Get-DoubleVault $PSCmdlet $Name
    $expected = $vault.VaultParameters['Password']
    if ($null -ne $expected -and $expected -ne (ConvertFrom-DoubleSecureString $Password)) {
        $PSCmdlet.WriteError((New-DoubleError ([System.Management.Automation.PSInvalidOperationException]::new("Unlocking vault '$Name' failed with error: The provided password is incorrect.")) 'UnlockSecretVaultInvalidOperation' InvalidOperation $Name))
        return
    }
    $vault.Locked = $false
}

function Get-Secret {
    [CmdletBinding(DefaultParameterSetName = 'NameParameterSet')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ParameterSetName = 'NameParameterSet')] [string] $Name,
        [Parameter(Position = 1, ParameterSetName = 'NameParameterSet')] [string] $Vault,
        [Parameter(Mandatory = $true, ValueFromPipeline = $true, ParameterSetName = 'InfoParameterSet')] [psobject] $InputObject,
        [switch] $AsPlainText
    )
    begin { Test-DoubleRegistered $PSCmdlet }
    process {
        if ($PSCmdlet.ParameterSetName -eq 'InfoParameterSet') { $Name = $InputObject.Name; $Vault = $InputObject.VaultName }
        Write-DoubleCall "Get-Secret name=$Name vault=$Vault"
        $state = Get-DoubleState
        if ($Vault) {
            $candidates = @(Get-DoubleVault $PSCmdlet $Vault)
        }
        else {
            $default = Get-DoubleDefaultVaultName
            $candidates = @(@($state.Vaults.Values) | Where-Object { $_.Name -eq $default }) + @(@($state.Vaults.Values) | Where-Object { $_.Name -ne $default })
        }
        $failed = $false
        foreach ($v in $candidates) {
            if ($v.Locked) {
                $PSCmdlet.WriteError((New-DoubleError (New-PasswordRequired) 'GetSecretException' InvalidOperation $Name))
                $failed = $true
                continue
            }
            if ($v.Secrets.ContainsKey($Name)) {
                $value = $v.Secrets[$Name].Value
                if ($value -is [string] -and -not $AsPlainText) { return (ConvertTo-DoubleSecureString $value) }
                if ($value -is [System.Security.SecureString] -and $AsPlainText) { return (ConvertFrom-DoubleSecureString $value) }
                if ($value -is [System.Security.SecureString]) { return $value.Copy() }
                return $value
            }
        }
        if ($Vault -and $failed) { return }
        $PSCmdlet.WriteError((New-DoubleError ([System.Management.Automation.ItemNotFoundException]::new("The secret $Name was not found.")) 'GetSecretNotFound' ObjectNotFound $Name))
    }
}

function Set-Secret {
    [CmdletBinding(SupportsShouldProcess = $true, DefaultParameterSetName = 'SecureStringParameterSet')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ParameterSetName = 'ObjectParameterSet')]
        [Parameter(Mandatory = $true, Position = 0, ParameterSetName = 'SecureStringParameterSet')]
        [ValidateNotNullOrEmpty()] [string] $Name,
        [Parameter(Mandatory = $true, Position = 1, ValueFromPipeline = $true, ParameterSetName = 'ObjectParameterSet')] [object] $Secret,
        [Parameter(Mandatory = $true, Position = 1, ValueFromPipeline = $true, ParameterSetName = 'SecureStringParameterSet')] [System.Security.SecureString] $SecureStringSecret,
        [Parameter(Position = 2, ParameterSetName = 'ObjectParameterSet')]
        [Parameter(Position = 2, ParameterSetName = 'SecureStringParameterSet')] [string] $Vault,
        [Parameter(Position = 3, ParameterSetName = 'ObjectParameterSet')]
        [Parameter(Position = 3, ParameterSetName = 'SecureStringParameterSet')] [hashtable] $Metadata,
        [switch] $NoClobber
    )
    begin { Test-DoubleRegistered $PSCmdlet }
    process {
        Write-DoubleCall "Set-Secret name=$Name vault=$Vault"
        if (-not $PSCmdlet.ShouldProcess($Vault, 'Write secret to vault and override any existing secret of the same name')) { return }
        $value = if ($PSCmdlet.ParameterSetName -eq 'SecureStringParameterSet') { $SecureStringSecret } else { $Secret }
        if ($value -is [psobject]) { $value = $value.psobject.BaseObject }
        if (-not $Vault) { $Vault = Get-DoubleDefaultVaultName }
        if (-not $Vault) {
            $PSCmdlet.ThrowTerminatingError((New-DoubleError ([System.Management.Automation.PSInvalidOperationException]::new('Unable to set secret because no vault was provided and there is no default vault designated.')) 'SetSecretCommandFailNoVault' InvalidOperation $Name))
        }
        $target = Get-DoubleVault $PSCmdlet $Vault
        if ($target.Locked) {
            $PSCmdlet.ThrowTerminatingError((New-DoubleError (New-PasswordRequired) 'Microsoft.PowerShell.SecretManagement.PasswordRequiredException' InvalidOperation $Name))
        }
        if ((Get-DoubleSecretType $value) -eq 'Unknown') {
            $PSCmdlet.WriteError((New-DoubleError ([System.Management.Automation.PSInvalidOperationException]::new("Unable to add secret $Name to vault $Vault", [System.ArgumentException]::new("Invalid secret type: $($value.GetType().FullName)"))) 'SetSecretInvalidOperation' InvalidOperation $Name))
            return
        }
        if ($NoClobber -and $target.Secrets.ContainsKey($Name)) {
            $PSCmdlet.ThrowTerminatingError((New-DoubleError ([System.Management.Automation.PSInvalidOperationException]::new("A secret with name $Name already exists in vault $Vault.")) 'SetSecretCommandAlreadyExistsWithNoClobber' ResourceExists $Name))
        }
        if ($value -is [System.Security.SecureString]) { $value = $value.Copy() }
        $target.Secrets[$Name] = @{ Value = $value; Metadata = $(if ($Metadata) { $Metadata.Clone() } else { @{} }) }
        $PSCmdlet.WriteVerbose("Secret $Name was successfully added to vault $Vault.")
    }
}

function Remove-Secret {
    [CmdletBinding(SupportsShouldProcess = $true, DefaultParameterSetName = 'NameParameterSet')]
    param(
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ParameterSetName = 'NameParameterSet')] [ValidateNotNullOrEmpty()] [string] $Name,
        [Parameter(Mandatory = $true, Position = 1, ParameterSetName = 'NameParameterSet')] [ValidateNotNullOrEmpty()] [string] $Vault,
        [Parameter(Mandatory = $true, Position = 0, ValueFromPipeline = $true, ParameterSetName = 'InfoParameterSet')] [psobject] $InputObject
    )
    process {
        if ($PSCmdlet.ParameterSetName -eq 'InfoParameterSet') { $Name = $InputObject.Name; $Vault = $InputObject.VaultName }
        Write-DoubleCall "Remove-Secret name=$Name vault=$Vault"
        if (-not $PSCmdlet.ShouldProcess($Vault, 'Remove secret by name from vault')) { return }
        $target = Get-DoubleVault $PSCmdlet $Vault
        if ($target.Locked) {
            $PSCmdlet.ThrowTerminatingError((New-DoubleError (New-PasswordRequired) 'Microsoft.PowerShell.SecretManagement.PasswordRequiredException' InvalidOperation $Name))
        }
        if (-not $target.Secrets.ContainsKey($Name)) {
            $PSCmdlet.WriteError((New-DoubleError ([System.Management.Automation.PSInvalidOperationException]::new("Unable to remove secret $Name from vault $Vault", [System.Management.Automation.ItemNotFoundException]::new("The secret $Name was not found."))) 'RemoveSecretInvalidOperation' InvalidOperation $Name))
            return
        }
        $target.Secrets.Remove($Name)
        $PSCmdlet.WriteVerbose("Secret $Name was successfully removed from vault $Vault.")
    }
}

function Get-SecretInfo {
    [CmdletBinding()]
    param(
        [Parameter(Position = 0)] [SupportsWildcards()] [string] $Name,
        [Parameter(Position = 1)] [string] $Vault
    )
    begin { Test-DoubleRegistered $PSCmdlet }
    end {
        if (-not $Name) { $Name = '*' }
        Write-DoubleCall "Get-SecretInfo name=$Name vault=$Vault"
        $pattern = [System.Management.Automation.WildcardPattern]::new($Name, [System.Management.Automation.WildcardOptions]::IgnoreCase)
        $state = Get-DoubleState
        $vaults = if ($Vault) { @(Get-DoubleVault $PSCmdlet $Vault) } else { @($state.Vaults.Values) }
        foreach ($v in $vaults) {
            if ($v.Locked) {
                $PSCmdlet.WriteError((New-DoubleError (New-PasswordRequired) 'GetSecretInfoException' InvalidOperation $v.Name))
                continue
            }
            $names = [string[]] @($v.Secrets.Keys)
            [System.Array]::Sort($names, [System.StringComparer]::OrdinalIgnoreCase)
            foreach ($secretName in $names) {
                if ($pattern.IsMatch($secretName)) { New-DoubleSecretInfo $v $secretName }
            }
        }
    }
}

Export-ModuleMember -Function @(
    'Get-Secret', 'Set-Secret', 'Remove-Secret', 'Get-SecretInfo',
    'Get-SecretVault', 'Register-SecretVault', 'Unregister-SecretVault', 'Set-SecretVaultDefault',
    'Test-SecretVault', 'Unlock-SecretVault'
)
