#Requires -Version 7.4
# Pester 5 suite for Remove-OpenAIConfig on a real pwsh (SecretManagement test double). Needs `dotnet build` first.

Describe 'Remove-OpenAIConfig' {
    BeforeAll {
        . $PSScriptRoot/ConfigTestHelpers.ps1
        $FakeApi = Start-ConfigFake
    }

    AfterAll {
        Stop-Fake $FakeApi
        Restore-TestSession
    }

    BeforeEach {
        $ConfigPath = Enter-ConfigSandbox -WithSecretManagement
        Register-TestVault
        Set-OpenAIConfig -Profile work -ApiKey 'sk-work-remove-0123456789WORKxKEY' -MaxRetries 4
        Set-OpenAIConfig -Profile work -TimeoutSec 30 -Scope Process
    }

    AfterEach { Exit-ConfigSandbox }

    It 'removes the saved and session settings and the vault secret' {
        Remove-OpenAIConfig -Profile work

        { Get-OpenAIConfig -Profile work -ErrorAction Stop } | Should -Throw -ErrorId 'OpenAI.ProfileNotFound,*'
        (Get-Content -LiteralPath $ConfigPath -Raw | ConvertFrom-Json).profiles.PSObject.Properties.Name | Should -BeNullOrEmpty
        Get-SecretInfo -Name 'OpenAI.Images-work' -Vault TestVault | Should -BeNullOrEmpty
    }

    It 'keeps the vault secret with -KeepSecret' {
        Remove-OpenAIConfig -Profile work -KeepSecret

        Get-Secret -Name 'OpenAI.Images-work' -Vault TestVault -AsPlainText | Should -BeExactly 'sk-work-remove-0123456789WORKxKEY'
    }

    It 'removes nothing with -WhatIf' {
        Remove-OpenAIConfig -Profile work -WhatIf

        (Get-OpenAIConfig -Profile work).MaxRetries | Should -Be 4
        (Get-OpenAIConfig -Profile work).TimeoutSec | Should -Be 30
        Get-SecretInfo -Name 'OpenAI.Images-work' -Vault TestVault | Should -Not -BeNullOrEmpty
    }

    It 'takes profiles from the pipeline' {
        Set-OpenAIConfig -Profile other -MaxRetries 1

        Get-OpenAIConfig -ListAvailable | Remove-OpenAIConfig

        Get-OpenAIConfig -ListAvailable | Should -BeNullOrEmpty
    }

    It 'reports a profile that does not exist' {
        { Remove-OpenAIConfig -Profile nothing-here -ErrorAction Stop } | Should -Throw -ErrorId 'OpenAI.ProfileNotFound,*'
    }

    It 'leaves the environment variables alone: the cmdlets fall back to them' {
        Remove-OpenAIConfig -Profile work

        (Get-OpenAIConfig).ApiKeySource | Should -Be 'Environment'
        $env:OPENAI_API_KEY | Should -BeExactly $TestApiKey
    }
}
