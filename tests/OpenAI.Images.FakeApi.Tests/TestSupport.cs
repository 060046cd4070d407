using System;
using System.Collections.Generic;
using System.IO;
using System.Net.Http;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;

namespace OpenAI.Images.FakeApi.Tests;

/// <summary>One server-sent event as a client sees it.</summary>
internal sealed record SseEvent(string? Event, string Data, string Raw);

internal static class TestSupport
{
    public static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>The repository's tests/assets folder (found by walking up from the test binaries).</summary>
    public static string AssetsDirectory { get; } = FindUp(Path.Combine("tests", "assets", "sample-8x8.png")) is string png
        ? Path.GetDirectoryName(png)!
        : throw new InvalidOperationException("tests/assets not found above " + AppContext.BaseDirectory);

    public static byte[] Asset(string name) => File.ReadAllBytes(Path.Combine(AssetsDirectory, name));

    /// <summary>The first ancestor of the test binaries that has <paramref name="relative"/>, as a full path; null if none.</summary>
    public static string? FindUp(string relative)
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            string candidate = Path.Combine(dir.FullName, relative);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }

    public static HttpClient Client(FakeOpenAIServer server, string? apiKey = "sk-test")
    {
        var client = new HttpClient { BaseAddress = new Uri(server.BaseUri.AbsoluteUri.TrimEnd('/') + "/") };
        if (apiKey is not null)
        {
            client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", apiKey);
        }

        return client;
    }

    /// <summary>
    /// Polls until <paramref name="condition"/> holds: the tests wait for a state of the fake, never for a time. The
    /// minute is a guard against a hang, far above any machine's slowness.
    /// </summary>
    public static async Task UntilAsync(Func<bool> condition, string what)
    {
        var guard = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(guard.Elapsed < TimeSpan.FromMinutes(1), "never came: " + what);
            await Task.Delay(5, Ct);
        }
    }

    public static StringContent JsonBody(string json) => new(json, Encoding.UTF8, "application/json");

    public static async Task<JsonObject> ReadJsonObjectAsync(HttpResponseMessage response) =>
        JsonNode.Parse(await response.Content.ReadAsStringAsync(Ct))!.AsObject();

    /// <summary>Parses a whole SSE body (LF or CRLF line endings) into events; each must end with a blank line.</summary>
    public static List<SseEvent> ParseSse(string body)
    {
        string normalized = body.Replace("\r\n", "\n", StringComparison.Ordinal);
        Assert.EndsWith("\n\n", normalized);
        var events = new List<SseEvent>();
        foreach (string block in normalized.Split("\n\n", StringSplitOptions.RemoveEmptyEntries))
        {
            string? name = null;
            var data = new StringBuilder();
            foreach (string line in block.Split('\n'))
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    name = line.Substring(7);
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    data.Append(line.AsSpan(6));
                }
                else
                {
                    Assert.Fail("Unexpected SSE line: " + line);
                }
            }

            events.Add(new SseEvent(name, data.ToString(), block));
        }

        return events;
    }

    /// <summary>Asserts that <paramref name="obj"/> has every property in <paramref name="required"/> (non-null).</summary>
    public static void HasRequired(JsonObject obj, IEnumerable<string> required, string schema)
    {
        foreach (string name in required)
        {
            Assert.True(obj.ContainsKey(name) && obj[name] is not null, $"{schema}: required property '{name}' missing in {obj.ToJsonString()}");
        }
    }

    public static byte[] DecodeB64(JsonNode? node) => Convert.FromBase64String((string)node!);
}
