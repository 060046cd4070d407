#Requires -Version 7.4
# Pester 5 suite for Show-OpenAIImage on real pwsh: -PassThru in a pipeline where there is no screen to draw on (a
# runspace of its own, without a host UI), and tab completion. What reaches a terminal is tested in xunit
# (tests/OpenAI.Images.Tests: ShowOpenAIImage.Tests.cs with a recording host, Terminal/ with tmux and xterm).
# Needs `dotnet build` first. See tests/TestHelpers.ps1.

Describe 'Show-OpenAIImage' {
    BeforeAll {
        . $PSScriptRoot/TestHelpers.ps1
        $FakeApi = Start-Fake
    }

    AfterAll {
        Stop-Fake $FakeApi
        Restore-TestSession
    }

    BeforeEach {
        Reset-Fake
        $Folder = New-TestFolder
    }

    It 'passes results on with -PassThru to Save-OpenAIImage, and warns once (naming Invoke-Item) where nothing can be drawn' {
        # A runspace created without a host has no UI, whatever terminal runs this suite.
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                    param($Manifest, $Folder)
                    Import-Module $Manifest -ErrorAction Stop
                    New-OpenAIImage 'two foxes' -Count 2 | Show-OpenAIImage -PassThru | Save-OpenAIImage -OutputDirectory $Folder
                }).AddArgument($ModuleManifest).AddArgument($Folder)
            $files = @($ps.Invoke())

            $ps.Streams.Error | Should -HaveCount 0
            $ps.Streams.Warning | Should -HaveCount 1
            $ps.Streams.Warning[0].Message | Should -Match 'Invoke-Item'
            $files | Should -HaveCount 2
            $files | ForEach-Object { $_ | Should -BeOfType ([System.IO.FileInfo]) }
            (Get-FolderContent $Folder).Count | Should -Be 2
        }
        finally {
            $ps.Dispose()
        }
    }

    It 'completes -Protocol with the protocols' {
        $line = 'Show-OpenAIImage -Protocol '
        $completions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText

        $completions | Should -Be @('Auto', 'Blocks', 'ITerm', 'Kitty', 'Sixel')
    }
}
