<#
.SYNOPSIS
    Setup for the configuration Pester 5 suites (Set-, Get-, Remove-OpenAIConfig.Tests.ps1). Dot-source it in BeforeAll.

.DESCRIPTION
    Builds nothing: run `dotnet build` at the repository root first. It dot-sources TestHelpers.ps1 (repository
    paths, module import from out/OpenAI.Images, Reset-Fake, Get-FakeRequest, Get-FakeHeader, Stop-Fake, $TestApiKey)
    and adds:

      Start-ConfigFake                     a fake OpenAI server (New-FakeServer) accepting any API key (these suites
                                           use several keys), with $env:OPENAI_API_KEY = $TestApiKey and
                                           $env:OPENAI_BASE_URL pointing at it; stop it with Stop-Fake.
      Enter-ConfigSandbox / Exit-ConfigSandbox
                                           per test: the config folder (XDG_CONFIG_HOME, HOME, APPDATA) moved into
                                           $TestDrive, OPENAI_ORG_ID / OPENAI_PROJECT_ID / AZURE_* cleared,
                                           PSModulePath holding only $PSHOME/Modules and, with -WithSecretManagement,
                                           the SecretManagement test double (tests/SecretManagementDouble), the
                                           double's vaults and the module's Process-scope settings cleared; all
                                           restored afterwards. The real user profile is never touched.
      Clear-ConfigSession                  forgets the Process-scope settings, as a new pwsh process would.
      Register-TestVault                   imports the double and registers a vault (optionally locked).
      ConvertTo-TestSecureString, Get-SandboxText
#>

. $PSScriptRoot/TestHelpers.ps1

$SecretManagementDouble = [System.IO.Path]::Combine($RepoRoot, 'tests', 'SecretManagementDouble')

function Start-ConfigFake {
    # Like Start-Fake, but the fake accepts any key; the object works with Stop-Fake, Reset-Fake and Get-FakeRequest.
    $server = New-FakeServer
    $saved = @{}
    foreach ($name in 'OPENAI_API_KEY', 'OPENAI_BASE_URL') { $saved[$name] = [System.Environment]::GetEnvironmentVariable($name) }
    $env:OPENAI_API_KEY = $TestApiKey
    $env:OPENAI_BASE_URL = $server.BaseUri
    [pscustomobject]@{
        Process = $server.Process; BaseUri = $server.BaseUri; Root = $server.Root; ApiKey = $TestApiKey
        Dll = $server.Dll; Build = $server.Build; PoolKey = $server.PoolKey; SavedEnvironment = $saved
    }
}

function Clear-ConfigSession {
    # The module's Process-scope settings (what a new pwsh process would not have).
    $session = [OpenAI.Images.OpenAIConfigSource].Assembly.GetType('OpenAI.Images.Config.SessionConfig')
    $null = $session.GetMethod('Clear', [System.Reflection.BindingFlags]'Static, Public, NonPublic').Invoke($null, $null)
}

function Reset-SecretManagementDouble {
    Remove-Module -Name Microsoft.PowerShell.SecretManagement -Force -ErrorAction Ignore
    [System.AppDomain]::CurrentDomain.SetData('SecretManagementDouble.State', $null)
}

$script:SandboxVariables = @('XDG_CONFIG_HOME', 'HOME', 'APPDATA', 'PSModulePath', 'OPENAI_ORG_ID', 'OPENAI_PROJECT_ID',
    'AZURE_OPENAI_API_KEY', 'AZURE_OPENAI_ENDPOINT', 'OPENAI_API_VERSION')

function Enter-ConfigSandbox {
    param([switch] $WithSecretManagement)

    $script:SandboxSaved = @{}
    foreach ($name in $script:SandboxVariables) { $script:SandboxSaved[$name] = [System.Environment]::GetEnvironmentVariable($name) }
    $root = [System.IO.Path]::Combine($TestDrive, [guid]::NewGuid().ToString('N').Substring(0, 10))
    $script:SandboxConfigHome = [System.IO.Path]::Combine($root, 'config')
    $empty = [System.IO.Path]::Combine($root, 'no-modules')
    foreach ($dir in $script:SandboxConfigHome, [System.IO.Path]::Combine($root, 'home'), $empty) { $null = [System.IO.Directory]::CreateDirectory($dir) }
    $env:XDG_CONFIG_HOME = $script:SandboxConfigHome
    $env:APPDATA = $script:SandboxConfigHome
    $env:HOME = [System.IO.Path]::Combine($root, 'home')
    foreach ($name in 'OPENAI_ORG_ID', 'OPENAI_PROJECT_ID', 'AZURE_OPENAI_API_KEY', 'AZURE_OPENAI_ENDPOINT', 'OPENAI_API_VERSION') {
        [System.Environment]::SetEnvironmentVariable($name, $null)
    }
    # PowerShell's own modules ($PSHOME/Modules: Utility, Security, ...) stay reachable for auto-loading; none of them
    # is SecretManagement, and user-installed modules (a real SecretManagement) are left out.
    $paths = @($empty, [System.IO.Path]::Combine($PSHOME, 'Modules'))
    if ($WithSecretManagement) { $paths = @($SecretManagementDouble) + $paths }
    $env:PSModulePath = $paths -join [System.IO.Path]::PathSeparator
    Reset-SecretManagementDouble
    Clear-ConfigSession
    # Where the module keeps the settings file in this test.
    [System.IO.Path]::Combine($script:SandboxConfigHome, 'OpenAI.Images', 'config.json')
}

function Exit-ConfigSandbox {
    Clear-ConfigSession
    Reset-SecretManagementDouble
    foreach ($entry in $script:SandboxSaved.GetEnumerator()) { [System.Environment]::SetEnvironmentVariable($entry.Key, $entry.Value) }
}

function Register-TestVault {
    param([string] $Name = 'TestVault', [switch] $Locked)

    Import-Module -Name Microsoft.PowerShell.SecretManagement -ErrorAction Stop
    $parameters = if ($Locked) { @{ Locked = $true } } else { @{} }
    Register-SecretVault -Name $Name -ModuleName Microsoft.PowerShell.SecretStore -VaultParameters $parameters -DefaultVault
}

function ConvertTo-TestSecureString([string] $Text) {
    ConvertTo-SecureString -String $Text -AsPlainText -Force
}

function Get-SandboxText {
    # Every file under the sandboxed config folder, as text (to search for leaked secrets).
    Get-ChildItem -LiteralPath $script:SandboxConfigHome -File -Recurse -Force | ForEach-Object { [System.IO.File]::ReadAllText($_.FullName) }
}
