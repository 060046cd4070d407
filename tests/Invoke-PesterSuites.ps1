#Requires -Version 7.4
<#
.SYNOPSIS
    Runs (or only discovers) the Pester 5 suites tests/*.Tests.ps1 and writes one JSON record per test.

.DESCRIPTION
    The one way the repository runs its Pester suites: `dotnet test` (tests/OpenAI.Images.Pester.Tests, one xunit test
    per Pester test) and `./build.ps1 -Task Pester` both call it on the repository's pwsh (the dotnet local tool).

    Each record: file (relative to the repository root), key (file, block path and test name as written, and the
    occurrence number of that name in the file, so a data-driven test has the same key before and after it runs),
    name (the expanded name, once run), result (Passed, Failed, Skipped, NotRun, Inconclusive) and error (the
    failure message and where it failed).

    Needs the module built (`dotnet build`): the suites import out/OpenAI.Images.

.PARAMETER Path
    Test files or folders; by default the tests folder.

.PARAMETER PesterModule
    Pester's module folder (the tools/ folder of the NuGet package Pester 5.7.1) or manifest; by default the Pester
    that `dotnet build` restored into the NuGet cache, else any Pester 5 on PSModulePath.

.PARAMETER ResultPath
    Where to write the JSON records; by default only a summary is printed.

.PARAMETER Discover
    Only discover the tests (nothing runs): every result is NotRun.

.EXAMPLE
    dotnet tool run pwsh -- -File tests/Invoke-PesterSuites.ps1

    Runs every suite in one Invoke-Pester run and prints 'N passed, N failed'.
#>
[CmdletBinding()]
param(
    [string[]] $Path = @($PSScriptRoot),
    [string] $PesterModule,
    [string] $ResultPath,
    [switch] $Discover
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'

$repoRoot = Split-Path -Parent $PSScriptRoot
if (-not $PesterModule) {
    $nugetRoot = if ($env:NUGET_PACKAGES) { $env:NUGET_PACKAGES } else { [System.IO.Path]::Combine([Environment]::GetFolderPath('UserProfile'), '.nuget', 'packages') }
    $candidate = [System.IO.Path]::Combine($nugetRoot, 'pester', '5.7.1', 'tools', 'Pester.psd1')
    $PesterModule = if ([System.IO.File]::Exists($candidate)) { $candidate } else { 'Pester' }
}
Import-Module -Name $PesterModule -MinimumVersion 5.0 -MaximumVersion 5.99 -ErrorAction Stop

$configuration = New-PesterConfiguration
$configuration.Run.Path = $Path
$configuration.Run.PassThru = $true
$configuration.Run.SkipRun = [bool] $Discover
$configuration.Output.Verbosity = if ($ResultPath) { 'None' } else { 'Normal' }
$run = Invoke-Pester -Configuration $configuration

$seen = @{}
$records = foreach ($test in $run.Tests) {
    $file = [System.IO.Path]::GetRelativePath($repoRoot, $test.ScriptBlock.File).Replace('\', '/')
    $written = ($test.Path -join ' › ')
    $baseKey = "$file :: $written"
    $seen[$baseKey] = 1 + [int] $seen[$baseKey]
    $failure = $null
    if ($test.Result -in 'Failed', 'Skipped') {
        # A skipped test's record says why (Set-ItResult -Skipped -Because).
        $failure = (@($test.ErrorRecord | ForEach-Object { "$($_.Exception.Message)`n$($_.ScriptStackTrace)" }) -join "`n").Trim()
    }
    [ordered]@{
        file   = $file
        key    = "$baseKey #$($seen[$baseKey])"
        name   = if ($Discover) { $written } else { $test.ExpandedPath }
        result = [string] $test.Result
        error  = $failure
    }
}

# A failure outside any test (a BeforeAll that throws fails the tests below it; a container that cannot even be
# discovered has no tests) is reported as a record of its own, so it can never pass unseen.
foreach ($container in $run.Containers) {
    if ($container.Result -eq 'Failed' -and @($run.Tests | Where-Object { $_.ScriptBlock.File -eq $container.Item.FullName -and $_.Result -eq 'Failed' }).Count -eq 0) {
        $file = [System.IO.Path]::GetRelativePath($repoRoot, [string] $container.Item).Replace('\', '/')
        $records = @($records) + [ordered]@{
            file   = $file
            key    = "$file :: (file) #1"
            name   = "$file (the file itself)"
            result = 'Failed'
            error  = (@($container.ErrorRecord | ForEach-Object { "$($_.Exception.Message)`n$($_.ScriptStackTrace)" }) -join "`n").Trim()
        }
    }
}

if ($ResultPath) {
    ConvertTo-Json -InputObject @($records) -Depth 4 | Set-Content -LiteralPath $ResultPath -Encoding utf8
}

if (-not $Discover) {
    "{0} passed, {1} failed" -f $run.PassedCount, ($run.FailedCount + $run.FailedContainersCount)
    if ($run.Result -ne 'Passed') { exit 1 }
}
