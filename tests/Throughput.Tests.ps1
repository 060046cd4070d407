#Requires -Version 7.4
# Pester 5 suite for batches (issue 10): requests run concurrently by default, output keeps input order (or comes as
# finished with -Unordered), batch progress with one child per request, one shared pause on 429, -ErrorAction Stop and
# Ctrl+C in the middle of a batch. Runs against the loopback fake with server latency (POST /_fake/latency).
# Needs `dotnet build` first. See tests/TestHelpers.ps1. Timings are generous: the test machine is shared.

Describe 'Batches' {
    BeforeAll {
        . $PSScriptRoot/TestHelpers.ps1
        $FakeApi = Start-Fake

        function Set-FakeLatency([hashtable] $Latency) {
            $null = Invoke-RestMethod -Method Post -Uri "$($FakeApi.Root)/_fake/latency" -ContentType 'application/json' -Body ($Latency | ConvertTo-Json -Compress) -NoProxy -TimeoutSec 30
        }

        function Get-FakeStats {
            Invoke-RestMethod -Method Get -Uri "$($FakeApi.Root)/_fake/stats" -NoProxy -TimeoutSec 30
        }

        # The recorded API requests, oldest first (the fake answers a JSON array, which Invoke-RestMethod writes as one
        # object: unroll it).
        function Get-ApiRequest {
            @(Invoke-RestMethod -Method Get -Uri "$($FakeApi.Root)/_fake/requests" -NoProxy -TimeoutSec 30 | ForEach-Object { $_ } | Where-Object { -not $_.isDownload })
        }

        function Get-Prompts([int] $Count) {
            1..$Count | ForEach-Object { 'p{0:00}' -f $_ }
        }

        # Runs a script in a new PowerShell (same process, module imported) to read its progress records.
        function Invoke-Isolated([string] $Script, [string] $Location) {
            $ps = [powershell]::Create()
            try {
                $null = $ps.AddScript("Import-Module '$ModuleManifest'; Set-Location -LiteralPath '$Location'; $Script")
                $output = $ps.Invoke()
                [pscustomobject]@{ Output = @($output); Errors = @($ps.Streams.Error); Progress = @($ps.Streams.Progress) }
            }
            finally {
                $ps.Dispose()
            }
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
            # The first four requests to arrive take 1 s, the next ones are answered at once: any fifth request
            # sent while those four are still out would be counted beside them.
            Add-FakeResponse @(@{ kind = 'stall'; ms = 1000; count = 4 })

            $images = @(Get-Prompts 8 | New-OpenAIImage)

            (Get-FakeStats).maxInFlight | Should -Be 4
            @(Get-ApiRequest).Count | Should -Be 8
            $images.Prompt | Should -Be @(Get-Prompts 8)
        }

        It 'runs one at a time with -ThrottleLimit 1' {
            Set-FakeLatency @{ ms = 150 }

            $images = @(Get-Prompts 3 | New-OpenAIImage -ThrottleLimit 1)

            (Get-FakeStats).maxInFlight | Should -Be 1
            $images.Prompt | Should -Be @(Get-Prompts 3)
        }

        It 'keeps input order under random server latencies' {
            Set-FakeLatency @{ minMs = 20; maxMs = 450; seed = 42 }

            $images = @(Get-Prompts 12 | New-OpenAIImage -OutputDirectory $Folder)

            $images.Prompt | Should -Be @(Get-Prompts 12)
            $images | ForEach-Object { $_.File.FullName | Should -Exist }
        }

        It 'writes each as it finishes with -Unordered' {
            # The first request to arrive waits 1 s, the others are answered at once.
            Add-FakeResponse @(@{ kind = 'stall'; ms = 1000 })

            $unordered = @(Get-Prompts 4 | New-OpenAIImage -Unordered)

            $stalled = (@(Get-ApiRequest) | Sort-Object sequence | Select-Object -First 1).json.prompt
            $unordered.Prompt[-1] | Should -BeExactly $stalled
            $unordered.Prompt | Sort-Object | Should -Be @(Get-Prompts 4)

            Reset-Fake
            Add-FakeResponse @(@{ kind = 'stall'; ms = 1000 })
            $ordered = @(Get-Prompts 4 | New-OpenAIImage)
            $ordered.Prompt | Should -Be @(Get-Prompts 4)
        }
    }

    Context 'Progress' {
        It 'shows one parent activity that counts the batch and one child per request' {
            Set-FakeLatency @{ ms = 400 }

            $run = Invoke-Isolated "'p01','p02','p03','p04','p05' | New-OpenAIImage -ThrottleLimit 2" $Folder

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
            Set-FakeLatency @{ ms = 300 }

            $run = Invoke-Isolated 'New-OpenAIImageVariation -Path in1.png, in2.png, in3.png' $Folder

            $run.Errors | Should -HaveCount 0
            $updates = @($run.Progress | Where-Object { $_.ParentActivityId -eq -1 -and $_.RecordType -eq 'Processing' })
            $updates[-1].StatusDescription | Should -BeLike '3 of 3 done · 0 running · *'
            $updates[-1].PercentComplete | Should -Be 100
        }

        It 'writes no progress under $ProgressPreference = SilentlyContinue' {
            Set-FakeLatency @{ ms = 1200 }

            $run = Invoke-Isolated "`$ProgressPreference = 'SilentlyContinue'; 'p01','p02' | New-OpenAIImage" $Folder

            $run.Output | Should -HaveCount 2
            $run.Progress | Should -HaveCount 0
        }
    }

    Context 'Rate limits and stopping' {
        It 'pauses the whole batch once on a 429 with retry-after' {
            Set-FakeLatency @{ ms = 300 }
            Add-FakeResponse @(
                @{ kind = 'success'; count = 5 },
                @{ kind = 'error'; status = 429; message = 'Rate limit reached'; type = 'requests'; code = 'rate_limit_exceeded'; headers = @{ 'retry-after' = '2' } })

            $images = @(Get-Prompts 16 | New-OpenAIImage -Verbose 4>&1 | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] -or $_.Message -like '*asked to wait*' })

            $notices = @($images | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })
            $notices | Should -HaveCount 1
            @($images | Where-Object { $_ -isnot [System.Management.Automation.VerboseRecord] }).Prompt | Should -Be @(Get-Prompts 16)
            $requests = @(Get-ApiRequest | Sort-Object { [DateTimeOffset]$_.receivedAt })
            $requests | Should -HaveCount 17
            $limitedPrompt = ($requests | Group-Object { $_.json.prompt } | Where-Object Count -EQ 2).Name
            $t = [DateTimeOffset]($requests | Where-Object { $_.json.prompt -eq $limitedPrompt } | Select-Object -First 1).receivedAt
            # The 429 comes back after the 0.3 s latency; from then on nothing starts until 2 s have passed.
            $inside = @($requests | Where-Object { [DateTimeOffset]$_.receivedAt -gt $t.AddSeconds(0.8) -and [DateTimeOffset]$_.receivedAt -lt $t.AddSeconds(2.25) })
            $inside | Should -HaveCount 0
        }

        It 'stops a batch at an error under -ErrorAction Stop before sending anything else' {
            # The first four requests take 1.5 s; the fifth fails at once; the rest would take 1.5 s.
            Add-FakeResponse @(
                @{ kind = 'stall'; ms = 1500; count = 4 },
                @{ kind = 'error'; status = 400; message = 'Invalid size.'; param = 'size' },
                @{ kind = 'stall'; ms = 1500; count = 10 })
            $written = [System.Collections.Generic.List[string]]::new()

            $stoppedBy = $null
            try {
                Get-Prompts 10 | New-OpenAIImage -OutputDirectory $Folder -ErrorAction Stop | ForEach-Object { $written.Add($_.Prompt) }
            }
            catch {
                $stoppedBy = $_
            }

            $stoppedBy.FullyQualifiedErrorId | Should -BeExactly 'OpenAI.InvalidRequest,OpenAI.Images.PowerShell.Commands.NewOpenAIImageCommand'
            $failed = [int]$stoppedBy.TargetObject.Substring(1)
            $failed | Should -BeIn (5..8)
            # Everything before the failed prompt was written, in order, and nothing after it.
            $written | Should -Be @(Get-Prompts ($failed - 1))
            @(Get-ApiRequest | ForEach-Object { [int]$_.json.prompt.Substring(1) } | Where-Object { $_ -gt 8 }) | Should -HaveCount 0
            # Their files are saved; a request that ran alongside the failed one may have saved its file too.
            @(Get-ChildItem -LiteralPath $Folder -Force).Count | Should -BeGreaterOrEqual ($failed - 1)
            @(Get-ChildItem -LiteralPath $Folder -Force).Count | Should -BeLessOrEqual 7
        }

        It 'keeps what finished and leaves no partial file when stopped (Ctrl+C) mid-batch' {
            # The first request to arrive hangs (ten minutes), the next two finish at once (their output waits behind
            # the first), the rest hang.
            Add-FakeResponse @(
                @{ kind = 'stall'; ms = 600000 },
                @{ kind = 'success'; count = 2 },
                @{ kind = 'stall'; ms = 600000; count = 10 })
            $ps = [powershell]::Create()
            $null = $ps.AddScript("Import-Module '$ModuleManifest'; 1..8 | ForEach-Object { 'p{0:00}' -f `$_ } | New-OpenAIImage -OutputDirectory '$Folder'")
            $running = $ps.BeginInvoke()
            try {
                $deadline = [DateTime]::UtcNow.AddSeconds(60)
                while (@(Get-ChildItem -LiteralPath $Folder -Force).Count -lt 2 -or @(Get-ApiRequest).Count -lt 6) {
                    [DateTime]::UtcNow | Should -BeLessThan $deadline -Because 'the batch should get going'
                    Start-Sleep -Milliseconds 50
                }

                # Stop returns long before any hanging answer would come: a guard against waiting for them, not a stopwatch.
                $stopping = $ps.BeginStop($null, $null)
                $stopping.AsyncWaitHandle.WaitOne([timespan]::FromSeconds(30)) | Should -BeTrue -Because 'Ctrl+C must not wait for the requests in flight'
                $ps.EndStop($stopping)
                $ps.InvocationStateInfo.State | Should -Be 'Stopped'
                # The hanging requests were abandoned on the wire too: the fake sees their connections close.
                $deadline = [DateTime]::UtcNow.AddSeconds(30)
                while ((Get-FakeStats).inFlight -gt 0) {
                    [DateTime]::UtcNow | Should -BeLessThan $deadline -Because 'stopped requests must not stay open at the server'
                    Start-Sleep -Milliseconds 20
                }
            }
            finally {
                $ps.Dispose()
            }

            $files = @(Get-ChildItem -LiteralPath $Folder -Force)
            $files | Should -HaveCount 2
            $png = Get-AssetBase64 'sample-8x8.png'
            $files | ForEach-Object { Get-FileBase64 $_.FullName | Should -BeExactly $png }
            $files.Name | Where-Object { $_ -like '.openai-images-*' -or $_ -like '*.tmp' } | Should -BeNullOrEmpty
        }
    }
}
