#Requires -Version 7.4
# Pester 5 suite for the API key in the REAL SecretManagement 1.1.2 + SecretStore 1.0.6 (../shared/psmodules), each
# step in its own pwsh process, as users run them: store, use from a new process, rotate, remove, a locked store.
# Every test gets a new HOME (where SecretStore keeps its encrypted file and SecretManagement its vault registry) and
# a new settings folder. In-process suites keep the SecretManagement double instead (tests/SecretManagementDouble):
# SecretManagement and SecretStore fix their folders when first loaded in a process, so a process cannot move to a
# new HOME per test. Needs `dotnet build` first.

Describe 'API key in a real SecretStore vault' {
    BeforeAll {
        . $PSScriptRoot/TestHelpers.ps1
        $VaultKey = 'sk-vault-pester-0123456789VAULTxKEY'
        $RotatedKey = 'sk-rotated-pester-0123456789ROTxKEY'
        $FakeApi = Start-Fake -ApiKey $VaultKey
        $SharedModules = [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($RepoRoot, '..', 'shared', 'psmodules'))
        if (-not [System.IO.Directory]::Exists([System.IO.Path]::Combine($SharedModules, 'Microsoft.PowerShell.SecretStore'))) {
            throw "The real SecretManagement and SecretStore are expected in '$SharedModules' (the shared folder beside the repository)."
        }

        $Saved = @{}
        foreach ($name in 'HOME', 'PSModulePath', 'XDG_CONFIG_HOME', 'APPDATA', 'LOCALAPPDATA', 'OPENAI_API_KEY') {
            $Saved[$name] = [System.Environment]::GetEnvironmentVariable($name)
        }

        function Enter-VaultSandbox {
            # A new HOME and settings folder for the child processes of this test; no key in the environment.
            $root = New-TestFolder
            $script:VaultHome = [System.IO.Path]::Combine($root, 'home')
            $script:VaultConfig = [System.IO.Path]::Combine($root, 'config')
            $null = [System.IO.Directory]::CreateDirectory($script:VaultHome)
            [System.Environment]::SetEnvironmentVariable('HOME', $script:VaultHome)
            [System.Environment]::SetEnvironmentVariable('LOCALAPPDATA', $script:VaultHome)
            [System.Environment]::SetEnvironmentVariable('XDG_CONFIG_HOME', $script:VaultConfig)
            [System.Environment]::SetEnvironmentVariable('APPDATA', $script:VaultConfig)
            [System.Environment]::SetEnvironmentVariable('PSModulePath', $SharedModules + [System.IO.Path]::PathSeparator + [System.IO.Path]::Combine($PSHOME, 'Modules'))
            [System.Environment]::SetEnvironmentVariable('OPENAI_API_KEY', $null)
        }

        function Get-TextUnder([string] $Path) {
            # Every file below a folder, read as UTF-8 and as UTF-16 text (a key in either encoding would show).
            Get-ChildItem -LiteralPath $Path -File -Recurse -Force | ForEach-Object {
                $bytes = [System.IO.File]::ReadAllBytes($_.FullName)
                [System.Text.Encoding]::UTF8.GetString($bytes)
                [System.Text.Encoding]::Unicode.GetString($bytes)
            }
        }
    }

    AfterAll {
        foreach ($entry in $Saved.GetEnumerator()) { [System.Environment]::SetEnvironmentVariable($entry.Key, $entry.Value) }
        Stop-Fake $FakeApi
        Restore-TestSession
    }

    BeforeEach {
        Reset-Fake
        Enter-VaultSandbox
    }

    It 'stores the key in the vault, and a new pwsh process uses it; no file holds it in plain text' {
        $stored = Invoke-ChildPwsh {
            param($Manifest, $Key)
            Register-SecretVault -Name TestStore -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault
            Reset-SecretStore -Authentication None -Interaction None -Force -Confirm:$false -WarningAction SilentlyContinue
            Import-Module $Manifest
            Set-OpenAIConfig -ApiKey (ConvertTo-SecureString $Key -AsPlainText -Force) -Vault TestStore
            (Get-SecretInfo -Name 'OpenAI.Images-default' -Vault TestStore).Name
        } $ModuleManifest $VaultKey
        $stored | Should -BeExactly 'OpenAI.Images-default'

        $used = Invoke-ChildPwsh {
            param($Manifest)
            Import-Module $Manifest
            $image = New-OpenAIImage -Prompt 'a fox from the vault'
            (Get-OpenAIConfig).ApiKeySource.ToString()
            $image.Index
        } $ModuleManifest

        $used | Should -Be @('Vault', 0)
        Get-FakeHeader (Get-FakeRequest -Api)[0] 'Authorization' | Should -BeExactly "Bearer $VaultKey"
        (Get-TextUnder $VaultHome) + (Get-TextUnder $VaultConfig) -join "`n" | Should -Not -Match ([regex]::Escape($VaultKey))
        (Get-Content -LiteralPath ([System.IO.Path]::Combine($VaultConfig, 'OpenAI.Images', 'config.json')) -Raw | ConvertFrom-Json).profiles.default.apiKeyVault |
            Should -BeExactly 'TestStore'
    }

    It 'rotates the key: the next process uses the new one' {
        $inVault = Invoke-ChildPwsh {
            param($Manifest, $Key, $NewKey)
            Register-SecretVault -Name TestStore -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault
            Reset-SecretStore -Authentication None -Interaction None -Force -Confirm:$false -WarningAction SilentlyContinue
            Import-Module $Manifest
            Set-OpenAIConfig -ApiKey (ConvertTo-SecureString $Key -AsPlainText -Force) -Vault TestStore
            Set-OpenAIConfig -ApiKey (ConvertTo-SecureString $NewKey -AsPlainText -Force)
            Get-Secret -Name 'OpenAI.Images-default' -Vault TestStore -AsPlainText
        } $ModuleManifest $VaultKey $RotatedKey
        $inVault | Should -BeExactly $RotatedKey

        # The fake accepts only the first key: the rotated one gets OpenAI's 401, which proves it was sent.
        $failure = Invoke-ChildPwsh {
            param($Manifest)
            Import-Module $Manifest
            try { $null = New-OpenAIImage -Prompt 'after rotation' -ErrorAction Stop; 'sent' } catch { $_.FullyQualifiedErrorId }
        } $ModuleManifest
        $failure | Should -BeLike 'OpenAI.Authentication,*'
        Get-FakeHeader (Get-FakeRequest -Api)[0] 'Authorization' | Should -BeExactly "Bearer $RotatedKey"
        (Get-TextUnder $VaultHome) -join "`n" | Should -Not -Match ([regex]::Escape($RotatedKey))
    }

    It 'removes the profile and its secret; a new process then has no key' {
        $after = Invoke-ChildPwsh {
            param($Manifest, $Key)
            Register-SecretVault -Name TestStore -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault
            Reset-SecretStore -Authentication None -Interaction None -Force -Confirm:$false -WarningAction SilentlyContinue
            Import-Module $Manifest
            Set-OpenAIConfig -ApiKey (ConvertTo-SecureString $Key -AsPlainText -Force) -Vault TestStore
            Remove-OpenAIConfig -Profile default -Confirm:$false
            @(Get-SecretInfo -Name 'OpenAI.Images-default' -Vault TestStore).Count
        } $ModuleManifest $VaultKey
        $after | Should -Be 0

        $next = Invoke-ChildPwsh {
            param($Manifest)
            Import-Module $Manifest
            try { $null = New-OpenAIImage -Prompt 'no key' -ErrorAction Stop; 'sent' } catch { $_.FullyQualifiedErrorId }
        } $ModuleManifest
        $next | Should -BeLike 'OpenAI.MissingApiKey,*'
        Get-FakeRequest -Api | Should -HaveCount 0
    }

    It 'fails clearly with OpenAI.VaultError when the store is locked, and changes nothing' {
        $result = Invoke-ChildPwsh {
            param($Manifest, $Key, $NewKey)
            Register-SecretVault -Name TestStore -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault
            Import-Module $Manifest
            $password = ConvertTo-SecureString 'Passw0rd!x' -AsPlainText -Force
            Reset-SecretStore -Authentication Password -Password $password -Interaction None -PasswordTimeout 4 -Force -Confirm:$false -WarningAction SilentlyContinue
            Unlock-SecretStore -Password $password   # the 4 s start now, whatever the machine's load
            Set-OpenAIConfig -ApiKey (ConvertTo-SecureString $Key -AsPlainText -Force) -Vault TestStore -ErrorAction Stop
            $settings = [System.IO.Path]::Combine($env:XDG_CONFIG_HOME, 'OpenAI.Images', 'config.json')
            $before = Get-Content -LiteralPath $settings -Raw
            # Wait until the password timeout has locked the store (SecretStore has no command that locks it).
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            do {
                Start-Sleep -Milliseconds 500
                $locked = $null -eq (Get-Secret -Name 'OpenAI.Images-default' -Vault TestStore -ErrorAction SilentlyContinue)
            } until ($locked -or [DateTime]::UtcNow -gt $deadline)
            if (-not $locked) { throw 'The store did not lock within 30 s.' }

            $setError = try { Set-OpenAIConfig -ApiKey (ConvertTo-SecureString $NewKey -AsPlainText -Force); 'saved' } catch { $_ }
            $useError = try { $null = New-OpenAIImage -Prompt 'locked' -ErrorAction Stop; 'sent' } catch { $_ }
            Unlock-SecretStore -Password $password
            [pscustomobject]@{
                SetId          = $setError.FullyQualifiedErrorId
                SetMessage     = $setError.Exception.Message
                SetCategory    = $setError.CategoryInfo.Category.ToString()
                UseId          = $useError.FullyQualifiedErrorId
                UseMessage     = $useError.Exception.Message
                SettingsKept   = (Get-Content -LiteralPath $settings -Raw) -ceq $before
                SecretKept     = (Get-Secret -Name 'OpenAI.Images-default' -Vault TestStore -AsPlainText) -ceq $Key
            }
        } $ModuleManifest $VaultKey $RotatedKey

        $result.SetId | Should -BeLike 'OpenAI.VaultError,*'
        $result.SetMessage | Should -BeLike '*TestStore*'
        $result.UseId | Should -BeLike 'OpenAI.VaultError,*'
        $result.UseMessage | Should -BeLike '*TestStore*'
        $result.SettingsKept | Should -BeTrue
        $result.SecretKept | Should -BeTrue
        Get-FakeRequest -Api | Should -HaveCount 0
        "$($result.SetMessage) $($result.UseMessage)" | Should -Not -Match ([regex]::Escape($VaultKey))
    }
}
