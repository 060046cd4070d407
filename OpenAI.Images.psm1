# OpenAI.Images loader: imports the cmdlet assembly built for this edition.
# PowerShell 7.4+ (Core) loads bin/net8.0 and uses the runtime's own libraries; Windows PowerShell 5.1 (Desktop)
# loads bin/net472. Neither folder ships any third-party assembly, so nothing can clash with another module's copy.
# Only engine built-ins are used here (no Join-Path: hosts with just the Core cmdlets must load the module too).
if ($PSEdition -eq 'Core' -and $PSVersionTable.PSVersion -lt [version]'7.4') {
    throw "OpenAI.Images needs PowerShell 7.4 or later (this is $($PSVersionTable.PSVersion)), or Windows PowerShell 5.1. Update PowerShell: https://aka.ms/powershell"
}

$framework = if ($PSEdition -eq 'Core') { 'net8.0' } else { 'net472' }
$assemblyPath = [System.IO.Path]::Combine($PSScriptRoot, 'bin', $framework, 'OpenAI.Images.dll')
$loaded = 'OpenAI.Images.PowerShell.ModuleInfo' -as [type]
if ($loaded -and $loaded.Assembly.Location -and -not [string]::Equals([System.IO.Path]::GetFullPath($loaded.Assembly.Location), [System.IO.Path]::GetFullPath($assemblyPath), [System.StringComparison]::OrdinalIgnoreCase)) {
    # .NET cannot unload an assembly: importing another copy in this process keeps using the one already loaded.
    # Write-Warning lives in Microsoft.PowerShell.Utility, which minimal hosts may not have.
    if (Get-Command -Name Write-Warning -ErrorAction Ignore) { Write-Warning "OpenAI.Images: this session already loaded the module's assembly from '$($loaded.Assembly.Location)'; it keeps using that copy. Start a new session to load '$assemblyPath'." }
}

# Always by path: the engine reuses an assembly it loaded before (Remove-Module, then Import-Module, or -Force), and
# exports its cmdlets again. (Import-Module -Assembly exports nothing on such a re-import.)
Microsoft.PowerShell.Core\Import-Module -Name $assemblyPath -ErrorAction Stop
