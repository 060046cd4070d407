<#
.SYNOPSIS
    Repository paths and the processes the Pester suites start: child pwsh processes and fake OpenAI servers.
    TestHelpers.ps1 dot-sources it (and then imports the module); a suite's BeforeDiscovery can dot-source it alone,
    since it imports nothing.

.DESCRIPTION
    Sets $RepoRoot, $ModuleManifest, $AssetDirectory, $FakeApiDll and $TestApiKey in the caller's scope and defines:
      Invoke-ChildPwsh           runs a script block in a new pwsh process and returns what it wrote (CLIXML).
      Start-ChildPwsh, Receive-ChildPwsh, Stop-ChildPwsh
                                 the same in two halves, so that several children run at once; -Environment gives a
                                 child its own variables without touching this process's.
      Start-ChildPwshChain, Wait-ChildPwshChain, Stop-ChildPwshChain
                                 several sequences of child processes run side by side by a background runspace (each
                                 sequence's next process starts when its previous one has exited).
      New-FakeServer, Remove-FakeServer, Clear-FakePool
                                 fake OpenAI servers (tests/OpenAI.Images.FakeApi) from a pool shared by every suite
                                 of the run: a fake given back waits, and is reset before it is handed out again.
#>

function Get-RepoRoot {
    # The folder with OpenAI.Images.slnx, walking up from this file's folder.
    $dir = [System.IO.DirectoryInfo]::new($PSScriptRoot)
    while ($null -ne $dir) {
        if ([System.IO.File]::Exists([System.IO.Path]::Combine($dir.FullName, 'OpenAI.Images.slnx'))) {
            return $dir.FullName
        }
        $dir = $dir.Parent
    }
    throw "Cannot find the repository root (a folder with OpenAI.Images.slnx) above '$PSScriptRoot'."
}

$RepoRoot = Get-RepoRoot
$ModuleManifest = [System.IO.Path]::Combine($RepoRoot, 'out', 'OpenAI.Images', 'OpenAI.Images.psd1')
$AssetDirectory = [System.IO.Path]::Combine($RepoRoot, 'tests', 'assets')
# The fake's dll from the most recent build, Debug or Release (./build.ps1 -Configuration Release builds the latter).
$FakeApiDll = @('Debug', 'Release') |
    ForEach-Object { [System.IO.FileInfo]::new([System.IO.Path]::Combine($RepoRoot, 'tests', 'OpenAI.Images.FakeApi', 'bin', $_, 'net10.0', 'OpenAI.Images.FakeApi.dll')) } |
    Sort-Object -Property { if ($_.Exists) { $_.LastWriteTimeUtc } else { [DateTime]::MinValue } } -Descending |
    Select-Object -First 1 |
    ForEach-Object FullName

# The key the suites use; the fake is started with it and answers 401 to any other.
$TestApiKey = 'sk-test-pester-0123456789abcdefSECRETwxyz'

function Get-PwshCommand {
    <#
    .SYNOPSIS
        How to start a new pwsh like this one: @(program, leading arguments). pwsh installed as a dotnet tool runs as
        'dotnet pwsh.dll', so the program is not always pwsh itself.
    #>
    $program = [System.Environment]::ProcessPath
    if ([System.IO.Path]::GetFileNameWithoutExtension($program) -eq 'pwsh') {
        return , @($program)
    }
    , @($program, [System.Environment]::GetCommandLineArgs()[0])
}

function Start-ChildPwsh {
    <#
    .SYNOPSIS
        Starts a script block in a new pwsh process (-NoProfile -NonInteractive) and returns at once; Receive-ChildPwsh
        waits for it and returns what it wrote. Several children can run at the same time.
    .PARAMETER Environment
        Variables to set (a $null value removes one) in the child's environment, which is otherwise this process's.
        Children started at the same time can so get different environments without touching this process's.
    .PARAMETER ReplaceEnvironment
        The child gets exactly -Environment, none of this process's variables.
    #>
    param(
        [Parameter(Mandatory, Position = 0)] [scriptblock] $ScriptBlock,
        [Parameter(Position = 1)] [object[]] $ArgumentList = @(),
        [System.Collections.IDictionary] $Environment = @{},
        [switch] $ReplaceEnvironment
    )

    $stem = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), 'openai-images-child-' + [guid]::NewGuid().ToString('N'))
    $inputPath = "$stem.in.xml"
    $outputPath = "$stem.out.xml"
    # In a hashtable: a top-level collection would come back from Import-Clixml as one object or enumerated.
    Export-Clixml -LiteralPath $inputPath -InputObject @{ Arguments = $ArgumentList } -Depth 3
    $quotedInput = "'" + $inputPath.Replace("'", "''") + "'"
    $quotedOutput = "'" + $outputPath.Replace("'", "''") + "'"
    $script = "`$ProgressPreference = 'SilentlyContinue'`n`$arguments = @((Import-Clixml -LiteralPath $quotedInput).Arguments)`n& {`n$ScriptBlock`n} @arguments | Export-Clixml -LiteralPath $quotedOutput -Depth 3"
    $encoded = [System.Convert]::ToBase64String([System.Text.Encoding]::Unicode.GetBytes($script))

    $command = Get-PwshCommand
    $startInfo = [System.Diagnostics.ProcessStartInfo]::new($command[0])
    foreach ($argument in @($command | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-OutputFormat', 'Text', '-EncodedCommand', $encoded)) {
        $startInfo.ArgumentList.Add($argument)
    }
    $startInfo.UseShellExecute = $false
    # What the child writes to stdout comes back as output (as it did when the child ran with the call operator);
    # read it as it comes, so that a chatty child never blocks on a full pipe. Its stderr goes to this console.
    $startInfo.RedirectStandardOutput = $true
    $startInfo.WorkingDirectory = (Get-Location -PSProvider FileSystem).ProviderPath
    if ($ReplaceEnvironment) { $startInfo.Environment.Clear() }
    foreach ($entry in $Environment.GetEnumerator()) {
        if ($null -eq $entry.Value) { $null = $startInfo.Environment.Remove($entry.Key) }
        else { $startInfo.Environment[$entry.Key] = [string] $entry.Value }
    }

    try {
        $process = [System.Diagnostics.Process]::Start($startInfo)
    }
    catch {
        [System.IO.File]::Delete($inputPath)
        throw
    }
    [pscustomobject]@{
        Process    = $process
        StandardOutput = $process.StandardOutput.ReadToEndAsync()
        InputPath  = $inputPath
        OutputPath = $outputPath
    }
}

