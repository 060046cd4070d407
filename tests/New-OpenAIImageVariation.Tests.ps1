#Requires -Version 7.4
# Pester 5 suite for New-OpenAIImageVariation (POST /images/variations, multipart/form-data, dall-e-2), run
# against the loopback fake. Needs `dotnet build` first. See tests/TestHelpers.ps1.

Describe 'New-OpenAIImageVariation' {
    BeforeAll {
        . $PSScriptRoot/TestHelpers.ps1
        $FakeApi = Start-Fake
        $Command = 'OpenAI.Images.PowerShell.Commands.NewOpenAIImageVariationCommand'
    }

    AfterAll {
        Stop-Fake $FakeApi
        Restore-TestSession
    }

    BeforeEach {
        Reset-Fake
        $Folder = New-TestFolder
    }

    Context 'What it sends' {
        It 'sends only the model dall-e-2 and the image part by default' {
            $square = Copy-TestAsset 'sample-8x8.png' $Folder 'square.png'

            $null = New-OpenAIImageVariation -Path $square

            $requests = Get-FakeRequest -Api
            $requests | Should -HaveCount 1
            $request = $requests[0]
            $request.path | Should -BeExactly '/v1/images/variations'
            $request.contentType | Should -BeLike 'multipart/form-data; boundary=*'
            Get-FakeHeader $request 'Authorization' | Should -BeExactly "Bearer $TestApiKey"
            @($request.parts | Where-Object { -not $_.isFile } | ForEach-Object name) | Should -Be @('model')
            Get-FakeField $request 'model' | Should -BeExactly 'dall-e-2'
            Get-FakeField $request 'prompt' | Should -BeNullOrEmpty
            $part = Get-FakePart $request 'image'
            $part | Should -HaveCount 1
            $part[0].fileName | Should -BeExactly 'square.png'
            $part[0].contentType | Should -BeExactly 'image/png'
            $part[0].dataBase64 | Should -BeExactly (Get-FileBase64 $square)
        }

        It 'sends -Count, -Size, -ResponseFormat and -User as form fields' {
            $square = Copy-TestAsset 'sample-8x8.png' $Folder 'square.png'

            $images = @(New-OpenAIImageVariation -Path $square -Count 2 -Size 256x256 -ResponseFormat b64_json -User 'u-7')

            $request = (Get-FakeRequest)[0]
            Get-FakeField $request 'n' | Should -BeExactly '2'
            Get-FakeField $request 'size' | Should -BeExactly '256x256'
            Get-FakeField $request 'response_format' | Should -BeExactly 'b64_json'
            Get-FakeField $request 'user' | Should -BeExactly 'u-7'
            $images | Should -HaveCount 2
            foreach ($image in $images) {
                $image.Operation.ToString() | Should -BeExactly 'Variation'
                $image.Prompt | Should -BeNullOrEmpty
                $image.Model | Should -BeExactly 'dall-e-2'
                $image.SourceFiles | Should -Be @($square)
                [Convert]::ToBase64String($image.Data) | Should -BeExactly (Get-AssetBase64 'sample-8x8.png')
            }
        }

        It 'makes one request per file for a wildcard -Path' {
            $null = Copy-TestAsset 'sample-8x8.png' $Folder 'v1.png'
            $null = Copy-TestAsset 'sample-8x8.png' $Folder 'v2.png'

            $images = @(New-OpenAIImageVariation -Path (Join-Path $Folder 'v*.png') -ResponseFormat b64_json)

            $requests = Get-FakeRequest
            $requests | Should -HaveCount 2
            $requests | ForEach-Object { (Get-FakePart $_ 'image')[0].fileName } | Sort-Object | Should -Be @('v1.png', 'v2.png')
            $images | Should -HaveCount 2
        }

        It 'makes one request per piped file' {
            $null = Copy-TestAsset 'sample-8x8.png' $Folder 'a.png'
            $null = Copy-TestAsset 'sample-8x8.png' $Folder 'b.png'

            $images = @(Get-ChildItem -Path (Join-Path $Folder '*.png') | New-OpenAIImageVariation -ResponseFormat b64_json)

            Get-FakeRequest | Should -HaveCount 2
            $images | Should -HaveCount 2
        }
    }

    Context 'URL results' {
        It 'keeps URL results (the dall-e-2 default) as URLs when not saving, downloading nothing' {
            $square = Copy-TestAsset 'sample-8x8.png' $Folder 'square.png'

            $images = @(New-OpenAIImageVariation -Path $square)

            $images | Should -HaveCount 1
            $images[0].Url.AbsolutePath | Should -BeLike '/_fake/download/*'
            $images[0].Data | Should -BeNullOrEmpty
            Get-FakeRequest -Download | Should -HaveCount 0
        }

        It 'downloads URL results for -OutputDirectory without sending the key, named TIMESTAMP-FILE-variation.EXT' {
            $square = Copy-TestAsset 'sample-8x8.png' $Folder 'square.png'
            $directory = Join-Path $Folder 'variations'

            $images = @(New-OpenAIImageVariation -Path $square -OutputDirectory $directory)

            $downloads = Get-FakeRequest -Download
            $downloads | Should -HaveCount 1
            $downloads[0].method | Should -BeExactly 'GET'
            Get-FakeHeader $downloads[0] 'Authorization' | Should -BeNullOrEmpty
            Get-FakeHeader $downloads[0] 'api-key' | Should -BeNullOrEmpty
            Get-FakeHeader (Get-FakeRequest -Api)[0] 'Authorization' | Should -BeExactly "Bearer $TestApiKey"
            $images | Should -HaveCount 1
            $images[0].Url | Should -Not -BeNullOrEmpty
            $stamp = $images[0].Created.ToLocalTime().ToString('yyyyMMdd-HHmmss', [cultureinfo]::InvariantCulture)
            Get-FolderContent $directory | Should -Be @("$stamp-square-variation.png")
            $images[0].File.FullName | Should -BeExactly (Join-Path $directory "$stamp-square-variation.png")
            Get-FileBase64 $images[0].File.FullName | Should -BeExactly (Get-AssetBase64 'sample-8x8.png')
        }
    }

    Context '-WhatIf' {
        It 'sends nothing and writes nothing' {
            $square = Copy-TestAsset 'sample-8x8.png' $Folder 'square.png'

            $out = New-OpenAIImageVariation -Path $square -OutFile (Join-Path $Folder 'var.png') -WhatIf

            $out | Should -BeNullOrEmpty
            Get-FakeRequest | Should -HaveCount 0
            Get-FolderContent $Folder | Should -Be @('square.png')
        }
    }

    Context 'Input checks before any request' {
        It 'rejects <Rule> with the file as target' -TestCases @(
            @{ Rule = 'ImageNotSquare'; Asset = 'sample-16x8.png'; Parameters = @{} }
            @{ Rule = 'ImageFormatNotSupported'; Asset = 'sample-8x8.jpg'; Parameters = @{} }
            @{ Rule = 'ImageFormatNotSupported'; Asset = 'not-an-image.txt'; Parameters = @{} }
        ) {
            $file = Copy-TestAsset $Asset $Folder

            $out = New-OpenAIImageVariation -Path $file @Parameters -ErrorVariable err -ErrorAction SilentlyContinue

            $out | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeExactly "OpenAI.Validation.$Rule,$Command"
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err[0].TargetObject | Should -BeExactly $file
            Get-FakeRequest | Should -HaveCount 0
        }

        It 'says the size of a non-square image' {
            $wide = Copy-TestAsset 'sample-16x8.png' $Folder 'wide.png'

            $null = New-OpenAIImageVariation -Path $wide -ErrorVariable err -ErrorAction SilentlyContinue

            $err[0].Exception.Message | Should -BeLike '*16x8*'
        }

        It 'rejects a model other than dall-e-2 (OpenAI.Validation.VariationNotSupported)' {
            $square = Copy-TestAsset 'sample-8x8.png' $Folder 'square.png'

            $null = New-OpenAIImageVariation -Path $square -Model gpt-image-1 -ErrorVariable err -ErrorAction SilentlyContinue

            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeExactly "OpenAI.Validation.VariationNotSupported,$Command"
            $err[0].TargetObject | Should -BeExactly 'gpt-image-1'
            Get-FakeRequest | Should -HaveCount 0
        }

        It 'checks every file on its own: a bad file does not stop the good one' {
            $wide = Copy-TestAsset 'sample-16x8.png' $Folder 'wide.png'
            $square = Copy-TestAsset 'sample-8x8.png' $Folder 'square.png'

            $images = @(New-OpenAIImageVariation -Path $wide, $square -ResponseFormat b64_json -ErrorVariable err -ErrorAction SilentlyContinue)

            $err | Should -HaveCount 1
            $err[0].TargetObject | Should -BeExactly $wide
            $images | Should -HaveCount 1
            $images[0].SourceFiles | Should -Be @($square)
            $requests = Get-FakeRequest
            $requests | Should -HaveCount 1
            (Get-FakePart $requests[0] 'image')[0].fileName | Should -BeExactly 'square.png'
        }

        It 'rejects a -Size outside its set while binding parameters' {
            $square = Copy-TestAsset 'sample-8x8.png' $Folder 'square.png'

            { New-OpenAIImageVariation -Path $square -Size 2048x2048 } |
                Should -Throw -ErrorId "ParameterArgumentValidationError,$Command"
            Get-FakeRequest | Should -HaveCount 0
        }
    }

    Context 'API errors' {
        It 'reports a 404 as OpenAI.NotFound with the file as target' {
            $square = Copy-TestAsset 'sample-8x8.png' $Folder 'square.png'
            Add-FakeResponse @{ kind = 'error'; status = 404; message = 'The model does not exist.'; code = 'model_not_found'; param = 'model' }

            $null = New-OpenAIImageVariation -Path $square -ErrorVariable err -ErrorAction SilentlyContinue

            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeExactly "OpenAI.NotFound,$Command"
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err[0].TargetObject | Should -BeExactly $square
            $err[0].Exception.Code | Should -BeExactly 'model_not_found'
            Get-FakeRequest | Should -HaveCount 1
        }
    }
}
