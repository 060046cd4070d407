#Requires -Version 7.4
# Pester 5 suite for Get-OpenAIConfig on a real pwsh (SecretManagement test double, standalone fake).
# Needs `dotnet build` first.

Describe 'Get-OpenAIConfig' {
    BeforeAll {
        . $PSScriptRoot/ConfigTestHelpers.ps1
        $FakeApi = Start-ConfigFake
    }

    AfterAll {
        Stop-Fake $FakeApi
        Restore-TestSession
    }

    BeforeEach { $ConfigPath = Enter-ConfigSandbox -WithSecretManagement }
    AfterEach { Exit-ConfigSandbox }

    It 'shows the environment key masked, with its source, and never the key itself' {
        $info = Get-OpenAIConfig

        $info.Profile | Should -BeExactly 'default'
        $info.ApiKey | Should -BeExactly 'sk-…wxyz'
        $info.ApiKeySource | Should -Be 'Environment'
        $info.ApiKeyLocation | Should -BeExactly '$env:OPENAI_API_KEY'
        $info.Sources['BaseUri'] | Should -Be 'Environment'
        $info.Endpoint.AbsoluteUri | Should -BeExactly "$($FakeApi.BaseUri)/images/generations"
        $text = $info | Out-String
        $text | Should -Match 'sk-…wxyz \(Environment: \$env:OPENAI_API_KEY\)'
        $text | Should -Not -Match ([regex]::Escape($TestApiKey))
        ($info | Format-List * | Out-String) | Should -Not -Match ([regex]::Escape($TestApiKey))
        ($info | ConvertTo-Json -Depth 3) | Should -Not -Match ([regex]::Escape($TestApiKey))
    }

    It 'reports each source: Session, ConfigFile, Vault, Environment, Default' {
        Register-TestVault
        Set-OpenAIConfig -ApiKey 'sk-vault-get-0123456789VAULTxKEY' -TimeoutSec 90
        Set-OpenAIConfig -MaxRetries 4 -Scope Process
        $env:OPENAI_ORG_ID = 'org-env'

        $info = Get-OpenAIConfig

        $info.ApiKeySource | Should -Be 'Vault'
        $info.ApiKeyLocation | Should -BeExactly "vault 'TestVault', secret 'OpenAI.Images-default'"
        $info.Sources['TimeoutSec'] | Should -Be 'ConfigFile'
        $info.Sources['MaxRetries'] | Should -Be 'Session'
        $info.Sources['Organization'] | Should -Be 'Environment'
        $info.Sources['DefaultModel'] | Should -Be 'Default'
        $info.Scope | Should -Be @('CurrentUser', 'Process')
        $info.ConfigFile | Should -BeExactly $ConfigPath
    }

    It 'lists every profile with -ListAvailable' {
        Set-OpenAIConfig -Profile saved-one -MaxRetries 1
        Set-OpenAIConfig -Profile session-one -MaxRetries 1 -Scope Process

        (Get-OpenAIConfig -ListAvailable).Profile | Should -Be @('saved-one', 'session-one')
    }

    It 'reports an unknown profile as a non-terminating error' {
        $result = Get-OpenAIConfig -Profile nope -ErrorVariable problems -ErrorAction SilentlyContinue

        $result | Should -BeNullOrEmpty
        $problems[0].FullyQualifiedErrorId | Should -BeLike 'OpenAI.ProfileNotFound,*'
    }

    It 'still shows the other settings when the vault is locked' {
        Register-TestVault
        Set-OpenAIConfig -ApiKey 'sk-vault-get-0123456789VAULTxKEY' -MaxRetries 3
        $state = [System.AppDomain]::CurrentDomain.GetData('SecretManagementDouble.State')
        $state.Vaults['TestVault'].Locked = $true

        $info = Get-OpenAIConfig -ErrorVariable problems -ErrorAction SilentlyContinue

        $problems[0].FullyQualifiedErrorId | Should -BeLike 'OpenAI.VaultError,*'
        $info.MaxRetries | Should -Be 3
        $info.ApiKey | Should -BeNullOrEmpty
        $info.ApiKeySource | Should -Be 'Vault'
    }
}
