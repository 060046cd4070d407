using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Management.Automation;
using System.Text.RegularExpressions;
using OpenAI.Images.FakeApi;

namespace OpenAI.Images.Tests.Reliability;

/// <summary>Retries through the real cmdlets against the loopback fake: which answers are retried, how long, how it is reported.</summary>
public sealed class RetryTests : ReliabilityTest
{
    public RetryTests(FakeApiFixture fixture) : base(fixture)
    {
    }

    private static Dictionary<string, string> H(string name, string value) => new(StringComparer.OrdinalIgnoreCase) { [name] = value };

    [Fact]
    public void RateLimitWithRetryAfterMsIsRetriedAfterThatWaitAndReportedVerbosely()
    {
        Fake.Enqueue(FakeResponse.RateLimited(retryAfterMs: 20));

        ScriptResult r = RunChecked("New-OpenAIImage 'a fox' -OutFile fox.png -Verbose");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal(2, Fake.ApiRequests.Count);
        Assert.Equal(new[] { "Attempt 1 of 3 failed (HTTP 429 rate_limit_exceeded); retrying in 0.02 s (as the server asked)." }, RetryNotices(r));
        Assert.Equal(File.ReadAllBytes(ModuleHost.Asset("sample-8x8.png")), File.ReadAllBytes(Path.Combine(Temp, "fox.png")));
        Assert.Equal(new[] { Path.Combine(Temp, "fox.png") }, FilesInTemp());
    }

    [Fact]
    public void RetryAfterInSecondsIsHonoured()
    {
        Fake.Enqueue(FakeResponse.RateLimited(headers: H("retry-after", "1")));

        var clock = Stopwatch.StartNew();
        ScriptResult r = RunChecked("New-OpenAIImage 'a fox' -Verbose");
        clock.Stop();

        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal(2, Fake.ApiRequests.Count);
        Assert.Equal(new[] { "Attempt 1 of 3 failed (HTTP 429 rate_limit_exceeded); retrying in 1 s (as the server asked)." }, RetryNotices(r));
        TimeSpan gap = Fake.ApiRequests[1].ReceivedAt - Fake.ApiRequests[0].ReceivedAt;
        Assert.True(gap >= TimeSpan.FromMilliseconds(950), gap.ToString());
    }

    [Fact]
    public void RetryAfterAsAnHttpDateIsHonoured()
    {
        string date = DateTimeOffset.UtcNow.AddSeconds(1).ToString("r", CultureInfo.InvariantCulture);
        Fake.Enqueue(FakeResponse.RateLimited(headers: H("retry-after", date)));

        ScriptResult r = RunChecked("New-OpenAIImage 'a fox' -Verbose");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal(2, Fake.ApiRequests.Count);
        string notice = Assert.Single(RetryNotices(r));
        Match wait = Regex.Match(notice, @"retrying in ([0-9.]+) s \(as the server asked\)");
        Assert.True(wait.Success, notice);
        Assert.InRange(double.Parse(wait.Groups[1].Value, CultureInfo.InvariantCulture), 0, 1.0);
    }

    [Fact]
    public void AServerErrorThenSuccessIsRetriedWithBackoff()
    {
        Fake.Enqueue(FakeResponse.Error(500, "The server had an error while processing your request. Sorry about that!"));

        ScriptResult r = RunChecked("New-OpenAIImage 'a fox' -Verbose");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Single(r.Images);
        Assert.Equal(2, Fake.ApiRequests.Count);
        string notice = Assert.Single(RetryNotices(r));
        Match wait = Regex.Match(notice, @"^Attempt 1 of 3 failed \(HTTP 500\); retrying in ([0-9.]+) s \(backoff\)\.$");
        Assert.True(wait.Success, notice);
        Assert.InRange(double.Parse(wait.Groups[1].Value, CultureInfo.InvariantCulture), 0.375, 0.5);
    }

    [Fact]
    public void MaxRetriesSetsHowManyTimesAFailureIsRetried()
    {
        Fake.Enqueue(FakeResponse.Error(503, "overloaded", headers: H("retry-after-ms", "1")), count: 4);

        ScriptResult r = RunChecked("New-OpenAIImage 'a fox' -MaxRetries 4 -Verbose");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal(5, Fake.ApiRequests.Count);
        Assert.Equal(new[] { "Attempt 1 of 5", "Attempt 2 of 5", "Attempt 3 of 5", "Attempt 4 of 5" }, RetryNotices(r).Select(n => n.Substring(0, 14)));
    }

    [Fact]
    public void RetriesGiveUpAfterTheDefaultTwoAndTheErrorSaysSo()
    {
        Fake.Enqueue(FakeResponse.Error(502, "Bad gateway", headers: H("retry-after-ms", "1")), count: 3);

        ScriptResult r = RunChecked("New-OpenAIImage 'a fox'");

        Assert.Equal(3, Fake.ApiRequests.Count);
        dynamic ex = AssertApiError(r, "ServerError", ErrorCategory.ResourceUnavailable, "a fox");
        Assert.Equal(502, (int)ex.StatusCode);
        Assert.Equal(3, (int)ex.Attempts);
        Assert.Contains("Gave up after 3 attempts", (string)ex.Message);
    }

