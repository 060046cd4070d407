#Requires -Version 7.4
# Pester 5 suite for Save-OpenAIImage: in-memory images, images already on disk and URL results (downloaded from the
# fake's image host without the API key). Needs `dotnet build` first. See tests/TestHelpers.ps1.

Describe 'Save-OpenAIImage' {
    BeforeAll {
        . $PSScriptRoot/TestHelpers.ps1
        $FakeApi = Start-Fake
        $Command = 'OpenAI.Images.PowerShell.Commands.SaveOpenAIImageCommand'
    }

    AfterAll {
        Stop-Fake $FakeApi
        Restore-TestSession
    }

    BeforeEach {
        Reset-Fake
        $Folder = New-TestFolder
    }

    Context 'In-memory images' {
        It 'writes the image to -Path and outputs the file, without calling the API' {
            $image = New-OpenAIImage -Prompt 'a red fox'
            Reset-Fake
            $path = Join-Path $Folder 'fox.png'

            $files = @($image | Save-OpenAIImage -Path $path)

            $files | Should -HaveCount 1
            $files[0] | Should -BeOfType ([System.IO.FileInfo])
            $files[0].FullName | Should -BeExactly $path
            Get-FileBase64 $path | Should -BeExactly ([Convert]::ToBase64String($image.Data))
            Get-FolderContent $Folder | Should -Be @('fox.png')
            Get-FakeRequest | Should -HaveCount 0
        }

        It 'outputs the file as Get-Item does: provider properties and the same table' {
            $image = New-OpenAIImage -Prompt 'a red fox' -OutFile (Join-Path $Folder 'fox.png')
            $saved = $image | Save-OpenAIImage -Path (Join-Path $Folder 'copy.png')

            foreach ($file in $image.File, $saved) {
                $item = Get-Item -LiteralPath $file.FullName
                $file.PSPath | Should -BeExactly $item.PSPath
                $file.PSParentPath | Should -BeExactly $item.PSParentPath
                $file.PSChildName | Should -BeExactly $item.PSChildName
                $file.PSIsContainer | Should -BeFalse
                $file.PSProvider.Name | Should -BeExactly 'FileSystem'
                ($file | Format-Table | Out-String -Width 200) | Should -BeExactly ($item | Format-Table | Out-String -Width 200)
            }
        }

        It 'resolves a relative -Path (positional) against the PowerShell location' {
            $image = New-OpenAIImage -Prompt 'a red fox'

            Push-Location -LiteralPath $Folder
            try {
                $null = $image | Save-OpenAIImage 'relative.png'
            }
            finally {
                Pop-Location
            }

            Join-Path $Folder 'relative.png' | Should -Exist
        }

        It 'names several piped images NAME-1, NAME-2' {
            $files = @(New-OpenAIImage -Prompt 'two' -Count 2 | Save-OpenAIImage -Path (Join-Path $Folder 'pic.png'))

            $files.Name | Should -Be @('pic-1.png', 'pic-2.png')
            foreach ($file in $files) {
                Get-FileBase64 $file.FullName | Should -BeExactly (Get-AssetBase64 'sample-8x8.png')
            }
            Get-FolderContent $Folder | Should -Be @('pic-1.png', 'pic-2.png')
        }

        It '-OutputDirectory creates the folder and names the file TIMESTAMP-PROMPT.EXT after the image format' {
            $image = New-OpenAIImage -Prompt 'A red fox' -OutputFormat webp
            $directory = Join-Path $Folder 'saved'

            $files = @($image | Save-OpenAIImage -OutputDirectory $directory)

            $stamp = $image.Created.ToLocalTime().ToString('yyyyMMdd-HHmmss', [cultureinfo]::InvariantCulture)
            $files | Should -HaveCount 1
            $files[0].Name | Should -BeExactly "$stamp-a-red-fox.webp"
            Get-FolderContent $directory | Should -Be @("$stamp-a-red-fox.webp")
            Get-FileBase64 $files[0].FullName | Should -BeExactly (Get-AssetBase64 'sample-8x8.webp')
        }

        It 'does not overwrite an existing file without -Force' {
            $path = Join-Path $Folder 'keep.png'
            Set-Content -LiteralPath $path -Value 'mine' -NoNewline
            $image = New-OpenAIImage -Prompt 'a red fox'

            $out = $image | Save-OpenAIImage -Path $path -ErrorVariable err -ErrorAction SilentlyContinue

            $out | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeExactly "OpenAI.FileExists,$Command"
            $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
            Get-Content -LiteralPath $path -Raw | Should -BeExactly 'mine'
            Get-FolderContent $Folder | Should -Be @('keep.png')
        }

        It 'overwrites an existing file with -Force' {
            $path = Join-Path $Folder 'keep.png'
            Set-Content -LiteralPath $path -Value 'mine' -NoNewline
            $image = New-OpenAIImage -Prompt 'a red fox'

            $files = @($image | Save-OpenAIImage -Path $path -Force)

            $files | Should -HaveCount 1
            Get-FileBase64 $path | Should -BeExactly (Get-AssetBase64 'sample-8x8.png')
            Get-FolderContent $Folder | Should -Be @('keep.png')
        }

        It 'writes nothing with -WhatIf' {
            $image = New-OpenAIImage -Prompt 'a red fox'

            $out = $image | Save-OpenAIImage -Path (Join-Path $Folder 'w.png') -WhatIf

            $out | Should -BeNullOrEmpty
            Get-FolderContent $Folder | Should -HaveCount 0
        }

        It 'removes the temporary files a killed save left in the folder (older than a minute), and only those' {
            $image = New-OpenAIImage -Prompt 'a red fox'
            $orphan = New-OrphanedTempFile $Folder
            $young = New-OrphanedTempFile $Folder -AgeSec -3600
            $other = Join-Path $Folder '.openai-images-notes.tmp'
            [System.IO.File]::WriteAllText($other, 'mine')
            [System.IO.File]::SetLastWriteTimeUtc($other, [DateTime]::UtcNow.AddDays(-1))

            $verbose = @($image | Save-OpenAIImage -OutputDirectory $Folder -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })

            $orphan | Should -Not -Exist
            $young, $other | Should -Exist
            @($verbose.Message -like 'Removed *') | Should -Be @("Removed 1 temporary file that an interrupted save left in '$Folder'.")
        }

        It 'reports OpenAI.NoImageData for a result with no data, file or URL' {
            $empty = [OpenAI.Images.ImageResult]::new()

            $out = $empty | Save-OpenAIImage -Path (Join-Path $Folder 'none.png') -ErrorVariable err -ErrorAction SilentlyContinue

            $out | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeExactly "OpenAI.NoImageData,$Command"
            $err[0].CategoryInfo.Category | Should -Be 'InvalidData'
            Get-FolderContent $Folder | Should -HaveCount 0
        }
    }

    Context 'Images already saved' {
        It 'copies the file of a result saved with -OutFile' {
            $first = Join-Path $Folder 'first.png'
            $image = New-OpenAIImage -Prompt 'a red fox' -OutFile $first

            $files = @($image | Save-OpenAIImage -Path (Join-Path $Folder 'second.png'))

            $files[0].Name | Should -BeExactly 'second.png'
            Get-FileBase64 $files[0].FullName | Should -BeExactly (Get-FileBase64 $first)
            Get-FolderContent $Folder | Should -Be @('first.png', 'second.png')
        }
    }

    Context 'URL results' {
        It 'downloads the image from its URL without sending the API key' {
            $image = New-OpenAIImage -Prompt 'a red fox' -Model dall-e-2 -ResponseFormat url
            $image.Url | Should -Not -BeNullOrEmpty
            $image.Data | Should -BeNullOrEmpty
            $path = Join-Path $Folder 'fox.png'

            $files = @($image | Save-OpenAIImage -Path $path)

            $files | Should -HaveCount 1
            Get-FileBase64 $path | Should -BeExactly (Get-AssetBase64 'sample-8x8.png')
            $downloads = Get-FakeRequest -Download
            $downloads | Should -HaveCount 1
            $downloads[0].pathAndQuery | Should -BeExactly $image.Url.PathAndQuery
            Get-FakeHeader $downloads[0] 'Authorization' | Should -BeNullOrEmpty
            Get-FakeHeader $downloads[0] 'api-key' | Should -BeNullOrEmpty
            Get-FakeHeader (Get-FakeRequest -Api)[0] 'Authorization' | Should -BeExactly "Bearer $TestApiKey"
        }

        It 'downloads into -OutputDirectory with a TIMESTAMP-PROMPT.png name' {
            $image = New-OpenAIImage -Prompt 'an owl' -Model dall-e-2
            $directory = Join-Path $Folder 'saved'

            $files = @($image | Save-OpenAIImage -OutputDirectory $directory)

            $stamp = $image.Created.ToLocalTime().ToString('yyyyMMdd-HHmmss', [cultureinfo]::InvariantCulture)
            $files.Name | Should -Be @("$stamp-an-owl.png")
            $files[0].DirectoryName | Should -BeExactly $directory
        }

        It 'reports an expired URL (404 from the image host) as OpenAI.NotFound and writes nothing' {
            $image = New-OpenAIImage -Prompt 'a red fox' -Model dall-e-2 -ResponseFormat url
            Reset-Fake # forgets the images it served: the URL now answers 404

            $out = $image | Save-OpenAIImage -Path (Join-Path $Folder 'fox.png') -ErrorVariable err -ErrorAction SilentlyContinue

            $out | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeExactly "OpenAI.NotFound,$Command"
            $err[0].TargetObject.Url | Should -Be $image.Url
            Get-FakeRequest -Download | Should -HaveCount 1
            Get-FolderContent $Folder | Should -HaveCount 0
        }
    }
}
