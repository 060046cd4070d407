using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using OpenAI.Images.Batch;
using OpenAI.Images.Core.Tests.Json;
using OpenAI.Images.Json;

namespace OpenAI.Images.Core.Tests.Batch;

public class JsonLinesReaderTests
{
    private static async Task<List<string>> LinesAsync(byte[] data, ReadMode mode, int readSize = 7)
    {
        var reader = new JsonLinesReader(new ChunkedReadStream(data, mode, 42));
        var lines = new List<string>();
        Stream? line;
        while ((line = await reader.NextLineAsync(TestStreams.Ct)) != null)
        {
            var buffer = new MemoryStream();
            var chunk = new byte[readSize];
            int n;
            while ((n = await line.ReadAsync(chunk, 0, chunk.Length, TestStreams.Ct)) > 0)
            {
                buffer.Write(chunk, 0, n);
            }

            lines.Add(Encoding.UTF8.GetString(buffer.ToArray()));
        }

        return lines;
    }

    [Theory]
    [MemberData(nameof(TestStreams.Modes), MemberType = typeof(TestStreams))]
    public async Task SplitsAtLineFeeds_SkipsBlankLines_AndKeepsAFinalLineWithoutLineFeed(ReadMode mode)
    {
        byte[] data = Encoding.UTF8.GetBytes("{\"a\":1}\n\n{\"b\":\"é\"}\r\n\n{\"c\":3}");
        List<string> lines = await LinesAsync(data, mode);
        Assert.Equal(new[] { "{\"a\":1}", "{\"b\":\"é\"}\r", "{\"c\":3}" }, lines);
    }

    [Fact]
    public async Task ALineLongerThanTheBuffer_IsStreamedWhole()
    {
        string big = "{\"b64_json\":\"" + new string('A', 300_000) + "\"}";
        byte[] data = Encoding.UTF8.GetBytes(big + "\n{\"x\":1}\n");
        List<string> lines = await LinesAsync(data, ReadMode.RandomChunks, 4096);
        Assert.Equal(new[] { big, "{\"x\":1}" }, lines);
    }

    [Fact]
    public async Task WhatTheCallerLeavesUnreadOfALine_IsSkipped()
    {
        var reader = new JsonLinesReader(new MemoryStream(Encoding.UTF8.GetBytes("first line that is not read\nsecond\n")));
        Stream first = (await reader.NextLineAsync(TestStreams.Ct))!;
        Assert.Equal((byte)'f', (byte)first.ReadByte());
        Stream second = (await reader.NextLineAsync(TestStreams.Ct))!;
        Assert.Equal("second", new StreamReader(second).ReadToEnd());
        Assert.Equal(2, reader.LineNumber);
        Assert.Null(await reader.NextLineAsync(TestStreams.Ct));
    }

    [Fact]
    public async Task EachLineParsesAsOneJsonDocument()
    {
        var reader = new JsonLinesReader(new MemoryStream(Encoding.UTF8.GetBytes("{\"custom_id\":\"1\"}\n{\"custom_id\":\"2\"}\n")));
        var ids = new List<string?>();
        Stream? line;
        while ((line = await reader.NextLineAsync(TestStreams.Ct)) != null)
        {
            ids.Add((await JsonValue.ParseAsync(line, 1 << 20, TestStreams.Ct)).GetStringProperty("custom_id"));
        }

        Assert.Equal(new[] { "1", "2" }, ids);
    }
}

