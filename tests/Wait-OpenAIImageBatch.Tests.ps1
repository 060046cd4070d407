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

    It '-TimeoutSec ends the wait with an error that says how to wait again' {
        Set-FakeBatch -PollsUntilDone 1000
        $null = 'a' | Start-OpenAIImageBatch -JobPath ./t.json
        $job = Wait-OpenAIImageBatch ./t.json -TimeoutSec 1 -PollIntervalSec 1 -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeExactly "OpenAI.Batch.WaitTimeout,$Command"
        $errs[0].Exception.Message | Should -Match 'Wait-OpenAIImageBatch -JobPath'
        $job.Status | Should -BeExactly 'in_progress'
    }
}
