#Requires -Version 7.4
<#
.SYNOPSIS
    Makes a ReadyToRun (precompiled) copy of the repository's pwsh, the dotnet tool, for import-cost measurements that
    match the pwsh people install. Not part of the test run.

.DESCRIPTION
    The PowerShell dotnet-tool package (.config/dotnet-tools.json) ships System.Management.Automation.dll and the other
    PowerShell assemblies as IL only: every engine method a command touches is JIT-compiled the first time it runs in a
    process. The packages people install (msi, deb, rpm, tar.gz, winget, Homebrew) are published with ReadyToRun
    (PowerShell/PowerShell#12361, #16297), so most of that code is already compiled. Import-Module in a fresh process
    runs much engine code for the first time (manifest processing, format loading), so the tool package overstates what
    a module's manifest costs relative to its bare assembly.

    This script gets crossgen2 the way the SDK does (restoring a throwaway project with PublishReadyToRun, so NuGet
    serves the crossgen2 package that matches the SDK), copies the tool's folder to -Destination and precompiles every
    managed assembly in it that is not ReadyToRun yet. Run pwsh from the copy with: dotnet <Destination>/pwsh.dll.

.EXAMPLE
    dotnet tool restore
    dotnet pwsh -NoProfile -File bench/New-ReadyToRunPwsh.ps1 -Destination /tmp/pwsh-r2r
    dotnet pwsh -NoProfile -File bench/Throughput.ps1 -SkipThroughput -ImportPwsh dotnet, /tmp/pwsh-r2r/pwsh.dll
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $Destination
)

$ErrorActionPreference = 'Stop'
$source = Split-Path -Parent ([psobject].Assembly.Location)
$rid = [System.Runtime.InteropServices.RuntimeInformation]::RuntimeIdentifier
$os, $arch = $rid -split '-', 2
$framework = 'net' + [Environment]::Version.ToString(2)
if ((Resolve-Path -LiteralPath $source).Path -eq [System.IO.Path]::GetFullPath($Destination)) {
    throw "-Destination must not be the running pwsh's own folder ($source)."
}

# crossgen2 through NuGet: the SDK adds Microsoft.NETCore.App.Crossgen2.<rid> (the version it knows) to the restore.
$probe = Join-Path ([System.IO.Path]::GetTempPath()) ('r2r-probe-' + [guid]::NewGuid().ToString('n'))
$null = New-Item -ItemType Directory -Path $probe
try {
    Set-Content -LiteralPath (Join-Path $probe 'probe.csproj') -Value @"
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup>
    <OutputType>Exe</OutputType>
    <TargetFramework>$framework</TargetFramework>
    <RuntimeIdentifier>$rid</RuntimeIdentifier>
    <SelfContained>false</SelfContained>
    <PublishReadyToRun>true</PublishReadyToRun>
  </PropertyGroup>
</Project>
"@
    & dotnet restore (Join-Path $probe 'probe.csproj') --verbosity quiet
    if ($LASTEXITCODE -ne 0) { throw "dotnet restore of the crossgen2 probe failed (exit code $LASTEXITCODE)." }
    $assets = Get-Content -LiteralPath (Join-Path $probe 'obj/project.assets.json') -Raw | ConvertFrom-Json -AsHashtable
    $packageFolder = @($assets['packageFolders'].Keys)[0]
    $download = $assets['project']['frameworks'][$framework]['downloadDependencies'] |
        Where-Object { $_['name'] -like 'Microsoft.NETCore.App.Crossgen2*' } | Select-Object -First 1
    if (-not $download) { throw "The restore did not bring crossgen2 for $rid." }
    $version = $download['version'].Trim('[', ']').Split(',')[0].Trim()
    $crossgen = Join-Path $packageFolder "$($download['name'].ToLowerInvariant())/$version/tools/crossgen2"
    if ($IsWindows) { $crossgen += '.exe' }
    if (-not (Test-Path -LiteralPath $crossgen)) { throw "crossgen2 is not at $crossgen." }
}
finally {
    Remove-Item -LiteralPath $probe -Recurse -Force -ErrorAction Ignore
}

function Test-ReadyToRun([string] $Path) {
    # $null: not a managed assembly; otherwise whether it carries ReadyToRun code.
    $stream = [System.IO.File]::OpenRead($Path)
    try {
        $reader = [System.Reflection.PortableExecutable.PEReader]::new($stream)
        try {
            $cor = $reader.PEHeaders.CorHeader
            if ($null -eq $cor) { return $null }
            return $cor.ManagedNativeHeaderDirectory.Size -gt 0
        }
        finally { $reader.Dispose() }
    }
    catch [System.BadImageFormatException] { return $null }
    finally { $stream.Dispose() }
}

if (Test-Path -LiteralPath $Destination) { Remove-Item -LiteralPath $Destination -Recurse -Force }
Copy-Item -LiteralPath $source -Destination $Destination -Recurse
$runtime = [System.Runtime.InteropServices.RuntimeEnvironment]::GetRuntimeDirectory()
$compiled = [System.Collections.Generic.List[string]]::new()
$kept = [System.Collections.Generic.List[string]]::new()
$responseFile = Join-Path ([System.IO.Path]::GetTempPath()) ('r2r-' + [guid]::NewGuid().ToString('n') + '.rsp')
foreach ($file in Get-ChildItem -LiteralPath $source -Filter *.dll -File) {
    if ((Test-ReadyToRun $file.FullName) -ne $false) { continue }
    $target = Join-Path $Destination $file.Name
    # A response file: on Linux and macOS pwsh would expand the reference wildcards itself, into extra inputs.
    Set-Content -LiteralPath $responseFile -Value @(
        "`"$($file.FullName)`"", '-o', "`"$target`"", '-r', "`"$(Join-Path $runtime '*.dll')`"", '-r', "`"$(Join-Path $source '*.dll')`"",
        '--targetos', $os, '--targetarch', $arch, '-O')
    $output = & $crossgen "@$responseFile" 2>&1
    if ($LASTEXITCODE -eq 0) {
        $compiled.Add($file.Name)
    }
    else {
        # crossgen2 may leave a partial file: put the IL copy back.
        Copy-Item -LiteralPath $file.FullName -Destination $target -Force
        $kept.Add("$($file.Name): $(@($output | Where-Object { "$_".Trim() })[0])")
    }
}

Remove-Item -LiteralPath $responseFile -ErrorAction Ignore
"crossgen2 $version ($rid): $($compiled.Count) assemblies precompiled into $Destination"
foreach ($line in $kept) { "kept as IL: $line" }
"run it with: dotnet $(Join-Path $Destination 'pwsh.dll')"
