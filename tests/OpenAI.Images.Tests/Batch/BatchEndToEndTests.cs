using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.Json.Nodes;

namespace OpenAI.Images.Tests.Batch;

/// <summary>Start → Wait → Receive against the loopback fake, with the Batch API's real JSONL shapes and image bytes.</summary>
public sealed class BatchEndToEndTests : BatchTest
{
    public BatchEndToEndTests(FakeApiFixture fixture) : base(fixture)
    {
    }

    [Fact]
    public void AThousandPromptJob_RunsEndToEnd_WithOneInputFileOneBatchAndEveryImageSavedUnderItsCustomId()
    {
        var clock = Stopwatch.StartNew();
        ScriptResult r = RunChecked(NoPollDelay + """
            $job = 1..1000 | ForEach-Object { "a red fox number $_" } | Start-OpenAIImageBatch -Name 'fox job' -OutputFormat png -Quality low
            $final = Wait-OpenAIImageBatch -JobPath $job.JobPath -PollIntervalSec 1
            $images = Receive-OpenAIImageBatch -JobPath $job.JobPath -OutputDirectory out
            $job; $final; $images
            """);
        TimeSpan elapsed = clock.Elapsed;

        Assert.Empty(r.AllErrors);
        List<dynamic> jobs = r.Objects("ImageBatchJob");
        Assert.Equal(2, jobs.Count);
        Assert.Equal("completed", (string)jobs[1].Status);
        Assert.Equal(1000, (int)jobs[1].Completed);
        Assert.Equal(0, (int)jobs[1].Failed);
        Assert.Equal(Path.Combine(Temp, "fox-job.imagebatch.json"), (string)jobs[0].JobPath);

        // One JSONL upload (purpose batch) with a line per prompt, one batch for the generations endpoint.
        List<List<JsonObject>> inputs = UploadedInputs();
        List<JsonObject> lines = Assert.Single(inputs);
        Assert.Equal(1000, lines.Count);
        Assert.Equal(1000, lines.Select(l => (string)l["custom_id"]!).Distinct().Count());
        JsonObject first = lines[0];
        Assert.Equal("00001-a-red-fox-number-1", (string?)first["custom_id"]);
        Assert.Equal("POST", (string?)first["method"]);
        Assert.Equal("/v1/images/generations", (string?)first["url"]);
        Assert.Equal("a red fox number 1", (string?)first["body"]!["prompt"]);
        Assert.Equal("gpt-image-2", (string?)first["body"]!["model"]);
        Assert.Equal("low", (string?)first["body"]!["quality"]);
        Assert.Equal("png", (string?)first["body"]!["output_format"]);

        var create = Assert.Single(Requests("POST", "/batches"));
        Assert.Equal("/v1/images/generations", (string?)create.Json!["endpoint"]);
        Assert.Equal("24h", (string?)create.Json!["completion_window"]);
        Assert.Equal("fox job", (string?)create.Json!["metadata"]!["openai_images_job"]);
        Assert.Equal("1/1", (string?)create.Json!["metadata"]!["openai_images_part"]);

        // Every image saved under the name planned from its custom_id, with the PNG bytes the API sent.
        List<dynamic> images = r.Images;
        Assert.Equal(1000, images.Count);
        string[] files = Images(Path.Combine(Temp, "out"));
        Assert.Equal(1000, files.Length);
        byte[] png = File.ReadAllBytes(ModuleHost.Asset("sample-8x8.png"));
        Assert.All(files, f => Assert.Equal(png, File.ReadAllBytes(f)));
        dynamic one = images.Single(i => (string)i.CustomId == "00042-a-red-fox-number-42");
        Assert.Equal(Path.Combine(Temp, "out", "00042-a-red-fox-number-42.png"), (string)one.File.FullName);
        Assert.Equal("a red fox number 42", (string)one.Prompt);
        Assert.Equal("gpt-image-2", (string)one.Model);
        Assert.NotNull(one.Usage);
        Assert.StartsWith("req_", (string)one.RequestId);

        // The job file: atomically written, never the key, the batch id and final state recorded.
        string jobText = File.ReadAllText(Path.Combine(Temp, "fox-job.imagebatch.json"));
        Assert.DoesNotContain(TestKey, jobText, StringComparison.Ordinal);
        JsonObject jobFile = JobFile("fox-job.imagebatch.json");
        Assert.Equal("completed", (string?)jobFile["batches"]![0]!["batch"]!["status"]);
        Assert.Equal((string)jobs[0].BatchIds[0], (string?)jobFile["batches"]![0]!["batch"]!["id"]);
        Assert.True(File.Exists(Path.Combine(Temp, "fox-job.part1.jsonl")));

        // Progress while waiting and receiving.
        Assert.Contains(r.Progress, p => p.Activity == "Wait-OpenAIImageBatch" && p.StatusDescription.Contains("of 1000", StringComparison.Ordinal));
        Assert.Contains(r.Progress, p => p.Activity == "Receive-OpenAIImageBatch");
        Assert.True(elapsed < TimeSpan.FromSeconds(60), elapsed.ToString());
        Console.WriteLine($"1000-prompt job end to end: {elapsed.TotalSeconds:0.0} s");
    }
}
