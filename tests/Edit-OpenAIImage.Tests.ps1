#Requires -Version 7.4
# Pester 5 suite for Edit-OpenAIImage (POST /images/edits, multipart/form-data), run against the loopback fake.
# Needs `dotnet build` first (the module in out/OpenAI.Images and the fake's dll). See tests/TestHelpers.ps1.

Describe 'Edit-OpenAIImage' {
    BeforeAll {
        . $PSScriptRoot/TestHelpers.ps1
        $FakeApi = Start-Fake
        $Command = 'OpenAI.Images.PowerShell.Commands.EditOpenAIImageCommand'
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
        It 'sends -Quality max to gpt-image-2.6-sunburst as a multipart field' {
            $photo = Copy-TestAsset 'sample-8x8.png' $Folder 'photo.png'

            $image = Edit-OpenAIImage -Prompt 'add a hat' -Path $photo -Model gpt-image-2.6-sunburst -Quality MAX

            Get-FakeField (Get-FakeRequest)[0] 'quality' | Should -BeExactly 'max'
            $image.Quality | Should -BeExactly 'max'
        }

        It 'sends one image as the part "image" with its real file name, content type and bytes' {
            $photo = Copy-TestAsset 'sample-8x8.png' $Folder 'photo.png'

            $null = Edit-OpenAIImage -Prompt 'add a hat' -Path $photo -Quality high -InputFidelity high -Size 1024x1024

            $requests = Get-FakeRequest
            $requests | Should -HaveCount 1
            $request = $requests[0]
            $request.method | Should -BeExactly 'POST'
            $request.path | Should -BeExactly '/v1/images/edits'
            $request.contentType | Should -BeLike 'multipart/form-data; boundary=*'
            $request.multipartError | Should -BeNullOrEmpty
            Get-FakeHeader $request 'Authorization' | Should -BeExactly "Bearer $TestApiKey"
            @($request.parts | Where-Object { -not $_.isFile } | ForEach-Object name) | Sort-Object |
                Should -Be @('input_fidelity', 'model', 'prompt', 'quality', 'size')
            Get-FakeField $request 'prompt' | Should -BeExactly 'add a hat'
            Get-FakeField $request 'model' | Should -BeExactly 'gpt-image-2'
            Get-FakeField $request 'quality' | Should -BeExactly 'high'
            Get-FakeField $request 'input_fidelity' | Should -BeExactly 'high'
            Get-FakeField $request 'size' | Should -BeExactly '1024x1024'
            $image = Get-FakePart $request 'image'
            $image | Should -HaveCount 1
            $image[0].isFile | Should -BeTrue
            $image[0].fileName | Should -BeExactly 'photo.png'
            $image[0].contentType | Should -BeExactly 'image/png'
            $image[0].dataBase64 | Should -BeExactly (Get-FileBase64 $photo)
            Get-FakePart $request 'image[]' | Should -HaveCount 0
        }

        It 'sends -Path a, b, c as ONE request with image[] parts in the order given' {
            $paths = @(
                Copy-TestAsset 'sample-8x8.png' $Folder 'a.png'
                Copy-TestAsset 'sample-8x8.jpg' $Folder 'b.jpg'
                Copy-TestAsset 'sample-8x8.webp' $Folder 'c.webp'
            )

            $images = @(Edit-OpenAIImage -Prompt 'put them on one table' -Path $paths)

            $requests = Get-FakeRequest
            $requests | Should -HaveCount 1
            $parts = Get-FakePart $requests[0] 'image[]'
            $parts.fileName | Should -Be @('a.png', 'b.jpg', 'c.webp')
            $parts.contentType | Should -Be @('image/png', 'image/jpeg', 'image/webp')
            $parts.dataBase64 | Should -Be @($paths | ForEach-Object { Get-FileBase64 $_ })
            Get-FakePart $requests[0] 'image' | Should -HaveCount 0
            $images | Should -HaveCount 1
            $images[0].SourceFiles | Should -Be $paths
        }

        It 'expands a wildcard -Path into one request' {
            $null = Copy-TestAsset 'sample-8x8.png' $Folder 'x1.png'
            $null = Copy-TestAsset 'sample-8x8.png' $Folder 'x2.png'

            $null = Edit-OpenAIImage -Prompt 'both' -Path (Join-Path $Folder 'x*.png')

            $requests = Get-FakeRequest
            $requests | Should -HaveCount 1
            (Get-FakePart $requests[0] 'image[]').fileName | Sort-Object | Should -Be @('x1.png', 'x2.png')
        }

        It 'takes the content type from the file''s signature, not its extension' {
            $lies = Copy-TestAsset 'sample-8x8.jpg' $Folder 'lies.png'

            $null = Edit-OpenAIImage -Prompt 'x' -LiteralPath $lies

            $part = Get-FakePart (Get-FakeRequest)[0] 'image'
            $part[0].fileName | Should -BeExactly 'lies.png'
            $part[0].contentType | Should -BeExactly 'image/jpeg'
        }

        It 'takes -LiteralPath literally (brackets in the name)' {
            $odd = Copy-TestAsset 'sample-8x8.png' $Folder 'shot [1].png'

            $null = Edit-OpenAIImage -Prompt 'x' -LiteralPath $odd

            (Get-FakePart (Get-FakeRequest)[0] 'image')[0].fileName | Should -BeExactly 'shot [1].png'
        }

        It 'sends the mask as its own part after the image' {
            $photo = Copy-TestAsset 'sample-8x8.png' $Folder 'img.png'
            $mask = Copy-TestAsset 'sample-8x8-rgba.png' $Folder 'mask.png'

            $null = Edit-OpenAIImage -Prompt 'fill the sky' -Path $photo -Mask $mask

            $request = (Get-FakeRequest)[0]
            @($request.parts | Where-Object isFile | ForEach-Object name) | Should -Be @('image', 'mask')
            $part = Get-FakePart $request 'mask'
            $part | Should -HaveCount 1
            $part[0].fileName | Should -BeExactly 'mask.png'
            $part[0].contentType | Should -BeExactly 'image/png'
            $part[0].dataBase64 | Should -BeExactly (Get-FileBase64 $mask)
        }

        It 'sends every option as a form field under its API name' {
            $photo = Copy-TestAsset 'sample-8x8.png' $Folder 'photo.png'

            $null = Edit-OpenAIImage -Prompt 'x' -Path $photo -Count 2 -Size 1536x1024 -Quality low -Background transparent `
                -OutputFormat webp -OutputCompression 50 -InputFidelity low -User 'u-9' -Model gpt-image-1

            $request = (Get-FakeRequest)[0]
            Get-FakeField $request 'model' | Should -BeExactly 'gpt-image-1'
            Get-FakeField $request 'n' | Should -BeExactly '2'
            Get-FakeField $request 'size' | Should -BeExactly '1536x1024'
            Get-FakeField $request 'quality' | Should -BeExactly 'low'
            Get-FakeField $request 'background' | Should -BeExactly 'transparent'
            Get-FakeField $request 'output_format' | Should -BeExactly 'webp'
            Get-FakeField $request 'output_compression' | Should -BeExactly '50'
            Get-FakeField $request 'input_fidelity' | Should -BeExactly 'low'
            Get-FakeField $request 'user' | Should -BeExactly 'u-9'
            Get-FakeField $request 'stream' | Should -BeNullOrEmpty
        }

        It '-AdditionalBody goes as text fields; a file part or a nested value is refused before sending' {
            $photo = Copy-TestAsset 'sample-8x8.png' $Folder 'photo.png'

            $null = Edit-OpenAIImage -Prompt 'x' -Path $photo -InputFidelity high -AdditionalBody @{ complexity = 'low'; n = 2; stream = $false; input_fidelity = $null }

            $request = (Get-FakeRequest)[0]
            Get-FakeField $request 'complexity' | Should -BeExactly 'low'
            Get-FakeField $request 'n' | Should -BeExactly '2'
            Get-FakeField $request 'stream' | Should -BeExactly 'false'
            Get-FakePart $request 'input_fidelity' | Should -BeNullOrEmpty

            Reset-Fake
            { Edit-OpenAIImage -Prompt 'x' -Path $photo -AdditionalBody @{ mask = 'm.png' } -ErrorAction Stop } | Should -Throw -ErrorId 'OpenAI.Validation.AdditionalBodyFilePart,*'
            { Edit-OpenAIImage -Prompt 'x' -Path $photo -AdditionalBody @{ opts = @{ a = 1 } } -ErrorAction Stop } | Should -Throw -ErrorId 'OpenAI.Validation.AdditionalBodyNestedValue,*'
            Get-FakeRequest | Should -BeNullOrEmpty
        }

        It 'sends stream=true for -Stream and asks for an event stream' {
            $photo = Copy-TestAsset 'sample-8x8.png' $Folder 'photo.png'

            $images = @(Edit-OpenAIImage -Prompt 'x' -Path $photo -Stream)

            $request = (Get-FakeRequest)[0]
            Get-FakeField $request 'stream' | Should -BeExactly 'true'
            Get-FakeHeader $request 'Accept' | Should -BeExactly 'text/event-stream'
            $images | Should -HaveCount 1
            $images[0].IsPartial | Should -BeFalse
            [Convert]::ToBase64String($images[0].Data) | Should -BeExactly (Get-AssetBase64 'sample-8x8.png')
        }
    }

    Context 'Pipeline input' {
        It 'edits each piped file in its own request (Get-ChildItem *.png | Edit-OpenAIImage ''prompt'')' {
            $first = Copy-TestAsset 'sample-8x8.png' $Folder 'p1.png'
            $second = Copy-TestAsset 'sample-8x8.png' $Folder 'p2.png'

            $images = @(Get-ChildItem -Path (Join-Path $Folder '*.png') | Edit-OpenAIImage 'make it a pencil sketch')

            $requests = Get-FakeRequest
            $requests | Should -HaveCount 2
            foreach ($request in $requests) {
                Get-FakePart $request 'image' | Should -HaveCount 1
                Get-FakePart $request 'image[]' | Should -HaveCount 0
                Get-FakeField $request 'prompt' | Should -BeExactly 'make it a pencil sketch'
            }
            $requests | ForEach-Object { (Get-FakePart $_ 'image')[0].fileName } | Sort-Object | Should -Be @('p1.png', 'p2.png')
            $images | Should -HaveCount 2
            $images | ForEach-Object { $_.SourceFiles[0] } | Sort-Object | Should -Be @($first, $second)
        }
    }

    Context 'What it writes' {
        It 'writes ImageResults that name the operation and the source files' {
            $photo = Copy-TestAsset 'sample-8x8.png' $Folder 'photo.png'

            $images = @(Edit-OpenAIImage -Prompt 'add a hat' -Path $photo)

            $images | Should -HaveCount 1
            $images[0].GetType().FullName | Should -BeExactly 'OpenAI.Images.ImageResult'
            $images[0].Operation.ToString() | Should -BeExactly 'Edit'
            $images[0].Prompt | Should -BeExactly 'add a hat'
            $images[0].Model | Should -BeExactly 'gpt-image-2'
            $images[0].SourceFiles | Should -Be @($photo)
            $images[0].RequestId | Should -BeLike 'req_*'
            [Convert]::ToBase64String($images[0].Data) | Should -BeExactly (Get-AssetBase64 'sample-8x8.png')
        }

        It '-OutputDirectory names files TIMESTAMP-FILE-edit-N.EXT' {
            $source = Copy-TestAsset 'sample-8x8.png' $Folder 'src.png'
            $directory = Join-Path $Folder 'out'

            $images = @(Edit-OpenAIImage -Prompt 'x' -Path $source -Count 3 -OutputDirectory $directory)

            $stamp = $images[0].Created.ToLocalTime().ToString('yyyyMMdd-HHmmss', [cultureinfo]::InvariantCulture)
            Get-FolderContent $directory | Should -Be @("$stamp-src-edit-1.png", "$stamp-src-edit-2.png", "$stamp-src-edit-3.png")
            $images.File.FullName | Sort-Object | Should -Be @(1..3 | ForEach-Object { Join-Path $directory "$stamp-src-edit-$_.png" })
        }

        It '-OutFile saves the one image of a several-image edit under the given name' {
            $paths = @(
                Copy-TestAsset 'sample-8x8.png' $Folder 'a.png'
                Copy-TestAsset 'sample-8x8.png' $Folder 'b.png'
            )
            $target = Join-Path $Folder 'table.png'

            $images = @(Edit-OpenAIImage -Prompt 'on one table' -Path $paths -OutFile $target)

            $images[0].File.FullName | Should -BeExactly $target
            Get-FileBase64 $target | Should -BeExactly (Get-AssetBase64 'sample-8x8.png')
            Get-FolderContent $Folder | Should -Be @('a.png', 'b.png', 'table.png')
        }
    }

    Context '-WhatIf' {
        It 'sends nothing and writes nothing' {
            $photo = Copy-TestAsset 'sample-8x8.png' $Folder 'photo.png'

            $out = Edit-OpenAIImage -Prompt 'x' -Path $photo -OutFile (Join-Path $Folder 'edited.png') -WhatIf

            $out | Should -BeNullOrEmpty
            Get-FakeRequest | Should -HaveCount 0
            Get-FolderContent $Folder | Should -Be @('photo.png')
        }
    }

    Context 'Input files that cannot be used' {
        It 'writes OpenAI.PathNotFound for a missing file, sends nothing and lets the script go on' {
            $missing = Join-Path $Folder 'nope.png'

            $out = @(Edit-OpenAIImage -Prompt 'x' -Path $missing -ErrorVariable err -ErrorAction SilentlyContinue; 'after')

            $out | Should -Be @('after')
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeExactly "OpenAI.PathNotFound,$Command"
            $err[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
            $err[0].TargetObject | Should -BeExactly $missing
            Get-FakeRequest | Should -HaveCount 0
        }

        It 'writes OpenAI.PathNotFound for a wildcard that matches no file' {
            $null = Edit-OpenAIImage -Prompt 'x' -Path (Join-Path $Folder '*.webp') -ErrorVariable err -ErrorAction SilentlyContinue

            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeExactly "OpenAI.PathNotFound,$Command"
            $err[0].Exception.Message | Should -BeLike '*matches no file*'
            Get-FakeRequest | Should -HaveCount 0
        }

        It 'writes OpenAI.PathNotFound for a folder' {
            $null = Edit-OpenAIImage -Prompt 'x' -LiteralPath $Folder -ErrorVariable err -ErrorAction SilentlyContinue

            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeExactly "OpenAI.PathNotFound,$Command"
            $err[0].Exception.Message | Should -BeLike '*is a folder*'
            Get-FakeRequest | Should -HaveCount 0
        }

        It 'rejects <Rule> before sending anything' -TestCases @(
            @{ Rule = 'MaskNotPng'; Images = @('sample-8x8.png'); Mask = 'sample-8x8.jpg'; Parameters = @{}; Target = 'Mask' }
            @{ Rule = 'MaskNoAlpha'; Images = @('sample-8x8.png'); Mask = 'sample-8x8.png'; Parameters = @{}; Target = 'Mask' }
            @{ Rule = 'MaskSizeMismatch'; Images = @('sample-16x8.png'); Mask = 'sample-8x8-rgba.png'; Parameters = @{}; Target = 'Mask' }
            @{ Rule = 'ImageNotSquare'; Images = @('sample-16x8.png'); Mask = $null; Parameters = @{ Model = 'dall-e-2' }; Target = 'FirstImage' }
            @{ Rule = 'ImageFormatNotSupported'; Images = @('sample-8x8.jpg'); Mask = $null; Parameters = @{ Model = 'dall-e-2' }; Target = 'FirstImage' }
            @{ Rule = 'ImageFormatNotSupported'; Images = @('not-an-image.txt'); Mask = $null; Parameters = @{}; Target = 'FirstImage' }
            @{ Rule = 'TooManyImages'; Images = @('sample-8x8.png', 'sample-8x8.png'); Mask = $null; Parameters = @{ Model = 'dall-e-2' }; Target = 'ImagePaths' }
            @{ Rule = 'InputFidelityNotSupported'; Images = @('sample-8x8.png'); Mask = $null; Parameters = @{ Model = 'dall-e-2'; InputFidelity = 'high' }; Target = 'high' }
            @{ Rule = 'EditNotSupported'; Images = @('sample-8x8.png'); Mask = $null; Parameters = @{ Model = 'dall-e-3' }; Target = 'dall-e-3' }
            # Without -Mask, dall-e-2 edits the image's transparent area: an opaque image has none.
            @{ Rule = 'ImageNoTransparency'; Images = @('sample-8x8.png'); Mask = $null; Parameters = @{ Model = 'dall-e-2' }; Target = 'FirstImage' }
        ) {
            $imagePaths = @()
            for ($i = 0; $i -lt $Images.Count; $i++) {
                $imagePaths += Copy-TestAsset $Images[$i] $Folder ("image$i" + [System.IO.Path]::GetExtension($Images[$i]))
            }
            $arguments = @{ Prompt = 'x'; Path = $imagePaths }
            if ($Mask) {
                $maskPath = Copy-TestAsset $Mask $Folder ('mask' + [System.IO.Path]::GetExtension($Mask))
                $arguments.Mask = $maskPath
            }
            foreach ($key in $Parameters.Keys) { $arguments[$key] = $Parameters[$key] }
            $expectedTarget = switch ($Target) {
                'Mask' { $maskPath }
                'FirstImage' { $imagePaths[0] }
                # Several images: the target is the array of their full paths.
                'ImagePaths' { , [string[]] $imagePaths }
                default { $Target }
            }

            $out = Edit-OpenAIImage @arguments -ErrorVariable err -ErrorAction SilentlyContinue

            $out | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeExactly "OpenAI.Validation.$Rule,$Command"
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err[0].TargetObject | Should -BeExactly $expectedTarget
            Get-FakeRequest | Should -HaveCount 0
        }
    }

    Context 'API errors' {
        It 'reports a moderation refusal as OpenAI.ContentPolicy with the file as target' {
            $photo = Copy-TestAsset 'sample-8x8.png' $Folder 'photo.png'
            Add-FakeResponse @{
                kind = 'error'; status = 400; type = 'image_generation_user_error'; code = 'moderation_blocked'
                message = 'Your request was rejected by the safety system.'; headers = @{ 'x-request-id' = 'req_pestermod' }
            }

            $out = Edit-OpenAIImage -Prompt 'x' -Path $photo -ErrorVariable err -ErrorAction SilentlyContinue

            $out | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeExactly "OpenAI.ContentPolicy,$Command"
            $err[0].CategoryInfo.Category | Should -Be 'SecurityError'
            $err[0].TargetObject | Should -BeExactly $photo
            $err[0].Exception.RequestId | Should -BeExactly 'req_pestermod'
            $err[0].Exception.Code | Should -BeExactly 'moderation_blocked'
            Get-FakeRequest | Should -HaveCount 1
        }
    }
}
