using Switchboard.Agents;
using Switchboard.Agents.Tools;
using Switchboard.Artifacts;
using Switchboard.Calls;
using Switchboard.Configuration;
using Switchboard.Journal;
using Switchboard.Tests.Calls.Harness;

namespace Switchboard.Tests.Calls;

/// <summary>The call's limits on the one call engine, on fake time: the longest call and the leg's own expiry.</summary>
public class CallBridgeLimitsTests
{
    [Fact]
    public async Task MaxDuration_ClockPassesEndpointLimit_EndsMaxDurationWithLegCloseCode()
    {
        var spec = new AgentSpec { Limits = new LimitsSpec { MaxCallSeconds = 30 } };
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone(), spec);

        h.Advance(TimeSpan.FromSeconds(29));
        await h.SyncAsync();
        Assert.False(h.HasEnded);
        Assert.Null(h.Leg.Close);

        h.Advance(TimeSpan.FromSeconds(2));
        var ended = await h.EndedAsync();

        Assert.Equal(CallEndReason.MaxDuration, ended.Reason);
        Assert.Equal(new FakeCallerLeg.Closed(FakeCallerLeg.CloseCodeFor(CallEndReason.MaxDuration), "maximum call duration reached"), h.Leg.Close);
        Assert.Equal("31000", ended.Data!["duration_ms"]);
        // The agent leg is closed with the reason too.
        await h.WaitUntilAsync(() => h.Backend.CloseReceived, "the agent leg's close");
        Assert.Equal(CallEndReason.MaxDuration, h.Backend.CloseDescription);
        Assert.Equal(0, h.Registry.Count);
    }

    [Fact]
    public async Task MaxDuration_EndpointSetsNone_GatewayLimitApplies()
    {
        var options = new SwitchboardOptions { Bridge = new BridgeOptions { MaxCallSeconds = 10 } };
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone(), new AgentSpec(), options);

        h.Advance(TimeSpan.FromSeconds(10));
        var ended = await h.EndedAsync();

        Assert.Equal(CallEndReason.MaxDuration, ended.Reason);
    }

    [Fact]
    public async Task Expiry_LegExpiresBeforeMaxDuration_EndsSessionExpired()
    {
        var leg = FakeCallerLeg.Browser(InteractionModes.Text);
        var spec = new AgentSpec { Limits = new LimitsSpec { MaxCallSeconds = 600 } };
        leg.ExpiresAt = new DateTimeOffset(2026, 1, 1, 9, 1, 0, TimeSpan.Zero);
        await using var h = await BridgeHarness.StartAsync(leg, spec);

        h.Advance(TimeSpan.FromSeconds(59));
        await h.SyncAsync();
        Assert.False(h.HasEnded);
        h.Advance(TimeSpan.FromSeconds(1));
        var ended = await h.EndedAsync();

        Assert.Equal(CallEndReason.SessionExpired, ended.Reason);
        Assert.Equal(FakeCallerLeg.CloseCodeFor(CallEndReason.SessionExpired), h.Leg.Close!.Code);
    }
}
