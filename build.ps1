<#
.SYNOPSIS
    Builds, tests and packages the OpenAI.Images module.

.DESCRIPTION
    A thin wrapper over the .NET SDK for PowerShell users. Tasks:

      Build    dotnet build OpenAI.Images.slnx -c <Configuration>: both target frameworks, the fake OpenAI
               server, the tests, and the module folder out/OpenAI.Images (manifest, loader, bin/net8.0,
               bin/net472, formats, help).
      Test     Build, then `dotnet test` (every xunit suite, as in the README), then the Pester 5 suites
               (tests/*.Tests.ps1) when Pester 5 is installed; without it a warning says how to install it.
      Pester   Build, then the Pester 5 suites only.
      Package  A Release build, then out/OpenAI.Images copied to out/package/OpenAI.Images/<version>/ (the layout
               Publish-Module and $env:PSModulePath expect) and zipped to out/package/OpenAI.Images-<version>.zip.
               Nothing is published.
      Clean    dotnet clean, and out/ removed.

    Needs the .NET 10 SDK (`dotnet` on PATH). The Pester suites run in a separate pwsh process, so this session
    never loads the module's assemblies (on Windows that would lock out/ for the next build).
    Any failing step stops the script with an error (non-zero exit code when run with pwsh -File).

.PARAMETER Task
    Build (default), Test, Pester, Package or Clean.

.PARAMETER Configuration
    Debug (default) or Release. Package always builds Release.

.EXAMPLE
    ./build.ps1

    Builds the module into out/OpenAI.Images.

.EXAMPLE
    ./build.ps1 -Task Test

    Builds, runs every xunit test, then the Pester suites.

.EXAMPLE
    ./build.ps1 -Task Package

    Makes out/package/OpenAI.Images/<version>/ and out/package/OpenAI.Images-<version>.zip from a Release build.
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Pester', 'Package', 'Clean')]
    [string] $Task = 'Build',

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Debug'
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$RepoRoot = $PSScriptRoot
$Solution = Join-Path $RepoRoot 'OpenAI.Images.slnx'
$OutDirectory = Join-Path $RepoRoot 'out'
$ModuleDirectory = Join-Path $OutDirectory 'OpenAI.Images'
$ModuleName = 'OpenAI.Images'

function Invoke-Dotnet {
    # Runs dotnet from the repository root and stops on a non-zero exit code.
    param([Parameter(Mandatory)] [string[]] $Arguments)

    Write-Host "> dotnet $($Arguments -join ' ')" -ForegroundColor Cyan
    Push-Location -LiteralPath $RepoRoot
    try {
        & dotnet @Arguments
        $code = $LASTEXITCODE
    }
    finally {
        Pop-Location
    }
    if ($code -ne 0) {
        throw "dotnet $($Arguments -join ' ') failed with exit code $code."
    }
}

function ConvertTo-QuotedLiteral {
    # The text to put between single quotes in PowerShell code.
    param([Parameter(Mandatory)] [string] $Text)

    $Text.Replace("'", "''")
}

function Invoke-Build {
    param([string] $BuildConfiguration = $Configuration)

    Invoke-Dotnet -Arguments @('build', $Solution, '-c', $BuildConfiguration)
    $manifest = Join-Path $ModuleDirectory "$ModuleName.psd1"
    if (-not (Test-Path -LiteralPath $manifest)) {
        throw "The build succeeded but did not assemble the module: '$manifest' is missing."
    }
}

function Invoke-DotnetTest {
    # The README's test command (global.json selects Microsoft.Testing.Platform).
    Invoke-Dotnet -Arguments @('test', '-c', $Configuration)
}

function Invoke-PesterSuites {
    $minimum = [version]'5.3.0'
    $pester = Get-Module -ListAvailable -Name Pester |
        Where-Object { $_.Version -ge $minimum } |
        Sort-Object -Property Version -Descending |
        Select-Object -First 1
    if ($null -eq $pester) {
        Write-Warning ("Pester 5.3 or later is not installed, so the Pester suites (tests/*.Tests.ps1) did not run. Install it with: " +
            "Install-Module -Name Pester -MinimumVersion 5.3.0 -Scope CurrentUser -Force -SkipPublisherCheck")
        return
    }

    $pwsh = (Get-Process -Id $PID).Path
    if ($PSVersionTable.PSEdition -ne 'Core' -or -not $pwsh) {
        $found = Get-Command -Name pwsh -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        if ($null -eq $found) {
            throw 'The Pester suites need PowerShell 7.4+ (pwsh), which was not found.'
        }
        $pwsh = $found.Source
    }

    $resultsDirectory = Join-Path $OutDirectory 'test-results'
    $null = New-Item -ItemType Directory -Path $resultsDirectory -Force
    $resultsFile = Join-Path $resultsDirectory 'pester.xml'

    Write-Host "> Invoke-Pester (Pester $($pester.Version)) on tests/*.Tests.ps1" -ForegroundColor Cyan
    # A child pwsh: the module's assemblies are loaded there, not in this session. -EncodedCommand works the same
    # whether this script runs in pwsh or in Windows PowerShell.
    $command = @(
        "`$ErrorActionPreference = 'Stop'"
        "Import-Module -Name '$(ConvertTo-QuotedLiteral $pester.Path)' -Force"
        '$configuration = New-PesterConfiguration'
        "`$configuration.Run.Path = '$(ConvertTo-QuotedLiteral (Join-Path $RepoRoot 'tests'))'"
        '$configuration.Run.Exit = $true'
        "`$configuration.Output.Verbosity = 'Detailed'"
        '$configuration.TestResult.Enabled = $true'
        "`$configuration.TestResult.OutputFormat = 'NUnitXml'"
        "`$configuration.TestResult.OutputPath = '$(ConvertTo-QuotedLiteral $resultsFile)'"
        'Invoke-Pester -Configuration $configuration'
    ) -join [Environment]::NewLine
    $encoded = [Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($command))
    & $pwsh -NoProfile -NonInteractive -EncodedCommand $encoded
    $code = $LASTEXITCODE
    if ($code -ne 0) {
        throw "The Pester suites failed (exit code $code); results in $resultsFile."
    }
}

function Invoke-Package {
    Invoke-Build -BuildConfiguration 'Release'

    $manifestPath = Join-Path $ModuleDirectory "$ModuleName.psd1"
    # The manifest picks its root module by edition (an if statement), which Import-PowerShellDataFile refuses to evaluate.
    $version = (Test-ModuleManifest -Path $manifestPath -ErrorAction Stop).Version.ToString()
    $packageRoot = Join-Path $OutDirectory 'package'
    $moduleRoot = Join-Path $packageRoot $ModuleName
    $destination = Join-Path $moduleRoot $version
    $zip = Join-Path $packageRoot "$ModuleName-$version.zip"

    if (Test-Path -LiteralPath $moduleRoot) {
        Remove-Item -LiteralPath $moduleRoot -Recurse -Force
    }
    $null = New-Item -ItemType Directory -Path $destination -Force
    Copy-Item -Path (Join-Path $ModuleDirectory '*') -Destination $destination -Recurse -Force

    $checked = Test-ModuleManifest -Path (Join-Path $destination "$ModuleName.psd1")
    if ($checked.Version -ne [version]$version) {
        throw "The packaged manifest says $($checked.Version), expected $version."
    }

    Compress-Archive -Path $moduleRoot -DestinationPath $zip -Force
    Write-Host "Packaged $ModuleName $version -> $destination" -ForegroundColor Green
    Write-Host "Archive: $zip" -ForegroundColor Green
    Write-Host "To publish (not done here): Publish-Module -Path '$destination' -NuGetApiKey <key>"
}

function Invoke-Clean {
    Invoke-Dotnet -Arguments @('clean', $Solution, '-c', $Configuration)
    if (Test-Path -LiteralPath $OutDirectory) {
        Remove-Item -LiteralPath $OutDirectory -Recurse -Force
        Write-Host "Removed $OutDirectory"
    }
}

if ($null -eq (Get-Command -Name dotnet -CommandType Application -ErrorAction SilentlyContinue)) {
    throw "'dotnet' was not found on PATH. Install the .NET 10 SDK: https://dotnet.microsoft.com/download"
}

switch ($Task) {
    'Build' {
        Invoke-Build
    }
    'Test' {
        Invoke-Build
        Invoke-DotnetTest
        Invoke-PesterSuites
    }
    'Pester' {
        Invoke-Build
        Invoke-PesterSuites
    }
    'Package' {
        Invoke-Package
    }
    'Clean' {
        Invoke-Clean
    }
}
