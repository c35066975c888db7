using StackExchange.Redis;
using Switchboard.Sessions;

namespace Switchboard.Tests.Sessions;

/// <summary>A session's owner value in Redis (<c>node|callId|claimedAtMs</c>): round trip, and anything else is no owner.</summary>
public sealed class OwnerClaimTests
{
    [Fact]
    public void TryParse_Value_RoundTrips()
    {
        var claim = new OwnerClaim("node-a", "call_123", 1_765_000_000_000);

        Assert.True(OwnerClaim.TryParse(claim.Value, out var parsed));
        Assert.Equal(claim, parsed);
    }

    [Theory]
    [InlineData("")]
    [InlineData("node-a|call")]
    [InlineData("node-a|call|-5")]
    [InlineData("node-a|call|soon")]
    public void TryParse_Garbage_IsFalse(string value) => Assert.False(OwnerClaim.TryParse(value, out _));

    [Fact]
    public void Key_IsPerSession() =>
        Assert.NotEqual(SessionOwnership.Key(Guid.NewGuid()), SessionOwnership.Key(Guid.NewGuid()));

    [Fact]
    public void TryParse_Null_IsFalse() => Assert.False(OwnerClaim.TryParse(RedisValue.Null, out _));
}
