# OpenAI.Images loader: imports the cmdlet assembly built for this edition.
# PowerShell 7.4+ (Core) loads bin/net8.0 and uses the runtime's own libraries; Windows PowerShell 5.1 (Desktop)
# loads bin/net472. Neither folder ships any third-party assembly, so nothing can clash with another module's copy.
# Only engine built-ins are used here (no Join-Path: hosts with just the Core cmdlets must load the module too).
$framework = if ($PSEdition -eq 'Core') { 'net8.0' } else { 'net472' }
$assemblyPath = [System.IO.Path]::Combine($PSScriptRoot, 'bin', $framework, 'OpenAI.Images.dll')
$importModule = Get-Command -Name Import-Module -Module Microsoft.PowerShell.Core

if (-not ('OpenAI.Images.PowerShell.ModuleInfo' -as [type])) {
    & $importModule -Name $assemblyPath -ErrorAction Stop
}
else {
    # Imported before in this process (Remove-Module then Import-Module): reuse the loaded assembly.
    & $importModule -Assembly ([OpenAI.Images.PowerShell.ModuleInfo].Assembly) -Force -ErrorAction Stop
}
