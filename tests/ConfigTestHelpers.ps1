<#
.SYNOPSIS
    Setup for the configuration Pester 5 suites (Set-, Get-, Remove-OpenAIConfig.Tests.ps1). Dot-source it in BeforeAll.

.DESCRIPTION
    Builds nothing: run `dotnet build` at the repository root first. Dot-sourcing it imports the module from
    out/OpenAI.Images (the folder that ships) and defines:

      Start-ConfigFake / Stop-ConfigFake   the standalone fake OpenAI server (loopback only, any API key accepted),
                                           with $env:OPENAI_API_KEY / $env:OPENAI_BASE_URL pointing at it.
      Get-ConfigFakeRequest, Reset-ConfigFake
                                           what the fake recorded (/_fake/requests), and forgetting it.
      Enter-ConfigSandbox / Exit-ConfigSandbox
                                           per test: the config folder (XDG_CONFIG_HOME, HOME, APPDATA) moved into
                                           $TestDrive, OPENAI_* / AZURE_* variables cleared, PSModulePath holding
                                           only the SecretManagement test double (tests/SecretManagementDouble) or
                                           nothing, the double's vaults and the module's Process-scope settings
                                           cleared; all restored afterwards. The real user profile is never touched.
      Register-TestVault                   imports the double and registers a vault (optionally locked).
      ConvertTo-TestSecureString           a SecureString from test text.
#>

$ConfigRepoRoot = [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($PSScriptRoot, '..'))
$ConfigModuleManifest = [System.IO.Path]::Combine($ConfigRepoRoot, 'out', 'OpenAI.Images', 'OpenAI.Images.psd1')
$SecretManagementDouble = [System.IO.Path]::Combine($ConfigRepoRoot, 'tests', 'SecretManagementDouble')
$ConfigFakeDll = [System.IO.Path]::Combine($ConfigRepoRoot, 'tests', 'OpenAI.Images.FakeApi', 'bin', 'Debug', 'net10.0', 'OpenAI.Images.FakeApi.dll')
$ConfigTestKey = 'sk-test-config-0123456789abcdefENVxwxyz'

if (-not [System.IO.File]::Exists($ConfigModuleManifest)) {
    throw "The module is not built: '$ConfigModuleManifest' is missing. Run 'dotnet build' at '$ConfigRepoRoot' first."
}

Import-Module -Name $ConfigModuleManifest -Force -ErrorAction Stop

function Start-ConfigFake {
    if (-not [System.IO.File]::Exists($ConfigFakeDll)) {
        throw "The fake OpenAI server is not built: '$ConfigFakeDll' is missing. Run 'dotnet build' at '$ConfigRepoRoot' first."
    }

    $startInfo = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    foreach ($argument in @($ConfigFakeDll, '--port', '0')) { $startInfo.ArgumentList.Add($argument) }
    $startInfo.UseShellExecute = $false
    $startInfo.RedirectStandardInput = $true   # the fake exits when its stdin closes, so it never outlives the tests
    $startInfo.RedirectStandardOutput = $true
    $process = [System.Diagnostics.Process]::Start($startInfo)
    $line = $process.StandardOutput.ReadLineAsync()
    if (-not $line.Wait([TimeSpan]::FromSeconds(60)) -or $line.Result -notmatch '^FAKE_OPENAI_LISTENING (http://127\.0\.0\.1:\d+/v1)\s*$') {
        if (-not $process.HasExited) { $process.Kill() }
        throw 'The fake OpenAI server did not start.'
    }

    $baseUri = $Matches[1]
    $saved = @{ OPENAI_API_KEY = $env:OPENAI_API_KEY; OPENAI_BASE_URL = $env:OPENAI_BASE_URL }
    $env:OPENAI_API_KEY = $ConfigTestKey
    $env:OPENAI_BASE_URL = $baseUri
    [pscustomobject]@{ Process = $process; BaseUri = $baseUri; Root = $baseUri -replace '/v1$', ''; Saved = $saved }
}

function Stop-ConfigFake([object] $Server) {
    if ($null -eq $Server) { return }
    try { $Server.Process.StandardInput.Close() } catch { Write-Verbose "stdin: $_" }
    if (-not $Server.Process.WaitForExit(10000)) { $Server.Process.Kill() }
    $Server.Process.Dispose()
    foreach ($entry in $Server.Saved.GetEnumerator()) { [System.Environment]::SetEnvironmentVariable($entry.Key, $entry.Value) }
}

function Reset-ConfigFake([object] $Server = $ConfigFake) {
    $null = Invoke-RestMethod -Method Post -Uri "$($Server.Root)/_fake/reset" -NoProxy -TimeoutSec 30
}

function Get-ConfigFakeRequest([object] $Server = $ConfigFake) {
    @(Invoke-RestMethod -Method Get -Uri "$($Server.Root)/_fake/requests" -NoProxy -TimeoutSec 30) | Where-Object { -not $_.isDownload }
}

function Get-ConfigFakeHeader([object] $Request, [string] $Name) {
    $header = $Request.headers.PSObject.Properties[$Name.ToLowerInvariant()]
    if ($null -eq $header) { return $null }
    @($header.Value)[0]
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
    'AZURE_OPENAI_API_KEY', 'AZURE_OPENAI_ENDPOINT', 'OPENAI_API_VERSION', 'OPENAI_API_KEY', 'OPENAI_BASE_URL')

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
    $env:PSModulePath = if ($WithSecretManagement) { $SecretManagementDouble + [System.IO.Path]::PathSeparator + $empty } else { $empty }
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