function Receive-ChildPwsh {
    <#
    .SYNOPSIS
        Waits for a child that Start-ChildPwsh started and returns what it wrote, as deserialized objects (CLIXML),
        after any text it wrote to stdout. Throws when the child wrote no output file (it failed before the end).
    #>
    param(
        [Parameter(Mandatory, Position = 0, ValueFromPipeline)] [object] $Child,
        [int] $TimeoutSec = 300
    )

    process {
        $process = $Child.Process
        try {
            if (-not $process.WaitForExit($TimeoutSec * 1000)) {
                $process.Kill($true)
                throw "The child pwsh did not finish within $TimeoutSec s."
            }
            $process.WaitForExit()   # and its stdout is read to the end
            $text = $Child.StandardOutput.GetAwaiter().GetResult().TrimEnd("`r", "`n")
            if ($text) { $text -split '\r?\n' }
            if (-not [System.IO.File]::Exists($Child.OutputPath)) {
                throw "The child pwsh wrote no output file (exit code $($process.ExitCode))."
            }
            Import-Clixml -LiteralPath $Child.OutputPath
        }
        finally {
            Stop-ChildPwsh $Child
        }
    }
}

function Stop-ChildPwsh {
    <# .SYNOPSIS Ends a child of Start-ChildPwsh if it still runs, and deletes its files. For AfterAll/cleanup. #>
    param([Parameter(Mandatory, Position = 0, ValueFromPipeline)] [object] $Child)

    process {
        try {
            if (-not $Child.Process.HasExited) {
                $Child.Process.Kill($true)
                $null = $Child.Process.WaitForExit(5000)
            }
        }
        catch {
            Write-Verbose "Stopping the child pwsh: $_"
        }
        $Child.Process.Dispose()
        foreach ($path in $Child.InputPath, $Child.OutputPath) {
            if ([System.IO.File]::Exists($path)) { [System.IO.File]::Delete($path) }
        }
    }
}

