#Requires -Version 7.4
# Pester 5 suite for Stop-OpenAIImageBatch (POST /batches/{id}/cancel), run against the loopback fake.

Describe 'Stop-OpenAIImageBatch' {
    BeforeAll {
        . $PSScriptRoot/TestHelpers.ps1
        . $PSScriptRoot/BatchTestHelpers.ps1
        $FakeApi = Start-Fake
    }

    AfterAll {
        Set-BatchSeam -PollDelayScale 1
        Stop-Fake $FakeApi
        Restore-TestSession
    }

    BeforeEach {
        Reset-Fake
        Set-BatchSeam -PollDelayScale 0
        Set-FakeBatch -PollsUntilDone 100
        $Folder = New-TestFolder
        Push-Location $Folder
    }

    AfterEach {
        Pop-Location
    }

    It 'cancels the batch; the cancelled batch still delivers what completed' {
        $null = 'a', 'b', 'c', 'd' | Start-OpenAIImageBatch -JobPath ./s.json
        $stopped = Stop-OpenAIImageBatch ./s.json -Confirm:$false
        $stopped.Status | Should -BeExactly 'cancelling'
        @(Get-FakeRequest -Api | Where-Object { $_.path -like '/v1/batches/*/cancel' }).Count | Should -Be 1
        (Wait-OpenAIImageBatch ./s.json).Status | Should -BeExactly 'cancelled'
        @(Receive-OpenAIImageBatch ./s.json -OutputDirectory ./out -ErrorAction SilentlyContinue).Count | Should -Be 2
    }

    It '-WhatIf sends no cancel' {
        $null = 'a' | Start-OpenAIImageBatch -JobPath ./w.json
        $null = Stop-OpenAIImageBatch ./w.json -WhatIf
        @(Get-FakeRequest -Api | Where-Object { $_.path -like '*/cancel' }).Count | Should -Be 0
    }
}
