#Requires -Version 7.4
# Pester 5 suite for New-OpenAIImage (POST /images/generations), run against the loopback fake OpenAI server.
# Needs `dotnet build` first (the module in out/OpenAI.Images and the fake's dll). See tests/TestHelpers.ps1.

Describe 'New-OpenAIImage' {
    BeforeAll {
        . $PSScriptRoot/TestHelpers.ps1
        $FakeApi = Start-Fake
        $Command = 'OpenAI.Images.PowerShell.Commands.NewOpenAIImageCommand'
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
        It 'POSTs JSON with only the prompt and the default model gpt-image-2, the key as a bearer token' {
            $null = New-OpenAIImage -Prompt 'a red fox'

            $requests = Get-FakeRequest
            $requests | Should -HaveCount 1
            $request = $requests[0]
            $request.method | Should -BeExactly 'POST'
            $request.path | Should -BeExactly '/v1/images/generations'
            $request.contentType | Should -BeLike 'application/json*'
            Get-FakeHeader $request 'Authorization' | Should -BeExactly "Bearer $TestApiKey"
            Get-FakeHeader $request 'Accept' | Should -BeExactly 'application/json'
            Get-FakeHeader $request 'User-Agent' | Should -BeExactly "OpenAI.Images.PowerShell/$((Get-Module OpenAI.Images | Select-Object -First 1).Version.ToString(3))"
            $request.json.PSObject.Properties.Name | Sort-Object | Should -Be @('model', 'prompt')
            $request.json.prompt | Should -BeExactly 'a red fox'
            $request.json.model | Should -BeExactly 'gpt-image-2'
        }

        It 'sends every option under its API name, numbers as JSON numbers' {
            $null = New-OpenAIImage -Prompt 'a red fox' -Size 1536x1024 -Quality high -Background opaque -OutputFormat webp `
                -OutputCompression 80 -Moderation low -User 'u-1' -Count 2

            $request = (Get-FakeRequest)[0]
            $request.json.PSObject.Properties.Name | Sort-Object | Should -Be @(
                'background', 'model', 'moderation', 'n', 'output_compression', 'output_format', 'prompt', 'quality', 'size', 'user')
            $request.json.size | Should -BeExactly '1536x1024'
            $request.json.quality | Should -BeExactly 'high'
            $request.json.background | Should -BeExactly 'opaque'
            $request.json.output_format | Should -BeExactly 'webp'
            $request.json.moderation | Should -BeExactly 'low'
            $request.json.user | Should -BeExactly 'u-1'
            $request.bodyText | Should -Match '"n":2[,}]'
            $request.bodyText | Should -Match '"output_compression":80[,}]'
        }

        It 'sends known values in lower case whatever case was typed' {
            $null = New-OpenAIImage -Prompt 'a red fox' -Quality HIGH -OutputFormat PNG

            $request = (Get-FakeRequest)[0]
            $request.json.quality | Should -BeExactly 'high'
            $request.json.output_format | Should -BeExactly 'png'
        }

        It 'sends stream and partial_images for -PartialImages and asks for an event stream' {
            $null = New-OpenAIImage -Prompt 'a red fox' -PartialImages 2

            $request = (Get-FakeRequest)[0]
            $request.bodyText | Should -Match '"stream":true[,}]'
            $request.bodyText | Should -Match '"partial_images":2[,}]'
            Get-FakeHeader $request 'Accept' | Should -BeExactly 'text/event-stream'
        }

        It '-AdditionalBody is merged last: JSON types kept, a module field replaced, $null removes one' {
            $null = New-OpenAIImage 'a fox' -Model gpt-image-2 -User 'u-1' -Quality low -AdditionalBody ([ordered]@{ complexity = 'high'; quality = 'xhigh'; user = $null; seed = 7; flag = $true; opts = @{ a = @(1, 'b') } })

            $request = (Get-FakeRequest -Api)[0]
            $request.json.PSObject.Properties.Name | Should -Be @('prompt', 'model', 'quality', 'complexity', 'seed', 'flag', 'opts')
            $request.json.quality | Should -BeExactly 'xhigh'
            $request.json.seed | Should -BeOfType [long]
            $request.json.flag | Should -BeOfType [bool]
            $request.json.opts.a[1] | Should -BeExactly 'b'
            [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($request.bodyBase64)) | Should -Match '"seed":7,"flag":true'
        }

        It '-AdditionalBody with a key that is not a string is an error before anything is sent' {
            { New-OpenAIImage 'a fox' -AdditionalBody @{ 1 = 'x' } -ErrorAction Stop } | Should -Throw -ErrorId "OpenAI.Validation.AdditionalBodyKeyNotString,$Command"
            Get-FakeRequest -Api | Should -BeNullOrEmpty
        }

        It 'uses -BaseUri instead of OPENAI_BASE_URL' {
            $null = New-OpenAIImage -Prompt 'a red fox' -BaseUri "$($FakeApi.Root)/gateway/v1"

            (Get-FakeRequest)[0].path | Should -BeExactly '/gateway/v1/images/generations'
        }

        It 'uses -ApiKey (a SecureString) instead of OPENAI_API_KEY' {
            try {
                $env:OPENAI_API_KEY = 'sk-from-the-environment-0000wrong'
                $images = @(New-OpenAIImage -Prompt 'a red fox' -ApiKey (ConvertTo-SecureString $TestApiKey -AsPlainText -Force))
            }
            finally {
                $env:OPENAI_API_KEY = $FakeApi.ApiKey
            }

            $images | Should -HaveCount 1
            Get-FakeHeader (Get-FakeRequest)[0] 'Authorization' | Should -BeExactly "Bearer $TestApiKey"
        }
    }

    Context 'What it writes' {
        It 'writes one ImageResult per image with the decoded bytes, the request and the usage' {
            $images = @(New-OpenAIImage -Prompt 'a red fox' -Count 2 -OutputFormat webp)

            $images | Should -HaveCount 2
            $images.Index | Should -Be @(0, 1)
            foreach ($image in $images) {
                $image.GetType().FullName | Should -BeExactly 'OpenAI.Images.ImageResult'
                [Convert]::ToBase64String($image.Data) | Should -BeExactly (Get-AssetBase64 'sample-8x8.webp')
                $image.File | Should -BeNullOrEmpty
                $image.Url | Should -BeNullOrEmpty
                $image.Model | Should -BeExactly 'gpt-image-2'
                $image.Prompt | Should -BeExactly 'a red fox'
                $image.Operation.ToString() | Should -BeExactly 'Generation'
                $image.OutputFormat | Should -BeExactly 'webp'
                $image.Size | Should -BeExactly '1024x1024'
                $image.Quality | Should -BeExactly 'high'
                $image.Background | Should -BeExactly 'opaque'
                $image.Usage.TotalTokens | Should -BeGreaterThan 0
                $image.Created | Should -Not -BeNullOrEmpty
                $image.RequestId | Should -BeLike 'req_*'
                $image.IsPartial | Should -BeFalse
            }
            Get-FolderContent $Folder | Should -HaveCount 0
        }

        It 'keeps URL results as URLs without downloading them, with the revised prompt (dall-e-3)' {
            $images = @(New-OpenAIImage -Prompt 'a lighthouse' -Model dall-e-3)

            $images | Should -HaveCount 1
            $images[0].Url.AbsolutePath | Should -BeLike '/_fake/download/*'
            $images[0].Data | Should -BeNullOrEmpty
            $images[0].RevisedPrompt | Should -BeExactly 'A detailed, vivid rendering of: a lighthouse'
            (Get-FakeRequest)[0].json.model | Should -BeExactly 'dall-e-3'
            Get-FakeRequest -Download | Should -HaveCount 0
        }

        It 'writes the streamed partial images before the final image' {
            $images = @(New-OpenAIImage -Prompt 'a red fox' -PartialImages 2)

            $images | Should -HaveCount 3
            $images.IsPartial | Should -Be @($true, $true, $false)
            $images[0].PartialImageIndex | Should -Be 0
            $images[1].PartialImageIndex | Should -Be 1
            $images[2].PartialImageIndex | Should -BeNullOrEmpty
            foreach ($image in $images) {
                [Convert]::ToBase64String($image.Data) | Should -BeExactly (Get-AssetBase64 'sample-8x8.png')
            }
        }
    }

    Context 'Saving files' {
        It '-OutFile writes the image and the result points at the file, leaving no temporary file' {
            $path = Join-Path $Folder 'fox.png'

            $images = @(New-OpenAIImage -Prompt 'a red fox' -OutFile $path)

            Get-FileBase64 $path | Should -BeExactly (Get-AssetBase64 'sample-8x8.png')
            $images | Should -HaveCount 1
            $images[0].File.FullName | Should -BeExactly $path
            $images[0].Data | Should -BeNullOrEmpty
            Get-FolderContent $Folder | Should -Be @('fox.png')
        }

        It 'resolves a relative -OutFile against the PowerShell location' {
            Push-Location -LiteralPath $Folder
            try {
                $images = @(New-OpenAIImage -Prompt 'a red fox' -OutFile 'relative.png')
            }
            finally {
                Pop-Location
            }

            Join-Path $Folder 'relative.png' | Should -Exist
            $images[0].File.FullName | Should -BeExactly (Join-Path $Folder 'relative.png')
        }

        It 'does not overwrite an existing -OutFile without -Force, and sends nothing' {
            $path = Join-Path $Folder 'cat.png'
            Set-Content -LiteralPath $path -Value 'precious' -NoNewline

            $out = New-OpenAIImage -Prompt 'a cat' -OutFile $path -ErrorVariable err -ErrorAction SilentlyContinue

            $out | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeExactly "OpenAI.FileExists,$Command"
            $err[0].CategoryInfo.Category | Should -Be 'ResourceExists'
            $err[0].TargetObject | Should -BeExactly $path
            Get-Content -LiteralPath $path -Raw | Should -BeExactly 'precious'
            Get-FakeRequest | Should -HaveCount 0
        }

        It 'overwrites an existing -OutFile with -Force' {
            $path = Join-Path $Folder 'cat.png'
            Set-Content -LiteralPath $path -Value 'precious' -NoNewline

            $null = New-OpenAIImage -Prompt 'a cat' -OutFile $path -Force

            Get-FileBase64 $path | Should -BeExactly (Get-AssetBase64 'sample-8x8.png')
            Get-FolderContent $Folder | Should -Be @('cat.png')
        }

        It 'names the images of one response NAME-1, NAME-2 and keeps in memory an image it may not write' {
            Set-Content -LiteralPath (Join-Path $Folder 'set-1.png') -Value 'mine' -NoNewline

            $images = @(New-OpenAIImage -Prompt 'icons' -Count 2 -OutFile (Join-Path $Folder 'set.png') -ErrorVariable err -ErrorAction SilentlyContinue)

            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeExactly "OpenAI.FileExists,$Command"
            Get-Content -LiteralPath (Join-Path $Folder 'set-1.png') -Raw | Should -BeExactly 'mine'
            Get-FileBase64 (Join-Path $Folder 'set-2.png') | Should -BeExactly (Get-AssetBase64 'sample-8x8.png')
            $images | Should -HaveCount 2
            $images[0].File | Should -BeNullOrEmpty
            [Convert]::ToBase64String($images[0].Data) | Should -BeExactly (Get-AssetBase64 'sample-8x8.png')
            $images[1].File.Name | Should -BeExactly 'set-2.png'
            Get-FolderContent $Folder | Should -Be @('set-1.png', 'set-2.png')
        }

        It '-OutputDirectory creates the folder and names files TIMESTAMP-PROMPT-N.EXT' {
            $directory = Join-Path $Folder 'art'

            $images = @(New-OpenAIImage -Prompt 'A red fox, in snow!' -Count 2 -OutputDirectory $directory)

            $names = Get-FolderContent $directory
            $names | Should -HaveCount 2
            $stamp = $images[0].Created.ToLocalTime().ToString('yyyyMMdd-HHmmss', [cultureinfo]::InvariantCulture)
            $names | Should -Be @("$stamp-a-red-fox-in-snow-1.png", "$stamp-a-red-fox-in-snow-2.png")
            $images.File.FullName | Sort-Object | Should -Be @($names | ForEach-Object { Join-Path $directory $_ })
        }

        It 'never reuses a file name in an -OutputDirectory: three images, three files' {
            $null = 'same prompt', 'same prompt' | New-OpenAIImage -OutputDirectory $Folder
            $null = New-OpenAIImage -Prompt 'same prompt' -OutputDirectory $Folder

            $names = Get-FolderContent $Folder
            $names | Should -HaveCount 3
            $names | Should -Match '^\d{8}-\d{6}-same-prompt(-\d+)?\.png$'
        }

        It 'leaves neither the file nor a temporary file when the response breaks off' {
            Add-FakeResponse @{ kind = 'truncated' }

            $out = New-OpenAIImage -Prompt 'a red fox' -OutFile (Join-Path $Folder 'fox.png') -MaxRetries 0 -ErrorVariable err -ErrorAction SilentlyContinue

            $out | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeExactly "OpenAI.InvalidResponse,$Command"
            Get-FolderContent $Folder | Should -HaveCount 0
        }

        It 'refuses -OutFile in a folder that does not exist, before sending' {
            { New-OpenAIImage -Prompt 'a red fox' -OutFile (Join-Path $Folder 'missing/fox.png') } |
                Should -Throw -ErrorId "OpenAI.OutputFolderNotFound,$Command"
            Get-FakeRequest | Should -HaveCount 0
        }

        It 'refuses -OutFile together with -OutputDirectory' {
            { New-OpenAIImage -Prompt 'a red fox' -OutFile (Join-Path $Folder 'a.png') -OutputDirectory $Folder } |
                Should -Throw -ErrorId "OpenAI.Validation.OutFileAndOutputDirectory,$Command"
            Get-FakeRequest | Should -HaveCount 0
        }

        It 'refuses an -OutputDirectory that is a file' {
            $file = Join-Path $Folder 'not-a-folder'
            Set-Content -LiteralPath $file -Value 'x'

            { New-OpenAIImage -Prompt 'a red fox' -OutputDirectory $file } |
                Should -Throw -ErrorId "OpenAI.OutputDirectoryIsFile,$Command"
            Get-FakeRequest | Should -HaveCount 0
        }
    }

    Context 'Temporary files a killed save left behind' {
        It 'a save killed mid-decode leaves its temporary file; the next save into the folder removes it, never while its writer lives' {
            # The image arrives in 64 KB pieces a minute apart: the child stops in the middle of decoding it.
            Add-FakeResponse @{ kind = 'trickle'; chunk = 65536; intervalMs = 60000; padImageTo = 2000000 }
            $child = Start-ChildPwsh {
                param($Manifest, $Directory)
                Import-Module $Manifest -ErrorAction Stop
                New-OpenAIImage -Prompt 'killed' -OutputDirectory $Directory
            } @($ModuleManifest, $Folder)
            try {
                $deadline = [DateTime]::UtcNow.AddSeconds(120)
                while (-not ($temp = @(Get-ChildItem -LiteralPath $Folder -Filter '.openai-images-*.tmp' -File -Force))) {
                    if ($child.Process.HasExited -or [DateTime]::UtcNow -gt $deadline) {
                        throw "The child never started to decode the image (exited: $($child.Process.HasExited))."
                    }
                    Start-Sleep -Milliseconds 50
                }
                $temp | Should -HaveCount 1
                $decoding = $temp[0].FullName

                # Old enough to be an orphan, but its writer (another process) still holds it: left alone.
                [System.IO.File]::SetLastWriteTimeUtc($decoding, [DateTime]::UtcNow.AddMinutes(-2))
                $null = New-OpenAIImage -Prompt 'beside a live save' -OutputDirectory $Folder
                $decoding | Should -Exist
            }
            finally {
                Stop-ChildPwsh $child   # Process.Kill: SIGKILL on Linux and macOS, nothing in the child gets to clean up
            }
            $decoding | Should -Exist

            $verbose = @(New-OpenAIImage -Prompt 'after the crash' -OutputDirectory $Folder -Verbose 4>&1 |
                    Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })

            $decoding | Should -Not -Exist
            @($verbose.Message -like "Removed 1 temporary file that an interrupted save left in '$Folder'.") | Should -HaveCount 1
            $names = Get-FolderContent $Folder
            $names | Should -HaveCount 2
            $names | Should -Match '^\d{8}-\d{6}-(beside-a-live-save|after-the-crash)\.png$'
        }

        It 'removes only its own temporary files older than a minute, once per call, and nothing under -WhatIf' {
            $orphans = @((New-OrphanedTempFile $Folder), (New-OrphanedTempFile $Folder))
            $young = New-OrphanedTempFile $Folder -AgeSec -3600   # last written "in an hour": not a minute old, however long the test takes
            $foreign = foreach ($name in '.openai-images-notes.tmp', 'openai-images-0123456789abcdef0123456789abcdef.tmp', 'keep.tmp') {
                $path = Join-Path $Folder $name
                [System.IO.File]::WriteAllText($path, 'mine')
                [System.IO.File]::SetLastWriteTimeUtc($path, [DateTime]::UtcNow.AddDays(-1))
                $path
            }

            $null = New-OpenAIImage -Prompt 'a cat' -OutFile (Join-Path $Folder 'cat.png') -WhatIf
            $orphans | Should -Exist

            $verbose = @('a cat', 'a dog' | New-OpenAIImage -OutFile (Join-Path $Folder 'pet.png') -Verbose 4>&1 |
                    Where-Object { $_ -is [System.Management.Automation.VerboseRecord] })

            $orphans | Should -Not -Exist
            $young | Should -Exist
            $foreign | Should -Exist
            @($verbose.Message -like 'Removed * temporary file*') | Should -Be @("Removed 2 temporary files that an interrupted save left in '$Folder'.")
            (Join-Path $Folder 'pet.png'), (Join-Path $Folder 'pet-2.png') | Should -Exist
        }
    }

    Context '-WhatIf' {
        It 'sends nothing, writes nothing and does not create the -OutputDirectory' {
            $directory = Join-Path $Folder 'new'

            $out = New-OpenAIImage -Prompt 'a cat' -OutputDirectory $directory -WhatIf

            $out | Should -BeNullOrEmpty
            Get-FakeRequest | Should -HaveCount 0
            $directory | Should -Not -Exist
        }

        It 'sends nothing with -OutFile' {
            $out = New-OpenAIImage -Prompt 'a cat' -OutFile (Join-Path $Folder 'cat.png') -WhatIf

            $out | Should -BeNullOrEmpty
            Get-FakeRequest | Should -HaveCount 0
            Get-FolderContent $Folder | Should -HaveCount 0
        }
    }

    Context 'Pipeline input' {
        It 'makes one request per piped prompt and writes the images in input order' {
            $images = @('one', 'two', 'three' | New-OpenAIImage)

            # The requests run concurrently (default -ThrottleLimit 4): they may reach the server in any order.
            (Get-FakeRequest).json.prompt | Sort-Object | Should -Be @('one', 'three', 'two')
            $images.Prompt | Should -Be @('one', 'two', 'three')
        }

        It 'binds Prompt and Model by property name' {
            $items = @(
                [pscustomobject]@{ Prompt = 'a fox'; Model = 'dall-e-2' }
                [pscustomobject]@{ Prompt = 'an owl'; Model = 'gpt-image-1' }
            )

            $images = @($items | New-OpenAIImage)

            # The two requests run concurrently: pair each prompt with its model.
            (Get-FakeRequest) | ForEach-Object { "$($_.json.prompt): $($_.json.model)" } | Sort-Object |
                Should -Be @('a fox: dall-e-2', 'an owl: gpt-image-1')
            $images.Model | Should -Be @('dall-e-2', 'gpt-image-1')
        }

        It 'goes on with the next prompt after a failed request' {
            Add-FakeResponse @{ kind = 'error'; status = 400; message = 'Your request was rejected.'; code = 'invalid_value'; param = 'prompt' }

            $images = @('bad', 'good' | New-OpenAIImage -ErrorVariable err -ErrorAction SilentlyContinue)

            # The two requests run concurrently: the queued error goes to whichever reached the fake first.
            $requests = @(Get-FakeRequest | Sort-Object sequence)
            $requests | Should -HaveCount 2
            $failed = $requests[0].json.prompt
            $err | Should -HaveCount 1
            $err[0].TargetObject | Should -BeExactly $failed
            $images | Should -HaveCount 1
            $images[0].Prompt | Should -BeExactly $requests[1].json.prompt
            @($failed, $images[0].Prompt) | Sort-Object | Should -Be @('bad', 'good')
        }
    }

    Context 'API errors' {
        It 'reports a 400 with OpenAI''s message, type, code, param and x-request-id' {
            Add-FakeResponse @{
                kind = 'error'; status = 400; message = 'Invalid size.'; type = 'invalid_request_error'; code = 'invalid_value'; param = 'size'
                headers = @{ 'x-request-id' = 'req_pester400' }
            }

            $out = New-OpenAIImage -Prompt 'a red fox' -ErrorVariable err -ErrorAction SilentlyContinue

            $out | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeExactly "OpenAI.InvalidRequest,$Command"
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err[0].TargetObject | Should -BeExactly 'a red fox'
            $exception = $err[0].Exception
            $exception.GetType().FullName | Should -BeExactly 'OpenAI.Images.OpenAIException'
            $exception.StatusCode | Should -Be 400
            $exception.Type | Should -BeExactly 'invalid_request_error'
            $exception.Code | Should -BeExactly 'invalid_value'
            $exception.Param | Should -BeExactly 'size'
            $exception.RequestId | Should -BeExactly 'req_pester400'
            $exception.ServerMessage | Should -BeExactly 'Invalid size.'
            $exception.Message | Should -BeLike 'Invalid size.*request req_pester400*'
            Get-FakeRequest | Should -HaveCount 1
        }

        It 'reports a 401 as OpenAI.Authentication without retrying or showing the key' {
            $wrongKey = 'sk-wrong-key-9876543210zyxwvutsrq'

            $null = New-OpenAIImage -Prompt 'a red fox' -ApiKey $wrongKey -ErrorVariable err -ErrorAction SilentlyContinue

            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeExactly "OpenAI.Authentication,$Command"
            $err[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
            $err[0].Exception.StatusCode | Should -Be 401
            $err[0].Exception.Code | Should -BeExactly 'invalid_api_key'
            $err[0].Exception.Message | Should -Not -BeLike "*$wrongKey*"
            $err[0].ToString() | Should -Not -BeLike "*$wrongKey*"
            $requests = Get-FakeRequest
            $requests | Should -HaveCount 1
            Get-FakeHeader $requests[0] 'Authorization' | Should -BeExactly "Bearer $wrongKey"
        }

        It 'retries a 429 after the retry-after-ms wait, then succeeds' {
            Add-FakeResponse @{
                kind = 'error'; status = 429; type = 'requests'; code = 'rate_limit_exceeded'; message = 'Rate limit reached.'
                headers = @{ 'retry-after-ms' = '20' }
            }

            $images = @(New-OpenAIImage -Prompt 'a red fox' -ErrorVariable err)

            $err | Should -HaveCount 0
            $images | Should -HaveCount 1
            Get-FakeRequest | Should -HaveCount 2
        }

        It 'gives up on 429 after -MaxRetries retries with OpenAI.RateLimited' {
            Add-FakeResponse @{
                kind = 'error'; status = 429; type = 'requests'; code = 'rate_limit_exceeded'; message = 'Rate limit reached.'; count = 5
                headers = @{ 'retry-after-ms' = '10' }
            }

            $out = New-OpenAIImage -Prompt 'a red fox' -MaxRetries 2 -ErrorVariable err -ErrorAction SilentlyContinue

            $out | Should -BeNullOrEmpty
            Get-FakeRequest | Should -HaveCount 3
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeExactly "OpenAI.RateLimited,$Command"
            $err[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
            $err[0].Exception.StatusCode | Should -Be 429
            $err[0].Exception.Attempts | Should -Be 3
            $err[0].Exception.RequestId | Should -BeLike 'req_*'
        }

        It 'does not retry with -MaxRetries 0' {
            Add-FakeResponse @{ kind = 'error'; status = 429; code = 'rate_limit_exceeded'; message = 'Slow down.'; headers = @{ 'retry-after-ms' = '10' } }

            $null = New-OpenAIImage -Prompt 'a red fox' -MaxRetries 0 -ErrorVariable err -ErrorAction SilentlyContinue

            $err[0].FullyQualifiedErrorId | Should -BeExactly "OpenAI.RateLimited,$Command"
            Get-FakeRequest | Should -HaveCount 1
        }

        It 'never retries a 429 insufficient_quota' {
            Add-FakeResponse @{ kind = 'error'; status = 429; type = 'insufficient_quota'; code = 'insufficient_quota'; message = 'You exceeded your current quota.' }

            $null = New-OpenAIImage -Prompt 'a red fox' -ErrorVariable err -ErrorAction SilentlyContinue

            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeExactly "OpenAI.QuotaExceeded,$Command"
            Get-FakeRequest | Should -HaveCount 1
        }

        It 'retries a 503, then succeeds' {
            Add-FakeResponse @{ kind = 'error'; status = 503; message = 'The engine is overloaded.'; headers = @{ 'retry-after-ms' = '10' } }

            $images = @(New-OpenAIImage -Prompt 'a red fox' -ErrorVariable err)

            $err | Should -HaveCount 0
            $images | Should -HaveCount 1
            Get-FakeRequest | Should -HaveCount 2
        }
    }

    Context 'Missing API key' {
        It 'is a terminating OpenAI.MissingApiKey error that says where to put a key, and sends nothing' {
            try {
                $env:OPENAI_API_KEY = $null
                $record = { New-OpenAIImage -Prompt 'a cat' } | Should -Throw -ErrorId "OpenAI.MissingApiKey,$Command" -PassThru
            }
            finally {
                $env:OPENAI_API_KEY = $FakeApi.ApiKey
            }

            $record.CategoryInfo.Category | Should -Be 'AuthenticationError'
            $record.Exception.Message | Should -BeLike '*OPENAI_API_KEY*'
            $record.Exception.Message | Should -BeLike '*Set-OpenAIConfig*'
            Get-FakeRequest | Should -HaveCount 0
        }
    }

    Context 'Input checks before any request' {
        It 'rejects <Rule> as OpenAI.Validation.<Rule>' -TestCases @(
            @{ Rule = 'CountNotSupported'; Parameters = @{ Model = 'dall-e-3'; Count = 2 }; Target = 2 }
            @{ Rule = 'SizeNotSupported'; Parameters = @{ Model = 'dall-e-2'; Size = '1536x1024' }; Target = '1536x1024' }
            @{ Rule = 'SizeNotMultipleOf16'; Parameters = @{ Size = '1000x1000' }; Target = '1000x1000' }
            @{ Rule = 'StyleNotSupported'; Parameters = @{ Model = 'gpt-image-1'; Style = 'vivid' }; Target = 'vivid' }
            @{ Rule = 'ResponseFormatNotSupported'; Parameters = @{ Model = 'gpt-image-1'; ResponseFormat = 'url' }; Target = 'url' }
            @{ Rule = 'BackgroundNotSupported'; Parameters = @{ Model = 'dall-e-3'; Background = 'transparent' }; Target = 'transparent' }
            @{ Rule = 'TransparentNeedsPngOrWebp'; Parameters = @{ Background = 'transparent'; OutputFormat = 'jpeg' }; Target = 'transparent' }
            @{ Rule = 'OutputCompressionNeedsJpegOrWebp'; Parameters = @{ OutputCompression = 50 }; Target = 50 }
            @{ Rule = 'StreamingNotSupported'; Parameters = @{ Model = 'dall-e-3'; PartialImages = 1 }; Target = 1 }
            @{ Rule = 'PromptEmpty'; Parameters = @{ Prompt = '   ' }; Target = '   ' }
        ) {
            $arguments = @{ Prompt = 'a red fox' }
            foreach ($key in $Parameters.Keys) { $arguments[$key] = $Parameters[$key] }

            $out = New-OpenAIImage @arguments -ErrorVariable err -ErrorAction SilentlyContinue

            $out | Should -BeNullOrEmpty
            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeExactly "OpenAI.Validation.$Rule,$Command"
            $err[0].CategoryInfo.Category | Should -Be 'InvalidArgument'
            $err[0].TargetObject | Should -Be $Target
            Get-FakeRequest | Should -HaveCount 0
        }

        It 'rejects a prompt longer than the model takes (dall-e-2: 1000 characters)' {
            $null = New-OpenAIImage -Prompt ('x' * 1001) -Model dall-e-2 -ErrorVariable err -ErrorAction SilentlyContinue

            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeExactly "OpenAI.Validation.PromptTooLong,$Command"
            $err[0].Exception.Message | Should -BeLike '*1001*1000*'
            Get-FakeRequest | Should -HaveCount 0
        }

        It 'refuses -Quality <Quality> for <Model> before sending, naming the values it takes' -ForEach @(
            @{ Model = 'gpt-image-2'; Quality = 'xhigh' }
            @{ Model = 'gpt-image-2.5-flare'; Quality = 'ultra' }
        ) {
            $null = New-OpenAIImage -Prompt 'a red fox' -Model $Model -Quality $Quality -ErrorVariable err -ErrorAction SilentlyContinue

            $err | Should -HaveCount 1
            $err[0].FullyQualifiedErrorId | Should -BeExactly "OpenAI.Validation.QualityNotSupported,$Command"
            $err[0].TargetObject | Should -BeExactly $Quality
            $err[0].ErrorDetails.Message | Should -BeLike "-Quality '$Quality' is not supported by $Model; it takes low, medium, high, *auto."
            Get-FakeRequest | Should -HaveCount 0
        }
    }

    Context 'Models newer than the spec, and models the module does not know' {
        It 'sends -Quality <Quality> to <Model> and reads it back as a string' -ForEach @(
            @{ Model = 'gpt-image-2.5-sunburst'; Quality = 'xhigh' }
            @{ Model = 'gpt-image-2.6-flare'; Quality = 'max' }
        ) {
            $image = New-OpenAIImage -Prompt 'a red fox' -Model $Model -Quality $Quality -Size 2048x1152

            (Get-FakeRequest)[0].json.quality | Should -BeExactly $Quality
            $image.Quality | Should -BeExactly $Quality
            $image.Size | Should -BeExactly '2048x1152'
        }

        It 'applies the reference''s custom-size rules to gpt-image-2.5-flare' {
            $null = New-OpenAIImage -Prompt 'a red fox' -Model gpt-image-2.5-flare -Size 1000x1008 -ErrorVariable err -ErrorAction SilentlyContinue

            $err[0].FullyQualifiedErrorId | Should -BeExactly "OpenAI.Validation.SizeNotMultipleOf16,$Command"
            Get-FakeRequest | Should -HaveCount 0
        }

        It 'sends every value unchanged for gpt-image-3-preview, with one verbose line' {
            $records = @(New-OpenAIImage -Prompt 'a red fox' -Model gpt-image-3-preview -Quality Ultra -Size 8K -Background Glass -Verbose 4>&1)

            $json = (Get-FakeRequest)[0].json
            $json.quality, $json.size, $json.background | Should -Be @('Ultra', '8K', 'Glass')
            $verbose = @($records | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like '*model table*' })
            $verbose | Should -HaveCount 1
            $verbose[0].Message | Should -BeExactly "Model 'gpt-image-3-preview' is not in this module's model table (checked on 2026-12-07): its values are sent as given and OpenAI will judge them."
        }

        It 'completes -Quality with the chosen model''s values' {
            $line = 'New-OpenAIImage -Model gpt-image-2.5-flare-2026-09-08 -Quality '
            (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText |
                Should -Be @('low', 'medium', 'high', 'xhigh', 'max', 'auto')
        }
    }

    Context 'Secrets' {
        It 'masks the key in -Debug output' {
            $records = @(New-OpenAIImage -Prompt 'a red fox' -Debug 5>&1)

            $debug = @($records | Where-Object { $_ -is [System.Management.Automation.DebugRecord] } | ForEach-Object Message) -join "`n"
            $debug | Should -BeLike '*Authorization: Bearer sk-*wxyz*'
            $debug | Should -Not -BeLike "*$TestApiKey*"
        }
    }
}
