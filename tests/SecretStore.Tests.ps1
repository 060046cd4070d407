#Requires -Version 7.4
# Pester 5 suite for the API key in the REAL SecretManagement 1.1.2 + SecretStore 1.0.6, each step in its own pwsh
# process, as users run them: store, use from a new process, rotate, remove, a locked store.
# Every test gets a new HOME (where SecretStore keeps its encrypted file and SecretManagement its vault registry), a
# new settings folder and its own fake server. In-process suites keep the SecretManagement double instead
# (tests/SecretManagementDouble): SecretManagement and SecretStore fix their folders when first loaded in a process, so
# a process cannot move to a new HOME per test. Needs `dotnet build` first.
#
# The processes are what takes the time (each one starts pwsh and loads SecretManagement, SecretStore and the module),
# so they run in the background: each test's processes one after the other (each a new process, started once the
# previous one has exited), each test with its own HOME, settings folder and fake, given to its processes in their
# environment (this process's environment is not touched). When the run will run this file in full (no filter, not
# -SkipRun) they start during discovery, one process at a time, so that they go on while the suites before this one
# run; BeforeAll then lets whatever is left run four at once (it starts them itself when discovery did not). Each It
# waits for its own processes and checks what it checked when the steps ran in the foreground.
#
# Those two modules are test-only and never committed. Find-VaultTestModules looks, in order, at the folder named by
# OPENAI_IMAGES_TEST_PSMODULES, at ../shared/psmodules beside the repository, and at out/test-psmodules, which it fills
# with Save-PSResource from the PowerShell Gallery when the gallery answers. With none of them every test is skipped with
# one message that says how to get them; under CI=true that is a failure instead.

