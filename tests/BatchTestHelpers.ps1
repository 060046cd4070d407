# Helpers shared by the batch Pester suites (dot-source after TestHelpers.ps1).

# Wait-OpenAIImageBatch polls without sleeping: the module's internal poll-delay seam (BatchLimits.PollDelayScale).
function Set-BatchSeam {
    param([double] $PollDelayScale = 0, [int] $MaxLines = 50000, [long] $MaxBytes = 200MB)
    $limits = [OpenAI.Images.ImageBatchJob].Assembly.GetType('OpenAI.Images.Batch.BatchLimits')
    $flags = [System.Reflection.BindingFlags]'NonPublic,Static'
    $limits.GetField('PollDelayScale', $flags).SetValue($null, $PollDelayScale)
    $limits.GetField('MaxLines', $flags).SetValue($null, $MaxLines)
    $limits.GetField('MaxBytes', $flags).SetValue($null, $MaxBytes)
}

# How the fake advances batches: one status per poll, then the final status.
function Set-FakeBatch {
    param([int] $PollsUntilDone = 3, [string] $FinalStatus = 'completed', [object] $Server = $FakeApi)
    $body = @{ pollsUntilDone = $PollsUntilDone; finalStatus = $FinalStatus } | ConvertTo-Json -Compress
    $null = Invoke-RestMethod -Method Post -Uri "$($Server.Root)/_fake/batches" -ContentType 'application/json' -Body $body -NoProxy -TimeoutSec 60
}

# The batch input files uploaded to the fake (purpose batch), each as an array of parsed JSONL lines.
function Get-UploadedBatchInput {
    foreach ($request in @(Get-FakeRequest -Api | Where-Object { $_.method -eq 'POST' -and $_.path -eq '/v1/files' -and (Get-FakeField $_ 'purpose') -eq 'batch' })) {
        $text = [System.Text.Encoding]::UTF8.GetString([Convert]::FromBase64String((Get-FakePart $request 'file')[0].dataBase64))
        , @($text -split "`n" | Where-Object { $_ } | ForEach-Object { $_ | ConvertFrom-Json })
    }
}

