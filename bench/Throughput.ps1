#Requires -Version 7.4
<#
.SYNOPSIS
    Batch throughput and import cost of the built module (out/OpenAI.Images). Not part of the test run.

.DESCRIPTION
    Starts the loopback fake (tests/OpenAI.Images.FakeApi) with 1 s of server latency per request and times
    20 prompts piped into New-OpenAIImage:
      - with the default -ThrottleLimit, against the ideal (20 requests / 4 at a time x 1 s = 5 s) and against -ThrottleLimit 1;
      - the same with one 429 (retry-after: 2) in the middle of the batch;
    then the cost of Import-Module OpenAI.Images (the manifest) against importing bin/net8.0/OpenAI.Images.dll alone,
    each in a fresh pwsh, best and median of -ImportRuns (interleaved, so both see the same machine load), and what the
    first cmdlet that writes formatted output adds. With -PSOpenAIPath, also PSOpenAI's import in the same runs, and the
    ratio of OpenAI.Images' import plus first output to it (the goal: at most 0.5).
    Prints a markdown table. See docs/performance.md.

.EXAMPLE
    dotnet build; dotnet tool restore
    dotnet pwsh -NoProfile -File bench/Throughput.ps1
#>
[CmdletBinding()]
param(
    [int] $Prompts = 20,
    [int] $LatencyMs = 1000,
    [int] $ImportRuns = 5,
    # More module paths to time the same way (e.g. a copy of an older build), each against the bare assembly.
    [string[]] $CompareImport = @(),
    # The pwsh that times the imports, as a command line (default: pwsh on PATH, else the dotnet tool). For the
    # precompiled pwsh people install: -ImportPwsh dotnet, <folder made by bench/New-ReadyToRunPwsh.ps1>/pwsh.dll
    [string[]] $ImportPwsh = @(),
    # Time the imports only.
    [switch] $SkipThroughput,
    # A PSOpenAI module folder or manifest (e.g. from Save-PSResource PSOpenAI), imported in the same runs for comparison.
    [string] $PSOpenAIPath
)

$ErrorActionPreference = 'Stop'
$repoRoot = Split-Path -Parent $PSScriptRoot
$moduleDir = Join-Path $repoRoot 'out/OpenAI.Images'
$manifest = Join-Path $moduleDir 'OpenAI.Images.psd1'
$bareAssembly = Join-Path $moduleDir 'bin/net8.0/OpenAI.Images.dll'
$fakeDll = Get-ChildItem -Path (Join-Path $repoRoot 'tests/OpenAI.Images.FakeApi/bin') -Filter OpenAI.Images.FakeApi.dll -Recurse |
    Sort-Object LastWriteTime -Descending | Select-Object -First 1
if (-not (Test-Path -LiteralPath $manifest) -or (-not $fakeDll -and -not $SkipThroughput)) {
    throw "Build first: 'dotnet build' at the repository root (needs $manifest and the fake's dll)."
}

