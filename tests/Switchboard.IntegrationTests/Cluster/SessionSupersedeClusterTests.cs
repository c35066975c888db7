using System.Text.Json;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.Journal;

namespace Switchboard.IntegrationTests.Cluster;

/// <summary>
/// Session superseding across nodes (docs/cluster.md): two in-process gateways on one database and one real redis-server. A
/// session's newer connection closes the older one 4000 with the same reason as on one node, whichever node either is on;
/// after a Redis restart that hid a takeover, the older connection is still superseded once Redis is back.
/// </summary>
public sealed class SessionSupersedeClusterTests
{
    private static Dictionary<string, string?> Settings(RedisServer redis, string database, string node)
    {
        var settings = SessionApi.Settings();
        settings["Switchboard:Storage:SqlitePath"] = database;
        settings["Switchboard:Node:Id"] = node;
        settings["Switchboard:Redis:Configuration"] = redis.Configuration;
        // Short leases: renewals (and the reconciliation after an outage) every second.
        settings["Switchboard:Redis:SlotLeaseSeconds"] = "3";
        return settings;
    }

    private static string NewDatabasePath() => Path.Combine(Path.GetTempPath(), "switchboard-tests", Guid.NewGuid().ToString("N"), "switchboard.db");

    private static JsonElement Payload(JsonElement m) => m.GetProperty("payload");

    private static bool IsStatus(JsonElement m, string state) =>
        m.GetProperty("type").GetString() == "status" && Payload(m).GetProperty("state").GetString() == state;

    /// <summary>The session's socket URL on <paramref name="node"/> (same session, same token: any node accepts it).</summary>
    private static string On(GatewayFixture node, CreatedSession created) =>
        SessionApi.SocketUrl(node, created.SessionId.ToString("D"), created.WsToken);

    private static async Task<string> ConnectedCallAsync(SessionTestClient client) =>
        Payload(await client.WaitForTypeAsync("status", m => IsStatus(m, "connected"))).GetProperty("callId").GetString()!;

    [Fact]
    public async Task NewerConnectionOnAnotherNode_ClosesTheOlder4000_EitherWay()
    {
        await using var redis = await RedisServer.StartNewAsync();
        var database = NewDatabasePath();
        await using var a = await GatewayFixture.StartAsync(Settings(redis, database, "node-a"));
        await using var b = await GatewayFixture.StartAsync(Settings(redis, database, "node-b"));
        var key = await SessionApi.CreateKeyAsync(a);
        var created = await SessionApi.CreateSessionAsync(a, key);

        await using var first = await SessionTestClient.ConnectAsync(On(a, created));
        var firstCall = await ConnectedCallAsync(first);
        await using var second = await SessionTestClient.ConnectAsync(On(b, created));
        await ConnectedCallAsync(second);

        Assert.Equal(4000, await first.WaitForCloseAsync());
        Assert.Equal("superseded by a newer connection", first.CloseDescription);
        var ended = await a.WaitForEndedCallAsync(firstCall);
        Assert.Equal(CallEndReason.Superseded, ended.Single(e => e.Type == CallEventType.CallEnded).Reason);
        await second.SendTextAsync("still here");
        var answer = await second.WaitForTypeAsync("transcript", m => Payload(m).GetProperty("role").GetString() == "agent" && Payload(m).GetProperty("final").GetBoolean());
        Assert.Equal("(echo) still here", Payload(answer).GetProperty("text").GetString());

        // And back: a third connection on node A supersedes the one on node B.
        await using var third = await SessionTestClient.ConnectAsync(On(a, created));
        await ConnectedCallAsync(third);
        Assert.Equal(4000, await second.WaitForCloseAsync());
        Assert.Equal("superseded by a newer connection", second.CloseDescription);
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, third.State);
    }

    [Fact]
    public async Task TakeoverDuringARedisOutage_IsSettledWhenRedisReturns_TheOlderConnectionCloses4000()
    {
        await using var redis = await RedisServer.StartNewAsync();
        var database = NewDatabasePath();
        await using var a = await GatewayFixture.StartAsync(Settings(redis, database, "node-a"));
        await using var b = await GatewayFixture.StartAsync(Settings(redis, database, "node-b"));
        var key = await SessionApi.CreateKeyAsync(a);
        var created = await SessionApi.CreateSessionAsync(a, key);
        await using var first = await SessionTestClient.ConnectAsync(On(a, created));
        await ConnectedCallAsync(first);

        await redis.StopAsync();
        // Redis unreachable: node B cannot claim the session nor tell node A (the local rule still applies on each node).
        await using var second = await SessionTestClient.ConnectAsync(On(b, created));
        await ConnectedCallAsync(second);
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, first.State);
        await redis.StartAsync();

        // Back (empty): the renewals re-assert both claims and the newer one wins.
        Assert.Equal(4000, await first.WaitForCloseAsync(TimeSpan.FromSeconds(30)));
        Assert.Equal("superseded by a newer connection", first.CloseDescription);
        Assert.Equal(System.Net.WebSockets.WebSocketState.Open, second.State);
    }
}