    [Fact]
    public void MaxRetriesZeroTurnsRetriesOff()
    {
        Fake.Enqueue(FakeResponse.Error(500, "boom"));

        ScriptResult r = RunChecked("New-OpenAIImage 'a fox' -MaxRetries 0");

        Assert.Single(Fake.ApiRequests);
        AssertApiError(r, "ServerError", ErrorCategory.ResourceUnavailable, "a fox");
    }

    [Fact]
    public void XShouldRetryFalseIsNotRetried()
    {
        Fake.Enqueue(FakeResponse.Error(503, "The service is unavailable.", headers: H("x-should-retry", "false")));

        ScriptResult r = RunChecked("New-OpenAIImage 'a fox' -Verbose");

        Assert.Single(Fake.ApiRequests);
        Assert.Empty(RetryNotices(r));
        dynamic ex = AssertApiError(r, "ServerError", ErrorCategory.ResourceUnavailable, "a fox");
        Assert.Equal(503, (int)ex.StatusCode);
        Assert.Equal("server_error", (string)ex.Type);
        Assert.Equal("The service is unavailable.", (string)ex.ServerMessage);
        Assert.StartsWith("req_", (string)ex.RequestId);
        Assert.Contains((string)ex.RequestId, r.AllErrors.Single().ToString());
    }

    [Fact]
    public void XShouldRetryTrueRetriesAnAnswerThatIsNormallyFinal()
    {
        Fake.Enqueue(FakeResponse.Error(400, "Try that again.", headers: H("x-should-retry", "true")).WithHeader("retry-after-ms", "1"));

        ScriptResult r = RunChecked("New-OpenAIImage 'a fox'");

        Assert.True(!r.AllErrors.Any(), r.Describe());
        Assert.Equal(2, Fake.ApiRequests.Count);
    }

    [Fact]
    public void InsufficientQuotaIsNotRetried()
    {
        Fake.Enqueue(FakeResponse.Error(429, "You exceeded your current quota, please check your plan and billing details.", "insufficient_quota", "insufficient_quota", headers: H("retry-after-ms", "1")));

        ScriptResult r = RunChecked("New-OpenAIImage 'a fox' -Verbose");

        Assert.Single(Fake.ApiRequests);
        Assert.Empty(RetryNotices(r));
        dynamic ex = AssertApiError(r, "QuotaExceeded", ErrorCategory.QuotaExceeded, "a fox");
        Assert.Equal(429, (int)ex.StatusCode);
        Assert.Equal("insufficient_quota", (string)ex.Code);
        Assert.Equal("insufficient_quota", (string)ex.Type);
        Assert.StartsWith("You exceeded your current quota", (string)ex.Message);
    }

    [Fact]
    public void ARateLimitAskingForMoreThanAMinuteFailsAtOnceAndSaysWhy()
    {
        Fake.Enqueue(FakeResponse.RateLimited(headers: H("retry-after", "120")));

        ScriptResult r = RunChecked("New-OpenAIImage 'a fox'");

        Assert.Single(Fake.ApiRequests);
        dynamic ex = AssertApiError(r, "RateLimited", ErrorCategory.LimitsExceeded, "a fox");
        Assert.Equal(TimeSpan.FromSeconds(120), (TimeSpan)ex.RetryAfter);
        Assert.Contains("asked to wait 120 s before retrying, longer than the 60 s this module waits at most", (string)ex.Message);
    }

    [Theory]
    [InlineData(400, "invalid_request_error", "invalid_value", "size", "InvalidRequest", ErrorCategory.InvalidArgument)]
    [InlineData(401, "invalid_request_error", "invalid_api_key", null, "Authentication", ErrorCategory.AuthenticationError)]
    [InlineData(403, "permission_error", null, null, "PermissionDenied", ErrorCategory.PermissionDenied)]
    [InlineData(404, "invalid_request_error", "model_not_found", "model", "NotFound", ErrorCategory.ObjectNotFound)]
    [InlineData(422, "invalid_request_error", null, "prompt", "InvalidRequest", ErrorCategory.InvalidArgument)]
    [InlineData(400, "image_generation_user_error", "moderation_blocked", null, "ContentPolicy", ErrorCategory.SecurityError)]
    [InlineData(400, "invalid_request_error", "content_policy_violation", null, "ContentPolicy", ErrorCategory.SecurityError)]
    public void ClientErrorsAreNeverRetriedAndCarryEveryField(int status, string type, string? code, string? param, string kind, ErrorCategory category)
    {
        Fake.Enqueue(FakeResponse.Error(status, "The API rejected this.", type, code, param, H("retry-after-ms", "1")));

        ScriptResult r = RunChecked("New-OpenAIImage 'a fox' -Verbose -Debug");

        Assert.Single(Fake.ApiRequests);
        Assert.Empty(RetryNotices(r));
        dynamic ex = AssertApiError(r, kind, category, "a fox");
        Assert.Equal(status, (int)ex.StatusCode);
        Assert.Equal(type, (string)ex.Type);
        Assert.Equal(code, (string?)ex.Code);
        Assert.Equal(param, (string?)ex.Param);
        Assert.StartsWith("req_", (string)ex.RequestId);
        Assert.Equal("The API rejected this.", (string)ex.ServerMessage);
        Assert.Equal(1, (int)ex.Attempts);
    }
}
