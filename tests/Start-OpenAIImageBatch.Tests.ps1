#Requires -Version 7.4
# Pester 5 suite for Start-OpenAIImageBatch (POST /files, POST /batches), run against the loopback fake.
# Needs `dotnet build` first. See tests/TestHelpers.ps1.

Describe 'Start-OpenAIImageBatch' {
    BeforeAll {
        . $PSScriptRoot/TestHelpers.ps1
        . $PSScriptRoot/BatchTestHelpers.ps1
        $FakeApi = Start-Fake
        $Command = 'OpenAI.Images.PowerShell.Commands.StartOpenAIImageBatchCommand'
    }

    AfterAll {
        Set-BatchSeam -PollDelayScale 1
        Stop-Fake $FakeApi
        Restore-TestSession
    }

    BeforeEach {
        Reset-Fake
        Set-FakeBatch -PollsUntilDone 3
        Set-BatchSeam -PollDelayScale 0
        $Folder = New-TestFolder
        Push-Location $Folder
    }

    AfterEach {
        Pop-Location
    }

    It 'uploads one JSONL line per prompt and creates a 24h batch for the generations endpoint' {
        $job = 'a red fox', 'an owl at night' | Start-OpenAIImageBatch -Name 'animals' -Quality low

        $job.GetType().FullName | Should -BeExactly 'OpenAI.Images.ImageBatchJob'
        $job.JobPath | Should -BeExactly (Join-Path $Folder 'animals.imagebatch.json')
        $job.Status | Should -BeExactly 'validating'
        @($job.BatchIds).Count | Should -Be 1

        $lines = @(Get-UploadedBatchInput)
        $lines.Count | Should -Be 1
        $input1 = $lines[0]
        $input1.Count | Should -Be 2
        $input1[0].custom_id | Should -BeExactly '00001-a-red-fox'
        $input1[0].method | Should -BeExactly 'POST'
        $input1[0].url | Should -BeExactly '/v1/images/generations'
        $input1[0].body.prompt | Should -BeExactly 'a red fox'
        $input1[0].body.model | Should -BeExactly 'gpt-image-2'
        $input1[1].body.quality | Should -BeExactly 'low'

        $create = @(Get-FakeRequest -Api | Where-Object { $_.path -eq '/v1/batches' })
        $create.Count | Should -Be 1
        $create[0].json.endpoint | Should -BeExactly '/v1/images/generations'
        $create[0].json.completion_window | Should -BeExactly '24h'
        $create[0].json.metadata.openai_images_job | Should -BeExactly 'animals'
    }

    It 'writes xhigh and max into the batch lines for the 2.5 and 2.6 models' {
        $null = Copy-TestAsset 'sample-8x8.png' $Folder 'photo.png'
        $null = Start-OpenAIImageBatch 'a red fox' -Model gpt-image-2.5-sunburst -Quality XHIGH -Name gen
        $null = Start-OpenAIImageBatch 'add a hat' -Path ./photo.png -Model gpt-image-2.6-flare -Quality max -Name edit

        $lines = @(Get-UploadedBatchInput)
        $lines.Count | Should -Be 2
        $lines[0][0].url, $lines[0][0].body.model, $lines[0][0].body.quality | Should -Be @('/v1/images/generations', 'gpt-image-2.5-sunburst', 'xhigh')
        $lines[1][0].url, $lines[1][0].body.model, $lines[1][0].body.quality | Should -Be @('/v1/images/edits', 'gpt-image-2.6-flare', 'max')
    }

    It 'writes a job file without the key' {
        $job = 'a lake' | Start-OpenAIImageBatch -JobPath ./lake.json
        $text = Get-Content -Raw ./lake.json
        $text | Should -Not -Match ([regex]::Escape($TestApiKey))
        ($text | ConvertFrom-Json).batches[0].batch.id | Should -BeExactly $job.BatchIds[0]
    }

    It 'uploads a local image once for several edits and references it by file_id' {
        $a = Copy-TestAsset 'sample-8x8.png' $Folder 'a.png'
        $b = Copy-TestAsset 'sample-8x8.png' $Folder 'b.png'
        $null = @(
            [pscustomobject]@{ Prompt = 'watercolor'; Path = $a }
            [pscustomobject]@{ Prompt = 'pencil'; Path = $b }
        ) | Start-OpenAIImageBatch -JobPath ./edits.json

        $images = @(Get-FakeRequest -Api | Where-Object { $_.path -eq '/v1/files' -and (Get-FakeField $_ 'purpose') -eq 'vision' })
        $images.Count | Should -Be 1
        $lines = @(Get-UploadedBatchInput)
        $lines[0].url | Should -Be @('/v1/images/edits', '/v1/images/edits')
        $lines[0][0].body.images[0].file_id | Should -BeExactly $lines[0][1].body.images[0].file_id
    }

    It 'splits a job past the (lowered) line limit into several batches' {
        Set-BatchSeam -PollDelayScale 0 -MaxLines 2
        $job = 1..5 | ForEach-Object { "prompt $_" } | Start-OpenAIImageBatch -JobPath ./split.json
        @($job.BatchIds).Count | Should -Be 3
        @(Get-UploadedBatchInput | ForEach-Object { $_.Count }) | Should -Be @(2, 2, 1)
    }

    It 'sends -OutputExpiresAfter on the batch and -AdditionalBody in every line' {
        $job = 'a fox', 'an owl' | Start-OpenAIImageBatch -JobPath ./x.json -OutputExpiresAfter '7.00:00:00' -AdditionalBody @{ complexity = 'low'; user = $null } -User 'u-1'

        $job.OutputExpiresAfter | Should -Be ([timespan]::FromDays(7))
        $create = @(Get-FakeRequest -Api | Where-Object { $_.path -eq '/v1/batches' })
        $create[0].json.output_expires_after.anchor | Should -BeExactly 'created_at'
        $create[0].json.output_expires_after.seconds | Should -Be 604800
        $lines = @(Get-UploadedBatchInput)[0]
        $lines.body.complexity | Should -Be @('low', 'low')
        $lines.body.PSObject.Properties.Name | Should -Not -Contain 'user'
    }

    It 'refuses -OutputExpiresAfter outside 1 hour to 30 days before anything is sent' {
        { 'x' | Start-OpenAIImageBatch -JobPath ./y.json -OutputExpiresAfter '31.00:00:00' } | Should -Throw -ErrorId "OpenAI.Validation.OutputExpiresAfterOutOfRange,$Command"
        Get-FakeRequest -Api | Should -BeNullOrEmpty
        './y.json' | Should -Not -Exist
    }

    It '-WhatIf uploads nothing and writes no file' {
        'a' , 'b' | Start-OpenAIImageBatch -JobPath ./w.json -WhatIf
        @(Get-FakeRequest -Api).Count | Should -Be 0
        Test-Path ./w.json | Should -BeFalse
    }

    It 'reports an invalid item and starts nothing' {
        $items = [pscustomobject]@{ Prompt = 'ok' }, [pscustomobject]@{ Prompt = 'bad'; Size = '123x45' }
        { $items | Start-OpenAIImageBatch -JobPath ./bad.json -ErrorVariable script:errs -ErrorAction SilentlyContinue } |
            Should -Throw -ErrorId "OpenAI.Batch.InvalidRequests,$Command"
        @($script:errs | Where-Object { $_.FullyQualifiedErrorId -like 'OpenAI.Validation.*' }).Count | Should -Be 1
        @(Get-FakeRequest -Api).Count | Should -Be 0
        Test-Path ./bad.json | Should -BeFalse
    }

    It 'refuses to replace an existing job file without -Force' {
        Set-Content ./keep.json 'precious'
        { 'x' | Start-OpenAIImageBatch -JobPath ./keep.json } | Should -Throw -ErrorId "OpenAI.Batch.JobFileExists,$Command"
        Get-Content ./keep.json | Should -BeExactly 'precious'
    }
}
