#Requires -Version 7.4
# Pester 5 suite for Get-OpenAIImageBatch (GET /batches/{id}, GET /batches), run against the loopback fake.

Describe 'Get-OpenAIImageBatch' {
    BeforeAll {
        . $PSScriptRoot/TestHelpers.ps1
        . $PSScriptRoot/BatchTestHelpers.ps1
        $FakeApi = Start-Fake
        $Command = 'OpenAI.Images.PowerShell.Commands.GetOpenAIImageBatchCommand'
    }

    AfterAll {
        Stop-Fake $FakeApi
        Restore-TestSession
    }

    BeforeEach {
        Reset-Fake
        Set-FakeBatch -PollsUntilDone 3
        $Folder = New-TestFolder
        Push-Location $Folder
    }

    AfterEach {
        Pop-Location
    }

    It 'reads the batch once per call, follows the status flow and saves it in the job file' {
        $null = 'a', 'b' | Start-OpenAIImageBatch -JobPath ./g.json
        $statuses = 1..3 | ForEach-Object { (Get-OpenAIImageBatch -JobPath ./g.json).Status }
        $statuses | Should -Be @('in_progress', 'finalizing', 'completed')
        $job = Get-OpenAIImageBatch ./g.json
        $job.Completed | Should -Be 2
        $job.Total | Should -Be 2
        (Get-Content -Raw ./g.json | ConvertFrom-Json).batches[0].batch.status | Should -BeExactly 'completed'
    }

    It 'gets a batch by id, and lists the recent image batches' {
        $job = 'c' | Start-OpenAIImageBatch -JobPath ./h.json -Name listed
        $byId = Get-OpenAIImageBatch -Id $job.BatchIds[0]
        $byId.Name | Should -BeExactly 'listed'
        $byId.JobPath | Should -BeNullOrEmpty
        @(Get-OpenAIImageBatch).Name | Should -Contain 'listed'
    }

    It 'shows jobs as a table' {
        $job = 'd' | Start-OpenAIImageBatch -JobPath ./t.json -Name tabled
        $text = $job | Format-Table | Out-String
        $text | Should -Match 'Name\s+Status\s+Completed\s+Failed\s+Total\s+Batches\s+Created'
        $text | Should -Match 'tabled\s+validating'
    }

    It 'a missing job file is an ObjectNotFound error' {
        Get-OpenAIImageBatch -JobPath ./none.json -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeExactly "OpenAI.Batch.JobFileNotFound,$Command"
        $errs[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
    }
}
