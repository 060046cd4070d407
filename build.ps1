<#
.SYNOPSIS
    Builds, tests and packages the OpenAI.Images module.

.DESCRIPTION
    A thin wrapper over the .NET SDK for PowerShell users. Tasks:

      Build    dotnet build OpenAI.Images.slnx -c <Configuration>: both target frameworks, the fake OpenAI
               server, the tests, and the module folder out/OpenAI.Images (manifest, loader, bin/net8.0,
               bin/net472, formats, help).
      Test     Build, then `dotnet test`, the README's test command: every xunit suite and every Pester 5 suite
               (tests/*.Tests.ps1) on the repository's pwsh. .ci/run runs the same command in a fresh clone.
      Pester   Build, then the Pester 5 suites only (tests/Invoke-PesterSuites.ps1: Pester 5.7.1 from NuGet, the
               repository's pwsh).
      Package  A Release build of the module (or -Configuration), laid out as out/package/OpenAI.Images/<version>/
               (the layout Publish-PSResource, Install-Module and $env:PSModulePath expect; -OutputPath for another
               folder) and zipped to out/package/OpenAI.Images-<version>.zip. Nothing is published.
      Clean    dotnet clean, and out/ removed.

    Needs only the .NET 10 SDK (`dotnet` on PATH): pwsh 7.6.10 is the repository's dotnet local tool
    (.config/dotnet-tools.json; `dotnet tool restore`, then `dotnet pwsh ./build.ps1`), and Pester comes from NuGet.
    Any failing step stops the script with an error (non-zero exit code when run with pwsh -File).

.PARAMETER Task
    Build (default), Test, Pester, Package or Clean.

.PARAMETER Configuration
    Debug (default) or Release. Package builds Release unless this is given.

.PARAMETER OutputPath
    Package only: where to lay out OpenAI.Images/<version>/ and the zip (default out/package).

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
    [string] $Configuration = 'Debug',

    # Package only: the folder for <Name>/<version>/ and the zip (default out/package).
    [string] $OutputPath
)

Set-StrictMode -Version Latest
$ErrorActionPreference = 'Stop'

$RepoRoot = $PSScriptRoot
$Solution = Join-Path $RepoRoot 'OpenAI.Images.slnx'
$OutDirectory = Join-Path $RepoRoot 'out'
$ModuleDirectory = Join-Path $OutDirectory 'OpenAI.Images'
$ModuleName = 'OpenAI.Images'
# Package builds Release unless -Configuration is given.
$PackageConfiguration = if ($PSBoundParameters.ContainsKey('Configuration')) { $Configuration } else { 'Release' }

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
    # Pester 5.7.1 comes from NuGet (the PackageDownload of tests/OpenAI.Images.Pester.Tests) and pwsh is the repository's
    # dotnet local tool, so this runs the suites exactly as `dotnet test` does, in a child process (this session never
    # loads the module's assemblies, which on Windows would lock out/ for the next build).
    Invoke-Dotnet -Arguments @('tool', 'restore')
    Invoke-Dotnet -Arguments @('restore', (Join-Path $RepoRoot 'tests/OpenAI.Images.Pester.Tests/OpenAI.Images.Pester.Tests.csproj'))
    Invoke-Dotnet -Arguments @('tool', 'run', 'pwsh', '--', '-NoProfile', '-NonInteractive', '-File', (Join-Path $RepoRoot 'tests/Invoke-PesterSuites.ps1'))
}

function Invoke-Package {
    # A build of the module project alone, assembled into a staging folder (never out/OpenAI.Images, which tests may be
    # using), then laid out as Install-Module lays it out and zipped.
    $packageRoot = if ($OutputPath) { [System.IO.Path]::GetFullPath($OutputPath) } else { Join-Path $OutDirectory 'package' }
    $staging = Join-Path $packageRoot 'staging'
    $moduleStaging = Join-Path $staging $ModuleName
    if (Test-Path -LiteralPath $staging) {
        Remove-Item -LiteralPath $staging -Recurse -Force
    }
    $project = Join-Path $RepoRoot 'src/OpenAI.Images.PS/OpenAI.Images.PS.csproj'
    Invoke-Dotnet -Arguments @('build', $project, '-c', $PackageConfiguration, "-p:ModuleOutputRoot=$moduleStaging$([System.IO.Path]::DirectorySeparatorChar)")

    # The manifest picks its root module by edition (an if statement), which Import-PowerShellDataFile refuses to evaluate.
    $version = (Test-ModuleManifest -Path (Join-Path $moduleStaging "$ModuleName.psd1") -ErrorAction Stop).Version.ToString()
    $moduleRoot = Join-Path $packageRoot $ModuleName
    $destination = Join-Path $moduleRoot $version
    $zip = Join-Path $packageRoot "$ModuleName-$version.zip"

    if (Test-Path -LiteralPath $moduleRoot) {
        Remove-Item -LiteralPath $moduleRoot -Recurse -Force
    }
    $null = New-Item -ItemType Directory -Path $destination -Force
    Copy-Item -Path (Join-Path $moduleStaging '*') -Destination $destination -Recurse -Force
    Remove-Item -LiteralPath $staging -Recurse -Force

    $checked = Test-ModuleManifest -Path (Join-Path $destination "$ModuleName.psd1")
    if ($checked.Version -ne [version]$version) {
        throw "The packaged manifest says $($checked.Version), expected $version."
    }

    Compress-Archive -Path $moduleRoot -DestinationPath $zip -Force
    Write-Host "Packaged $ModuleName $version ($PackageConfiguration) -> $destination" -ForegroundColor Green
    Write-Host "Archive: $zip" -ForegroundColor Green
    Write-Host "To publish (not done here): Publish-PSResource -Path '$destination' -ApiKey <key>"
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
