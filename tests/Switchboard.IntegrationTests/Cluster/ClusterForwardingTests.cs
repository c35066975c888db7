using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Switchboard.Calls;
using Switchboard.Cluster;
using Switchboard.Control;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Limits;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.IntegrationTests.Webhooks;
using Switchboard.Limits;

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

    [Fact]
    public async Task RedisRestartedEmpty_TheRenewalRewritesTheLeaseAndLiveCall_ADrainShowsAsDraining()
    {
        await using var redis = await RedisServer.StartNewAsync();
        await using var gateway = await GatewayFixture.StartAsync(Settings(redis));
        var key = await SessionApi.CreateKeyAsync(gateway);
        await using var call = await RawCall.SessionAsync((await SessionApi.CreateSessionAsync(gateway, key)).WsUrl);
        await WaitForAsync(() => Task.FromResult(gateway.Calls.Count == 1), "the call");
        var callId = gateway.App.Services.GetRequiredService<CallRegistry>().Snapshot().Single().CallId;
        using var client = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        // Entered as it went live (a fire-and-forget write: it lands a moment later).
        await WaitForAsync(() => client.GetDatabase().HashExistsAsync(ClusterKeys.Calls, callId), "the call's entry");

        // Redis restarts with nothing: the node's next renewal writes its lease and its live call again.
        await redis.StopAsync();
        await redis.StartAsync();
        using var after = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        await WaitForAsync(async () => await after.GetDatabase().HashExistsAsync(ClusterKeys.Calls, callId)
            && await after.GetDatabase().SortedSetScoreAsync(ClusterKeys.Nodes, "node-a") is not null, "the registry re-written");
        Assert.Equal(ClusterMember.LiveState, (string?)await after.GetDatabase().HashGetAsync(ClusterKeys.Facts("node-a"), "state"));
        Assert.False(call.Closed.IsCompleted);

        // Draining is the node's registry state, seen by every node.
        Assert.True(gateway.App.Services.GetRequiredService<DrainState>().Begin(DateTimeOffset.UtcNow));
        await WaitForAsync(async () => (string?)await after.GetDatabase().HashGetAsync(ClusterKeys.Facts("node-a"), "state") == ClusterMember.DrainingState,
            "the draining state");
        using var http = WebhookTestKit.Client(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.ReadCalls));
        var summary = JsonDocument.Parse(await http.GetStringAsync("/api/v1/ops/summary")).RootElement;
        var node = Assert.Single(summary.GetProperty("nodes").EnumerateArray());
        Assert.Equal("draining", node.GetProperty("state").GetString());
        Assert.Equal(1, node.GetProperty("liveCalls").GetInt32());
        Assert.Equal("node-a", Assert.Single(summary.GetProperty("calls").EnumerateArray()).GetProperty("node").GetString());
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what);
            await Task.Delay(50);
        }
    }
}