BeforeDiscovery {
    . $PSScriptRoot/ProcessHelpers.ps1

    # Starts every test's processes (the locked store's first), at most $ThrottleLimit at once; returns what the Its need.
    # The folder that holds the real modules (<Name>/<Version>/..., as Save-PSResource lays them out), and why not.
    function Find-VaultTestModules {
        $wanted = [ordered]@{ 'Microsoft.PowerShell.SecretManagement' = '1.1.2'; 'Microsoft.PowerShell.SecretStore' = '1.0.6' }
        $holds = { param($dir) -not @($wanted.Keys | Where-Object { -not [System.IO.Directory]::Exists([System.IO.Path]::Combine($dir, $_)) }) }
        $named = $env:OPENAI_IMAGES_TEST_PSMODULES
        if ($named) {
            if (-not (& $holds $named)) {
                throw "OPENAI_IMAGES_TEST_PSMODULES is '$named', which does not hold $($wanted.Keys -join ' and ')."
            }
            return @{ Path = [System.IO.Path]::GetFullPath($named) }
        }
        $beside = [System.IO.Path]::GetFullPath([System.IO.Path]::Combine($RepoRoot, '..', 'shared', 'psmodules'))
        if (& $holds $beside) { return @{ Path = $beside } }
        $saved = [System.IO.Path]::Combine($RepoRoot, 'out', 'test-psmodules')
        if (& $holds $saved) { return @{ Path = $saved } }
        $why = try {
            $partial = $saved + '.partial'
            if ([System.IO.Directory]::Exists($partial)) { [System.IO.Directory]::Delete($partial, $true) }
            $null = [System.IO.Directory]::CreateDirectory($partial)
            foreach ($name in $wanted.Keys) {
                Save-PSResource -Name $name -Version $wanted[$name] -Repository PSGallery -Path $partial -TrustRepository -Quiet -ErrorAction Stop
            }
            [System.IO.Directory]::Move($partial, $saved)
            return @{ Path = $saved }
        }
        catch {
            if ([System.IO.Directory]::Exists($partial)) { [System.IO.Directory]::Delete($partial, $true) }
            $_.Exception.Message
        }
        $missing = "The vault tests need the real $(@($wanted.GetEnumerator() | ForEach-Object { "$($_.Key) $($_.Value)" }) -join ' and '), " +
            "and none were found: set OPENAI_IMAGES_TEST_PSMODULES to a folder that holds them (Save-PSResource -Path <folder> saves them " +
            "there), or make the PowerShell Gallery reachable (saving them failed: $(($why -split ' Request sent:')[0]))."
        if ($env:CI -eq 'true') { throw "$missing Under CI=true this fails instead of skipping." }
        @{ Path = $null; Missing = $missing }
    }
    $VaultModules = Find-VaultTestModules

    $StartVaultTests = {
        param([int] $ThrottleLimit, [string] $ModulesPath)
        $vaultKey = 'sk-vault-pester-0123456789VAULTxKEY'
        $rotatedKey = 'sk-rotated-pester-0123456789ROTxKEY'

        $steps = [ordered]@{
            # Started first: its wait for SecretStore's password timeout (about 1 s) overlaps the other tests' processes.
            Locked = @(
                @{ Arguments = @($ModuleManifest, $vaultKey, $rotatedKey); Script = {
                        param($Manifest, $Key, $NewKey)
                        Register-SecretVault -Name TestStore -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault
                        Import-Module $Manifest
                        $password = ConvertTo-SecureString 'Passw0rd!x' -AsPlainText -Force
                        Reset-SecretStore -Authentication Password -Password $password -Interaction None -PasswordTimeout 900 -Force -Confirm:$false -WarningAction SilentlyContinue
                        Unlock-SecretStore -Password $password
                        Set-OpenAIConfig -ApiKey (ConvertTo-SecureString $Key -AsPlainText -Force) -Vault TestStore -ErrorAction Stop
                        $settings = [System.IO.Path]::Combine($env:XDG_CONFIG_HOME, 'OpenAI.Images', 'config.json')
                        $before = Get-Content -LiteralPath $settings -Raw
                        # SecretStore has no command that locks it: from now on the password holds for 1 s (so nothing
                        # above raced the timeout, whatever the machine's load), then the store locks. Wait for that.
                        Unlock-SecretStore -Password $password -PasswordTimeout 1
                        $deadline = [DateTime]::UtcNow.AddSeconds(30)
                        do {
                            Start-Sleep -Milliseconds 100
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
                    }
                })

            Store  = @(
                @{ Arguments = @($ModuleManifest, $vaultKey); Script = {
                        param($Manifest, $Key)
                        Register-SecretVault -Name TestStore -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault
                        Reset-SecretStore -Authentication None -Interaction None -Force -Confirm:$false -WarningAction SilentlyContinue
                        Import-Module $Manifest
                        Set-OpenAIConfig -ApiKey (ConvertTo-SecureString $Key -AsPlainText -Force) -Vault TestStore
                        (Get-SecretInfo -Name 'OpenAI.Images-default' -Vault TestStore).Name
                    }
                },
                @{ Arguments = @($ModuleManifest); Script = {
                        param($Manifest)
                        Import-Module $Manifest
                        $image = New-OpenAIImage -Prompt 'a fox from the vault'
                        (Get-OpenAIConfig).ApiKeySource.ToString()
                        $image.Index
                    }
                })

            Rotate = @(
                @{ Arguments = @($ModuleManifest, $vaultKey, $rotatedKey); Script = {
                        param($Manifest, $Key, $NewKey)
                        Register-SecretVault -Name TestStore -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault
                        Reset-SecretStore -Authentication None -Interaction None -Force -Confirm:$false -WarningAction SilentlyContinue
                        Import-Module $Manifest
                        Set-OpenAIConfig -ApiKey (ConvertTo-SecureString $Key -AsPlainText -Force) -Vault TestStore
                        Set-OpenAIConfig -ApiKey (ConvertTo-SecureString $NewKey -AsPlainText -Force)
                        Get-Secret -Name 'OpenAI.Images-default' -Vault TestStore -AsPlainText
                    }
                },
                @{ Arguments = @($ModuleManifest); Script = {
                        param($Manifest)
                        Import-Module $Manifest
                        try { $null = New-OpenAIImage -Prompt 'after rotation' -ErrorAction Stop; 'sent' } catch { $_.FullyQualifiedErrorId }
                    }
                })

            Remove = @(
                @{ Arguments = @($ModuleManifest, $vaultKey); Script = {
                        param($Manifest, $Key)
                        Register-SecretVault -Name TestStore -ModuleName Microsoft.PowerShell.SecretStore -DefaultVault
                        Reset-SecretStore -Authentication None -Interaction None -Force -Confirm:$false -WarningAction SilentlyContinue
                        Import-Module $Manifest
                        Set-OpenAIConfig -ApiKey (ConvertTo-SecureString $Key -AsPlainText -Force) -Vault TestStore
                        Remove-OpenAIConfig -Profile default -Confirm:$false
                        @(Get-SecretInfo -Name 'OpenAI.Images-default' -Vault TestStore).Count
                    }
                },
                @{ Arguments = @($ModuleManifest); Script = {
                        param($Manifest)
                        Import-Module $Manifest
                        try { $null = New-OpenAIImage -Prompt 'no key' -ErrorAction Stop; 'sent' } catch { $_.FullyQualifiedErrorId }
                    }
                })
        }

        # This process's environment as it is now, for every child (later suites change this process's environment).
        $inherited = @{}
        foreach ($entry in [System.Environment]::GetEnvironmentVariables().GetEnumerator()) { $inherited[[string] $entry.Key] = [string] $entry.Value }

        $root = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), 'openai-images-vault-' + [guid]::NewGuid().ToString('N'))
        $fakes = @(New-FakeServer -ApiKey $vaultKey -Count $steps.Count)
        $sandboxes = [ordered]@{}
        $chains = foreach ($name in $steps.Keys) {
            # A new HOME and settings folder for this test's processes, its own fake (which accepts only $vaultKey),
            # no key in the environment.
            $sandbox = [pscustomobject]@{
                Home   = [System.IO.Path]::Combine($root, $name, 'home')
                Config = [System.IO.Path]::Combine($root, $name, 'config')
                Fake   = $fakes[$sandboxes.Count]
            }
            $null = [System.IO.Directory]::CreateDirectory($sandbox.Home)
            $environment = $inherited.Clone()
            $environment['HOME'] = $sandbox.Home
            $environment['LOCALAPPDATA'] = $sandbox.Home
            $environment['XDG_CONFIG_HOME'] = $sandbox.Config
            $environment['APPDATA'] = $sandbox.Config
            $environment['PSModulePath'] = $ModulesPath + [System.IO.Path]::PathSeparator + [System.IO.Path]::Combine($PSHOME, 'Modules')
            $environment['OPENAI_BASE_URL'] = $sandbox.Fake.BaseUri
            # No key, and no organization / project headers from the developer's own environment.
            foreach ($unset in 'OPENAI_API_KEY', 'OPENAI_ORG_ID', 'OPENAI_PROJECT_ID') { $environment.Remove($unset) }
            $sandboxes[$name] = $sandbox
            [pscustomobject]@{ Name = $name; Environment = $environment; Steps = $steps[$name] }
        }

        [pscustomobject]@{
            VaultKey   = $vaultKey
            RotatedKey = $rotatedKey
            Root       = $root
            Fakes      = $fakes
            Sandboxes  = $sandboxes
            Run        = Start-ChildPwshChain -Chain $chains -ThrottleLimit $ThrottleLimit
        }
    }

    # Whether Pester will run this file in full: its configuration (Pester 5 keeps it in $PesterPreference, inside
    # its module) asks for no filter and no -SkipRun. When in doubt, BeforeAll starts the processes.
    $pester = Get-Module -Name Pester | Select-Object -First 1
    $configuration = if ($pester) { & $pester { $PesterPreference } }
    $runsInFull = $null -ne $configuration -and -not $configuration.Run.SkipRun.Value -and
        -not (@($configuration.Filter.Tag.Value) + @($configuration.Filter.ExcludeTag.Value) + @($configuration.Filter.Line.Value) +
            @($configuration.Filter.ExcludeLine.Value) + @($configuration.Filter.FullName.Value) | Where-Object { $_ })
    # Started now, one process at a time: one core runs the suites before this one, the other these processes.
    $VaultStart = @{
        Start   = $StartVaultTests
        Modules = $VaultModules.Path
        Started = if ($runsInFull -and $VaultModules.Path) { & $StartVaultTests 1 $VaultModules.Path } else { $null }
    }
}