function Invoke-ChildPwsh {
    <#
    .SYNOPSIS
        Runs a script block in a new pwsh process (-NoProfile -NonInteractive, this process's environment) and returns
        what it wrote, as deserialized objects (CLIXML). Errors it writes go to this process's error output.
    .EXAMPLE
        Invoke-ChildPwsh { param($Manifest) Import-Module $Manifest; (Get-OpenAIConfig).ApiKeySource.ToString() } $ModuleManifest
    #>
    param(
        [Parameter(Mandatory, Position = 0)] [scriptblock] $ScriptBlock,
        [Parameter(Position = 1, ValueFromRemainingArguments)] [object[]] $ArgumentList = @()
    )

    Start-ChildPwsh $ScriptBlock $ArgumentList | Receive-ChildPwsh
}

function Start-ChildPwshChain {
    <#
    .SYNOPSIS
        Runs several sequences ("chains") of child pwsh processes side by side, in a background runspace, and returns
        at once. In each chain the next process starts as soon as the previous one has exited (a new process each
        time, as with Invoke-ChildPwsh); a process that fails (no output) ends its chain. Wait-ChildPwshChain collects
        one chain; Stop-ChildPwshChain ends everything (AfterAll).
    .PARAMETER Chain
        Objects with Name, Environment (the child's WHOLE environment: take a copy of this process's, as it is now,
        and change it) and Steps (each @{ Script = [scriptblock]; Arguments = @(...) }). Earlier chains go first.
    .PARAMETER ThrottleLimit
        How many processes at once, over all chains; Set-ChildPwshChainThrottle changes it while they run.
    #>
    param(
        [Parameter(Mandatory)] [object[]] $Chain,
        [ValidateRange(1, 64)] [int] $ThrottleLimit = 4
    )

    # The runspace gets the child functions as text, and every script as text (Start-ChildPwsh sends text anyway).
    $definitions = foreach ($name in 'Get-PwshCommand', 'Start-ChildPwsh', 'Receive-ChildPwsh', 'Stop-ChildPwsh') {
        "function $name {`n$((Get-Item -LiteralPath "function:$name").Definition)`n}"
    }
    $state = [hashtable]::Synchronized(@{})
    $control = [hashtable]::Synchronized(@{ ThrottleLimit = $ThrottleLimit })
    $plans = foreach ($item in $Chain) {
        $state[$item.Name] = [pscustomobject]@{ Done = $false; Outputs = [System.Collections.Generic.List[object]]::new(); Failure = $null; Running = $null }
        [pscustomobject]@{
            Name        = $item.Name
            Environment = $item.Environment
            Steps       = @(foreach ($step in $item.Steps) { [pscustomobject]@{ Script = [string] $step.Script; Arguments = @($step.Arguments) } })
        }
    }

    $driver = {
        param($Definitions, $Plans, $State, $Control)
        . ([scriptblock]::Create($Definitions -join "`n"))
        $queues = @{}
        foreach ($plan in $Plans) { $queues[$plan.Name] = [System.Collections.Generic.Queue[object]]::new([object[]] $plan.Steps) }
        while ($true) {
            $busy = $false
            $running = @($Plans | Where-Object { $null -ne $State[$_.Name].Running }).Count
            foreach ($plan in $Plans) {
                $chain = $State[$plan.Name]
                if ($chain.Done) { continue }
                if ($null -ne $chain.Running) {
                    if (-not $chain.Running.Process.HasExited) { $busy = $true; continue }
                    $child = $chain.Running
                    try {
                        # As `$x = Invoke-ChildPwsh ...` would hold it: one object, an array, or $null.
                        $output = Receive-ChildPwsh $child
                        $chain.Outputs.Add($output)
                    }
                    catch {
                        $chain.Failure = $_
                        $queues[$plan.Name].Clear()
                    }
                    $chain.Running = $null
                    $running--
                }
                if ($queues[$plan.Name].Count -gt 0) {
                    $busy = $true
                    if ($running -ge $Control.ThrottleLimit) { continue }
                    $step = $queues[$plan.Name].Dequeue()
                    try {
                        $chain.Running = Start-ChildPwsh ([scriptblock]::Create($step.Script)) $step.Arguments -Environment $plan.Environment -ReplaceEnvironment
                        $running++
                    }
                    catch {
                        $chain.Failure = $_
                        $chain.Done = $true
                    }
                }
                else {
                    $chain.Done = $true
                }
            }
            if (-not $busy) { break }
            Start-Sleep -Milliseconds 50
        }
    }

    $powershell = [powershell]::Create()
    $null = $powershell.AddScript($driver.ToString()).AddArgument(@($definitions)).AddArgument(@($plans)).AddArgument($state).AddArgument($control)
    [pscustomobject]@{
        PowerShell = $powershell
        Async      = $powershell.BeginInvoke()
        State      = $state
        Control    = $control
    }
}

function Set-ChildPwshChainThrottle {
    <# .SYNOPSIS How many processes of a Start-ChildPwshChain run may run at once from now on. #>
    param(
        [Parameter(Mandatory, Position = 0)] [object] $Run,
        [Parameter(Mandatory, Position = 1)] [ValidateRange(1, 64)] [int] $ThrottleLimit
    )

    $Run.Control.ThrottleLimit = $ThrottleLimit
}

function Wait-ChildPwshChain {
    <#
    .SYNOPSIS
        Waits until every process of one chain of Start-ChildPwshChain has run; returns what each wrote, in order
        (throws the failure of a process that wrote no output).
    #>
    param(
        [Parameter(Mandatory, Position = 0)] [object] $Run,
        [Parameter(Mandatory, Position = 1)] [string] $Name,
        [int] $TimeoutSec = 300
    )

    $chain = $Run.State[$Name]
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while (-not $chain.Done) {
        if ($Run.Async.IsCompleted) {
            # The driver ended without finishing this chain: an error of its own.
            $Run.PowerShell.EndInvoke($Run.Async)
            throw "The processes of '$Name' did not run: $($Run.PowerShell.Streams.Error -join '; ')"
        }
        if ([DateTime]::UtcNow -gt $deadline) { throw "The processes of '$Name' did not finish within $TimeoutSec s." }
        Start-Sleep -Milliseconds 50
    }
    if ($null -ne $chain.Failure) { throw $chain.Failure }
    $chain.Outputs.ToArray()
}

function Stop-ChildPwshChain {
    <# .SYNOPSIS Ends the background runspace of Start-ChildPwshChain and any process still running (for AfterAll). #>
    param([Parameter(Mandatory, Position = 0)] [object] $Run)

    try {
        if (-not $Run.Async.IsCompleted) { $Run.PowerShell.Stop() }
    }
    finally {
        foreach ($chain in @($Run.State.Values)) {
            if ($null -ne $chain.Running) { Stop-ChildPwsh $chain.Running }
        }
        $Run.PowerShell.Dispose()
    }
}

# The fake servers this process started and no suite uses now, kept for the next Start-Fake / New-FakeServer: every
# suite used to start and stop its own (about 0.6-1 s each). In an AppDomain slot, so that every suite of a run (and
# every runspace) sees the same pool. A pooled fake is reset when it is handed out (New-FakeServer), and it exits
# with this process (its stdin closes) or with Clear-FakePool.
$FakePoolSlot = 'OpenAI.Images.Tests.FakeServerPool'

function Get-FakePool {
    $pool = [System.AppDomain]::CurrentDomain.GetData($FakePoolSlot)
    if ($null -eq $pool) {
        $pool = [System.Collections.Generic.List[object]]::new()
        [System.AppDomain]::CurrentDomain.SetData($FakePoolSlot, $pool)
    }
    , $pool
}

function Close-FakeProcess([object] $Server) {
    # POST /_fake/shutdown, then closes its stdin (either stops it), and waits for it to exit.
    try {
        $null = Invoke-RestMethod -Method Post -Uri "$($Server.Root)/_fake/shutdown" -NoProxy -TimeoutSec 60
    }
    catch {
        Write-Verbose "The fake did not answer /_fake/shutdown: $_"
    }
    $process = $Server.Process
    try {
        try { $process.StandardInput.Close() } catch { Write-Verbose "Closing the fake's stdin: $_" }
        if (-not $process.WaitForExit(10000)) {
            $process.Kill()
            $null = $process.WaitForExit(5000)
        }
    }
    finally {
        $process.Dispose()
    }
}

function New-FakeServer {
    <#
    .SYNOPSIS
        Fake OpenAI servers (tests/OpenAI.Images.FakeApi, loopback only), in the state of a new process: an idle one
        from the pool, reset, or a new process. Changes no environment variable (Start-Fake does). Give each back with
        Remove-FakeServer.
    .PARAMETER ApiKey
        The only key the fake accepts (401 for any other); empty: any key.
    .PARAMETER Count
        How many; new processes all start at once.
    .OUTPUTS
        Objects with Process, BaseUri (http://127.0.0.1:PORT/v1), Root (http://127.0.0.1:PORT), ApiKey and PoolKey.
    #>
    [CmdletBinding()]
    param(
        [string] $ApiKey,
        [ValidateRange(1, 16)] [int] $Count = 1,
        [int] $TimeoutSec = 60
    )

    if (-not [System.IO.File]::Exists($FakeApiDll)) {
        throw "The fake OpenAI server is not built: '$FakeApiDll' is missing. Run 'dotnet build' (or ./build.ps1) at the repository root '$RepoRoot' first."
    }
    # Fakes of the same build (dll and its time) that expect the same key are interchangeable.
    $build = [System.IO.File]::GetLastWriteTimeUtc($FakeApiDll).Ticks.ToString([System.Globalization.CultureInfo]::InvariantCulture)
    $poolKey = "$build|$FakeApiDll|$ApiKey"
    $servers = [System.Collections.Generic.List[object]]::new()

    $pool = Get-FakePool
    foreach ($idle in @($pool)) {
        if ($servers.Count -ge $Count) { break }
        if ($idle.Process.HasExited) {
            $null = $pool.Remove($idle)
            $idle.Process.Dispose()
            continue
        }
        if ($idle.Dll -ceq $FakeApiDll -and $idle.Build -cne $build) {
            # This fake was built again since that one started.
            $null = $pool.Remove($idle)
            Close-FakeProcess $idle
            continue
        }
        if ($idle.PoolKey -cne $poolKey) { continue }
        $null = $pool.Remove($idle)
        try {
            # Back to the state of a new process: /_fake/reset forgets requests, queue, chaos, latency, the in-flight
            # high-water mark, files and batches; the batch behaviour goes back to the defaults (3 polls, completed).
            $null = Invoke-RestMethod -Method Post -Uri "$($idle.Root)/_fake/reset" -NoProxy -TimeoutSec 60
            $null = Invoke-RestMethod -Method Post -Uri "$($idle.Root)/_fake/batches" -ContentType 'application/json' -Body '{"pollsUntilDone":3,"finalStatus":"completed"}' -NoProxy -TimeoutSec 60
            $servers.Add($idle)
        }
        catch {
            Write-Verbose "A pooled fake did not answer; starting a new one: $_"
            Close-FakeProcess $idle
        }
    }

    if ($servers.Count -lt $Count) {
        $dotnet = Get-Command -Name 'dotnet' -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        if ($null -eq $dotnet) {
            throw "'dotnet' (the .NET 10 SDK or runtime) is not on PATH; the fake OpenAI server needs it."
        }
        $arguments = @($FakeApiDll, '--port', '0')
        if ($ApiKey) { $arguments += @('--api-key', $ApiKey) }
        $started = @(for ($i = $servers.Count; $i -lt $Count; $i++) {
                $startInfo = [System.Diagnostics.ProcessStartInfo]::new($dotnet.Source)
                foreach ($argument in $arguments) { $startInfo.ArgumentList.Add($argument) }
                $startInfo.UseShellExecute = $false
                # Keep stdin open: the fake exits when it reaches end-of-file, so it also goes away if this process dies.
                $startInfo.RedirectStandardInput = $true
                $startInfo.RedirectStandardOutput = $true
                $startInfo.WorkingDirectory = $RepoRoot
                [System.Diagnostics.Process]::Start($startInfo)
            })
        $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
        $failure = $null
        foreach ($process in $started) {
            $baseUri = $null
            try {
                while ($null -eq $baseUri -and $null -eq $failure) {
                    $remaining = $deadline - [DateTime]::UtcNow
                    $read = $process.StandardOutput.ReadLineAsync()
                    if ($remaining -le [TimeSpan]::Zero -or -not $read.Wait($remaining)) {
                        throw "The fake OpenAI server did not print 'FAKE_OPENAI_LISTENING <url>' within $TimeoutSec s."
                    }
                    $line = $read.Result
                    if ($null -eq $line) {
                        $null = $process.WaitForExit(5000)
                        throw "The fake OpenAI server exited (code $($process.ExitCode)) before it was listening."
                    }
                    if ($line -match '^FAKE_OPENAI_LISTENING (http://127\.0\.0\.1:\d+/v1)\s*$') {
                        $baseUri = $Matches[1]
                    }
                }
            }
            catch {
                $failure = $_
            }
            if ($null -eq $baseUri) {
                if (-not $process.HasExited) { $process.Kill() }
                $process.Dispose()
                continue
            }
            $root = $baseUri -replace '/v1$', ''
            $servers.Add([pscustomobject]@{
                    Process = $process
                    BaseUri = $baseUri
                    Root    = $root
                    ApiKey  = $ApiKey
                    Dll     = $FakeApiDll
                    Build   = $build
                    PoolKey = $poolKey
                })
        }
        if ($null -ne $failure) {
            foreach ($server in $servers) { Remove-FakeServer $server }
            throw $failure
        }
    }

    $servers
}

function Remove-FakeServer {
    <# .SYNOPSIS Gives a fake of New-FakeServer back: it waits in the pool for the next suite (it exits with this process). #>
    param([Parameter(Mandatory, Position = 0, ValueFromPipeline)] [object] $Server)

    process {
        if ($Server.Process.HasExited) {
            $Server.Process.Dispose()
        }
        else {
            (Get-FakePool).Add([pscustomobject]@{
                    Process = $Server.Process; BaseUri = $Server.BaseUri; Root = $Server.Root; ApiKey = $Server.ApiKey
                    Dll = $Server.Dll; Build = $Server.Build; PoolKey = $Server.PoolKey
                })
        }
    }
}

function Clear-FakePool {
    <# .SYNOPSIS Stops the idle pooled fakes now (they would otherwise exit with this process). #>
    $pool = Get-FakePool
    foreach ($server in @($pool)) {
        $null = $pool.Remove($server)
        if ($server.Process.HasExited) { $server.Process.Dispose() } else { Close-FakeProcess $server }
    }
}