$rows = [System.Collections.Generic.List[string]]::new()
if (-not $SkipThroughput) {
    # The fake, on 127.0.0.1 only; it exits when its stdin closes.
    $psi = [System.Diagnostics.ProcessStartInfo]::new('dotnet')
    $fakeDll.FullName, '--port', '0' | ForEach-Object { $psi.ArgumentList.Add($_) }
    $psi.RedirectStandardInput = $true
    $psi.RedirectStandardOutput = $true
    $psi.UseShellExecute = $false
    $fake = [System.Diagnostics.Process]::Start($psi)
    $configHome = Join-Path ([System.IO.Path]::GetTempPath()) ("openai-images-bench-" + [guid]::NewGuid().ToString('n'))
    $null = New-Item -ItemType Directory -Path $configHome
    $saved = @{ OPENAI_API_KEY = $env:OPENAI_API_KEY; OPENAI_BASE_URL = $env:OPENAI_BASE_URL; XDG_CONFIG_HOME = $env:XDG_CONFIG_HOME }
    try {
        $baseUri = ($fake.StandardOutput.ReadLine() -split ' ')[1]
        $root = $baseUri -replace '/v1$', ''
        $env:OPENAI_API_KEY = 'sk-bench-0000000000000000'
        $env:OPENAI_BASE_URL = $baseUri
        $env:XDG_CONFIG_HOME = $configHome
        Import-Module $manifest

        function Set-Fake([object[]] $Queue) {
            $null = Invoke-RestMethod -Method Post "$root/_fake/reset"
            $null = Invoke-RestMethod -Method Post "$root/_fake/latency" -ContentType application/json -Body (@{ ms = $LatencyMs } | ConvertTo-Json)
            if ($Queue) {
                $null = Invoke-RestMethod -Method Post "$root/_fake/enqueue" -ContentType application/json -Body (ConvertTo-Json -InputObject $Queue -Depth 5)
            }
        }

        function Measure-Batch([hashtable] $Parameters, [object[]] $Queue) {
            Set-Fake $Queue
            $list = 1..$Prompts | ForEach-Object { 'bench prompt {0:00}' -f $_ }
            $clock = [System.Diagnostics.Stopwatch]::StartNew()
            $images = @($list | New-OpenAIImage @Parameters -ProgressAction SilentlyContinue)
            $clock.Stop()
            $order = @($images | ForEach-Object Prompt)
            if ($images.Count -ne $Prompts -or (Compare-Object $order $list -SyncWindow 0)) {
                throw "Expected $Prompts images in input order, got $($images.Count)."
            }
            $stats = Invoke-RestMethod "$root/_fake/stats"
            [pscustomobject]@{ Seconds = $clock.Elapsed.TotalSeconds; MaxInFlight = $stats.maxInFlight; Requests = @(Invoke-RestMethod "$root/_fake/requests" | ForEach-Object { $_ }).Count }
        }

        $ideal = [math]::Ceiling($Prompts / 4) * $LatencyMs / 1000
        # Warm-up (JIT, connection pool), not counted.
        $null = Measure-Batch @{ ThrottleLimit = 4 } $null

        $default = Measure-Batch @{} $null
        $serial = Measure-Batch @{ ThrottleLimit = 1 } $null
        $middle = [int][math]::Floor($Prompts / 2)
        $rateLimited = @(@{ kind = 'success'; count = $middle - 1 }, @{ kind = 'error'; status = 429; message = 'Rate limit reached'; type = 'requests'; code = 'rate_limit_exceeded'; headers = @{ 'retry-after' = '2' } })
        $default429 = Measure-Batch @{} $rateLimited
        $serial429 = Measure-Batch @{ ThrottleLimit = 1 } $rateLimited

        $rows.Add('| scenario | seconds | vs ideal | vs -ThrottleLimit 1 | max in flight | requests |')
        $rows.Add('| --- | ---: | ---: | ---: | ---: | ---: |')
        $fmt = { param($name, $r, $idealSeconds, $serialSeconds) '| {0} | {1:0.00} | {2:0.00}x (ideal {3:0.#} s) | {4} | {5} | {6} |' -f $name, $r.Seconds, ($r.Seconds / $idealSeconds), $idealSeconds, $(if ($serialSeconds) { '{0:0.00}x faster' -f ($serialSeconds / $r.Seconds) } else { '' }), $r.MaxInFlight, $r.Requests }
        $rows.Add((& $fmt "$Prompts prompts, $LatencyMs ms latency, default limit" $default $ideal $serial.Seconds))
        $rows.Add((& $fmt "$Prompts prompts, -ThrottleLimit 1" $serial ($Prompts * $LatencyMs / 1000) $null))
        $rows.Add((& $fmt "same, one 429 (retry-after 2 s) at request $middle, default limit" $default429 ($ideal + 2) $serial429.Seconds))
        $rows.Add(('| (the same against the ideal without the 429) | | {0:0.00}x (ideal {1:0.#} s) | | | |' -f ($default429.Seconds / $ideal), $ideal))
        $rows.Add((& $fmt "same, one 429, -ThrottleLimit 1" $serial429 (($Prompts + 1) * $LatencyMs / 1000 + 2) $null))
    }
    finally {
        foreach ($name in $saved.Keys) { Set-Item -Path "env:$name" -Value $saved[$name] -ErrorAction Ignore; if ($null -eq $saved[$name]) { Remove-Item "env:$name" -ErrorAction Ignore } }
        $fake.StandardInput.Close()
        $null = $fake.WaitForExit(5000)
        Remove-Item -LiteralPath $configHome -Recurse -Force -ErrorAction Ignore
    }
}

