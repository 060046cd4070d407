using System;
using System.Collections.Generic;
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
        // How long this takes is measured by bench/Throughput.ps1 (docs/performance.md), not asserted here.
        ScriptResult r = RunChecked(NoPollDelay + """
            $job = 1..1000 | ForEach-Object { "a red fox number $_" } | Start-OpenAIImageBatch -Name 'fox job' -OutputFormat png -Quality low
            $final = Wait-OpenAIImageBatch -JobPath $job.JobPath -PollIntervalSec 1
            $images = Receive-OpenAIImageBatch -JobPath $job.JobPath -OutputDirectory out
            $job; $final; $images
            """);

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
    }
}

/// <summary>Big images in batch output are decoded straight to disk, never held in memory.</summary>
public sealed class BatchLargeOutputTests : BatchTest
{
    public BatchLargeOutputTests(FakeApiFixture fixture) : base(fixture)
    {
    }

    [Fact]
    public void AnOutputLineWithTwo16MBImages_IsDecodedToDiskWithBoundedMemory()
    {
        const int size = 16 << 20;
        Fake.BatchPollsUntilDone = 1;
        Fake.BatchLineShape = (_, shape) => shape.PadImageTo = size;
        RunChecked(NoPollDelay + """
            $null = 'a very large poster' | Start-OpenAIImageBatch -JobPath big.json -Count 2
            $null = Wait-OpenAIImageBatch -JobPath big.json
            """);

        using System.Management.Automation.PowerShell ps = ModuleHost.Create();
        ps.Runspace.SessionStateProxy.Path.SetLocation(Temp);
        ModuleHost.Run(ps, "Get-OpenAIImageBatch -JobPath big.json"); // warm up: the engine's first-call costs are not the download's
        GC.Collect();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        ScriptResult r = ModuleHost.Run(ps, "Receive-OpenAIImageBatch -JobPath big.json -OutputDirectory out");
        long allocated = GC.GetTotalAllocatedBytes(precise: true) - before;
        AssertNoKeyAndNoTempFiles(r);

        Assert.Empty(r.AllErrors);
        Assert.Equal(2, r.Images.Count);
        Assert.All(r.Images, i => Assert.Null((byte[]?)i.Data));
        string[] files = Images(System.IO.Path.Combine(Temp, "out"));
        Assert.Equal(new[] { "00001-a-very-large-poster-1.png", "00001-a-very-large-poster-2.png" }, files.Select(System.IO.Path.GetFileName).ToArray());
        Assert.All(files, f => Assert.Equal(size, new FileInfo(f).Length));
        // 32 MB of images (43 MB of base64) went through. The line was never held as text (one UTF-16 copy of it alone
        // is 86 MB) nor the images as arrays: everything the process allocated meanwhile, the in-process fake's side of
        // the download included, stays below that. (Measured: about 54 MB, mostly transient buffers.)
        long base64 = 2L * ((size + 2) / 3 * 4);
        Assert.True(allocated < 2 * base64, $"allocated {allocated / (1 << 20)} MB");
        Console.WriteLine($"Receive of 2 x 16 MB images: {allocated / (1 << 20)} MB allocated");
    }
}

/// <summary>The ImageBatchJob table view (the hosted engine has no Format-Table, so the view is checked against the type).</summary>
public sealed class BatchFormatTests : BatchTest
{
    public BatchFormatTests(FakeApiFixture fixture) : base(fixture)
    {
    }

    [Fact]
    public void TheTableViewOfImageBatchJob_ShowsPropertiesTheTypeHas()
    {
        var format = System.Xml.Linq.XDocument.Load(System.IO.Path.Combine(ModuleHost.RepoRoot, "out", "OpenAI.Images", "OpenAI.Images.Format.ps1xml"));
        var view = format.Descendants("View").Single(v => (string?)v.Element("ViewSelectedBy")?.Element("TypeName") == "OpenAI.Images.ImageBatchJob");
        string[] labels = view.Descendants("TableColumnHeader").Select(h => (string)h.Element("Label")!).ToArray();
        Assert.Equal(new[] { "Name", "Status", "Completed", "Failed", "Total", "Batches", "Created" }, labels);
        string[] properties = view.Descendants("PropertyName").Select(p => p.Value).ToArray();
        string[] scripts = view.Descendants("ScriptBlock").Select(p => p.Value).ToArray();
        Assert.Equal(labels.Length, properties.Length + scripts.Length);

        // Each column evaluated on a real job object in the engine.
        ScriptResult r = RunChecked(NoPollDelay + "$job = 'x' | Start-OpenAIImageBatch -JobPath f.json -Name formatted\n"
            + string.Join("\n", properties.Select(p => $"[string]$job.{p}"))
            + "\n" + string.Join("\n", scripts.Select(s => $"[string]($job | ForEach-Object {{ {s} }})")));
        Assert.Empty(r.AllErrors);
        string[] values = r.Output.Select(o => o.ToString()).ToArray();
        Assert.Equal(new[] { "formatted", "validating", "0", "0", "1" }, values.Take(5).ToArray());
        Assert.Equal("1", values[5]);
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d$", values[6]);
    }
}
