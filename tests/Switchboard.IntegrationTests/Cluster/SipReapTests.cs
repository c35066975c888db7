using System.Text.Json;
using StackExchange.Redis;
using Switchboard.Agents;
using Switchboard.Cluster;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.SipConnector;
using Switchboard.Testing.Sip;

namespace Switchboard.IntegrationTests.Cluster;

/// <summary>
/// A dead node's SIP connector call (OpenAI Realtime SIP) is hung up by the reaping node through the connector's REST
/// (<c>POST /v1/realtime/calls/{call_id}/hangup</c>), like a dead node's Twilio or Telnyx call through the carrier's
/// (docs/cluster.md, orphan reaping).
/// </summary>
public sealed class SipReapTests
{
    [Fact]
    public async Task DeadNodesSipCall_IsHungUpThroughTheConnectorsRest_AndItsEntryCleared()
    {
        await using var redis = await RedisServer.StartNewAsync();
        await using var fake = await FakeSipConnector.StartAsync();

        // A node that died holding one SIP connector call: its lease (Redis server time) already expired, its entry still there.
        using var client = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var db = client.GetDatabase();
        var now = new DateTimeOffset(await client.GetServer(client.GetEndPoints()[0]).TimeAsync()).ToUnixTimeMilliseconds();
        var entry = new ClusterCall
        {
            CallId = "call-" + Guid.NewGuid().ToString("N"), Node = "dead-node", TeamId = Guid.NewGuid(), Channel = Transports.Sip,
            CarrierCallId = "rtc_" + Guid.NewGuid().ToString("N"), StartedAt = DateTimeOffset.UtcNow.AddMinutes(-1),
        };
        await db.SortedSetAddAsync(ClusterKeys.Nodes, "dead-node", now - 1000);
        await db.HashSetAsync(ClusterKeys.Calls, entry.CallId, JsonSerializer.Serialize(entry, ClusterJsonContext.Default.ClusterCall));
        await db.SetAddAsync(ClusterKeys.NodeCalls("dead-node"), entry.CallId);

        await using var gateway = await SipGateway.StartAsync(fake, new()
        {
            ["Switchboard:Node:Id"] = "node-b",
            ["Switchboard:Redis:Configuration"] = redis.Configuration,
            ["Switchboard:Redis:LeaseSeconds"] = "3",
        });

        var hangup = await fake.WaitForAsync("hangup", entry.CarrierCallId, TimeSpan.FromSeconds(20));
        Assert.Equal(entry.CarrierCallId, hangup.CallId);
        Assert.Equal("Bearer " + SipGateway.OpenAIKey, hangup.Headers["Authorization"]);
        Assert.Single(fake.Of("hangup"));

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (await db.HashExistsAsync(ClusterKeys.Calls, entry.CallId))
        {
            Assert.True(DateTime.UtcNow < deadline, "the dead node's entry was not cleared");
            await Task.Delay(50);
        }

        Assert.False(await db.KeyExistsAsync(ClusterKeys.NodeCalls("dead-node")));
    }
}