# Import cost: each import in a fresh pwsh, timed inside it; the kinds interleaved so that all see the same load.
# From -File, a list arrives as one comma-separated string.
$ImportPwsh = @($ImportPwsh | ForEach-Object { $_ -split ',' } | Where-Object { $_ })
$CompareImport = @($CompareImport | ForEach-Object { $_ -split ',' } | Where-Object { $_ })
$pwshCommand = @(if ($ImportPwsh) { $ImportPwsh } elseif (Get-Command pwsh -CommandType Application -ErrorAction Ignore) { 'pwsh' } else { 'dotnet', 'pwsh' })
$importConfig = Join-Path ([System.IO.Path]::GetTempPath()) ("openai-images-bench-" + [guid]::NewGuid().ToString('n'))
$null = New-Item -ItemType Directory -Path $importConfig
function Measure-Import([string] $Path, [string] $Then = '') {
    # $Then runs after the import, inside the stopwatch (the first cmdlet call).
    $script = "`$env:XDG_CONFIG_HOME = '$importConfig'; `$env:APPDATA = '$importConfig'; `$c = [System.Diagnostics.Stopwatch]::StartNew(); Import-Module '$Path'; $Then; [int](`$c.Elapsed.TotalMilliseconds * 1000)"
    $exe = $pwshCommand[0]
    $rest = @($pwshCommand | Select-Object -Skip 1)
    $out = & $exe @rest -NoProfile -NonInteractive -Command $script
    [double]($out | Select-Object -Last 1) / 1000
}
$firstUse = '$null = Get-OpenAIConfig | Out-String'
$firstName = 'manifest, then the first formatted Get-OpenAIConfig'
$kinds = [ordered]@{
    'Import-Module OpenAI.Images (manifest)'     = @($manifest, '')
    'Import-Module bin/net8.0/OpenAI.Images.dll' = @($bareAssembly, '')
    $firstName                                   = @($manifest, $firstUse)
    'bare assembly, then the same'               = @($bareAssembly, $firstUse)
}
$psOpenAIName = $null
if ($PSOpenAIPath) {
    $psOpenAIManifest = if (Test-Path -LiteralPath $PSOpenAIPath -PathType Container) { Join-Path $PSOpenAIPath 'PSOpenAI.psd1' } else { $PSOpenAIPath }
    $psOpenAIName = 'Import-Module PSOpenAI {0}' -f (Import-PowerShellDataFile -LiteralPath $psOpenAIManifest).ModuleVersion
    $kinds[$psOpenAIName] = @($psOpenAIManifest, '')
}
foreach ($path in $CompareImport) {
    $kinds["Import-Module $path"] = @($path, '')
    $kinds["$path, then the first Get-OpenAIConfig"] = @($path, $firstUse)
}
$times = @{}
foreach ($name in $kinds.Keys) { $times[$name] = [System.Collections.Generic.List[double]]::new() }
try {
    for ($i = 0; $i -lt $ImportRuns; $i++) {
        foreach ($name in $kinds.Keys) { $path, $then = $kinds[$name]; $times[$name].Add((Measure-Import $path $then)) }
    }
}
finally {
    Remove-Item -LiteralPath $importConfig -Recurse -Force -ErrorAction Ignore
}
function Get-Median([double[]] $Values) { $sorted = @($Values | Sort-Object); $sorted[[int][math]::Floor(($sorted.Count - 1) / 2)] }
$bareName = 'Import-Module bin/net8.0/OpenAI.Images.dll'
$bestBare = ($times[$bareName] | Measure-Object -Minimum).Minimum
$medianBare = Get-Median $times[$bareName]
$rows.Add('')
$rows.Add(('| import in a fresh pwsh ({0}), {1} runs each | best ms | vs bare | median ms | vs bare |' -f ($pwshCommand -join ' '), $ImportRuns))
$rows.Add('| --- | ---: | ---: | ---: | ---: |')
foreach ($name in $kinds.Keys) {
    $best = ($times[$name] | Measure-Object -Minimum).Minimum
    $median = Get-Median $times[$name]
    $rows.Add(('| {0} | {1:0} | {2:0.00}x | {3:0} | {4:0.00}x |' -f $name, $best, ($best / $bestBare), $median, ($median / $medianBare)))
}
if ($psOpenAIName) {
    $rows.Add('')
    $rows.Add(('OpenAI.Images import + first output / {0}: best {1:0.00}x, median {2:0.00}x (goal: at most 0.5x)' -f $psOpenAIName,
            (($times[$firstName] | Measure-Object -Minimum).Minimum / ($times[$psOpenAIName] | Measure-Object -Minimum).Minimum),
            ((Get-Median $times[$firstName]) / (Get-Median $times[$psOpenAIName]))))
}
foreach ($name in $kinds.Keys) {
    $rows.Add(('all runs, {0}: {1}' -f $name, (($times[$name] | ForEach-Object { '{0:0}' -f $_ }) -join ', ')))
}
"pwsh $($PSVersionTable.PSVersion); $([Environment]::ProcessorCount) cores; $(Get-Date -AsUTC -Format 'yyyy-MM-dd HH:mm') UTC"
$rows
