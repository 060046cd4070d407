using System;
using System.Collections.Concurrent;
using System.Globalization;
using System.IO;
using System.Linq;
using OpenAI.Images.FakeApi;

namespace OpenAI.Images.Tests.Reliability;

/// <summary>An unattended batch against a flaky server: every image arrives, exactly once, and nothing partial is left.</summary>
public sealed class BatchTests : ReliabilityTest
{
    public BatchTests(FakeApiFixture fixture) : base(fixture)
    {
    }

    [Fact]
    public void AHundredPromptsSurviveAServerThatFailsAThirdOfTheTime()
    {
        var attempts = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var failures = new ConcurrentBag<string>();
        var fast = new System.Collections.Generic.Dictionary<string, string> { ["retry-after-ms"] = "5" };
        Fake.Responder = q =>
        {
            string prompt = (string)q.Json!["prompt"]!;
            int n = attempts.AddOrUpdate(prompt, 1, (_, v) => v + 1);
            int i = int.Parse(prompt.Substring("prompt ".Length), CultureInfo.InvariantCulture);

            // 30 of the 100 prompts fail their first attempt (500, 429, a reset connection or a 503 page from a
            // proxy, in turn); a third of those fail their second attempt too.
            FakeResponse? fault = null;
            if (n == 1 && i % 10 < 3)
            {
                fault = (i % 4) switch
                {
                    0 => FakeResponse.Error(500, "The server had an error while processing your request.", headers: fast),
                    1 => FakeResponse.RateLimited(retryAfterMs: 5),
                    2 => FakeResponse.ResetMidBody(120, customize: s => s.PadImageTo = 4_000),
                    _ => FakeResponse.Html(503, fast),
                };
            }
            else if (n == 2 && i % 10 == 0)
            {
                fault = FakeResponse.Error(503, "overloaded", headers: fast);
            }

            if (fault != null)
            {
                failures.Add(prompt);
            }

            return fault;
        };

        ScriptResult r = RunChecked(
            "$prompts = 1..100 | ForEach-Object { 'prompt {0:000}' -f $_ }\n" +
            "$prompts | New-OpenAIImage -OutputDirectory out -ThrottleLimit 4");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        string outDir = Path.Combine(Temp, "out");
        string[] files = Directory.GetFiles(outDir, "*", SearchOption.AllDirectories);
        Assert.Equal(100, files.Length);
        Assert.Equal(100, r.Images.Count);
        Assert.Equal(100, attempts.Count);
        Assert.Equal(40, failures.Count);
        Assert.Equal(140, Fake.ApiRequests.Count);

        // Every prompt has exactly one image, each in its own file, each whole.
        var expected = Enumerable.Range(1, 100).Select(i => "prompt " + i.ToString("000", CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(expected, r.Images.Select(i => (string)i.Prompt).OrderBy(p => p, StringComparer.Ordinal));
        string[] saved = r.Images.Select(i => (string)i.File.FullName).ToArray();
        Assert.Equal(100, saved.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(files.OrderBy(f => f, StringComparer.Ordinal), saved.OrderBy(f => f, StringComparer.Ordinal));
        byte[] png = File.ReadAllBytes(ModuleHost.Asset("sample-8x8.png"));
        foreach (dynamic image in r.Images)
        {
            string path = image.File.FullName;
            Assert.Equal(png, File.ReadAllBytes(path));
            Assert.EndsWith(ImagesSlug((string)image.Prompt) + ".png", path, StringComparison.Ordinal);
        }
    }

    private static string ImagesSlug(string prompt) => prompt.Replace(' ', '-');
}
