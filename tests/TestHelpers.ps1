<#
.SYNOPSIS
    Shared setup for the Pester 5 suites (tests/*.Tests.ps1). Dot-source it in BeforeAll.

.DESCRIPTION
    Dot-sourcing this file:
      - dot-sources ProcessHelpers.ps1: the repository root (the folder holding OpenAI.Images.slnx), $RepoRoot,
        $ModuleManifest, $AssetDirectory and $TestApiKey in the caller's scope, child pwsh processes
        (Invoke-ChildPwsh, Start-/Receive-ChildPwsh, Start-/Wait-ChildPwshChain) and fake servers (New-FakeServer);
      - imports the module from out/OpenAI.Images, the folder that ships. It builds nothing: run `dotnet build`
        (or ./build.ps1) first; a missing build is reported with what to run.

    It also defines small functions for the suites:
      Start-Fake / Stop-Fake     take a standalone fake OpenAI server (tests/OpenAI.Images.FakeApi, loopback only;
                                 New-FakeServer: from the run's pool, reset, or a new process) and point
                                 $env:OPENAI_API_KEY / $env:OPENAI_BASE_URL at it; Stop-Fake gives it back to the
                                 pool (it exits with this process) and restores the variables.
      Reset-Fake                 forgets recorded requests and queued replies.
      Add-FakeResponse           queues replies (entries as in the fake's README: kind, status, headers, count, ...).
      Get-FakeRequest            the recorded requests (-Api: API calls only, -Download: image downloads only).
      Get-FakePart, Get-FakeField, Get-FakeHeader, Get-FakePartBase64
                                 read recorded multipart parts, fields and headers.
      New-TestFolder, Copy-TestAsset, Get-AssetBase64, Get-FileBase64
                                 fresh folders under $TestDrive and the images of tests/assets.

    Typical use:
        BeforeAll {
            . $PSScriptRoot/TestHelpers.ps1
            $FakeApi = Start-Fake
        }
        AfterAll { Stop-Fake $FakeApi }
        BeforeEach { Reset-Fake }

    The functions that talk to the fake default to the $FakeApi variable of the calling scope.
    Everything runs on 127.0.0.1 only. Needs PowerShell 7.4+ (the suites' target).
#>

. $PSScriptRoot/ProcessHelpers.ps1

if (-not [System.IO.File]::Exists($ModuleManifest)) {
    throw "The module is not built: '$ModuleManifest' is missing. Run 'dotnet build' (or ./build.ps1) at the repository root '$RepoRoot' first."
}

# Whether the module was loaded before this suite: Restore-TestSession (AfterAll) removes it again if it was not, so
# each suite leaves the session as it found it, whatever order the suites run in.
$ModuleLoadedBeforeSuite = $null -ne (Get-Module -Name OpenAI.Images)
Import-Module -Name $ModuleManifest -Force -ErrorAction Stop

function Restore-TestSession {
    <# .SYNOPSIS For AfterAll: removes the module when the suite imported it into a session that did not have it. #>
    if (-not $ModuleLoadedBeforeSuite) {
        Remove-Module -Name OpenAI.Images -Force -ErrorAction Ignore
    }
}

function Start-Fake {
    <#
    .SYNOPSIS
        A fake OpenAI server (New-FakeServer) with OPENAI_API_KEY / OPENAI_BASE_URL pointing at it.
    .OUTPUTS
        An object with Process, BaseUri (http://127.0.0.1:PORT/v1), Root (http://127.0.0.1:PORT), ApiKey and the
        saved environment; pass it to Stop-Fake.
    #>
    [CmdletBinding()]
    param(
        [string] $ApiKey = $TestApiKey,
        [int] $TimeoutSec = 60
    )

    $server = New-FakeServer -ApiKey $ApiKey -TimeoutSec $TimeoutSec
    $baseUri = $server.BaseUri

    $saved = @{}
    foreach ($name in 'OPENAI_API_KEY', 'OPENAI_BASE_URL', 'OPENAI_ORG_ID', 'OPENAI_PROJECT_ID', 'XDG_CONFIG_HOME', 'APPDATA') {
        $saved[$name] = [System.Environment]::GetEnvironmentVariable($name)
    }
    [System.Environment]::SetEnvironmentVariable('OPENAI_API_KEY', $ApiKey)
    [System.Environment]::SetEnvironmentVariable('OPENAI_BASE_URL', $baseUri)
    # Organization / project headers from the developer's own environment would change the requests.
    [System.Environment]::SetEnvironmentVariable('OPENAI_ORG_ID', $null)
    [System.Environment]::SetEnvironmentVariable('OPENAI_PROJECT_ID', $null)
    # A profile the developer saved with Set-OpenAIConfig outranks the environment variables: give the suites an
    # empty configuration folder (XDG_CONFIG_HOME on Linux/macOS, APPDATA on Windows) so none applies.
    $configHome = [System.IO.Path]::Combine([System.IO.Path]::GetTempPath(), 'openai-images-pester-' + [guid]::NewGuid().ToString('N'))
    $null = [System.IO.Directory]::CreateDirectory($configHome)
    [System.Environment]::SetEnvironmentVariable('XDG_CONFIG_HOME', $configHome)
    [System.Environment]::SetEnvironmentVariable('APPDATA', $configHome)

    [pscustomobject]@{
        Process     = $server.Process
        BaseUri     = $baseUri
        Root        = $server.Root
        ApiKey      = $ApiKey
        Dll         = $server.Dll
        Build       = $server.Build
        PoolKey     = $server.PoolKey
        ConfigHome  = $configHome
        SavedEnvironment = $saved
    }
}

function Stop-Fake {
    <#
    .SYNOPSIS
        Gives the fake back (Remove-FakeServer: the next suite gets it, reset) and restores the environment variables.
    #>
    [CmdletBinding()]
    param([Parameter(Position = 0)] [object] $Server = $FakeApi)

    if ($null -eq $Server) {
        return
    }

    try {
        Remove-FakeServer $Server
    }
    finally {
        foreach ($entry in $Server.SavedEnvironment.GetEnumerator()) {
            [System.Environment]::SetEnvironmentVariable($entry.Key, $entry.Value)
        }
        if ($Server.ConfigHome -and [System.IO.Directory]::Exists($Server.ConfigHome)) {
            [System.IO.Directory]::Delete($Server.ConfigHome, $true)
        }
    }
}

function Reset-Fake {
    <# .SYNOPSIS Forgets the recorded requests and queued replies (POST /_fake/reset). #>
    [CmdletBinding()]
    param([object] $Server = $FakeApi)

    $null = Invoke-RestMethod -Method Post -Uri "$($Server.Root)/_fake/reset" -NoProxy -TimeoutSec 30
}

function Add-FakeResponse {
    <#
    .SYNOPSIS
        Queues replies (POST /_fake/enqueue), used in order by the next matching requests.
    .EXAMPLE
        Add-FakeResponse @{ kind = 'error'; status = 429; code = 'rate_limit_exceeded'; headers = @{ 'retry-after-ms' = '10' } }
    #>
    [CmdletBinding()]
    param(
        [Parameter(Mandatory, Position = 0)] [hashtable[]] $Entry,
        [object] $Server = $FakeApi
    )

    $body = ConvertTo-Json -InputObject @($Entry) -Depth 10 -Compress
    $null = Invoke-RestMethod -Method Post -Uri "$($Server.Root)/_fake/enqueue" -ContentType 'application/json' -Body $body -NoProxy -TimeoutSec 30
}

function Get-FakeRequest {
    <#
    .SYNOPSIS
        The requests the fake recorded, oldest first (GET /_fake/requests): method, path, headers (lower-case names,
        each an array of values), contentType, bodyText, json (the parsed JSON body), parts (name, fileName,
        contentType, isFile, length, dataBase64, text), isDownload. Written one by one to the pipeline (wrap the
        call in @() for an array).
    #>
    [CmdletBinding()]
    param(
        [switch] $Api,
        [switch] $Download,
        [object] $Server = $FakeApi
    )

    # Invoke-RestMethod writes a JSON array as ONE object (an empty one too): enumerate it, one request per object.
    $all = Invoke-RestMethod -Method Get -Uri "$($Server.Root)/_fake/requests" -NoProxy -TimeoutSec 30
    foreach ($request in $all) {
        if ($Api -and $request.isDownload) { continue }
        if ($Download -and -not $request.isDownload) { continue }
        $request
    }
}

function Get-FakePart {
    <# .SYNOPSIS The multipart parts of a recorded request with this exact name (e.g. 'image[]'), in order. #>
    param(
        [Parameter(Mandatory, Position = 0)] [object] $Request,
        [Parameter(Mandatory, Position = 1)] [string] $Name
    )

    $Request.parts | Where-Object { $_.name -ceq $Name }
}

function Get-FakeField {
    <# .SYNOPSIS The text of the LAST multipart part with this name (what a server keeps), or $null. #>
    param(
        [Parameter(Mandatory, Position = 0)] [object] $Request,
        [Parameter(Mandatory, Position = 1)] [string] $Name
    )

    $parts = @(Get-FakePart $Request $Name)
    if ($parts.Count -eq 0) { return $null }
    $parts[-1].text
}

function Get-FakeHeader {
    <# .SYNOPSIS The first value of a request header (any case), or $null when it was not sent. #>
    param(
        [Parameter(Mandatory, Position = 0)] [object] $Request,
        [Parameter(Mandatory, Position = 1)] [string] $Name
    )

    $header = $Request.headers.PSObject.Properties[$Name.ToLowerInvariant()]
    if ($null -eq $header) { return $null }
    @($header.Value)[0]
}

function New-TestFolder {
    <# .SYNOPSIS A new empty folder under $TestDrive (TestDrive lives as long as the Describe/Context). #>
    $path = [System.IO.Path]::Combine($TestDrive, [System.Guid]::NewGuid().ToString('N').Substring(0, 12))
    $null = New-Item -ItemType Directory -Path $path
    $path
}

function Copy-TestAsset {
    <# .SYNOPSIS Copies tests/assets/NAME into a folder (optionally under another name) and returns the new path. #>
    param(
        [Parameter(Mandatory, Position = 0)] [string] $Name,
        [Parameter(Mandatory, Position = 1)] [string] $Destination,
        [Parameter(Position = 2)] [string] $NewName = $Name
    )

    $target = [System.IO.Path]::Combine($Destination, $NewName)
    [System.IO.File]::Copy([System.IO.Path]::Combine($AssetDirectory, $Name), $target, $true)
    $target
}

function Get-FileBase64 {
    <# .SYNOPSIS A file's bytes as base64: compare images with Should -BeExactly and get a readable failure. #>
    param([Parameter(Mandatory, Position = 0)] [string] $Path)

    [System.Convert]::ToBase64String([System.IO.File]::ReadAllBytes($Path))
}

function Get-AssetBase64 {
    <# .SYNOPSIS tests/assets/NAME as base64. #>
    param([Parameter(Mandatory, Position = 0)] [string] $Name)

    Get-FileBase64 ([System.IO.Path]::Combine($AssetDirectory, $Name))
}

function Get-FolderContent {
    <# .SYNOPSIS The names of every file in a folder, hidden ones (.openai-images-*.tmp) included, sorted. #>
    param([Parameter(Mandatory, Position = 0)] [string] $Path)

    Get-ChildItem -LiteralPath $Path -File -Force -Recurse | ForEach-Object Name | Sort-Object
}

function New-OrphanedTempFile {
    <#
    .SYNOPSIS
        Makes a file named like the module's temporary image files (.openai-images-<32 hex>.tmp) in a folder, as a save
        killed before its rename leaves one, last written -AgeSec seconds ago (older than 60 s: an orphan the next save
        into the folder removes). A negative -AgeSec dates it into the future: a file younger than a minute however
        slowly the test runs. Returns its path.
    #>
    param(
        [Parameter(Mandatory, Position = 0)] [string] $Path,
        [int] $AgeSec = 120
    )

    $file = [System.IO.Path]::Combine($Path, '.openai-images-' + [guid]::NewGuid().ToString('N') + '.tmp')
    [System.IO.File]::WriteAllBytes($file, [byte[]](1, 2, 3))
    [System.IO.File]::SetLastWriteTimeUtc($file, [DateTime]::UtcNow.AddSeconds(-$AgeSec))
    $file
}
