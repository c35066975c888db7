using System.Net;
using System.Text.Json;
using StackExchange.Redis;
using Switchboard.Cluster;
using Switchboard.Control;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.IntegrationTests.Webhooks;

namespace Switchboard.IntegrationTests.Cluster;

/// <summary>
/// The failure answers of a hang-up for a call on another node (docs/cluster.md), on an in-process gateway and a real
/// redis-server: an owner that holds its lease but never answers is a 504; an owner whose lease expired is reaped at once
/// (202 ended, its registry cleared); Redis down is a 503.
/// </summary>
public sealed class ClusterForwardingTests
{
    private static Dictionary<string, string?> Settings(RedisServer redis)
    {
        var settings = SessionApi.Settings();
        settings["Switchboard:Storage:SqlitePath"] = Path.Combine(Path.GetTempPath(), "switchboard-tests", Guid.NewGuid().ToString("N"), "switchboard.db");
        settings["Switchboard:Node:Id"] = "node-a";
        settings["Switchboard:Redis:Configuration"] = redis.Configuration;
        settings["Switchboard:Redis:LeaseSeconds"] = "3";
        return settings;
    }

    /// <summary>A call entry of <paramref name="node"/> whose lease expires <paramref name="leaseMs"/> from now (Redis time).</summary>
    private static async Task<string> GhostCallAsync(IConnectionMultiplexer client, string node, Guid teamId, long leaseMs)
    {
        var db = client.GetDatabase();
        var now = new DateTimeOffset(await client.GetServer(client.GetEndPoints()[0]).TimeAsync()).ToUnixTimeMilliseconds();
        var callId = "call_" + Guid.NewGuid().ToString("N");
        var entry = new ClusterCall { CallId = callId, Node = node, TeamId = teamId, Channel = "websocket", StartedAt = DateTimeOffset.UtcNow };
        await db.SortedSetAddAsync(ClusterKeys.Nodes, node, now + leaseMs);
        await db.HashSetAsync(ClusterKeys.Calls, callId, JsonSerializer.Serialize(entry, ClusterJsonContext.Default.ClusterCall));
        await db.SetAddAsync(ClusterKeys.NodeCalls(node), callId);
        return callId;
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> HangUpAsync(GatewayFixture gateway, string key, string callId)
    {
        using var http = WebhookTestKit.Client(gateway, key);
        using var response = await http.PostAsync($"/api/v1/calls/{callId}/hangup", null);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length > 0 ? JsonDocument.Parse(text).RootElement.Clone() : default);
    }

    [Fact]
    public async Task OwnerHoldsItsLeaseButNeverAnswers_504_ThenOwnerGone_Reaped202Ended_RedisDown_503()
    {
        await using var redis = await RedisServer.StartNewAsync();
        await using var gateway = await GatewayFixture.StartAsync(Settings(redis));
        var teamId = SessionApi.DefaultTeam(gateway).Id;
        var key = await SessionApi.CreateKeyAsync(gateway, ApiScopes.ManageCalls);
        using var client = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);

        // A node with a current lease and nobody on its channel: no answer, 504.
        var silent = await GhostCallAsync(client, "node-silent", teamId, leaseMs: 60_000);
        var (status, body) = await HangUpAsync(gateway, key, silent);
        Assert.Equal(HttpStatusCode.GatewayTimeout, status);
        Assert.Contains("node node-silent, which runs the call, did not answer", body.GetProperty("detail").GetString(), StringComparison.Ordinal);

        // Another team's key never learns of it.
        var otherTeam = await SessionApi.CreateTeamAsync(gateway);
        var otherKey = await SessionApi.CreateKeyAsync(gateway, ApiScopes.ManageCalls, otherTeam.Id);
        Assert.Equal(HttpStatusCode.NotFound, (await HangUpAsync(gateway, otherKey, silent)).Status);

        // A node whose lease has expired: reaped on the spot, its registry cleared.
        var gone = await GhostCallAsync(client, "node-gone", teamId, leaseMs: -1);
        (status, body) = await HangUpAsync(gateway, key, gone);
        Assert.Equal(HttpStatusCode.Accepted, status);
        Assert.Equal("ended", body.GetProperty("status").GetString());
        Assert.Equal("node_lost", body.GetProperty("endReason").GetString());
        Assert.False(await client.GetDatabase().HashExistsAsync(ClusterKeys.Calls, gone));
        Assert.Null(await client.GetDatabase().SortedSetScoreAsync(ClusterKeys.Nodes, "node-gone"));
        Assert.NotNull(await client.GetDatabase().SortedSetScoreAsync(ClusterKeys.Nodes, "node-a"));

        // Redis down: a call on another node can be neither found nor asked.
        await redis.StopAsync();
        (status, body) = await HangUpAsync(gateway, key, silent);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.StartsWith("shared state (Redis) unreachable", body.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }
}
