#Requires -Version 7.4
# Pester 5 suite for Get-OpenAIImageModel (GET /models), run against the loopback fake OpenAI server.
# Needs `dotnet build` first. See tests/TestHelpers.ps1. The matrix (statuses, dates, hosts) is in the hosted xunit tests.

Describe 'Get-OpenAIImageModel' {
    BeforeAll {
        . $PSScriptRoot/TestHelpers.ps1
        $FakeApi = Start-Fake
        $Command = 'OpenAI.Images.PowerShell.Commands.GetOpenAIImageModelCommand'

        function Set-FakeModels([string] $Json) {
            $null = Invoke-RestMethod -Method Post -Uri "$($FakeApi.Root)/_fake/models" -ContentType 'application/json' -Body $Json -NoProxy -TimeoutSec 60
        }
    }

    AfterAll {
        Stop-Fake $FakeApi
        Restore-TestSession
    }

    BeforeEach {
        Reset-Fake
    }

    It 'lists the image models the server offers, as ImageModelInfo objects in a table' {
        Set-FakeModels '{"models":[{"id":"gpt-image-2.6-flare","shutdown_date":null},{"id":"gpt-4o","shutdown_date":null},{"id":"gpt-image-2","shutdown_date":"2027-01-15"},{"id":"gpt-image-9"}]}'

        $models = @(Get-OpenAIImageModel)

        $models.Id | Should -Be @('gpt-image-2', 'gpt-image-2.6-flare', 'gpt-image-9')
        $models[0] | Should -BeOfType ([OpenAI.Images.ImageModelInfo])
        $models[0].ShutdownDate | Should -Be ([datetime]'2027-01-15')
        $models[1].Status | Should -Be 'Live'
        $models[1].Qualities | Should -Contain 'max'
        $models[2].Known | Should -BeFalse
        $models[2].Status | Should -Be 'Unknown'
        (Get-FakeRequest -Api)[0].path | Should -BeExactly '/v1/models'

        $table = $models | Format-Table | Out-String -Width 200
        $table | Should -Match 'Id\s+Status\s+ShutdownDate\s+Known\s+Qualities\s+Replacement'
        $table | Should -Match 'gpt-image-2\s+Retiring\s+2027-01-15\s+True\s+low,medium,high,auto'
    }

    It '-Name takes wildcards and pipeline input; an exact name the server does not list is an error' {
        $found = 'gpt-image-2.5*', 'no-such-model' | Get-OpenAIImageModel -ErrorVariable problems -ErrorAction SilentlyContinue

        @($found).Id | Should -Be @('gpt-image-2.5-flare', 'gpt-image-2.5-flare-2026-09-08', 'gpt-image-2.5-sunburst', 'gpt-image-2.5-sunburst-2026-09-08')
        $problems | Should -HaveCount 1
        $problems[0].FullyQualifiedErrorId | Should -BeExactly "OpenAI.ModelNotListed,$Command"
    }

    It 'says what to do against a server without /models' {
        Set-FakeModels '{"models":null}'

        { Get-OpenAIImageModel -ErrorAction Stop } | Should -Throw -ErrorId "OpenAI.ModelListNotAvailable,$Command" -ExpectedMessage '*does not list its models*-Model*'
    }
}
