using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using System.Text.Json.Nodes;
using OpenAI.Images.FakeApi;
using OpenAI.Images.Tests.Reliability;

namespace OpenAI.Images.Tests.Batch;

/// <summary>
/// Base for the batch engine tests: the fake advances a batch one status per poll (validating → in_progress →
/// finalizing → final), Wait-OpenAIImageBatch polls without sleeping (the module's internal poll-delay seam is 0),
/// and the API limits can be lowered through the internal BatchLimits seam; both are restored afterwards.
/// </summary>
public abstract class BatchTest : ReliabilityTest
{
    protected const string StartCmd = "OpenAI.Images.PowerShell.Commands.StartOpenAIImageBatchCommand";
    protected const string ReceiveCmd = "OpenAI.Images.PowerShell.Commands.ReceiveOpenAIImageBatchCommand";
    protected const string WaitCmd = "OpenAI.Images.PowerShell.Commands.WaitOpenAIImageBatchCommand";

    /// <summary>Sets the seams inside the runspace (the module's assembly is loaded there).</summary>
    protected const string NoPollDelay = "[OpenAI.Images.ImageBatchJob].Assembly.GetType('OpenAI.Images.Batch.BatchLimits').GetField('PollDelayScale', [Reflection.BindingFlags]'NonPublic,Static').SetValue($null, [double]0)\n";

    protected BatchTest(FakeApiFixture fixture) : base(fixture)
    {
        Fake.BatchPollsUntilDone = 3;
        Fake.BatchFinalStatus = "completed";
    }

    /// <summary>The loaded core assembly's BatchLimits (null before the module was first imported).</summary>
    private static Type? Limits => AppDomain.CurrentDomain.GetAssemblies()
        .FirstOrDefault(a => a.GetName().Name == "OpenAI.Images.Core")?.GetType("OpenAI.Images.Batch.BatchLimits");

    /// <summary>A script line that lowers the per-file limits.</summary>
    protected static string LowerLimits(int lines, long bytes) =>
        $"$l = [OpenAI.Images.ImageBatchJob].Assembly.GetType('OpenAI.Images.Batch.BatchLimits'); "
        + $"$l.GetField('MaxLines', [Reflection.BindingFlags]'NonPublic,Static').SetValue($null, [int]{lines}); "
        + $"$l.GetField('MaxBytes', [Reflection.BindingFlags]'NonPublic,Static').SetValue($null, [long]{bytes})\n";

    public override void Dispose()
    {
        if (Limits is Type t)
        {
            const BindingFlags flags = BindingFlags.NonPublic | BindingFlags.Static;
            t.GetField("MaxLines", flags)!.SetValue(null, 50_000);
            t.GetField("MaxBytes", flags)!.SetValue(null, 200L * 1024 * 1024);
            t.GetField("PollDelayScale", flags)!.SetValue(null, 1.0);
        }

        base.Dispose();
    }

    /// <summary>The API requests to a route (method and path suffix, e.g. POST /files).</summary>
    protected IReadOnlyList<RecordedRequest> Requests(string method, string pathEnd) =>
        Fake.ApiRequests.Where(r => r.Method == method && r.Path.EndsWith(pathEnd, StringComparison.Ordinal)).ToList();

    /// <summary>The uploaded batch input files, parsed line by line.</summary>
    protected List<List<JsonObject>> UploadedInputs() =>
        Requests("POST", "/files").Where(r => r.Field("purpose") == "batch")
            .Select(r => Encoding.UTF8.GetString(r.Files("file").Single().Data).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => (JsonObject)JsonNode.Parse(l)!).ToList())
            .ToList();

    /// <summary>The job file, parsed.</summary>
    protected JsonObject JobFile(string name) => (JsonObject)JsonNode.Parse(File.ReadAllText(Path.Combine(Temp, name)))!;

    /// <summary>Image files (not the job's own files) in a folder.</summary>
    protected static string[] Images(string folder) =>
        Directory.Exists(folder) ? Directory.GetFiles(folder).Where(f => !f.EndsWith(".json", StringComparison.Ordinal) && !f.EndsWith(".jsonl", StringComparison.Ordinal)).OrderBy(f => f, StringComparer.Ordinal).ToArray() : Array.Empty<string>();
}
