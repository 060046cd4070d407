using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Net.Http;
using OpenAI.Images.Http;

namespace OpenAI.Images.Core.Tests.Http;

/// <summary>The retry rules on their own: which failures are retried, and how long each wait is.</summary>
public class RetryPolicyTests
{
    private static readonly DateTimeOffset Now = new DateTimeOffset(2025, 3, 1, 12, 0, 0, TimeSpan.Zero);

    private static RetryPolicy Policy(int maxRetries = 2, double random = 0) =>
        new RetryPolicy(maxRetries) { Random = () => random, UtcNow = () => Now };

    private static HttpResponseMessage Response(int status, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage((HttpStatusCode)status);
        foreach ((string name, string value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value);
        }

        return response;
    }

    [Fact]
    public void DefaultsAreTwoRetriesAndAOneMinuteCap()
    {
        Assert.Equal(2, new OpenAIClientOptions().MaxRetries);
        Assert.Equal(TimeSpan.FromSeconds(600), new OpenAIClientOptions().Timeout);
        Assert.Equal(TimeSpan.FromSeconds(60), new RetryPolicy(2).MaxDelay);
        Assert.Equal(0, new RetryPolicy(-3).MaxRetries);
    }

    [Theory]
    [InlineData(408, true)]
    [InlineData(409, true)]
    [InlineData(429, true)]
    [InlineData(500, true)]
    [InlineData(502, true)]
    [InlineData(503, true)]
    [InlineData(504, true)]
    [InlineData(400, false)]
    [InlineData(401, false)]
    [InlineData(403, false)]
    [InlineData(404, false)]
    [InlineData(422, false)]
    public void RetriesOnlyTransientStatuses(int status, bool retried)
    {
        RetryDecision decision = Policy().Decide(0, Response(status), null);
        Assert.Equal(retried, decision.Retry);
        if (!retried)
        {
            Assert.Contains("HTTP " + status + " is not retried", decision.Reason);
        }
    }

    [Fact]
    public void ConnectionFailuresAndTimeoutsAreRetried()
    {
        RetryDecision decision = Policy().Decide(0, null, null);
        Assert.True(decision.Retry);
        Assert.Equal(TimeSpan.FromMilliseconds(500), decision.Delay);
        Assert.Equal("backoff", decision.Reason);
    }

    [Fact]
    public void GivesUpAfterMaxRetries()
    {
        RetryPolicy policy = Policy(maxRetries: 2);
        Assert.True(policy.Decide(0, Response(500), null).Retry);
        Assert.True(policy.Decide(1, Response(500), null).Retry);
        RetryDecision last = policy.Decide(2, Response(500), null);
        Assert.False(last.Retry);
        Assert.Equal("gave up after 2 retries", last.Reason);

        RetryDecision off = Policy(maxRetries: 0).Decide(0, Response(503), null);
        Assert.False(off.Retry);
        Assert.Equal("retries are off", off.Reason);
    }

