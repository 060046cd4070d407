#Requires -Version 7.4
# Pester 5 suite for Wait-OpenAIImageBatch, run against the loopback fake (polls without sleeping through the
# module's internal poll-delay seam).

Describe 'Wait-OpenAIImageBatch' {
    BeforeAll {
        . $PSScriptRoot/TestHelpers.ps1
        . $PSScriptRoot/BatchTestHelpers.ps1
        $FakeApi = Start-Fake
        $Command = 'OpenAI.Images.PowerShell.Commands.WaitOpenAIImageBatchCommand'
    }

    AfterAll {
        Set-BatchSeam -PollDelayScale 1
        Stop-Fake $FakeApi
        Restore-TestSession
    }

    BeforeEach {
        Reset-Fake
        Set-BatchSeam -PollDelayScale 0
        $Folder = New-TestFolder
        Push-Location $Folder
    }

    AfterEach {
        Pop-Location
    }

    It 'polls until the batch is final and emits the final job' {
        Set-FakeBatch -PollsUntilDone 4
        $job = 'a', 'b', 'c' | Start-OpenAIImageBatch -JobPath ./w.json
        $final = $job | Wait-OpenAIImageBatch -PollIntervalSec 1
        $final.Status | Should -BeExactly 'completed'
        $final.Completed | Should -Be 3
        @(Get-FakeRequest -Api | Where-Object { $_.method -eq 'GET' -and $_.path -like '/v1/batches/*' }).Count | Should -Be 4
    }

    It 'an expired batch is final too' {
        Set-FakeBatch -PollsUntilDone 2 -FinalStatus expired
        $null = 'a', 'b' | Start-OpenAIImageBatch -JobPath ./e.json
        (Wait-OpenAIImageBatch ./e.json).Status | Should -BeExactly 'expired'
    }

    # The seam puts the wait on virtual time: its pauses advance its clock without sleeping, so -TimeoutSec ends after
    # the same polls on any machine, however fast the fake answers.
    It '-TimeoutSec ends the wait with an error that says how to wait again' {
        Set-FakeBatch -PollsUntilDone 1000
        $null = 'a' | Start-OpenAIImageBatch -JobPath ./t.json
        $job = Wait-OpenAIImageBatch ./t.json -TimeoutSec 1 -PollIntervalSec 1 -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs.Count | Should -Be 1
        $errs[0].FullyQualifiedErrorId | Should -BeExactly "OpenAI.Batch.WaitTimeout,$Command"
        $errs[0].Exception.Message | Should -Match 'after 1 s .*Wait-OpenAIImageBatch -JobPath'
        $job.Status | Should -BeExactly 'in_progress'
        # A poll at 0 s, a 1 s pause, the poll at 1 s, then the timeout.
        @(Get-FakeRequest -Api | Where-Object { $_.method -eq 'GET' -and $_.path -like '/v1/batches/*' }).Count | Should -Be 2
    }

    It 'the pause between polls grows by half each time and the last poll comes at the -TimeoutSec limit' {
        Set-FakeBatch -PollsUntilDone 1000
        $null = 'a' | Start-OpenAIImageBatch -JobPath ./g.json
        $null = Wait-OpenAIImageBatch ./g.json -TimeoutSec 10 -PollIntervalSec 1 -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].Exception.Message | Should -Match 'after 10 s '
        # Polls at 0, 1, 2.5, 4.75 and 8.125 s, and at the limit (10 s) rather than at 13.5 s.
        @(Get-FakeRequest -Api | Where-Object { $_.method -eq 'GET' -and $_.path -like '/v1/batches/*' }).Count | Should -Be 6
    }
}
