using Microsoft.Extensions.Options;
using Switchboard.Configuration;
using Switchboard.Server.RateLimiting;

namespace Switchboard.Tests.RateLimiting;

public class CallerRateLimitsTests
{
    private static readonly Guid TeamA = Guid.NewGuid();
    private static readonly Guid TeamB = Guid.NewGuid();

    private static RateLimitBucketOptions Tokens(int limit, double periodSeconds = 3600) =>
        new() { TokenLimit = limit, TokensPerPeriod = 1, ReplenishmentPeriodSeconds = periodSeconds };

    private static CallerRateLimits Create(RateLimitOptions limits) =>
        new(Options.Create(new SwitchboardOptions { RateLimits = limits }));

    [Fact]
    public void TryAcquire_KeyBucketEmpty_RefusesThatKeyOnly()
    {
        using var limits = Create(new RateLimitOptions { ApiPerKey = Tokens(2) });
        var (a, b, c) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());

        Assert.Null(limits.TryAcquire(a, TeamA, sessionCreation: false));
        Assert.Null(limits.TryAcquire(a, TeamA, sessionCreation: false));
        var refused = limits.TryAcquire(a, TeamA, sessionCreation: false);

        Assert.NotNull(refused);
        Assert.Same(RateLimitBucket.ApiPerKey, refused.Value.Bucket);
        Assert.True(refused.Value.PerKey);
        Assert.False(refused.Value.Lease.IsAcquired);
        Assert.Null(limits.TryAcquire(b, TeamA, sessionCreation: false));
        Assert.Null(limits.TryAcquire(c, TeamB, sessionCreation: false));
    }

    [Fact]
    public void TryAcquire_TeamBucketEmpty_RefusesEveryKeyOfThatTeam()
    {
        using var limits = Create(new RateLimitOptions { ApiPerTeam = Tokens(3) });
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());

        Assert.Null(limits.TryAcquire(a, TeamA, sessionCreation: false));
        Assert.Null(limits.TryAcquire(a, TeamA, sessionCreation: false));
        Assert.Null(limits.TryAcquire(b, TeamA, sessionCreation: false));
        var refused = limits.TryAcquire(b, TeamA, sessionCreation: false);

        Assert.Same(RateLimitBucket.ApiPerTeam, refused?.Bucket);
        Assert.False(refused!.Value.PerKey);
        Assert.Null(limits.TryAcquire(Guid.NewGuid(), TeamB, sessionCreation: false));
    }

    [Fact]
    public void TryAcquire_KeyRefused_SpendsNothingOfTheTeam()
    {
        // The key bucket comes first: a refused key does not drain its team's budget for the other keys.
        using var limits = Create(new RateLimitOptions { ApiPerKey = Tokens(1), ApiPerTeam = Tokens(2) });
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());

        Assert.Null(limits.TryAcquire(a, TeamA, sessionCreation: false));
        for (var i = 0; i < 5; i++)
        {
            Assert.Same(RateLimitBucket.ApiPerKey, limits.TryAcquire(a, TeamA, sessionCreation: false)?.Bucket);
        }

        Assert.Null(limits.TryAcquire(b, TeamA, sessionCreation: false));
        Assert.Same(RateLimitBucket.ApiPerTeam, limits.TryAcquire(Guid.NewGuid(), TeamA, sessionCreation: false)?.Bucket);
    }

    [Fact]
    public void TryAcquire_SessionCreation_UsesTheSessionsBucketsNotTheApiOnes()
    {
        using var limits = Create(new RateLimitOptions { ApiPerKey = Tokens(1), SessionsPerKey = Tokens(2), SessionsPerTeam = Tokens(3) });
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());

        Assert.Null(limits.TryAcquire(a, TeamA, sessionCreation: true));
        Assert.Null(limits.TryAcquire(a, TeamA, sessionCreation: true));
        Assert.Same(RateLimitBucket.SessionsPerKey, limits.TryAcquire(a, TeamA, sessionCreation: true)?.Bucket);
        Assert.Null(limits.TryAcquire(b, TeamA, sessionCreation: true));
        Assert.Same(RateLimitBucket.SessionsPerTeam, limits.TryAcquire(b, TeamA, sessionCreation: true)?.Bucket);
        // The API bucket of key a (one token) was never touched by session creation.
        Assert.Null(limits.TryAcquire(a, TeamA, sessionCreation: false));
        Assert.Same(RateLimitBucket.ApiPerKey, limits.TryAcquire(a, TeamA, sessionCreation: false)?.Bucket);
    }

    [Fact]
    public void TryAcquire_LimitsOff_NeverRefuses()
    {
        using var off = Create(new RateLimitOptions { Enabled = false, ApiPerKey = Tokens(1), ApiPerTeam = Tokens(1), SessionsPerKey = Tokens(1), SessionsPerTeam = Tokens(1) });
        using var keyOff = Create(new RateLimitOptions { ApiPerKey = Tokens(1) with { Enabled = false }, ApiPerTeam = Tokens(3) });
        var key = Guid.NewGuid();

        for (var i = 0; i < 3; i++)
        {
            Assert.Null(off.TryAcquire(key, TeamA, sessionCreation: false));
            Assert.Null(off.TryAcquire(key, TeamA, sessionCreation: true));
            Assert.Null(keyOff.TryAcquire(key, TeamA, sessionCreation: false));
        }

        Assert.Same(RateLimitBucket.ApiPerTeam, keyOff.TryAcquire(key, TeamA, sessionCreation: false)?.Bucket);
    }

    [Theory]
    [InlineData(30, 30)]
    [InlineData(2.5, 3)]
    [InlineData(0.2, 1)]
    public void RetryAfterSeconds_RefusedLease_IsThePeriodRoundedUpAndAtLeastOne(double periodSeconds, int expected)
    {
        using var limits = Create(new RateLimitOptions { ApiPerKey = Tokens(1, periodSeconds) });
        var key = Guid.NewGuid();
        limits.TryAcquire(key, TeamA, sessionCreation: false);

        using var lease = limits.TryAcquire(key, TeamA, sessionCreation: false)!.Value.Lease;

        Assert.Equal(expected, RateLimitRefusals.RetryAfterSeconds(lease));
    }
}
