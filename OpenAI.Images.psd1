# Module manifest for OpenAI.Images.
# ModuleVersion is stamped at build time from Directory.Build.props (<VersionPrefix>), the one version source;
# the copy that ships is out/OpenAI.Images/OpenAI.Images.psd1.
# No loader script: the manifest picks the assembly built for the running edition itself (the PSEdition variable is one
# of the few a manifest may read, in Windows PowerShell 5.1 too), which keeps Import-Module close to the cost of
# importing the bare assembly. PowerShell 7.4+ (Core) loads bin/net8.0; Windows PowerShell 5.1 (Desktop) loads
# bin/net472. PowerShell 7.0-7.3 (.NET 5-7, which cannot load a net8.0 assembly) is refused by PowerShellVersion
# with PowerShell's own message naming the version needed.
# The table and list views load the conventional way (FormatsToProcess): Get-Module lists them, Remove-Module removes them.
@{
    RootModule           = if ($PSEdition -eq 'Core') { 'bin/net8.0/OpenAI.Images.dll' } else { 'bin/net472/OpenAI.Images.dll' }
    ModuleVersion        = '0.0.0'
    GUID                 = '5b0f3b7e-2f5a-4c61-9a43-8f4f0f1c7a21'
    Author               = 'OpenAI.Images contributors'
    CompanyName          = 'Community'
    Copyright            = 'Copyright (c) OpenAI.Images contributors. MIT License.'
    Description          = 'Generate and edit images with the OpenAI Images API (gpt-image-2) from PowerShell, and with Azure OpenAI or OpenAI-compatible servers (which may still serve models OpenAI retired, such as dall-e-3 or gpt-image-1, and dall-e-2 variations): typed output, pipeline input, streaming partial images, retries, warnings for retired models, safe file writes, and API keys kept in SecretManagement or the environment.'
    PowerShellVersion    = if ($PSEdition -eq 'Core') { '7.4' } else { '5.1' }
    CompatiblePSEditions = @('Desktop', 'Core')
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess     = @('OpenAI.Images.Format.ps1xml')
    FunctionsToExport    = @()
    CmdletsToExport      = @(
        'New-OpenAIImage'
        'Edit-OpenAIImage'
        'New-OpenAIImageVariation'
        'Save-OpenAIImage'
        'Show-OpenAIImage'
        'Set-OpenAIConfig'
        'Get-OpenAIConfig'
        'Remove-OpenAIConfig'
        'Start-OpenAIImageBatch'
        'Get-OpenAIImageBatch'
        'Wait-OpenAIImageBatch'
        'Receive-OpenAIImageBatch'
        'Stop-OpenAIImageBatch'
        'Get-OpenAIImageModel'
    )
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('OpenAI', 'Images', 'gpt-image', 'gpt-image-2', 'AzureOpenAI', 'DALL-E', 'AI', 'ImageGeneration', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
            LicenseUri   = 'https://opensource.org/licenses/MIT'
            ReleaseNotes = 'See CHANGELOG.md.'
        }
    }
}
