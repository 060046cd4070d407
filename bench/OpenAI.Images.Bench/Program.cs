using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using OpenAI.Images;
using OpenAI.Images.Http;

// Usage: dotnet run -c Release --project bench/OpenAI.Images.Bench [-- --runs N]
//        dotnet run -c Release --project bench/OpenAI.Images.Bench -- terminal [--runs N]
// Measures reading an images response (one image of 1, 4 and 16 MB, as base64 JSON) the way the module does
// (streamed, decoded in chunks into a temp file or memory) against the naive way (string + JsonDocument +
// Convert.FromBase64String), and writing a 16-image multipart edit body. Reports median time and allocated bytes.
if (args.Length >= 1 && args[0] == "terminal")
{
    return TerminalBench.Run(args.Length >= 3 && args[1] == "--runs" ? int.Parse(args[2]) : 15);
}

int runs = args.Length >= 2 && args[0] == "--runs" ? int.Parse(args[1]) : 7;
var rows = new List<string>();
string temp = Directory.CreateTempSubdirectory("openai-images-bench-").FullName;
Console.WriteLine($"runs: {runs}; .NET {Environment.Version}; {Environment.ProcessorCount} cores");
try
{
    foreach (int mb in new[] { 1, 4, 16 })
    {
        byte[] image = new byte[mb * 1024 * 1024];
        new Random(mb).NextBytes(image);
        byte[] body = Encoding.UTF8.GetBytes(
            "{\"created\":1713833628,\"data\":[{\"b64_json\":\"" + Convert.ToBase64String(image) +
            "\"}],\"output_format\":\"png\",\"size\":\"1024x1024\",\"quality\":\"high\",\"usage\":{\"total_tokens\":100,\"input_tokens\":50,\"output_tokens\":50,\"input_tokens_details\":{\"text_tokens\":10,\"image_tokens\":40}}}");
        var client = new OpenAIImagesClient(
            new OpenAIClientOptions { ApiKey = new ApiKey("sk-bench-0000000000000000"), BaseUri = new Uri("https://bench.invalid/v1") },
            new ClientDiagnostics(),
            new HttpClient(new CannedHandler(body)),
            new RetryPolicy(0));
        var request = new ImageGenerationRequest { Prompt = "bench", Model = "gpt-image-2" };

        rows.Add(Measure($"module, to temp file ({mb} MB image)", runs, async () =>
        {
            var results = await client.SendAsync(request, temp, null, CancellationToken.None);
            foreach (var r in results)
            {
                ImageFiles.Discard(r);
            }
        }));
        rows.Add(Measure($"module, to memory ({mb} MB image)", runs, async () =>
        {
            var results = await client.SendAsync(request, null, null, CancellationToken.None);
            if (results[0].Data!.Length != image.Length) throw new InvalidOperationException("wrong length");
        }));
        var http = new HttpClient(new CannedHandler(body));
        rows.Add(Measure($"naive string + JsonDocument ({mb} MB image)", runs, async () =>
        {
            string text = await (await http.GetAsync("https://bench.invalid/")).Content.ReadAsStringAsync();
            using JsonDocument doc = JsonDocument.Parse(text);
            byte[] decoded = Convert.FromBase64String(doc.RootElement.GetProperty("data")[0].GetProperty("b64_json").GetString()!);
            if (decoded.Length != image.Length) throw new InvalidOperationException("wrong length");
        }));
    }

    // Multipart: 16 input images of 2 MB each, written to a null stream the way an edit uploads them.
    string[] files = Enumerable.Range(0, 16).Select(i =>
    {
        string path = Path.Combine(temp, $"in{i}.png");
        var bytes = new byte[2 * 1024 * 1024];
        new Random(i).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        return path;
    }).ToArray();
    rows.Add(Measure("multipart body, 16 x 2 MB images", runs, async () =>
    {
        using var form = new MultipartFormContent();
        form.AddField("prompt", "bench");
        foreach (string f in files)
        {
            string p = f;
            form.AddFile("image[]", Path.GetFileName(p), "image/png", () => new FileStream(p, FileMode.Open, FileAccess.Read, FileShare.Read, 81920, true), new FileInfo(p).Length);
        }

        var sink = new CountingStream();
        await form.CopyToAsync(sink);
        if (sink.Count < 32L * 1024 * 1024) throw new InvalidOperationException("multipart body too short: " + sink.Count);
    }));
}
finally
{
    Directory.Delete(temp, true);
}

Console.WriteLine();
Console.WriteLine("| scenario | median ms | allocated MB per op |");
Console.WriteLine("| --- | ---: | ---: |");
rows.ForEach(Console.WriteLine);
return 0;

static string Measure(string name, int runs, Func<Task> op)
{
    op().GetAwaiter().GetResult(); // warm-up
    var times = new List<double>();
    var allocs = new List<long>();
    for (int i = 0; i < runs; i++)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        long before = GC.GetTotalAllocatedBytes(precise: true);
        var sw = Stopwatch.StartNew();
        op().GetAwaiter().GetResult();
        sw.Stop();
        allocs.Add(GC.GetTotalAllocatedBytes(precise: true) - before);
        times.Add(sw.Elapsed.TotalMilliseconds);
    }

    times.Sort();
    allocs.Sort();
    string row = $"| {name} | {times[times.Count / 2]:0.0} | {allocs[allocs.Count / 2] / 1048576.0:0.00} |";
    Console.WriteLine(row);
    return row;
}

/// <summary>Answers every request with the same JSON body, streamed from memory like a socket would.</summary>
sealed class CannedHandler : HttpMessageHandler
{
    private readonly byte[] _body;

    public CannedHandler(byte[] body) => _body = body;

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(new MemoryStream(_body, writable: false), 65536) };
        response.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        response.Headers.Add("x-request-id", "req_bench");
        return Task.FromResult(response);
    }
}

/// <summary>Discards what is written and counts it, so the multipart benchmark proves every byte was produced.</summary>
sealed class CountingStream : Stream
{
    public long Count { get; private set; }
    public override bool CanRead => false;
    public override bool CanSeek => false;
    public override bool CanWrite => true;
    public override long Length => Count;
    public override long Position { get => Count; set => throw new NotSupportedException(); }
    public override void Flush() { }
    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => Count += count;
    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) { Count += count; return Task.CompletedTask; }
    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) { Count += buffer.Length; return ValueTask.CompletedTask; }
}
