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
    public async Task TryAcquire_KeyBucketEmpty_RefusesThatKeyOnly()
    {
        using var limits = Create(new RateLimitOptions { ApiPerKey = Tokens(2) });
        var (a, b, c) = (Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid());

        Assert.Null(await limits.TryAcquireAsync(a, TeamA, sessionCreation: false));
        Assert.Null(await limits.TryAcquireAsync(a, TeamA, sessionCreation: false));
        var refused = await limits.TryAcquireAsync(a, TeamA, sessionCreation: false);

        Assert.NotNull(refused);
        Assert.Same(RateLimitBucket.ApiPerKey, refused.Value.Bucket);
        Assert.True(refused.Value.PerKey);
        Assert.False(refused.Value.Lease.IsAcquired);
        Assert.Null(await limits.TryAcquireAsync(b, TeamA, sessionCreation: false));
        Assert.Null(await limits.TryAcquireAsync(c, TeamB, sessionCreation: false));
    }

    [Fact]
    public async Task TryAcquire_TeamBucketEmpty_RefusesEveryKeyOfThatTeam()
    {
        using var limits = Create(new RateLimitOptions { ApiPerTeam = Tokens(3) });
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());

        Assert.Null(await limits.TryAcquireAsync(a, TeamA, sessionCreation: false));
        Assert.Null(await limits.TryAcquireAsync(a, TeamA, sessionCreation: false));
        Assert.Null(await limits.TryAcquireAsync(b, TeamA, sessionCreation: false));
        var refused = await limits.TryAcquireAsync(b, TeamA, sessionCreation: false);

        Assert.Same(RateLimitBucket.ApiPerTeam, refused?.Bucket);
        Assert.False(refused!.Value.PerKey);
        Assert.Null(await limits.TryAcquireAsync(Guid.NewGuid(), TeamB, sessionCreation: false));
    }

    [Fact]
    public async Task TryAcquire_KeyRefused_SpendsNothingOfTheTeam()
    {
        // The key bucket comes first: a refused key does not drain its team's budget for the other keys.
        using var limits = Create(new RateLimitOptions { ApiPerKey = Tokens(1), ApiPerTeam = Tokens(2) });
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());

        Assert.Null(await limits.TryAcquireAsync(a, TeamA, sessionCreation: false));
        for (var i = 0; i < 5; i++)
        {
            Assert.Same(RateLimitBucket.ApiPerKey, (await limits.TryAcquireAsync(a, TeamA, sessionCreation: false))?.Bucket);
        }

        Assert.Null(await limits.TryAcquireAsync(b, TeamA, sessionCreation: false));
        Assert.Same(RateLimitBucket.ApiPerTeam, (await limits.TryAcquireAsync(Guid.NewGuid(), TeamA, sessionCreation: false))?.Bucket);
    }

    [Fact]
    public async Task TryAcquire_SessionCreation_UsesTheSessionsBucketsNotTheApiOnes()
    {
        using var limits = Create(new RateLimitOptions { ApiPerKey = Tokens(1), SessionsPerKey = Tokens(2), SessionsPerTeam = Tokens(3) });
        var (a, b) = (Guid.NewGuid(), Guid.NewGuid());

        Assert.Null(await limits.TryAcquireAsync(a, TeamA, sessionCreation: true));
        Assert.Null(await limits.TryAcquireAsync(a, TeamA, sessionCreation: true));
        Assert.Same(RateLimitBucket.SessionsPerKey, (await limits.TryAcquireAsync(a, TeamA, sessionCreation: true))?.Bucket);
        Assert.Null(await limits.TryAcquireAsync(b, TeamA, sessionCreation: true));
        Assert.Same(RateLimitBucket.SessionsPerTeam, (await limits.TryAcquireAsync(b, TeamA, sessionCreation: true))?.Bucket);
        // The API bucket of key a (one token) was never touched by session creation.
        Assert.Null(await limits.TryAcquireAsync(a, TeamA, sessionCreation: false));
        Assert.Same(RateLimitBucket.ApiPerKey, (await limits.TryAcquireAsync(a, TeamA, sessionCreation: false))?.Bucket);
    }

    [Fact]
    public async Task TryAcquire_LimitsOff_NeverRefuses()
    {
        using var off = Create(new RateLimitOptions { Enabled = false, ApiPerKey = Tokens(1), ApiPerTeam = Tokens(1), SessionsPerKey = Tokens(1), SessionsPerTeam = Tokens(1) });
        using var keyOff = Create(new RateLimitOptions { ApiPerKey = Tokens(1) with { Enabled = false }, ApiPerTeam = Tokens(3) });
        var key = Guid.NewGuid();

        for (var i = 0; i < 3; i++)
        {
            Assert.Null(await off.TryAcquireAsync(key, TeamA, sessionCreation: false));
            Assert.Null(await off.TryAcquireAsync(key, TeamA, sessionCreation: true));
            Assert.Null(await keyOff.TryAcquireAsync(key, TeamA, sessionCreation: false));
        }

        Assert.Same(RateLimitBucket.ApiPerTeam, (await keyOff.TryAcquireAsync(key, TeamA, sessionCreation: false))?.Bucket);
    }

    [Theory]
    [InlineData(30, 30)]
    [InlineData(2.5, 3)]
    [InlineData(0.2, 1)]
    public async Task RetryAfterSeconds_RefusedLease_IsThePeriodRoundedUpAndAtLeastOne(double periodSeconds, int expected)
    {
        using var limits = Create(new RateLimitOptions { ApiPerKey = Tokens(1, periodSeconds) });
        var key = Guid.NewGuid();
        await limits.TryAcquireAsync(key, TeamA, sessionCreation: false);

        using var lease = (await limits.TryAcquireAsync(key, TeamA, sessionCreation: false))!.Value.Lease;

        Assert.Equal(expected, RateLimitRefusals.RetryAfterSeconds(lease));
    }
}
