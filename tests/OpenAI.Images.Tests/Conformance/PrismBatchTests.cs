using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace OpenAI.Images.Tests.Conformance;

/// <summary>
/// The batch cmdlets' requests to /files and /batches, sent by the module to Prism (openai-images.yaml): each one must
/// pass Prism's validator. The JSONL lines the module writes are checked too: each line's body is posted, as the
/// Batch API would run it, to the line's endpoint on Prism (the JSON edit body is EditImageBodyJsonParam).
/// </summary>
public sealed class PrismBatchTests(PrismFixture prism) : PrismEngineTest(prism)
{
    [Fact]
    public async System.Threading.Tasks.Task StartGetStop_RequestsToFilesAndBatches_PassPrism()
    {
        CopyAsset("sample-8x8.png", "a.png");
        CopyAsset("sample-8x8-rgba.png", "mask.png");
        var run = RunAgainstPrism("""
            $items = @(
                [pscustomobject]@{ Prompt = 'A cute baby sea otter'; Size = '1536x1024'; Quality = 'low' }
                [pscustomobject]@{ Prompt = 'A paper boat'; Count = 2; OutputFormat = 'webp'; OutputCompression = 80; Background = 'opaque'; Moderation = 'low' }
                [pscustomobject]@{ Prompt = 'Add a hat'; Path = 'a.png'; Mask = 'mask.png'; InputFidelity = 'high'; Quality = 'medium' }
                [pscustomobject]@{ Prompt = 'A lighthouse'; Model = 'gpt-image-2.5-sunburst'; Quality = 'xhigh' }
                [pscustomobject]@{ Prompt = 'Add a scarf'; Path = 'a.png'; Model = 'gpt-image-2.5-flare-2026-09-08'; Quality = 'max' }
            )
            $job = $items | Start-OpenAIImageBatch -JobPath prism.imagebatch.json -Name prism -User u-1 -MaxRetries 0 -OutputExpiresAfter '2.00:00:00' -AdditionalBody @{ user = 'u-2'; moderation = $null; complexity = 'low' }
            $job
            Get-OpenAIImageBatch -JobPath prism.imagebatch.json -MaxRetries 0
            Get-OpenAIImageBatch -First 3 -MaxRetries 0
            Stop-OpenAIImageBatch -Id $job.BatchIds[0] -Confirm:$false -MaxRetries 0
            """);

        Assert.True(run.Exchanges.Count >= 8, run.Describe());
        Assert.All(run.Exchanges, e => Assert.True(e.Passed && !e.Failed, run.Describe()));
        Assert.Contains(run.Exchanges, e => e.Method == "post" && e.Path.EndsWith("/files", StringComparison.Ordinal));
        Assert.Contains(run.Exchanges, e => e.Method == "post" && e.Path.EndsWith("/batches", StringComparison.Ordinal)); // with output_expires_after
        Assert.Contains(run.Exchanges, e => e.Method == "get" && e.Path.Contains("/batches/", StringComparison.Ordinal));
        Assert.Contains(run.Exchanges, e => e.Method == "post" && e.Path.EndsWith("/cancel", StringComparison.Ordinal));
        Assert.NotEmpty(run.Result.Objects("ImageBatchJob"));

        // The JSONL lines: each body is what the Batch API posts to the line's url.
        string[] parts = Directory.GetFiles(Temp, "prism.part*.jsonl");
        Assert.Equal(2, parts.Length); // generations and edits go to separate batches
        var lines = parts.SelectMany(File.ReadAllLines).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!).ToList();
        Assert.Equal(5, lines.Count);
        Assert.Equal(new[] { "xhigh", "max" }, lines.Select(l => (string?)l["body"]!["quality"]).Where(q => q is "xhigh" or "max"));
        Assert.All(lines, l => Assert.Equal("u-2", (string?)l["body"]!["user"]));
        Assert.All(lines, l => Assert.Null(l["body"]!["moderation"]));
        using var client = new HttpClient { BaseAddress = Prism.Server.BaseUri };
        foreach (JsonNode line in lines)
        {
            string url = (string)line["url"]!;
            Assert.StartsWith("/v1/images/", url, StringComparison.Ordinal);
            using var request = new HttpRequestMessage(HttpMethod.Post, url.Substring("/v1/".Length))
            {
                Content = new StringContent(line["body"]!.ToJsonString(), Encoding.UTF8, "application/json"),
            };
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ApiKey);
            using HttpResponseMessage response = await client.SendAsync(request, TestContext.Current.CancellationToken);
            string body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{url} {line["body"]!.ToJsonString()} -> {(int)response.StatusCode}: {body}");
        }
    }
}
