using System.Threading.RateLimiting;
using Switchboard.Server.RateLimiting;

namespace Switchboard.Tests.RateLimiting;

public class TokenBucketMathTests
{
    private static TokenBucketRateLimiterOptions Bucket(int limit, int perPeriod, double periodSeconds) =>
        new() { TokenLimit = limit, TokensPerPeriod = perPeriod, ReplenishmentPeriod = TimeSpan.FromSeconds(periodSeconds), QueueLimit = 0, AutoReplenishment = false };

    [Fact]
    public void RedisKey_NamesTheLimitAndThePartition()
    {
        Assert.Equal("switchboard:rl:ApiPerIp:2001:db8::/64", TokenBucketMath.RedisKey("ApiPerIp", "2001:db8::/64"));
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(500, 25)]
    [InlineData(1000, 50)]
    [InlineData(100_000, 200)]
    public void Refill_AddsTokensContinuouslyAtTheRate_NeverAboveTheLimit(long elapsedMs, double expected)
    {
        // 50 tokens per second, burst 200, from an empty bucket.
        Assert.Equal(expected, TokenBucketMath.Refill(0, elapsedMs, Bucket(200, 50, 1)), 6);
    }

    [Fact]
    public void Refill_ClockStepBackwards_AddsNothing()
    {
        Assert.Equal(3, TokenBucketMath.Refill(3, -5000, Bucket(10, 1, 1)));
    }

    [Theory]
    [InlineData(0, 1, 1, 1000)]
    [InlineData(0.5, 1, 1, 500)]
    [InlineData(0, 50, 1, 20)]
    [InlineData(0.9999999, 1000, 0.1, 1)]
    [InlineData(0, 1, 3600, 3_600_000)]
    public void WaitMilliseconds_IsTheTimeToAWholeToken_AtLeastOne(double tokens, int perPeriod, double periodSeconds, long expected)
    {
        Assert.Equal(expected, TokenBucketMath.WaitMilliseconds(tokens, Bucket(1000, perPeriod, periodSeconds)));
    }

    [Theory]
    [InlineData(200, 50, 1, 4000)]
    [InlineData(60, 1, 1, 60_000)]
    [InlineData(7, 2, 10, 40_000)]
    public void FullRefill_IsWholePeriodsUntilTheBucketIsFull(int limit, int perPeriod, double periodSeconds, long expected)
    {
        var bucket = Bucket(limit, perPeriod, periodSeconds);

        Assert.Equal(expected, TokenBucketMath.FullRefillMilliseconds(bucket));
        Assert.Equal(expected + 1000, TokenBucketMath.KeyTtlMilliseconds(bucket));
    }

    [Fact]
    public async Task Counter_WithoutRedis_CountsInProcess_AndTellsTheWait()
    {
        using var counter = new RateLimitCounter();
        var bucket = Bucket(2, 1, 30);

        Assert.False(counter.Shared);
        Assert.True((await counter.TakeAsync("ApiPerKey", "k", bucket, CancellationToken.None)).IsAcquired);
        Assert.True((await counter.TakeAsync("ApiPerKey", "k", bucket, CancellationToken.None)).IsAcquired);
        using var refused = await counter.TakeAsync("ApiPerKey", "k", bucket, CancellationToken.None);
        Assert.False(refused.IsAcquired);
        Assert.Equal(30, RateLimitRefusals.RetryAfterSeconds(refused));
        // Another partition and another limit have their own buckets.
        Assert.True((await counter.TakeAsync("ApiPerKey", "other", bucket, CancellationToken.None)).IsAcquired);
        Assert.True((await counter.TakeAsync("ApiPerTeam", "k", bucket, CancellationToken.None)).IsAcquired);
    }
}