    [Theory]
    [InlineData(0, 0.0, 500)]
    [InlineData(1, 0.0, 1000)]
    [InlineData(2, 0.0, 2000)]
    [InlineData(3, 0.0, 4000)]
    [InlineData(4, 0.0, 8000)]
    [InlineData(9, 0.0, 8000)]
    [InlineData(0, 1.0, 375)]
    [InlineData(2, 0.5, 1750)]
    [InlineData(4, 1.0, 6000)]
    public void BackoffDoublesFromHalfASecondToEightWithUpToAQuarterJitter(int retryIndex, double random, int expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), Policy(maxRetries: 20, random: random).Backoff(retryIndex));
    }

    [Fact]
    public void JitterStaysWithinThreeQuartersAndTheFullBackoff()
    {
        var policy = new RetryPolicy(5);
        for (int i = 0; i < 200; i++)
        {
            TimeSpan wait = policy.Backoff(1);
            Assert.InRange(wait.TotalMilliseconds, 750, 1000);
        }
    }

    [Fact]
    public void RetryAfterMsWinsOverRetryAfterAndBackoff()
    {
        RetryDecision decision = Policy().Decide(0, Response(429, ("retry-after-ms", "1234.5"), ("retry-after", "7")), "rate_limit_exceeded");
        Assert.True(decision.Retry);
        Assert.Equal(TimeSpan.FromMilliseconds(1234.5), decision.Delay);
        Assert.Equal("as the server asked", decision.Reason);
    }

    [Theory]
    [InlineData("3", 3000)]
    [InlineData("0", 0)]
    [InlineData("1.5", 1500)]
    [InlineData(" 2 ", 2000)]
    public void RetryAfterInSeconds(string value, int expectedMs)
    {
        RetryDecision decision = Policy().Decide(0, Response(503, ("retry-after", value)), null);
        Assert.True(decision.Retry);
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), decision.Delay);
    }

    [Fact]
    public void RetryAfterAsAnHttpDateIsMeasuredFromTheClock()
    {
        string date = Now.AddSeconds(12).ToString("r", CultureInfo.InvariantCulture);
        RetryDecision decision = Policy().Decide(0, Response(429, ("retry-after", date)), null);
        Assert.True(decision.Retry);
        Assert.Equal(TimeSpan.FromSeconds(12), decision.Delay);

        string past = Now.AddSeconds(-30).ToString("r", CultureInfo.InvariantCulture);
        Assert.Equal(TimeSpan.Zero, Policy().Decide(0, Response(429, ("retry-after", past)), null).Delay);
    }

    [Theory]
    [InlineData("retry-after-ms", "soon")]
    [InlineData("retry-after-ms", "-5")]
    [InlineData("retry-after", "tomorrow-ish")]
    [InlineData("retry-after", "-1")]
    public void UnreadableRetryHeadersFallBackToBackoff(string header, string value)
    {
        RetryDecision decision = Policy(random: 0).Decide(1, Response(503, (header, value)), null);
        Assert.True(decision.Retry);
        Assert.Equal(TimeSpan.FromSeconds(1), decision.Delay);
        Assert.Equal("backoff", decision.Reason);
    }

    [Fact]
    public void XShouldRetryTrueForcesARetryOfAStatusThatIsNotRetried()
    {
        RetryDecision decision = Policy().Decide(0, Response(400, ("x-should-retry", "true")), null);
        Assert.True(decision.Retry);
        Assert.Equal(TimeSpan.FromMilliseconds(500), decision.Delay);
    }

    [Theory]
    [InlineData(503)]
    [InlineData(429)]
    [InlineData(500)]
    public void XShouldRetryFalseForbidsARetry(int status)
    {
        RetryDecision decision = Policy().Decide(0, Response(status, ("x-should-retry", "false"), ("retry-after-ms", "10")), null);
        Assert.False(decision.Retry);
        Assert.Contains("x-should-retry: false", decision.Reason);
    }

    [Fact]
    public void XShouldRetryTrueStillRespectsMaxRetries()
    {
        Assert.False(Policy(maxRetries: 1).Decide(1, Response(400, ("x-should-retry", "true")), null).Retry);
    }

    [Fact]
    public void InsufficientQuotaIsNeverRetried()
    {
        RetryDecision decision = Policy().Decide(0, Response(429, ("retry-after-ms", "10"), ("x-should-retry", "true")), "insufficient_quota");
        Assert.False(decision.Retry);
        Assert.Equal("the quota is exhausted", decision.Reason);

        Assert.True(Policy().Decide(0, Response(429), "rate_limit_exceeded").Retry);
    }

    [Fact]
    public void AWaitLongerThanTheCapIsNotTakenAndTheReasonSaysWhy()
    {
        RetryDecision decision = Policy().Decide(0, Response(429, ("retry-after", "120")), null);
        Assert.False(decision.Retry);
        Assert.Equal(TimeSpan.FromSeconds(120), decision.Delay);
        Assert.Contains("120 s", decision.Reason);
        Assert.Contains("60 s", decision.Reason);

        RetryDecision atCap = Policy().Decide(0, Response(429, ("retry-after", "60")), null);
        Assert.True(atCap.Retry);
        Assert.Equal(TimeSpan.FromSeconds(60), atCap.Delay);

        RetryDecision ms = Policy().Decide(0, Response(503, ("retry-after-ms", "60001")), null);
        Assert.False(ms.Retry);
    }

    [Fact]
    public void TheCapIsConfigurable()
    {
        RetryPolicy policy = Policy();
        policy.MaxDelay = TimeSpan.FromSeconds(1);
        Assert.False(policy.Decide(0, Response(429, ("retry-after", "2")), null).Retry);
        Assert.True(policy.Decide(0, Response(429, ("retry-after", "1")), null).Retry);
    }

    [Fact]
    public void HeaderNamesAreCaseInsensitive()
    {
        RetryDecision decision = Policy().Decide(0, Response(429, ("Retry-After-Ms", "42")), null);
        Assert.Equal(TimeSpan.FromMilliseconds(42), decision.Delay);
        Assert.False(Policy().Decide(0, Response(500, ("X-Should-Retry", "FALSE")), null).Retry);
    }

    [Fact]
    public void NoResponseMeansNoServerRequestedDelay()
    {
        Assert.Null(Policy().ServerRequestedDelay(null));
        Assert.Null(Policy().ServerRequestedDelay(Response(500)));
    }

    [Fact]
    public void SequenceOfDecisionsForATypicalOutage()
    {
        RetryPolicy policy = Policy(maxRetries: 3, random: 0);
        var waits = new List<TimeSpan>();
        for (int i = 0; ; i++)
        {
            RetryDecision d = policy.Decide(i, Response(502), null);
            if (!d.Retry)
            {
                break;
            }

            waits.Add(d.Delay);
        }

        Assert.Equal(new[] { 500.0, 1000.0, 2000.0 }, waits.ConvertAll(w => w.TotalMilliseconds));
    }
}
