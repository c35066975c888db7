using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;
using Switchboard.Agents;
using Switchboard.Control;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Limits;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.Limits;

namespace Switchboard.IntegrationTests.Cluster;

/// <summary>
/// Shared state on a real redis-server (docs/cluster.md): two in-process gateways on one Redis and one database count a team's
/// concurrency cap together; a dead node's leases free themselves; a Redis outage refuses new calls (policy <c>refuse</c>)
/// and fails readiness naming redis while running calls go on, and admissions resume when it is back.
/// </summary>
public sealed class RedisClusterTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private static Dictionary<string, string?> Settings(RedisServer redis, string database, string node)
    {
        var settings = SessionApi.Settings();
        settings["Switchboard:Storage:SqlitePath"] = database;
        settings["Switchboard:Node:Id"] = node;
        settings["Switchboard:Redis:Configuration"] = redis.Configuration;
        // Short leases so a lost lease is re-asserted quickly after an outage.
        settings["Switchboard:Redis:SlotLeaseSeconds"] = "3";
        settings["Switchboard:Limits:IdleWarningSeconds"] = "0";
        settings["Switchboard:Limits:IdleTimeoutSeconds"] = "0";
        return settings;
    }

    private static string NewDatabasePath() => Path.Combine(Path.GetTempPath(), "switchboard-tests", Guid.NewGuid().ToString("N"), "switchboard.db");

    /// <summary>A team with a concurrency cap, its key and an endpoint, written through <paramref name="gateway"/>'s store (the shared database).</summary>
    private static async Task<(string Key, AgentEndpoint Endpoint, Guid TeamId)> CappedTeamAsync(GatewayFixture gateway, int cap)
    {
        var team = await SessionApi.CreateTeamAsync(gateway);
        Assert.True(await gateway.Store.SetTeamLimitsAsync(team.Id, new TeamLimits { MaxConcurrentCalls = cap }, CancellationToken.None));
        var key = await SessionApi.CreateKeyAsync(gateway, teamId: team.Id);
        var endpoint = await SessionApi.CreateEndpointAsync(gateway, new AgentSpec(), team.Id);
        return (key, endpoint, team.Id);
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what);
            await Task.Delay(50);
        }
    }

    private static Task WaitForAsync(Func<bool> condition, string what) => WaitForAsync(() => Task.FromResult(condition()), what);

    /// <summary>Opens a session on <paramref name="gateway"/>; true once it is admitted (a live call), false when refused (closed).</summary>
    private static async Task<RawCall> OpenSessionAsync(GatewayFixture gateway, string key, Guid endpointId) =>
        await RawCall.SessionAsync((await SessionApi.CreateSessionAsync(gateway, key, endpointId)).WsUrl);

    private static async Task<JsonElement> HealthAsync(GatewayFixture gateway, HttpStatusCode expected)
    {
        using var http = new HttpClient();
        using var response = await http.GetAsync(gateway.BaseUrl + "/health/ready");
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
        Assert.True(expected == response.StatusCode, $"health answered {(int)response.StatusCode}: {body}");
        return body;
    }

    [Fact]
    public async Task TeamCap_BurstOverTwoNodes_AdmitsExactlyTheCapAcrossBoth_EndingCallsFreesTheSlots()
    {
        const int cap = 3;
        await using var redis = await RedisServer.StartNewAsync();
        var database = NewDatabasePath();
        await using var a = await GatewayFixture.StartAsync(Settings(redis, database, "node-a"));
        await using var b = await GatewayFixture.StartAsync(Settings(redis, database, "node-b"));
        var (key, endpoint, teamId) = await CappedTeamAsync(a, cap);

        var health = await HealthAsync(b, HttpStatusCode.OK);
        Assert.Equal("ok", health.GetProperty("dependencies").GetProperty("redis").GetProperty("state").GetString());

        // Tokens first (nothing live yet), then every socket at once, half on each node.
        var urls = new List<string>();
        for (var i = 0; i < 4 * cap; i++)
        {
            urls.Add((await SessionApi.CreateSessionAsync(i % 2 == 0 ? a : b, key, endpoint.Id)).WsUrl);
        }

        var calls = await Task.WhenAll(urls.Select(RawCall.SessionAsync));
        try
        {
            await WaitForAsync(() => calls.Count(c => c.Closed.IsCompleted) == 3 * cap && a.Calls.Count + b.Calls.Count == cap, "the refusals");
            Assert.True(a.Calls.Count > 0 || b.Calls.Count > 0);
            foreach (var refused in calls.Where(c => c.Closed.IsCompleted))
            {
                var (status, reason) = await refused.Closed;
                Assert.Equal(4429, (int?)status);
                Assert.StartsWith("busy: the team's cap of 3", reason, StringComparison.Ordinal);
            }

            using var client = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
            var teamKey = SlotLeaseMath.RedisKey(AdmissionGate.TeamKey(teamId));
            Assert.Equal(cap, await client.GetDatabase().SortedSetLengthAsync(teamKey));

            // Ending the admitted calls frees their slots in Redis, on whichever node they ran.
            foreach (var call in calls.Where(c => !c.Closed.IsCompleted))
            {
                await call.HangUpAsync();
            }

            await WaitForAsync(async () => await client.GetDatabase().SortedSetLengthAsync(teamKey) == 0, "the slots to be released");
            Assert.Equal(0, a.App.Services.GetRequiredService<ConcurrencySlots>().Total + b.App.Services.GetRequiredService<ConcurrencySlots>().Total);

            // And the team can call again, on either node.
            await using var again = await OpenSessionAsync(b, key, endpoint.Id);
            await WaitForAsync(() => b.Calls.Count == 1, "the next call");
            Assert.False(again.Closed.IsCompleted);
        }
        finally
        {
            foreach (var call in calls)
            {
                await call.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task DeadNodesLease_FreesItselfWhenItExpires()
    {
        await using var redis = await RedisServer.StartNewAsync();
        await using var gateway = await GatewayFixture.StartAsync(Settings(redis, NewDatabasePath(), "node-a"));
        var (key, endpoint, teamId) = await CappedTeamAsync(gateway, 1);

        // A node that died holding the team's only slot: its lease, written directly, expires in 2 s (Redis server time).
        using var client = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var db = client.GetDatabase();
        var now = await client.GetServer(client.GetEndPoints()[0]).TimeAsync();
        var teamKey = SlotLeaseMath.RedisKey(AdmissionGate.TeamKey(teamId));
        await db.SortedSetAddAsync(teamKey, SlotLeaseMath.Member("dead-node", Guid.NewGuid()), new DateTimeOffset(now).ToUnixTimeMilliseconds() + 2000);

        await using (var refused = await OpenSessionAsync(gateway, key, endpoint.Id))
        {
            var (status, reason) = await refused.WaitClosedAsync(Wait);
            Assert.Equal(4429, (int?)status);
            Assert.StartsWith("busy:", reason, StringComparison.Ordinal);
        }

        // Nobody renews the dead node's lease: once it has expired, the slot is free again.
        RawCall? admitted = null;
        await WaitForAsync(async () =>
        {
            var call = await OpenSessionAsync(gateway, key, endpoint.Id);
            await Task.WhenAny(call.Closed, Task.Delay(500));
            if (!call.Closed.IsCompleted && gateway.Calls.Count == 1)
            {
                admitted = call;
                return true;
            }

            await call.DisposeAsync();
            return false;
        }, "the dead node's lease to expire");
        await using var live = admitted!;
        Assert.Equal(1, await db.SortedSetLengthAsync(teamKey));
        Assert.DoesNotContain("dead-node", (await db.SortedSetRangeByRankAsync(teamKey)).Select(m => m.ToString()).Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedisDown_NewCallsRefusedWithTheReason_ReadinessNamesRedis_RunningCallGoesOn_ResumesWhenBack()
    {
        await using var redis = await RedisServer.StartNewAsync();
        await using var gateway = await GatewayFixture.StartAsync(Settings(redis, NewDatabasePath(), "node-a"));
        var (key, endpoint, teamId) = await CappedTeamAsync(gateway, 3);
        await using var running = await OpenSessionAsync(gateway, key, endpoint.Id);
        await WaitForAsync(() => gateway.Calls.Count == 1, "the first call");

        await redis.StopAsync();

        var health = await HealthAsync(gateway, HttpStatusCode.ServiceUnavailable);
        Assert.Contains(health.GetProperty("failing").EnumerateArray(), f => f.GetString()!.StartsWith("redis: ", StringComparison.Ordinal));
        Assert.Equal("down", health.GetProperty("dependencies").GetProperty("redis").GetProperty("state").GetString());

        await using (var refused = await OpenSessionAsync(gateway, key, endpoint.Id))
        {
            var (status, reason) = await refused.WaitClosedAsync(Wait);
            Assert.Equal(4429, (int?)status);
            Assert.StartsWith(Refusals.SharedStateUnavailable + ": shared state (Redis)", reason, StringComparison.Ordinal);
        }

        // The running call is untouched.
        Assert.False(running.Closed.IsCompleted);
        Assert.Equal(1, gateway.Calls.Count);

        await redis.StartAsync();
        await WaitForAsync(async () =>
        {
            using var http = new HttpClient();
            using var response = await http.GetAsync(gateway.BaseUrl + "/health/ready");
            return response.StatusCode == HttpStatusCode.OK;
        }, "readiness after Redis returned");

        await using var after = await OpenSessionAsync(gateway, key, endpoint.Id);
        await WaitForAsync(() => gateway.Calls.Count == 2, "an admission after Redis returned");
        Assert.False(after.Closed.IsCompleted);

        // The restarted Redis lost every lease; the node re-asserts the running call's lease on its next renewal.
        using var client = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var teamKey = SlotLeaseMath.RedisKey(AdmissionGate.TeamKey(teamId));
        await WaitForAsync(async () => await client.GetDatabase().SortedSetLengthAsync(teamKey) == 2, "the running call's lease re-asserted");
        Assert.False(running.Closed.IsCompleted);
    }

    [Fact]
    public async Task RedisDown_LocalPolicy_CountsOnThisNode()
    {
        await using var redis = await RedisServer.StartNewAsync();
        var settings = Settings(redis, NewDatabasePath(), "node-a");
        settings["Switchboard:Redis:OutagePolicy"] = "local";
        await using var gateway = await GatewayFixture.StartAsync(settings);
        var (key, endpoint, _) = await CappedTeamAsync(gateway, 1);
        await redis.StopAsync();

        // Admitted on the node's own count, and that count still holds the cap (both tokens first: a full cap refuses creation).
        var secondUrl = (await SessionApi.CreateSessionAsync(gateway, key, endpoint.Id)).WsUrl;
        await using var first = await OpenSessionAsync(gateway, key, endpoint.Id);
        await WaitForAsync(() => gateway.Calls.Count == 1, "the call admitted on the local count");
        await using var second = await RawCall.SessionAsync(secondUrl);
        var (status, reason) = await second.WaitClosedAsync(Wait);
        Assert.Equal(4429, (int?)status);
        Assert.StartsWith("busy:", reason, StringComparison.Ordinal);
        Assert.False(first.Closed.IsCompleted);
    }
}
