#Requires -Version 7.4
# Pester 5 suite for Receive-OpenAIImageBatch (GET /files/{id}/content), run against the loopback fake.

Describe 'Receive-OpenAIImageBatch' {
    BeforeAll {
        . $PSScriptRoot/TestHelpers.ps1
        . $PSScriptRoot/BatchTestHelpers.ps1
        $FakeApi = Start-Fake
        $Command = 'OpenAI.Images.PowerShell.Commands.ReceiveOpenAIImageBatchCommand'
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

    It 'saves each image under its custom_id with the bytes OpenAI sent, and emits ImageResult objects' {
        Set-FakeBatch -PollsUntilDone 1
        $null = 'a red fox', 'an owl' | Start-OpenAIImageBatch -JobPath ./r.json -OutputFormat png
        $null = Wait-OpenAIImageBatch ./r.json
        $images = @(Receive-OpenAIImageBatch ./r.json -OutputDirectory ./out)

        $images.Count | Should -Be 2
        $images[0].GetType().FullName | Should -BeExactly 'OpenAI.Images.ImageResult'
        ($images | Where-Object CustomId -eq '00001-a-red-fox').File.Name | Should -BeExactly '00001-a-red-fox.png'
        ($images | Where-Object CustomId -eq '00002-an-owl').Prompt | Should -BeExactly 'an owl'
        Get-FileBase64 (Join-Path $Folder 'out/00001-a-red-fox.png') | Should -BeExactly (Get-AssetBase64 'sample-8x8.png')
    }

    It 'removes the temporary files a receive killed mid-decode left in the folder, once they are a minute old' {
        Set-FakeBatch -PollsUntilDone 1
        $null = 'a red fox', 'an owl' | Start-OpenAIImageBatch -JobPath ./k.json
        $null = Wait-OpenAIImageBatch ./k.json
        $out = New-Item -ItemType Directory -Path (Join-Path $Folder 'out')
        $orphan = New-OrphanedTempFile $out.FullName
        $young = New-OrphanedTempFile $out.FullName -AgeSec -3600

        $images = @(Receive-OpenAIImageBatch ./k.json -OutputDirectory ./out)

        $images.Count | Should -Be 2
        $orphan | Should -Not -Exist
        $young | Should -Exist
        @(Get-FolderContent $out.FullName | Where-Object { $_ -notlike '.openai-images-*' }) | Should -HaveCount 2
    }

    It 'is idempotent: a second run saves nothing again' {
        Set-FakeBatch -PollsUntilDone 1
        $null = 'x', 'y' | Start-OpenAIImageBatch -JobPath ./i.json
        $null = Wait-OpenAIImageBatch ./i.json
        $null = Receive-OpenAIImageBatch ./i.json -OutputDirectory ./out
        $before = Get-ChildItem ./out | ForEach-Object { $_.LastWriteTimeUtc.Ticks }
        $again = @(Receive-OpenAIImageBatch ./i.json -OutputDirectory ./out -Verbose 4>&1)
        @($again | Where-Object { $_ -is [OpenAI.Images.ImageResult] }).Count | Should -Be 2
        @($again | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match 'saved 0 image\(s\), 2 already saved before' }).Count | Should -Be 1
        Get-ChildItem ./out | ForEach-Object { $_.LastWriteTimeUtc.Ticks } | Should -Be $before
    }

    It 'an expired batch delivers what completed and reports the rest per line' {
        Set-FakeBatch -PollsUntilDone 1 -FinalStatus expired
        $null = 'one', 'two', 'three', 'four' | Start-OpenAIImageBatch -JobPath ./x.json
        $null = Wait-OpenAIImageBatch ./x.json
        $images = @(Receive-OpenAIImageBatch ./x.json -OutputDirectory ./out -ErrorVariable errs -ErrorAction SilentlyContinue)
        $images.Count | Should -Be 2
        $errs.Count | Should -Be 2
        $errs | ForEach-Object { $_.FullyQualifiedErrorId | Should -BeExactly "OpenAI.Batch.RequestFailed,$Command" }
        $errs[0].Exception.Message | Should -Match 'batch_expired'
        @($errs.TargetObject | Sort-Object) | Should -Be @('four', 'three')
    }

    It 'a running batch is not received' {
        Set-FakeBatch -PollsUntilDone 1000
        $null = 'z' | Start-OpenAIImageBatch -JobPath ./n.json
        Receive-OpenAIImageBatch ./n.json -OutputDirectory ./out -ErrorVariable errs -ErrorAction SilentlyContinue
        $errs[0].FullyQualifiedErrorId | Should -BeExactly "OpenAI.Batch.NotFinished,$Command"
        Test-Path ./out | Should -BeFalse
    }
}
