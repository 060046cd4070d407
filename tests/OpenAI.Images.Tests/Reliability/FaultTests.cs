using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using OpenAI.Images.FakeApi;

namespace OpenAI.Images.Tests.Reliability;

/// <summary>Broken transfers, timeouts and odd bodies through the real cmdlets: a clear error, or a retry that saves the image, and never a partial file.</summary>
public sealed class FaultTests : ReliabilityTest
{
    public FaultTests(FakeApiFixture fixture) : base(fixture)
    {
    }

    private static byte[] Png => File.ReadAllBytes(ModuleHost.Asset("sample-8x8.png"));

    [Fact]
    public void AConnectionResetMidBodyIsRetriedAndTheImageSaved()
    {
        Fake.Enqueue(FakeResponse.ResetMidBody(100, customize: s => s.PadImageTo = 20_000));

        ScriptResult r = RunChecked("New-OpenAIImage 'a fox' -OutFile fox.png -Verbose");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal(2, Fake.ApiRequests.Count);
        Assert.Contains("connection failed", Assert.Single(RetryNotices(r)));
        Assert.Equal(Png, File.ReadAllBytes(Path.Combine(Temp, "fox.png")));
        Assert.Equal(new[] { Path.Combine(Temp, "fox.png") }, FilesInTemp());
    }

    [Fact]
    public void ResetsOnEveryAttemptEndInANetworkErrorAndNoFile()
    {
        Fake.Enqueue(FakeResponse.ResetMidBody(100, customize: s => s.PadImageTo = 20_000), count: 2);

        ScriptResult r = RunChecked("New-OpenAIImage 'a fox' -OutFile fox.png -MaxRetries 1");

        Assert.Equal(2, Fake.ApiRequests.Count);
        dynamic ex = AssertApiError(r, "Network", ErrorCategory.ConnectionError, "a fox");
        Assert.Equal(200, (int)ex.StatusCode);
        Assert.Contains("broke while the response was being read", (string)ex.Message);
        Assert.Empty(FilesInTemp());
    }

    [Fact]
    public void TruncatedJsonIsRetriedThenReportedAsAnInvalidResponse()
    {
        Fake.Enqueue(FakeResponse.Truncated(), count: 2);

        ScriptResult r = RunChecked("New-OpenAIImage 'a fox' -OutFile fox.png -MaxRetries 1");

        Assert.Equal(2, Fake.ApiRequests.Count);
        dynamic ex = AssertApiError(r, "InvalidResponse", ErrorCategory.InvalidResult, "a fox");
        Assert.Contains("cut off", (string)ex.Message);
        Assert.Empty(FilesInTemp());
    }

    [Fact]
    public void TruncatedJsonThenSuccessSavesTheImage()
    {
        Fake.Enqueue(FakeResponse.Truncated());

        ScriptResult r = RunChecked("New-OpenAIImage 'a fox' -OutFile fox.png");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal(2, Fake.ApiRequests.Count);
        Assert.Equal(Png, File.ReadAllBytes(Path.Combine(Temp, "fox.png")));
    }

