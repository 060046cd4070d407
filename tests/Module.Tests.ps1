#Requires -Version 7.4
# Pester 5 suite for the shipped module folder (out/OpenAI.Images): manifest, exported commands, clean import,
# help, and the version stamped from Directory.Build.props. Needs `dotnet build` first. No fake server needed.

BeforeDiscovery {
    # The cmdlets the manifest promises, read at discovery time so that each gets its own help tests.
    # The manifest chooses its root module with an if statement ($PSEdition), which Import-PowerShellDataFile refuses
    # to evaluate: read the shipped manifest with Test-ModuleManifest instead.
    $repoRoot = Split-Path -Parent $PSScriptRoot
    $manifestData = Test-ModuleManifest -Path (Join-Path $repoRoot 'out/OpenAI.Images/OpenAI.Images.psd1') -ErrorAction Stop
    $CmdletNames = @($manifestData.ExportedCmdlets.Keys)
}

Describe 'OpenAI.Images module' {
    BeforeAll {
        . $PSScriptRoot/TestHelpers.ps1
        $ModuleFolder = Split-Path -Parent $ModuleManifest
        $Manifest = Test-ModuleManifest -Path $ModuleManifest -ErrorAction Stop
        $CommonParameters = [System.Management.Automation.PSCmdlet]::CommonParameters
    }

    AfterAll { Restore-TestSession }

    Context 'Manifest' {
        It 'passes Test-ModuleManifest' {
            $info = Test-ModuleManifest -Path $ModuleManifest -ErrorAction Stop

            $info.Name | Should -BeExactly 'OpenAI.Images'
            # No loader script: the manifest's RootModule is the assembly for this edition.
            $expected = if ($PSEdition -eq 'Core') { 'bin/net8.0/OpenAI.Images.dll' } else { 'bin/net472/OpenAI.Images.dll' }
            $info.RootModule | Should -BeExactly $expected
            Join-Path $ModuleFolder 'OpenAI.Images.psm1' | Should -Not -Exist
        }

        It 'carries the version of Directory.Build.props (VersionPrefix)' {
            $versionPrefix = (Select-Xml -LiteralPath (Join-Path $RepoRoot 'Directory.Build.props') -XPath '//VersionPrefix').Node.InnerText

            $versionPrefix | Should -Not -BeNullOrEmpty
            $Manifest.Version.ToString() | Should -BeExactly $versionPrefix
            (Get-Module -Name OpenAI.Images | Select-Object -First 1).Version | Should -Be ([version]$versionPrefix)
        }

        It 'declares both editions, Windows PowerShell 5.1 and PowerShell 7.4' {
            $Manifest.CompatiblePSEditions | Sort-Object | Should -Be @('Core', 'Desktop')
            $expected = if ($PSEdition -eq 'Core') { [version]'7.4' } else { [version]'5.1' }
            $Manifest.PowerShellVersion | Should -Be $expected
            Get-Content -LiteralPath $ModuleManifest -Raw |
                Should -Match "PowerShellVersion\s*=\s*if \(\`$PSEdition -eq 'Core'\) \{ '7\.4' \} else \{ '5\.1' \}"
        }

        It 'ships only the two assemblies for each edition' {
            foreach ($framework in 'net8.0', 'net472') {
                Get-ChildItem -LiteralPath (Join-Path $ModuleFolder "bin/$framework") -File | ForEach-Object Name | Sort-Object |
                    Should -Be @('OpenAI.Images.Core.dll', 'OpenAI.Images.dll') -Because "bin/$framework holds the module's own assemblies only"
            }
        }
    }

    Context 'Import' {
        BeforeAll {
            # One fresh pwsh process for the two tests that need one, started now so that it runs beside the others.
            $Fresh = @{
                Result = $null
                Child  = Start-ChildPwsh {
                    param($Path, $ConfigHome)
                    $env:XDG_CONFIG_HOME = $ConfigHome
                    $env:APPDATA = $ConfigHome
                    $env:OPENAI_API_KEY = 'sk-views-0123456789abcdef'
                    $types = 'OpenAI.Images.ImageResult', 'OpenAI.Images.PowerShell.OpenAIConfigInfo', 'OpenAI.Images.ImageBatchJob'
                    $ours = { @([runspace]::DefaultRunspace.InitialSessionState.Formats | Where-Object FileName -Like '*OpenAI.Images.Format.ps1xml') }
                    $warnings = @()
                    $failure = $null
                    try {
                        Import-Module -Name $Path -WarningVariable warnings -WarningAction SilentlyContinue -ErrorAction Stop
                    }
                    catch {
                        $failure = $_.ToString()
                    }
                    $commands = @(Get-Command -Module OpenAI.Images | ForEach-Object Name)
                    $exportedFormats = @((Get-Module -Name OpenAI.Images).ExportedFormatFiles)
                    $atImport = @(Get-FormatData -TypeName $types | ForEach-Object TypeNames | Sort-Object)
                    $list = Get-OpenAIConfig | Format-List | Out-String -Width 200
                    Remove-Module -Name OpenAI.Images
                    $afterRemove = @(Get-FormatData -TypeName $types).Count
                    Import-Module -Name $Path -ErrorAction Stop
                    $null = Get-OpenAIConfig
                    [pscustomobject]@{
                        Warnings        = @($warnings | ForEach-Object { $_.ToString() })
                        Failure         = $failure
                        Commands        = $commands
                        ExportedFormats = $exportedFormats
                        AtImport        = $atImport
                        AfterRemove     = $afterRemove
                        Files           = @((& $ours).FileName)
                        List            = $list
                    }
                } @($ModuleManifest, (New-TestFolder))
            }
            function Get-FreshImport {
                if ($null -eq $Fresh.Result) { $Fresh.Result = Receive-ChildPwsh $Fresh.Child }
                $Fresh.Result
            }
        }

        AfterAll { if ($Fresh.Child) { Stop-ChildPwsh $Fresh.Child } }

        It 'imports in a fresh PowerShell without warnings or errors' {
            $result = Get-FreshImport

            $result.Failure | Should -BeNullOrEmpty
            $result.Warnings | Should -HaveCount 0
            $result.Commands | Should -Not -BeNullOrEmpty
        }

        It 'exports exactly the manifest''s CmdletsToExport, and no functions, aliases or variables' {
            $exported = @(Get-Command -Module OpenAI.Images | ForEach-Object Name | Sort-Object)

            $exported | Should -Be @($Manifest.ExportedCmdlets.Keys | Sort-Object)
            @(Get-Command -Module OpenAI.Images -CommandType Function, Alias) | Should -HaveCount 0
            $module = Get-Module -Name OpenAI.Images | Select-Object -First 1
            $module.ExportedVariables.Count | Should -Be 0
        }

        It 'loads the assembly built for this edition' {
            $expected = if ($PSEdition -eq 'Core') { 'net8.0' } else { 'net472' }
            $location = (Get-Command -Name New-OpenAIImage).ImplementingType.Assembly.Location

            Split-Path -Leaf (Split-Path -Parent $location) | Should -BeExactly $expected
            $location | Should -BeLike "$ModuleFolder*"
        }

        It 'can be removed and imported again in the same session' {
            Remove-Module -Name OpenAI.Images -Force
            Import-Module -Name $ModuleManifest -ErrorAction Stop

            Get-Command -Name New-OpenAIImage -Module OpenAI.Images | Should -Not -BeNullOrEmpty
        }

        It 'loads its table views with the manifest (FormatsToProcess), removes them with the module, and loads them once' {
            # A fresh process: this session has run the module's cmdlets already.
            $result = Get-FreshImport

            $result.ExportedFormats | Should -Be @(Join-Path $ModuleFolder 'OpenAI.Images.Format.ps1xml')
            $result.AtImport | Should -Be @('OpenAI.Images.ImageBatchJob', 'OpenAI.Images.ImageResult', 'OpenAI.Images.PowerShell.OpenAIConfigInfo')
            $result.AfterRemove | Should -Be 0 -Because 'Remove-Module takes its views with it'
            $result.Files | Should -Be @(Join-Path $ModuleFolder 'OpenAI.Images.Format.ps1xml') -Because 'a re-import adds the file once'
            # The module's list view (the key masked, with its source), not PowerShell's default list of properties.
            $result.List | Should -Match 'ApiKey\s+: sk-…cdef \(Environment: \$env:OPENAI_API_KEY\)'
            $result.List | Should -Not -Match 'sk-views-0123456789abcdef'
        }
    }

    Context 'Help for <_>' -ForEach $CmdletNames {
        BeforeAll {
            $Name = $_
            # A cmdlet the module does not export fails here through every test below (and in the export test above).
            $Help = Get-Help -Name $Name -Full -ErrorAction SilentlyContinue
            $CommandInfo = Get-Command -Name $Name -Module OpenAI.Images -ErrorAction SilentlyContinue
            $Parameters = @(if ($CommandInfo) { $CommandInfo.Parameters.Keys | Where-Object { $_ -notin $CommonParameters } })
        }

        It 'has a real synopsis (not the syntax Get-Help makes up without a help file)' {
            $synopsis = ([string]$Help.Synopsis).Trim()

            $synopsis | Should -Not -BeNullOrEmpty
            $synopsis | Should -Not -BeLike "$Name *"
            $synopsis | Should -Not -BeLike '*<CommonParameters>*'
        }

        It 'has a description' {
            (@($Help.description | ForEach-Object Text) -join "`n").Trim() | Should -Not -BeNullOrEmpty
        }

        It 'has at least one example with code' {
            @($Help.examples.example | Where-Object { ([string]$_.code).Trim() }) | Should -Not -BeNullOrEmpty
        }

        It 'describes every parameter' {
            $CommandInfo | Should -Not -BeNullOrEmpty -Because "$Name is in the manifest's CmdletsToExport"
            $described = @{}
            foreach ($parameter in @($Help.parameters.parameter)) {
                if ($null -ne $parameter) {
                    $described[[string]$parameter.name] = (@($parameter.description | ForEach-Object Text) -join "`n").Trim()
                }
            }

            $undocumented = @($Parameters | Where-Object { -not $described[$_] })
            $undocumented | Should -HaveCount 0 -Because "every parameter of $Name needs a description in its help"
        }
    }
}
