using Switchboard.Limits;

namespace Switchboard.Tests.Limits;

public class SlotLeaseMathTests
{
    [Fact]
    public void Shared_KeepsOnlyCappedTeamAndEndpointSlots_NeverTheNodeWideOne()
    {
        var team = AdmissionGate.TeamKey(Guid.NewGuid());
        var endpoint = AdmissionGate.EndpointKey(Guid.NewGuid());

        var shared = SlotLeaseMath.Shared([(AdmissionGate.NodeKey, 10), (team, 3), (endpoint, 0)], AdmissionGate.NodeKey);

        Assert.Equal([(team, 3)], shared);
    }

    [Fact]
    public void Shared_NothingCapped_IsEmpty_SoTheCallNeverWaitsOnRedis() =>
        Assert.Empty(SlotLeaseMath.Shared([(AdmissionGate.NodeKey, 0), ("t:x", 0), ("e:y", 0)], AdmissionGate.NodeKey));

    [Fact]
    public void RedisKey_AllSlotKeysShareOneHashTag()
    {
        Assert.Equal("switchboard:{slots}:t:abc", SlotLeaseMath.RedisKey("t:abc"));
        Assert.StartsWith("switchboard:{slots}:", SlotLeaseMath.RedisKey("e:def"), StringComparison.Ordinal);
    }

    [Fact]
    public void Member_IsTheNodeThenALeaseId_DistinctPerLease()
    {
        var id = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");

        Assert.Equal("node-a:0f8fad5bd9cb469fa16570867728950e", SlotLeaseMath.Member("node-a", id));
        Assert.NotEqual(SlotLeaseMath.Member("node-a", Guid.NewGuid()), SlotLeaseMath.Member("node-a", Guid.NewGuid()));
    }

    [Theory]
    [InlineData(30, 10_000, 60_000)]
    [InlineData(3, 1_000, 6_000)]
    [InlineData(10, 3_333, 20_000)]
    public void Renewal_IsAThirdOfTheLease_KeyLivesTwoLeases(int leaseSeconds, int renewMs, long keyTtlMs)
    {
        Assert.Equal(renewMs, (int)SlotLeaseMath.RenewalInterval(leaseSeconds).TotalMilliseconds);
        Assert.Equal(keyTtlMs, SlotLeaseMath.KeyTtlMilliseconds(leaseSeconds));
        // Two renewals may fail in a row before a live call's lease lapses.
        Assert.True(SlotLeaseMath.RenewalInterval(leaseSeconds) * 2 < TimeSpan.FromSeconds(leaseSeconds));
    }

    [Theory]
    [InlineData(1_001, 1_000, true)]
    [InlineData(1_000, 1_000, false)]
    [InlineData(999, 1_000, false)]
    public void Live_UntilTheExpiry_ExpiredAtIt(long expiry, long now, bool live) => Assert.Equal(live, SlotLeaseMath.Live(expiry, now));

    [Fact]
    public async Task AcquireAsync_WithoutRedis_CountsOnThisNodeOnly()
    {
        var slots = new ConcurrencySlots();

        var first = await slots.AcquireAsync([(AdmissionGate.NodeKey, 0), ("t:x", 1)], AdmissionGate.NodeKey, CancellationToken.None);
        var second = await slots.AcquireAsync([(AdmissionGate.NodeKey, 0), ("t:x", 1)], AdmissionGate.NodeKey, CancellationToken.None);

        Assert.NotNull(first.Lease);
        Assert.Null(second.Lease);
        Assert.Equal("t:x", second.FullKey);
        Assert.Null(second.SharedUnavailable);
        first.Lease!.Dispose();
        Assert.Equal(0, slots.Total);
    }
}
