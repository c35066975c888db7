using System.Net.WebSockets;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.Journal;
using Switchboard.Limits;

namespace Switchboard.IntegrationTests.Limits;

/// <summary>
/// A carrier stream that stops sending media after its <c>start</c> is a dead or stalled peer: it is closed with 1008
/// <c>media timeout</c>, the call ends <c>media_timeout</c>, and its concurrency slot is freed — also when the peer never
/// answers the close.
/// </summary>
public class MediaTimeoutTests
{
    private static Dictionary<string, string?> Settings()
    {
        var settings = SessionApi.Settings();
        settings["Switchboard:Telnyx:StreamToken"] = "tel-secret";
        settings["Switchboard:Bridge:MediaTimeoutSeconds"] = "1";
        settings["Switchboard:Limits:IdleWarningSeconds"] = "0";
        settings["Switchboard:Limits:IdleTimeoutSeconds"] = "0";
        return settings;
    }

    [Theory]
    [InlineData("twilio", true)]
    [InlineData("telnyx", true)]
    [InlineData("twilio", false)]
    public async Task SilentAfterStart_Closed1008MediaTimeout_SlotFreed(string kind, bool answersClose)
    {
        await using var gateway = await GatewayFixture.StartAsync(Settings());
        var endpoint = SessionApi.DefaultEndpoint(gateway);
        var url = gateway.WebSocketUrl(kind == "twilio" ? "/twilio" : "/telnyx?token=tel-secret");
        await using var call = await RawCall.CarrierAsync(kind, url, endpoint.Id, await CarrierBinding.TokenAsync(gateway, endpoint.Id), media: false, answerClose: answersClose);

        var (status, reason) = await call.WaitClosedAsync(TimeSpan.FromSeconds(15));
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, status);
        Assert.Equal("media timeout", reason);

        var events = await gateway.WaitForEndedCallAsync(timeout: TimeSpan.FromSeconds(15));
        Assert.Equal(CallEndReason.MediaTimeout, events.Last().Reason);
        var slots = gateway.App.Services.GetRequiredService<ConcurrencySlots>();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while ((gateway.Calls.Count > 0 || slots.Total > 0) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(0, gateway.Calls.Count);
        Assert.Equal(0, slots.Total);
    }

    [Fact]
    public async Task SteadyMedia_NotClosed()
    {
        await using var gateway = await GatewayFixture.StartAsync(Settings());
        await using var call = await RawCall.CarrierAsync("twilio", gateway.WebSocketUrl("/twilio"), SessionApi.DefaultEndpoint(gateway).Id, await CarrierBinding.TokenAsync(gateway, SessionApi.DefaultEndpoint(gateway).Id));

        await Task.Delay(TimeSpan.FromSeconds(2.5));

        Assert.False(call.Closed.IsCompleted);
        Assert.Equal(1, gateway.Calls.Count);
    }
}
