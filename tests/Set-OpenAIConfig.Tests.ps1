#Requires -Version 7.4
# Pester 5 suite for Set-OpenAIConfig on a real pwsh, with the SecretManagement test double
# (tests/SecretManagementDouble) and the standalone fake OpenAI server. Needs `dotnet build` first.

Describe 'Set-OpenAIConfig' {
    BeforeAll {
        . $PSScriptRoot/ConfigTestHelpers.ps1
        $FakeApi = Start-ConfigFake
        $VaultKey = 'sk-vault-pester-0123456789VAULTxKEY'
    }

    AfterAll {
        Stop-Fake $FakeApi
        Restore-TestSession
    }

    BeforeEach { Reset-Fake }

    Context 'With SecretManagement and a default vault' {
        BeforeEach {
            $ConfigPath = Enter-ConfigSandbox -WithSecretManagement
            Register-TestVault
        }

        AfterEach { Exit-ConfigSandbox }

        It 'stores the key in the default vault as a SecureString and records only where it is' {
            Set-OpenAIConfig -ApiKey (ConvertTo-TestSecureString $VaultKey)

            Get-Secret -Name 'OpenAI.Images-default' -Vault TestVault | Should -BeOfType [securestring]
            Get-Secret -Name 'OpenAI.Images-default' -Vault TestVault -AsPlainText | Should -BeExactly $VaultKey
            $saved = Get-Content -LiteralPath $ConfigPath -Raw | ConvertFrom-Json
            $saved.profiles.default.apiKeyVault | Should -BeExactly 'TestVault'
            $saved.profiles.default.apiKeySecret | Should -BeExactly 'OpenAI.Images-default'
            (Get-SandboxText) -join "`n" | Should -Not -Match ([regex]::Escape($VaultKey))
        }

        It 'uses the stored key for the image cmdlets, ahead of $env:OPENAI_API_KEY' {
            Set-OpenAIConfig -ApiKey (ConvertTo-TestSecureString $VaultKey)
            Clear-ConfigSession   # as in a new session: only the saved profile and the vault remain

            $null = New-OpenAIImage -Prompt 'a fox'

            Get-FakeHeader (Get-FakeRequest -Api)[0] 'Authorization' | Should -BeExactly "Bearer $VaultKey"
        }

        It 'keeps -Scope Process settings in memory only, ahead of the saved ones' {
            Set-OpenAIConfig -ApiKey (ConvertTo-TestSecureString $VaultKey)
            Set-OpenAIConfig -ApiKey 'sk-session-pester-0123456789SESSKEY' -MaxRetries 7 -Scope Process

            $null = New-OpenAIImage -Prompt 'a fox'

            Get-FakeHeader (Get-FakeRequest -Api)[0] 'Authorization' | Should -BeExactly 'Bearer sk-session-pester-0123456789SESSKEY'
            (Get-OpenAIConfig).MaxRetries | Should -Be 7
            Get-Content -LiteralPath $ConfigPath -Raw | Should -Not -Match 'maxRetries|SESSKEY'
        }

        It 'writes nothing with -WhatIf' {
            Set-OpenAIConfig -ApiKey (ConvertTo-TestSecureString $VaultKey) -BaseUri https://example.test/v1 -WhatIf

            Test-Path -LiteralPath $ConfigPath | Should -BeFalse
            { Get-Secret -Name 'OpenAI.Images-default' -Vault TestVault -ErrorAction Stop } | Should -Throw -ErrorId 'GetSecretNotFound,*'
        }

        It 'shows the result with -PassThru, the key masked in the formatted view' {
            $info = Set-OpenAIConfig -ApiKey (ConvertTo-TestSecureString $VaultKey) -Organization org-1 -PassThru

            $info | Should -BeOfType ([OpenAI.Images.PowerShell.OpenAIConfigInfo])
            $info.ApiKey | Should -BeExactly 'sk-…xKEY'
            $info.ApiKeySource | Should -Be 'Vault'
            $text = $info | Out-String
            $text | Should -Match 'sk-…xKEY \(Vault'
            $text | Should -Match 'org-1 \(ConfigFile\)'
            $text | Should -Not -Match ([regex]::Escape($VaultKey))
        }

        It 'fails clearly when the vault is locked, and saves nothing' {
            Register-TestVault -Name Locked -Locked

            { Set-OpenAIConfig -ApiKey (ConvertTo-TestSecureString $VaultKey) -Vault Locked } | Should -Throw -ErrorId 'OpenAI.VaultError,*'
            Test-Path -LiteralPath $ConfigPath | Should -BeFalse
        }

        It 'names the registered vaults when -Vault is unknown' {
            { Set-OpenAIConfig -ApiKey (ConvertTo-TestSecureString $VaultKey) -Vault Nope } | Should -Throw -ErrorId 'OpenAI.VaultNotFound,*' -ExpectedMessage '*TestVault*'
        }

        It 'keeps the proxy password in the vault, never in the settings file' {
            $credential = [pscredential]::new('proxy-user', (ConvertTo-TestSecureString 'proxy-pass-0123456789'))
            Set-OpenAIConfig -Proxy http://proxy.test:3128 -ProxyCredential $credential

            (Get-Secret -Name 'OpenAI.Images-default-Proxy' -Vault TestVault).UserName | Should -BeExactly 'proxy-user'
            (Get-SandboxText) -join "`n" | Should -Not -Match 'proxy-pass-0123456789'
            (Get-OpenAIConfig).ProxyUserName | Should -BeExactly 'proxy-user'
        }
    }

    Context 'Without SecretManagement' {
        BeforeEach { $ConfigPath = Enter-ConfigSandbox }
        AfterEach { Exit-ConfigSandbox }

        It 'says how to install SecretManagement or use -Scope Process, and saves nothing' {
            { Set-OpenAIConfig -ApiKey (ConvertTo-TestSecureString $VaultKey) } |
                Should -Throw -ErrorId 'OpenAI.SecretManagementNotInstalled,*' -ExpectedMessage '*Install-Module Microsoft.PowerShell.SecretManagement*-Scope Process*'
            Test-Path -LiteralPath $ConfigPath | Should -BeFalse
            Get-Module -Name Microsoft.PowerShell.SecretManagement | Should -BeNullOrEmpty
        }

        It 'still saves non-secret settings, which a new pwsh process uses' {
            Set-OpenAIConfig -BaseUri "$($FakeApi.Root)/saved/v1" -Organization org-saved
            $result = Invoke-ChildPwsh {
                param($Manifest)
                Import-Module $Manifest
                $image = New-OpenAIImage -Prompt 'from a new session'
                (Get-OpenAIConfig).Sources['BaseUri'].ToString()
                $image.Index
            } $ModuleManifest

            $result | Should -Be @('ConfigFile', '0')
            $request = (Get-FakeRequest -Api)[0]
            $request.path | Should -BeExactly '/saved/v1/images/generations'
            Get-FakeHeader $request 'OpenAI-Organization' | Should -BeExactly 'org-saved'
            Get-FakeHeader $request 'Authorization' | Should -BeExactly "Bearer $TestApiKey"
        }

        It 'keeps a -Scope Process key for this process only' {
            Set-OpenAIConfig -ApiKey 'sk-process-pester-0123456789PROCKEY' -Scope Process
            Test-Path -LiteralPath $ConfigPath | Should -BeFalse
            $source = Invoke-ChildPwsh {
                param($Manifest)
                Import-Module $Manifest
                (Get-OpenAIConfig).ApiKeySource.ToString()
            } $ModuleManifest

            $source | Should -BeExactly 'Environment'
            (Get-OpenAIConfig).ApiKeySource | Should -Be 'Session'
        }

        It 'refuses a corrupt settings file without touching it' {
            $null = New-Item -ItemType Directory -Path (Split-Path $ConfigPath) -Force
            Set-Content -LiteralPath $ConfigPath -Value '{ "profiles": { "default": ' -NoNewline

            { Set-OpenAIConfig -MaxRetries 1 } | Should -Throw -ErrorId 'OpenAI.ConfigCorrupt,*' -ExpectedMessage "*$ConfigPath*Remove-Item*"
            Get-Content -LiteralPath $ConfigPath -Raw | Should -BeExactly '{ "profiles": { "default": '
        }

        It 'sends the key over plain http to another host only with -AllowInsecureHttp' {
            Set-OpenAIConfig -Profile lan -BaseUri http://gpu-box.example.test/v1 -Scope Process

            { New-OpenAIImage -Prompt 'a' -Profile lan } | Should -Throw -ErrorId 'OpenAI.InsecureTransport,*'
            Get-FakeRequest -Api | Should -BeNullOrEmpty
        }
    }

    Context 'Endpoints' {
        BeforeEach { $null = Enter-ConfigSandbox }
        AfterEach { Exit-ConfigSandbox }

        It 'talks to an Azure deployment with the api-key header and api-version' {
            Set-OpenAIConfig -Profile az -ApiType AzureOpenAI -BaseUri $FakeApi.Root -AzureDeployment img -ApiVersion 2024-10-21 -Scope Process
            $env:AZURE_OPENAI_API_KEY = 'azure-pester-0123456789AZUREKEY'

            $null = New-OpenAIImage -Prompt 'a' -Profile az

            $request = (Get-FakeRequest -Api)[0]
            $request.path | Should -BeExactly '/openai/deployments/img/images/generations'
            $request.queryString | Should -BeExactly '?api-version=2024-10-21'
            Get-FakeHeader $request 'api-key' | Should -BeExactly 'azure-pester-0123456789AZUREKEY'
            Get-FakeHeader $request 'Authorization' | Should -BeNullOrEmpty
        }

        It 'talks to the Azure v1 API with a bearer token' {
            Set-OpenAIConfig -Profile v1 -ApiType AzureOpenAI -BaseUri "$($FakeApi.Root)/openai/v1" -Scope Process

            $null = New-OpenAIImage -Prompt 'a' -Profile v1

            $request = (Get-FakeRequest -Api)[0]
            $request.path | Should -BeExactly '/openai/v1/images/generations'
            Get-FakeHeader $request 'Authorization' | Should -BeExactly "Bearer $TestApiKey"
        }

        It 'sends OpenAI-Organization and OpenAI-Project when set, from the profile or the environment' {
            $env:OPENAI_PROJECT_ID = 'proj_env'
            Set-OpenAIConfig -Organization org-profile -Scope Process

            $null = New-OpenAIImage -Prompt 'a'

            $request = (Get-FakeRequest -Api)[0]
            Get-FakeHeader $request 'OpenAI-Organization' | Should -BeExactly 'org-profile'
            Get-FakeHeader $request 'OpenAI-Project' | Should -BeExactly 'proj_env'
        }
    }
}
