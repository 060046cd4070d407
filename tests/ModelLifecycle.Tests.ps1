#Requires -Version 7.4
# Pester 5 suite for the model lifecycle (issue 12): warnings for models OpenAI retired, only at api.openai.com.
# Needs `dotnet build` first. See tests/TestHelpers.ps1.
#
# "api.openai.com" without the internet: the profile 'openai' has the base URI http://api.openai.com/v1 and, as its
# HTTP proxy, the loopback fake itself. A client sends a proxy the absolute URI (POST http://api.openai.com/v1/...),
# which the fake's server accepts and records with Host: api.openai.com. The module decides on the real host name;
# every byte goes to 127.0.0.1 only.

Describe 'Model lifecycle' {
    BeforeAll {
        . $PSScriptRoot/TestHelpers.ps1
        $FakeApi = Start-Fake
        Set-OpenAIConfig -Profile openai -BaseUri http://api.openai.com/v1 -AllowInsecureHttp -Proxy "$($FakeApi.Root)/" -Scope Process

        # The module's clock seam (internal): the day the lifecycle table is compared with.
        $Seam = [OpenAI.Images.Validation.ModelLifecycle].GetProperty('TodayOverride', [System.Reflection.BindingFlags]'Static, NonPublic')
        function Set-LifecycleToday([Nullable[datetime]] $Day) { $Seam.SetValue($null, $Day) }
        $NotFound = @{ kind = 'error'; status = 404; type = 'invalid_request_error'; code = 'model_not_found' }

    }

    AfterAll {
        Set-LifecycleToday $null
        Remove-OpenAIConfig -Profile openai -Confirm:$false -ErrorAction SilentlyContinue
        Stop-Fake $FakeApi
        Restore-TestSession
    }

    BeforeEach {
        Reset-Fake
        Set-LifecycleToday ([datetime]'2026-12-03')
        $Folder = New-TestFolder
    }

    Context 'At api.openai.com' {
        It 'warns once per call for <Model>, retired on <Date>, names <Replacement> and still sends every request' -ForEach @(
            @{ Model = 'dall-e-2'; Date = '2026-05-12'; Replacement = 'gpt-image-2' }
            @{ Model = 'dall-e-3'; Date = '2026-05-12'; Replacement = 'gpt-image-2' }
            @{ Model = 'gpt-image-1'; Date = '2026-10-23'; Replacement = 'gpt-image-2.5-sunburst or gpt-image-2.5-flare' }
            @{ Model = 'gpt-image-1-mini'; Date = '2026-12-01'; Replacement = 'gpt-image-2.6-sunburst or gpt-image-2.6-flare' }
            @{ Model = 'gpt-image-1.5'; Date = '2026-12-01'; Replacement = 'gpt-image-2.6-sunburst or gpt-image-2.6-flare' }
            @{ Model = 'gpt-image-1.5-2025-12-16'; Date = '2026-12-01'; Replacement = 'gpt-image-2.6-sunburst or gpt-image-2.6-flare' }
        ) {
            $images = @('a red fox', 'a snowy owl' | New-OpenAIImage -Profile openai -Model $Model -WarningVariable warnings -WarningAction SilentlyContinue)

            $warnings | Should -HaveCount 1
            "$($warnings[0])" | Should -BeLike "OpenAI retired the model '$Model' on $Date*"
            $first = ($Replacement -split ' or ')[0]
            "$($warnings[0])" | Should -BeLike "*Its replacement is $($Replacement): use -Model $first*"
            "$($warnings[0])" | Should -BeLike "*Set-OpenAIConfig -Profile openai -DefaultModel $first. *"
            $images | Should -HaveCount 2
            $requests = @(Get-FakeRequest -Api)
            $requests.Count | Should -Be 2
            foreach ($request in $requests) {
                Get-FakeHeader $request 'Host' | Should -BeExactly 'api.openai.com'
                $request.json.model | Should -BeExactly $Model
            }
        }

        It 'warns for chatgpt-image-latest on edits' {
            $image = Copy-TestAsset 'sample-8x8.png' $Folder

            $null = Edit-OpenAIImage 'make it blue' -Path $image -Profile openai -Model chatgpt-image-latest -WarningVariable warnings -WarningAction SilentlyContinue

            "$($warnings[0])" | Should -BeLike "OpenAI retired the model 'chatgpt-image-latest' on 2026-12-01*"
            @(Get-FakeRequest -Api).Count | Should -Be 1
        }

        It 'writes nothing for gpt-image-2' {
            $null = New-OpenAIImage 'a fox' -Profile openai -WarningVariable warnings
            $warnings | Should -HaveCount 0
            @(Get-FakeRequest -Api)[0].json.model | Should -BeExactly 'gpt-image-2'
        }

        It 'honours $WarningPreference' {
            $WarningPreference = 'Stop'
            { New-OpenAIImage 'a fox' -Profile openai -Model dall-e-3 } | Should -Throw -ExceptionType ([System.Management.Automation.ActionPreferenceStopException])
            @(Get-FakeRequest -Api).Count | Should -Be 0
        }

        It 'says "will be retired" within 90 days of the shutdown, with an injected day' {
            Set-LifecycleToday ([datetime]'2026-10-01')
            $null = New-OpenAIImage 'a fox' -Profile openai -Model gpt-image-1 -WarningVariable soon -WarningAction SilentlyContinue
            "$($soon[0])" | Should -BeLike "OpenAI will retire the model 'gpt-image-1' on 2026-10-23 (in 22 days).*"

            Set-LifecycleToday ([datetime]'2026-09-01')
            $null = New-OpenAIImage 'a fox' -Profile openai -Model gpt-image-1-mini -WarningVariable early
            $early | Should -HaveCount 0
        }

        It 'adds the retirement date and replacement to OpenAI''s model_not_found' {
            Add-FakeResponse ($NotFound + @{ message = 'The model `dall-e-3` does not exist or you do not have access to it.' })

            $null = New-OpenAIImage 'a fox' -Profile openai -Model dall-e-3 -WarningAction SilentlyContinue -ErrorVariable failures -ErrorAction SilentlyContinue

            $failures | Should -HaveCount 1
            $failures[0].FullyQualifiedErrorId | Should -BeExactly 'OpenAI.NotFound,OpenAI.Images.PowerShell.Commands.NewOpenAIImageCommand'
            $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $failures[0].ErrorDetails.Message | Should -BeLike "*OpenAI retired 'dall-e-3' on 2026-05-12; its replacement is gpt-image-2.*"
            $failures[0].ErrorDetails.RecommendedAction | Should -BeLike '*-Model gpt-image-2*'
            "$($failures[0])" | Should -Not -BeLike "*$TestApiKey*"
        }

        It 'points New-OpenAIImageVariation to Edit-OpenAIImage -Model gpt-image-2' {
            $square = Copy-TestAsset 'sample-8x8.png' $Folder 'logo.png'
            Add-FakeResponse ($NotFound + @{ message = 'The model `dall-e-2` does not exist or you do not have access to it.' })

            $null = New-OpenAIImageVariation -Path $square -Profile openai -WarningVariable warnings -WarningAction SilentlyContinue -ErrorVariable failures -ErrorAction SilentlyContinue

            $warnings | Should -HaveCount 1
            "$($warnings[0])" | Should -BeLike "OpenAI retired 'dall-e-2', its only model for image variations, on 2026-05-12*Edit-OpenAIImage -Model gpt-image-2*"
            $failures[0].ErrorDetails.RecommendedAction | Should -BeLike '*Edit-OpenAIImage -Model gpt-image-2*'
        }

        It 'warns when -DefaultModel is a retired model, and then for each call that uses it' {
            Set-OpenAIConfig -Profile openai -DefaultModel gpt-image-1-mini -Scope Process -WarningVariable set -WarningAction SilentlyContinue
            try {
                "$($set[0])" | Should -BeLike "OpenAI retired the model 'gpt-image-1-mini' on 2026-12-01*Its replacement is gpt-image-2.6-sunburst or gpt-image-2.6-flare: Set-OpenAIConfig -Profile openai -DefaultModel gpt-image-2.6-sunburst."

                $null = New-OpenAIImage 'a fox' -Profile openai -WarningVariable used -WarningAction SilentlyContinue
                "$($used[0])" | Should -BeLike "OpenAI retired the model 'gpt-image-1-mini'*"
            }
            finally {
                Set-OpenAIConfig -Profile openai -DefaultModel gpt-image-2 -Scope Process
            }
        }
    }

    Context 'At other servers' {
        It 'writes no warning for the loopback server itself, and variations work as before' {
            $square = Copy-TestAsset 'sample-8x8.png' $Folder 'logo.png'

            $null = New-OpenAIImage 'a fox' -Model dall-e-3 -WarningVariable w1
            $variations = @(New-OpenAIImageVariation -Path $square -Count 2 -WarningVariable w2)

            $w1 | Should -HaveCount 0
            $w2 | Should -HaveCount 0
            $variations | Should -HaveCount 2
        }

        It 'writes no warning for an Azure OpenAI profile or its -DefaultModel' {
            Set-OpenAIConfig -Profile azure -ApiType AzureOpenAI -BaseUri https://contoso.openai.azure.com -DefaultModel dall-e-3 -Scope Process -WarningVariable set
            try {
                $set | Should -HaveCount 0
            }
            finally {
                Remove-OpenAIConfig -Profile azure -Confirm:$false -ErrorAction SilentlyContinue
            }
        }

        It 'leaves another server''s model_not_found as it is' {
            Add-FakeResponse ($NotFound + @{ message = 'The model `dall-e-3` does not exist or you do not have access to it.' })

            $null = New-OpenAIImage 'a fox' -Model dall-e-3 -ErrorVariable failures -ErrorAction SilentlyContinue

            $failures[0].ErrorDetails.Message | Should -Not -BeLike '*retired*'
        }
    }

    Context 'Tab completion' {
        It 'lists the models OpenAI serves first and dates the retired ones' {
            Set-LifecycleToday ([datetime]'2026-10-25')
            $line = 'New-OpenAIImage -Model '
            $completions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches

            $completions.CompletionText | Should -Be @(
                'gpt-image-2.6-sunburst', 'gpt-image-2.6-flare', 'gpt-image-2.5-sunburst', 'gpt-image-2.5-sunburst-2026-09-08',
                'gpt-image-2.5-flare', 'gpt-image-2.5-flare-2026-09-08', 'gpt-image-2', 'gpt-image-2-2026-04-21',
                'gpt-image-1.5', 'gpt-image-1.5-2025-12-16', 'gpt-image-1-mini', 'chatgpt-image-latest', 'gpt-image-1', 'dall-e-3', 'dall-e-2')
            ($completions | Where-Object CompletionText -EQ 'gpt-image-1').ToolTip | Should -BeLike 'gpt-image-1: retired at OpenAI on 2026-10-23 (use gpt-image-2.5-sunburst or gpt-image-2.5-flare there)*'
            ($completions | Where-Object CompletionText -EQ 'gpt-image-2').ToolTip | Should -BeExactly 'gpt-image-2'
        }
    }
}
