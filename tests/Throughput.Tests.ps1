#Requires -Version 7.4
# Pester 5 suite for batches (issue 10): requests run concurrently by default, output keeps input order (or comes as
# finished with -Unordered), batch progress with one child per request, one shared pause on 429, -ErrorAction Stop and
# Ctrl+C in the middle of a batch. Nothing here races a clock: the fake holds requests until the test releases them
# ({"kind":"hold"}, POST /_fake/release), so concurrency is asserted by what is held and order by the order of the
# releases; each wait for a state has a one-minute hang guard. Needs `dotnet build` first. See tests/TestHelpers.ps1.

Describe 'Batches' {
    BeforeAll {
        . $PSScriptRoot/TestHelpers.ps1
        $FakeApi = Start-Fake

        function Invoke-Fake([string] $Method, [string] $Route, [hashtable] $Body) {
            $json = if ($Body) { $Body | ConvertTo-Json -Compress -Depth 5 } else { '{}' }
            Invoke-RestMethod -Method $Method -Uri "$($FakeApi.Root)/_fake/$Route" -ContentType 'application/json' -Body $json -NoProxy -TimeoutSec 60
        }

        function Get-FakeStats { Invoke-RestMethod -Method Get -Uri "$($FakeApi.Root)/_fake/stats" -NoProxy -TimeoutSec 60 }

        # The recorded API requests, oldest first (the fake answers a JSON array, which Invoke-RestMethod writes as one
        # object: unroll it).
        function Get-ApiRequest {
            @(Invoke-RestMethod -Method Get -Uri "$($FakeApi.Root)/_fake/requests" -NoProxy -TimeoutSec 60 | ForEach-Object { $_ } | Where-Object { -not $_.isDownload })
        }

        function Get-Prompts([int] $Count) {
            1..$Count | ForEach-Object { 'p{0:00}' -f $_ }
        }

        # Starts a script in a new PowerShell of this process (module imported, in $Folder) and returns while it runs.
        function Start-Batch([string] $Script) {
            $ps = [powershell]::Create()
            $null = $ps.AddScript("Import-Module '$ModuleManifest'; Set-Location -LiteralPath '$Folder'; $Script")
            $in = [System.Management.Automation.PSDataCollection[psobject]]::new()
            $in.Complete()
            $out = [System.Management.Automation.PSDataCollection[psobject]]::new()
            [pscustomobject]@{ PowerShell = $ps; Output = $out; Handle = $ps.BeginInvoke($in, $out) }
        }

        # Waits for the batch to end (a minute is a guard against a hang) and returns what it wrote.
        function Complete-Batch($Batch) {
            try {
                $Batch.Handle.AsyncWaitHandle.WaitOne([timespan]::FromMinutes(1)) | Should -BeTrue -Because 'the batch should end'
                $stopped = $null
                try { $null = $Batch.PowerShell.EndInvoke($Batch.Handle) } catch { $stopped = $_ }
                $streams = $Batch.PowerShell.Streams
                [pscustomobject]@{
                    Output = @($Batch.Output.ReadAll()); Errors = @($streams.Error); Progress = @($streams.Progress)
                    Verbose = @($streams.Verbose); Stopped = $stopped
                }
            }
            finally {
                $Batch.PowerShell.Dispose()
            }
        }

        # Polls until the condition holds: a state of the fake or of the batch, never a time.
        function Wait-Until([scriptblock] $Condition, [string] $What, $Batch) {
            $deadline = [DateTime]::UtcNow.AddMinutes(1)
            while (-not (& $Condition)) {
                if ($Batch.Handle.IsCompleted) { throw "The batch ended before $What." }
                if ([DateTime]::UtcNow -gt $deadline) { throw "Never came: $What." }
                Start-Sleep -Milliseconds 10
            }
        }

        # How many requests of the batch the cmdlet has finished: their child progress activities are completed.
        # (Read by index: enumerating a collection that is still being written waits for it to be closed.)
        function Get-FinishedCount($Batch) {
            $progress = $Batch.PowerShell.Streams.Progress
            $done = [System.Collections.Generic.HashSet[int]]::new()
            for ($i = 0; $i -lt $progress.Count; $i++) {
                $record = $progress[$i]
                if ($record.ParentActivityId -ne -1 -and $record.RecordType -eq 'Completed') { $null = $done.Add($record.ActivityId) }
            }
            $done.Count
        }

        function Test-Verbose($Batch, [string] $Like) {
            $verbose = $Batch.PowerShell.Streams.Verbose
            for ($i = 0; $i -lt $verbose.Count; $i++) { if ($verbose[$i].Message -like $Like) { return $true } }
            $false
        }

        # Releases the held request of each prompt in turn, each once the cmdlet has finished the one before.
        function Send-Answer($Batch, [string[]] $Prompt) {
            $requests = Get-ApiRequest
            foreach ($p in $Prompt) {
                $finished = Get-FinishedCount $Batch
                $sequence = ($requests | Where-Object { $_.json.prompt -eq $p }).sequence
                (Invoke-Fake Post release @{ sequences = @($sequence) }).released | Should -Be 1
                Wait-Until { (Get-FinishedCount $Batch) -gt $finished } "$p finished" $Batch
            }
        }

        # Four prompts, all held, then answered in the given order.
        function Invoke-AnsweredInOrder([string] $Parameters, [string[]] $Order) {
            Add-FakeResponse @{ kind = 'hold'; count = 4 }
            $batch = Start-Batch "1..4 | ForEach-Object { 'p{0:00}' -f `$_ } | New-OpenAIImage $Parameters"
            Wait-Until { (Get-FakeStats).held -eq 4 } 'four requests held' $batch
            Send-Answer $batch $Order
            Complete-Batch $batch
        }

        # Holds every request; N are held and no more arrive until one is answered, which lets exactly one more in.
        function Assert-InFlightLimit([int] $Limit, [int] $Prompts, [string] $Parameters) {
            Add-FakeResponse @{ kind = 'hold'; count = $Prompts }
            $batch = Start-Batch "1..$Prompts | ForEach-Object { 'p{0:00}' -f `$_ } | New-OpenAIImage $Parameters"
            Wait-Until { (Get-FakeStats).held -eq $Limit } "$Limit requests held" $batch
            @(Get-ApiRequest).Count | Should -Be $Limit
            $null = Invoke-Fake Post release @{ count = 1 }
            Wait-Until { (Get-FakeStats).held -eq $Limit -and @(Get-ApiRequest).Count -eq $Limit + 1 } 'one more request' $batch
            # The rest are answered at once (every worker was busy until now, so nothing is between queue and hold).
            $null = Invoke-Fake Delete queue
            $null = Invoke-Fake Post release
            $run = Complete-Batch $batch

            $run.Errors | Should -HaveCount 0
            (Get-FakeStats).maxHeld | Should -Be $Limit
            @(Get-ApiRequest).Count | Should -Be $Prompts
            $run.Output.Prompt | Should -Be @(Get-Prompts $Prompts)
        }

        $ParentStatus = '^(?<done>\d+)( of (?<total>\d+))? done · (?<running>\d+) running( · (?<failed>\d+) failed)? · \d+:\d\d elapsed$'
    }

    AfterAll {
        Stop-Fake $FakeApi
        Restore-TestSession
    }

    BeforeEach {
        Reset-Fake
        $Folder = New-TestFolder
    }

    Context 'Concurrency and order' {
        It 'runs four requests at once by default' {
            Assert-InFlightLimit -Limit 4 -Prompts 6
        }

        It 'runs one at a time with -ThrottleLimit 1' {
            Assert-InFlightLimit -Limit 1 -Prompts 3 -Parameters '-ThrottleLimit 1'
        }

        It 'keeps input order when later requests are answered first' {
            $run = Invoke-AnsweredInOrder '-OutputDirectory .' 'p04', 'p03', 'p02', 'p01'

            $run.Output.Prompt | Should -Be @(Get-Prompts 4)
            $run.Output | ForEach-Object { $_.File.FullName | Should -Exist }
        }

        It 'writes each as it finishes with -Unordered' {
            $run = Invoke-AnsweredInOrder '-Unordered' 'p03', 'p01', 'p04', 'p02'

            $run.Output.Prompt | Should -Be @('p03', 'p01', 'p04', 'p02')
        }
    }

    Context 'Progress' {
        It 'shows one parent activity that counts the batch and one child per request' {
            $run = Complete-Batch (Start-Batch "'p01','p02','p03','p04','p05' | New-OpenAIImage -ThrottleLimit 2")

            $run.Errors | Should -HaveCount 0
            $run.Output | Should -HaveCount 5
            $parent = @($run.Progress | Where-Object ParentActivityId -EQ -1)
            $children = @($run.Progress | Where-Object ParentActivityId -NE -1)
            $parent.Activity | Select-Object -Unique | Should -BeExactly 'New-OpenAIImage'
            $updates = @($parent | Where-Object RecordType -EQ 'Processing')
            $updates | ForEach-Object { $_.StatusDescription | Should -Match $ParentStatus }
            $updates[-1].StatusDescription | Should -BeLike '5 done · 0 running · *'
            @($updates | Where-Object SecondsRemaining -GE 0) | Should -Not -BeNullOrEmpty
            $children | ForEach-Object { $_.ParentActivityId | Should -Be $parent[0].ActivityId }
            @($children | Group-Object ActivityId) | Should -HaveCount 5
            @($children | Group-Object ActivityId | ForEach-Object { [string]$_.Group[-1].RecordType }) | Should -Be (@('Completed') * 5)
            $run.Progress[-1].RecordType | Should -Be 'Completed'
            $run.Progress[-1].ActivityId | Should -Be $parent[0].ActivityId
        }

        It 'counts to a known total with several -Path files' {
            1..3 | ForEach-Object { $null = Copy-TestAsset 'sample-8x8.png' $Folder "in$_.png" }

            $run = Complete-Batch (Start-Batch 'New-OpenAIImageVariation -Path in1.png, in2.png, in3.png')

            $run.Errors | Should -HaveCount 0
            $updates = @($run.Progress | Where-Object { $_.ParentActivityId -eq -1 -and $_.RecordType -eq 'Processing' })
            $updates[-1].StatusDescription | Should -BeLike '3 of 3 done · 0 running · *'
            $updates[-1].PercentComplete | Should -Be 100
        }

        It 'writes no progress under $ProgressPreference = SilentlyContinue' {
            # Each request takes 1.2 s at the fake, so the cmdlet's once-a-second progress tick comes while they run
            # (nothing is asserted about time).
            $null = Invoke-Fake Post latency @{ ms = 1200 }

            $run = Complete-Batch (Start-Batch "`$ProgressPreference = 'SilentlyContinue'; 'p01','p02' | New-OpenAIImage")

            $run.Output | Should -HaveCount 2
            $run.Progress | Should -HaveCount 0
        }
    }

    Context 'Rate limits and stopping' {
        It 'pauses the whole batch once on a 429 with retry-after' {
            # The first four requests are held; the fourth to arrive is then answered 429 (retry-after 1 s) while the
            # other three are still held, and those are answered once the cmdlet has the 429.
            Add-FakeResponse @(
                @{ kind = 'hold'; count = 3 },
                @{ kind = 'hold'; then = @{ kind = 'error'; status = 429; message = 'Rate limit reached'; type = 'requests'; code = 'rate_limit_exceeded'; headers = @{ 'retry-after' = '1' } } })
            $batch = Start-Batch "1..16 | ForEach-Object { 'p{0:00}' -f `$_ } | New-OpenAIImage -Verbose"
            Wait-Until { (Get-FakeStats).held -eq 4 } 'four requests held' $batch
            $limited = Get-ApiRequest | Sort-Object sequence | Select-Object -Last 1
            $t = [DateTimeOffset]::UtcNow
            (Invoke-Fake Post release @{ sequences = @($limited.sequence) }).released | Should -Be 1
            Wait-Until { Test-Verbose $batch '*asked to wait*' } 'the 429 at the cmdlet' $batch
            $null = Invoke-Fake Post release
            $run = Complete-Batch $batch

            @($run.Verbose | Where-Object Message -Like '*asked to wait 1 s*') | Should -HaveCount 1
            $run.Output.Prompt | Should -Be @(Get-Prompts 16)
            $requests = @(Get-ApiRequest)
            $requests | Should -HaveCount 17
            @($requests | Where-Object { $_.json.prompt -eq $limited.json.prompt }) | Should -HaveCount 2
            # Everything after the first four was sent once the cmdlet had the 429, and nothing arrived before the
            # second it asked for had passed (the module waits at least that long; there is no upper bound).
            $requests | Sort-Object sequence | Select-Object -Skip 4 | ForEach-Object { [DateTimeOffset]$_.receivedAt | Should -BeGreaterOrEqual $t.AddSeconds(1) }
        }

        It 'stops a batch at an error under -ErrorAction Stop before sending anything else' {
            # The first four requests are held; answering one frees a worker for p05, which fails at once. With that
            # error waiting for its turn nothing else starts; the other three then finish and the error stops the batch.
            Add-FakeResponse @(
                @{ kind = 'hold'; count = 4 },
                @{ kind = 'error'; status = 400; message = 'Invalid size.'; param = 'size' },
                @{ kind = 'hold'; count = 10 })
            $batch = Start-Batch @'
$written = [System.Collections.Generic.List[string]]::new()
try { 1..10 | ForEach-Object { 'p{0:00}' -f $_ } | New-OpenAIImage -OutputDirectory . -ErrorAction Stop | ForEach-Object { $written.Add($_.Prompt) } }
catch { $written.Add("stopped by $($_.FullyQualifiedErrorId) $($_.TargetObject)") }
$written
'@
            Wait-Until { (Get-FakeStats).held -eq 4 } 'four requests held' $batch
            $null = Invoke-Fake Post release @{ count = 1 }
            Wait-Until { (Get-FinishedCount $batch) -eq 2 } "p05's error at the cmdlet" $batch
            $null = Invoke-Fake Post release
            $run = Complete-Batch $batch

            $run.Output | Should -Be @('p01', 'p02', 'p03', 'p04', 'stopped by OpenAI.InvalidRequest,OpenAI.Images.PowerShell.Commands.NewOpenAIImageCommand p05')
            @(Get-ApiRequest | ForEach-Object { $_.json.prompt } | Sort-Object) | Should -Be @(Get-Prompts 5)
            @(Get-ChildItem -LiteralPath $Folder -Force).Count | Should -Be 4
        }

        It 'keeps what finished and leaves no partial file when stopped (Ctrl+C) mid-batch' {
            # The first request to arrive is held, the next two are answered at once (their output waits behind the
            # first), the rest are held.
            Add-FakeResponse @(
                @{ kind = 'hold' },
                @{ kind = 'success'; count = 2 },
                @{ kind = 'hold'; count = 10 })
            $batch = Start-Batch "1..8 | ForEach-Object { 'p{0:00}' -f `$_ } | New-OpenAIImage -OutputDirectory ."
            Wait-Until { @(Get-ChildItem -LiteralPath $Folder -Force).Count -eq 2 -and (Get-FakeStats).held -eq 4 } 'two saved and four held' $batch

            # Stop returns although the held answers never come: the guard (a minute) is against waiting for them.
            $stopping = $batch.PowerShell.BeginStop($null, $null)
            $stopping.AsyncWaitHandle.WaitOne([timespan]::FromMinutes(1)) | Should -BeTrue -Because 'Ctrl+C must not wait for the requests in flight'
            $batch.PowerShell.EndStop($stopping)
            $batch.PowerShell.InvocationStateInfo.State | Should -Be 'Stopped'
            # The held requests were abandoned on the wire too: the fake sees their connections close.
            Wait-Until { (Get-FakeStats).inFlight -eq 0 } 'the stopped requests closed at the server'
            $null = Complete-Batch $batch
            @(Get-ApiRequest) | Should -HaveCount 6

            $files = @(Get-ChildItem -LiteralPath $Folder -Force)
            $files | Should -HaveCount 2
            $png = Get-AssetBase64 'sample-8x8.png'
            $files | ForEach-Object { Get-FileBase64 $_.FullName | Should -BeExactly $png }
            $files.Name | Where-Object { $_ -like '.openai-images-*' -or $_ -like '*.tmp' } | Should -BeNullOrEmpty
        }
    }
}
