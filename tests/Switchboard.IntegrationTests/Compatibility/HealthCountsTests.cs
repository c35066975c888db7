using System.Text.Json;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Sessions;

namespace Switchboard.IntegrationTests.Compatibility;

/// <summary><c>GET /health</c> counts the live calls by channel and the sessions among them, as voice servers' health pages do.</summary>
public class HealthCountsTests
{
    [Fact]
    public async Task Health_CountsLiveCallsByChannel_AndSessions()
    {
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings());
        using var http = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };
        var idle = JsonDocument.Parse(await http.GetStringAsync("/health")).RootElement;
        Assert.Equal((0, 0), (idle.GetProperty("activeCalls").GetInt32(), idle.GetProperty("activeSessions").GetInt32()));
        Assert.Empty(idle.GetProperty("activeByChannel").EnumerateObject());

        var created = await SessionApi.CreateSessionAsync(gateway, await SessionApi.CreateKeyAsync(gateway));
        await using var client = await SessionTestClient.ConnectAsync(created.WsUrl);
        await client.WaitForTypeAsync("status");
        var busy = JsonDocument.Parse(await http.GetStringAsync("/health")).RootElement;
        Assert.Equal((1, 1), (busy.GetProperty("activeCalls").GetInt32(), busy.GetProperty("activeSessions").GetInt32()));
        Assert.Equal(1, busy.GetProperty("activeByChannel").GetProperty("websocket").GetInt32());
    }
}