/// <summary>The planner reads the static limits; the tests that lower them are in this one class (run one at a time) and restore them.</summary>
public sealed class ImageBatchPlannerTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("openai-images-batch-").FullName;

    public void Dispose()
    {
        BatchLimits.MaxLines = 50_000;
        BatchLimits.MaxBytes = 200L * 1024 * 1024;
        Directory.Delete(_folder, recursive: true);
    }

    private static List<ImageBatchItem> Generations(int count) =>
        Enumerable.Range(0, count).Select(i =>
        {
            var r = new ImageGenerationRequest { Prompt = "prompt number " + i, Model = "gpt-image-2" };
            return new ImageBatchItem(r, ImageBatchPlanner.CustomId(i, count, r));
        }).ToList();

    [Fact]
    public void Plan_SplitsAtTheLineLimit_AndByEndpoint()
    {
        BatchLimits.MaxLines = 3;
        List<ImageBatchItem> items = Generations(7);
        string png = Path.Combine(_folder, "a.png");
        File.WriteAllBytes(png, File.ReadAllBytes(TestAssets.Path("sample-8x8.png")));
        var edit = new ImageEditRequest { Prompt = "edit", Model = "gpt-image-2" };
        edit.Images.Add(ImageInputFile.FromPath(png));
        items.Insert(2, new ImageBatchItem(edit, "edit-1"));

        IReadOnlyList<ImageBatchPartPlan> plan = ImageBatchPlanner.Plan(items);
        Assert.Equal(
            new[] { ("/v1/images/generations", 3), ("/v1/images/generations", 3), ("/v1/images/generations", 1), ("/v1/images/edits", 1) },
            plan.Select(p => (p.Endpoint, p.Lines)).ToArray());
    }

    [Fact]
    public void WriteInputFiles_NeverPassesTheByteLimit_AndWritesEveryLineOnce()
    {
        List<ImageBatchItem> items = Generations(20);
        long one = ImageBatchPlanner.Line(items[0], _ => "x").Length;
        BatchLimits.MaxBytes = one * 3 + 5;
        var job = new ImageBatchJob { JobPath = Path.Combine(_folder, "job.imagebatch.json"), Name = "job" };

        ImageBatchPlanner.WriteInputFiles(job, items, _ => throw new InvalidOperationException("no images"), overwrite: false);

        Assert.True(job.Batches.Count >= 7, job.Batches.Count.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var lines = new List<string>();
        foreach (ImageBatch b in job.Batches)
        {
            string path = Path.Combine(_folder, b.InputPath!);
            Assert.Equal($"job.part{b.Part}.jsonl", b.InputPath);
            Assert.True(new FileInfo(path).Length <= BatchLimits.MaxBytes);
            Assert.Equal(new FileInfo(path).Length, b.ByteCount);
            string[] fileLines = File.ReadAllLines(path);
            Assert.Equal(b.LineCount, fileLines.Length);
            lines.AddRange(fileLines);
        }

        Assert.Equal(items.Select(i => i.CustomId), lines.Select(l => JsonValue.Parse(l).GetStringProperty("custom_id")));

        // Each file was closed only when the next line would not fit.
        for (int i = 0; i + 1 < job.Batches.Count; i++)
        {
            string next = File.ReadLines(Path.Combine(_folder, job.Batches[i + 1].InputPath!)).First();
            Assert.True(job.Batches[i].ByteCount + Encoding.UTF8.GetByteCount(next) + 1 > BatchLimits.MaxBytes);
        }
        Assert.DoesNotContain(Directory.GetFiles(_folder), f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Fact]
    public void ALineLargerThanAFile_IsAValidationError()
    {
        BatchLimits.MaxBytes = 50;
        var ex = Assert.Throws<OpenAIValidationException>(() => ImageBatchPlanner.Plan(Generations(1)));
        Assert.Equal("OpenAI.Validation.BatchLineTooLarge", ex.ErrorId);
    }

    [Fact]
    public void CustomIds_AreNumberedInOrder_AndNameThePrompt()
    {
        var r = new ImageGenerationRequest { Prompt = "A Red Fox, in snow!" };
        Assert.Equal("00007-a-red-fox-in-snow", ImageBatchPlanner.CustomId(6, 10, r));
        Assert.Equal("000007-a-red-fox-in-snow", ImageBatchPlanner.CustomId(6, 123_456, r));
    }
}

public sealed class ImageBatchJobTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("openai-images-job-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void SaveAndLoad_RoundTripTheJob_AndLeaveNoTemporaryFile()
    {
        string path = Path.Combine(_folder, "j.imagebatch.json");
        var job = new ImageBatchJob { JobPath = path, Name = "j", JobId = "abc", Created = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero) };
        job.Uploads.Add(new ImageBatchUpload { Sha256 = "ff", Path = "/x/a.png", Length = 10, FileId = "file-1" });
        var batch = new ImageBatch { Part = 1, Endpoint = "/v1/images/generations", InputPath = "j.part1.jsonl", LineCount = 2, ByteCount = 99, InputFileId = "file-in" };
        batch.Apply(JsonValue.Parse("""
            {"id":"batch_1","object":"batch","endpoint":"/v1/images/generations","status":"expired","input_file_id":"file-in",
             "output_file_id":"file-out","error_file_id":"file-err","created_at":1700000000,"expires_at":1700086400,
             "request_counts":{"total":2,"completed":1,"failed":1},"metadata":{"openai_images_job":"j"},
             "errors":{"object":"list","data":[{"code":"c","message":"m","param":null,"line":2}]}}
            """));
        job.Batches.Add(batch);

        job.Save();
        ImageBatchJob loaded = ImageBatchJob.Load(path);

        Assert.Equal(new[] { "j.imagebatch.json" }, Directory.GetFiles(_folder).Select(Path.GetFileName));
        Assert.Equal("j", loaded.Name);
        Assert.Equal(job.Created, loaded.Created);
        Assert.Equal("file-1", Assert.Single(loaded.Uploads).FileId);
        ImageBatch b = Assert.Single(loaded.Batches);
        Assert.Equal(("batch_1", "expired", "file-out", "file-err", 2, 1, 1), (b.Id, b.Status, b.OutputFileId, b.ErrorFileId, b.Total, b.Completed, b.Failed));
        Assert.Equal("c: m (line 2)", Assert.Single(b.Errors).ToString());
        Assert.Equal("expired", loaded.Status);
        Assert.True(loaded.IsFinal);
    }

    [Theory]
    [InlineData(new[] { "completed", "in_progress" }, "in_progress")]
    [InlineData(new[] { "finalizing", "validating" }, "validating")]
    [InlineData(new[] { "completed", "expired" }, "expired")]
    [InlineData(new[] { "cancelled", "failed" }, "failed")]
    [InlineData(new[] { "completed", "completed" }, "completed")]
    public void TheJobStatus_IsTheLeastAdvancedWhileRunning_ThenTheWorstFinal(string[] statuses, string expected)
    {
        var job = new ImageBatchJob();
        foreach (string s in statuses)
        {
            job.Batches.Add(new ImageBatch { Id = "b", Status = s });
        }

        Assert.Equal(expected, job.Status);
    }

    [Fact]
    public void AFileThatIsNotAJob_IsInvalidData()
    {
        string path = Path.Combine(_folder, "other.json");
        File.WriteAllText(path, "{\"name\":\"x\"}");
        Assert.Throws<InvalidDataException>(() => ImageBatchJob.Load(path));
    }
}