Describe 'API key in a real SecretStore vault' -ForEach @(@{ VaultStart = $VaultStart; Missing = $VaultModules.Missing }) {
    BeforeAll {
        . $PSScriptRoot/TestHelpers.ps1
        if ($Missing) { return }
        # Whatever has not run yet runs four at once now: nothing else runs while the Its wait.
        $Vault = if ($VaultStart.Started) { $VaultStart.Started } else { & $VaultStart.Start 4 $VaultStart.Modules }
        $VaultStart.Started = $null
        Set-ChildPwshChainThrottle $Vault.Run 4
        $VaultKey = $Vault.VaultKey
        $RotatedKey = $Vault.RotatedKey

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
        # Also what discovery started when BeforeAll failed before it took it over.
        $started = if ($Vault) { $Vault } else { $VaultStart.Started }
        if ($started) {
            Stop-ChildPwshChain $started.Run
            foreach ($fake in $started.Fakes) { Remove-FakeServer $fake }
            if ([System.IO.Directory]::Exists($started.Root)) { [System.IO.Directory]::Delete($started.Root, $true) }
        }
        Restore-TestSession
    }

    BeforeEach { if ($Missing) { Set-ItResult -Skipped -Because $Missing } }

    It 'stores the key in the vault, and a new pwsh process uses it; no file holds it in plain text' {
        $stored, $used = Wait-ChildPwshChain $Vault.Run Store
        $sandbox = $Vault.Sandboxes['Store']

        $stored | Should -BeExactly 'OpenAI.Images-default'
        $used | Should -Be @('Vault', 0)
        Get-FakeHeader (Get-FakeRequest -Api -Server $sandbox.Fake)[0] 'Authorization' | Should -BeExactly "Bearer $VaultKey"
        (Get-TextUnder $sandbox.Home) + (Get-TextUnder $sandbox.Config) -join "`n" | Should -Not -Match ([regex]::Escape($VaultKey))
        (Get-Content -LiteralPath ([System.IO.Path]::Combine($sandbox.Config, 'OpenAI.Images', 'config.json')) -Raw | ConvertFrom-Json).profiles.default.apiKeyVault |
            Should -BeExactly 'TestStore'
    }

    It 'rotates the key: the next process uses the new one' {
        $inVault, $failure = Wait-ChildPwshChain $Vault.Run Rotate
        $sandbox = $Vault.Sandboxes['Rotate']

        $inVault | Should -BeExactly $RotatedKey
        # The fake accepts only the first key: the rotated one gets OpenAI's 401, which proves it was sent.
        $failure | Should -BeLike 'OpenAI.Authentication,*'
        Get-FakeHeader (Get-FakeRequest -Api -Server $sandbox.Fake)[0] 'Authorization' | Should -BeExactly "Bearer $RotatedKey"
        (Get-TextUnder $sandbox.Home) -join "`n" | Should -Not -Match ([regex]::Escape($RotatedKey))
    }

    It 'removes the profile and its secret; a new process then has no key' {
        $after, $next = Wait-ChildPwshChain $Vault.Run Remove
        $sandbox = $Vault.Sandboxes['Remove']

        $after | Should -Be 0
        $next | Should -BeLike 'OpenAI.MissingApiKey,*'
        Get-FakeRequest -Api -Server $sandbox.Fake | Should -HaveCount 0
    }

    It 'fails clearly with OpenAI.VaultError when the store is locked, and changes nothing' {
        $result = (Wait-ChildPwshChain $Vault.Run Locked)[0]
        $sandbox = $Vault.Sandboxes['Locked']

        $result.SetId | Should -BeLike 'OpenAI.VaultError,*'
        $result.SetMessage | Should -BeLike '*TestStore*'
        $result.UseId | Should -BeLike 'OpenAI.VaultError,*'
        $result.UseMessage | Should -BeLike '*TestStore*'
        $result.SettingsKept | Should -BeTrue
        $result.SecretKept | Should -BeTrue
        Get-FakeRequest -Api -Server $sandbox.Fake | Should -HaveCount 0
        "$($result.SetMessage) $($result.UseMessage)" | Should -Not -Match ([regex]::Escape($VaultKey))
    }
}
