using StackExchange.Redis;
using Switchboard.Telegram;

namespace Switchboard.Tests.Telegram;

/// <summary>The lease as Redis stores it (docs/cluster.md): every field survives the round trip, a thread may hold the separator, and garbage is no lease.</summary>
public sealed class RedisTelegramStateTests
{
    private static readonly DateTimeOffset Taken = new(2026, 12, 7, 3, 0, 0, TimeSpan.Zero);

    [Fact]
    public void FormatParse_LiveLease_RoundTripsEveryField()
    {
        var lease = new LiveCallLease(Guid.NewGuid(), 42, -100123, "thread|with|bars", Taken, Taken.AddSeconds(60)) { CallId = "call-1", Node = "node-b" };

        var parsed = RedisTelegramState.Parse(RedisTelegramState.Format(lease));

        Assert.Equal(lease, parsed);
        Assert.True(parsed!.IsLive);
    }

    [Fact]
    public void FormatParse_PreparedLeaseWithoutThread_IsNotLive()
    {
        var lease = new LiveCallLease(Guid.NewGuid(), 42, 42, null, Taken, Taken.AddSeconds(60)) { Node = "node-a" };

        var parsed = RedisTelegramState.Parse(RedisTelegramState.Format(lease));

        Assert.Equal(lease, parsed);
        Assert.False(parsed!.IsLive);
        Assert.StartsWith(lease.SessionId.ToString("N") + "|P|", RedisTelegramState.Format(lease), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a lease")]
    [InlineData("0123|L|42|42|1|2|n|c|t")]
    [InlineData("9f1c2c0a5b8e4a0c9d7e6f5a4b3c2d1e|L|x|42|1|2|n|c|t")]
    public void Parse_Garbage_IsNoLease(string value) => Assert.Null(RedisTelegramState.Parse(value));

    [Fact]
    public void Parse_Nothing_IsNoLease() => Assert.Null(RedisTelegramState.Parse(RedisValue.Null));
}