    [Fact]
    public void AStallPastTheTimeoutIsATimeoutErrorNotACancellation()
    {
        // Ten minutes of silence: the Timeout error itself shows the 1 s timeout ended the wait (no stopwatch bound).
        Fake.Enqueue(FakeResponse.Stall(TimeSpan.FromMinutes(10)));

        var clock = Stopwatch.StartNew();
        ScriptResult r = RunChecked("New-OpenAIImage 'a fox' -OutFile fox.png -TimeoutSec 1 -MaxRetries 0");
        clock.Stop();

        Assert.Single(Fake.ApiRequests);
        dynamic ex = AssertApiError(r, "Timeout", ErrorCategory.OperationTimeout, "a fox");
        Assert.Contains("did not answer within 1 s", (string)ex.Message);
        Assert.Contains("-TimeoutSec", (string)ex.Message);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(0.9), clock.Elapsed.ToString()); // waited for the timeout
        AssertNothingLeftInFlight();
        Assert.Empty(FilesInTemp());
    }

    [Fact]
    public void ATimedOutAttemptIsRetried()
    {
        Fake.Enqueue(FakeResponse.Stall(TimeSpan.FromSeconds(20)));

        ScriptResult r = RunChecked("New-OpenAIImage 'a fox' -OutFile fox.png -TimeoutSec 1 -Verbose");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal(2, Fake.ApiRequests.Count);
        Assert.Contains("(timed out)", Assert.Single(RetryNotices(r)));
        Assert.Equal(Png, File.ReadAllBytes(Path.Combine(Temp, "fox.png")));
    }

    [Fact]
    public void ASlowTricklingBodyWithinTheTimeoutIsSavedWhole()
    {
        Fake.Enqueue(FakeResponse.Trickle(512, TimeSpan.FromMilliseconds(40), customize: s => s.PadImageTo = 6_000));

        var clock = Stopwatch.StartNew();
        ScriptResult r = RunChecked("New-OpenAIImage 'a fox' -OutFile fox.png -TimeoutSec 5");
        clock.Stop();

        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Single(Fake.ApiRequests);
        byte[] saved = File.ReadAllBytes(Path.Combine(Temp, "fox.png"));
        Assert.Equal(6_000, saved.Length);
        Assert.Equal(Png, saved.Take(Png.Length));
        Assert.True(clock.Elapsed > TimeSpan.FromMilliseconds(500), clock.Elapsed.ToString());
    }

    [Fact]
    public void ATricklingBodyThatOutlastsTheTimeoutLeavesNoPartialFile()
    {
        Fake.Enqueue(FakeResponse.Trickle(1024, TimeSpan.FromMilliseconds(100), customize: s => s.PadImageTo = 60_000));

        ScriptResult r = RunChecked("New-OpenAIImage 'a fox' -OutFile fox.png -TimeoutSec 1 -MaxRetries 0");

        Assert.Single(Fake.ApiRequests);
        dynamic ex = AssertApiError(r, "Timeout", ErrorCategory.OperationTimeout, "a fox");
        Assert.Contains("started answering but did not finish within 1 s", (string)ex.Message);
        Assert.Equal(200, (int)ex.StatusCode);
        Assert.Empty(FilesInTemp());
    }

    [Fact]
    public void AProxysHtmlErrorPageIsRetriedThenReadable()
    {
        Fake.Enqueue(FakeResponse.Html(502), count: 2);

        ScriptResult r = RunChecked("New-OpenAIImage 'a fox' -MaxRetries 1");

        Assert.Equal(2, Fake.ApiRequests.Count);
        dynamic ex = AssertApiError(r, "ServerError", ErrorCategory.ResourceUnavailable, "a fox");
        Assert.Equal(502, (int)ex.StatusCode);
        Assert.Null(ex.Type);
        string message = ex.Message;
        Assert.Contains("answered HTTP 502 Bad Gateway with a text/html body, not an OpenAI error: \"502 Bad Gateway\"", message);
        Assert.DoesNotContain("<", message);
    }

    [Fact]
    public void AnEmptySuccessIsAReadableInvalidResponseAndNotRetried()
    {
        Fake.Enqueue(FakeResponse.Empty(200));

        ScriptResult r = RunChecked("New-OpenAIImage 'a fox' -OutFile fox.png");

        Assert.Single(Fake.ApiRequests);
        dynamic ex = AssertApiError(r, "InvalidResponse", ErrorCategory.InvalidResult, "a fox");
        Assert.Contains("empty response body", (string)ex.Message);
        Assert.Empty(FilesInTemp());
    }

    [Fact]
    public void AnEmptyErrorBodyIsReadable()
    {
        Fake.Enqueue(FakeResponse.Empty(500), count: 2);

        ScriptResult r = RunChecked("New-OpenAIImage 'a fox' -MaxRetries 1");

        dynamic ex = AssertApiError(r, "ServerError", ErrorCategory.ResourceUnavailable, "a fox");
        Assert.Contains("answered HTTP 500 Internal Server Error with an empty body", (string)ex.Message);
    }

    [Fact]
    public void NothingListeningIsANetworkErrorAfterRetries()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();

        ScriptResult r = RunChecked($"New-OpenAIImage 'a fox' -BaseUri http://127.0.0.1:{port}/v1 -MaxRetries 1 -Verbose");

        dynamic ex = AssertApiError(r, "Network", ErrorCategory.ConnectionError, "a fox");
        Assert.Null(ex.StatusCode);
        Assert.Equal(2, (int)ex.Attempts);
        Assert.Contains("The connection to 127.0.0.1 failed", (string)ex.Message);
        Assert.Contains("connection failed", Assert.Single(RetryNotices(r)));
    }

    [Fact]
    public void OneFailedItemDoesNotStopTheBatch()
    {
        Fake.Responder = q => (string?)q.Json?["prompt"] == "two" ? FakeResponse.Error(400, "Your request was rejected by the safety system.", code: "moderation_blocked", type: "image_generation_user_error") : null;

        ScriptResult r = RunChecked("'one', 'two', 'three' | New-OpenAIImage -OutputDirectory out");

        Assert.Equal(new[] { "one", "three", "two" }, Fake.ApiRequests.Select(q => (string?)q.Json!["prompt"]).Order(StringComparer.Ordinal));
        Assert.Equal(new[] { "one", "three" }, r.Images.Select(i => (string)i.Prompt));
        AssertApiError(r, "ContentPolicy", ErrorCategory.SecurityError, "two");
        Assert.Equal(2, Directory.GetFiles(Path.Combine(Temp, "out")).Length);
    }

    [Fact]
    public void ErrorActionStopEndsTheBatchAtTheFirstFailure()
    {
        Fake.Responder = q => (string?)q.Json?["prompt"] == "one" ? FakeResponse.Error(400, "Invalid size.", param: "size") : null;

        // One at a time: the batch ends before 'two' is sent (ThroughputTests covers -ErrorAction Stop at the default limit).
        ScriptResult r = RunChecked("'one', 'two', 'three' | New-OpenAIImage -ThrottleLimit 1 -ErrorAction Stop");

        Assert.NotNull(r.Terminating);
        Assert.Equal("OpenAI.InvalidRequest," + NewImage, r.Terminating!.FullyQualifiedErrorId);
        Assert.Equal("one", r.Terminating.TargetObject);
        Assert.Single(Fake.ApiRequests);
        Assert.Empty(r.Images);
    }

    [Fact]
    public void ErrorActionStopWithSeveralRunningCancelsTheRest()
    {
        // The other two would hang for ten minutes: the run ending well before that shows they were cancelled (the
        // bound is a guard far from both, not a measure of speed).
        Fake.Responder = q => (string?)q.Json?["prompt"] == "one" ? FakeResponse.Error(400, "Invalid size.", param: "size") : FakeResponse.Stall(TimeSpan.FromMinutes(10));

        var clock = Stopwatch.StartNew();
        ScriptResult r = RunChecked("'one', 'two', 'three' | New-OpenAIImage -OutputDirectory out -ThrottleLimit 3 -ErrorAction Stop");
        clock.Stop();

        Assert.Equal("OpenAI.InvalidRequest," + NewImage, r.Terminating?.FullyQualifiedErrorId);
        Assert.True(clock.Elapsed < TimeSpan.FromMinutes(1), clock.Elapsed.ToString());
        AssertNothingLeftInFlight();
        Assert.Empty(Directory.GetFiles(Path.Combine(Temp, "out")));
    }

    [Fact]
    public void TheKeyAppearsInNoStreamWhateverFails()
    {
        Fake.Enqueue(
            FakeResponse.Error(500, "upstream said: Authorization Bearer " + TestKey, headers: new Dictionary<string, string> { ["retry-after-ms"] = "1" }),
            FakeResponse.ResetMidBody(50),
            FakeResponse.Error(401, "Incorrect API key provided: " + TestKey + ".", code: "invalid_api_key"));

        ScriptResult r = RunChecked("New-OpenAIImage 'a fox' -Verbose -Debug");

        Assert.Equal(3, Fake.ApiRequests.Count);
        Assert.All(Fake.ApiRequests, q => Assert.Equal("Bearer " + TestKey, q.Header("Authorization")));
        AssertApiError(r, "Authentication", ErrorCategory.AuthenticationError, "a fox");
        Assert.Contains(r.Debug, d => d.Contains("Authorization: Bearer sk-…wxyz", StringComparison.Ordinal));
        Assert.Equal(2, RetryNotices(r).Length);
    }

    [Fact]
    public void EditAndVariationFailuresTargetTheInputFiles()
    {
        string image = CopyAsset("sample-8x8-rgba.png", "photo.png"); // transparent: dall-e-2 edits it without a mask
        Fake.Enqueue(FakeResponse.Error(400, "Invalid image.", param: "image"));
        Fake.Enqueue(FakeResponse.Error(500, "boom", headers: new Dictionary<string, string> { ["x-should-retry"] = "false" }));

        ScriptResult edit = RunChecked("Edit-OpenAIImage 'add a hat' -Path photo.png -Model dall-e-2");
        ScriptResult variation = RunChecked("New-OpenAIImageVariation -Path photo.png");

        dynamic editError = AssertApiError(edit, "InvalidRequest", ErrorCategory.InvalidArgument, image, "OpenAI.Images.PowerShell.Commands.EditOpenAIImageCommand");
        Assert.Equal("image", (string)editError.Param);
        AssertApiError(variation, "ServerError", ErrorCategory.ResourceUnavailable, image, "OpenAI.Images.PowerShell.Commands.NewOpenAIImageVariationCommand");
        Assert.Equal(new[] { "/v1/images/edits", "/v1/images/variations" }, Fake.ApiRequests.Select(q => q.Path));
    }

    [Fact]
    public void AMultiMegabyteImageIsSavedWholeWithOutFile()
    {
        Fake.Enqueue(FakeResponse.Success(s => s.PadImageTo = 8 * 1024 * 1024));

        ScriptResult r = RunChecked("New-OpenAIImage 'a big fox' -OutFile big.png");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        byte[] saved = File.ReadAllBytes(Path.Combine(Temp, "big.png"));
        Assert.Equal(8 * 1024 * 1024, saved.Length);
        Assert.Equal(Png, saved.Take(Png.Length));
        Assert.All(saved.Skip(Png.Length), b => Assert.Equal(0, b));
        dynamic image = Assert.Single(r.Images);
        Assert.Null(image.Data);
        Assert.Equal(new[] { Path.Combine(Temp, "big.png") }, FilesInTemp());
    }
}
