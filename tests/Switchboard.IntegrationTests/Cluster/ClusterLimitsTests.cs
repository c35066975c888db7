using System.Net;
using System.Text;
using System.Text.Json;
using StackExchange.Redis;
using Switchboard.Agents;
using Switchboard.Control;
using Switchboard.IntegrationTests.Drain;
using Switchboard.IntegrationTests.Limits;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.IntegrationTests.Storage;
using Switchboard.Limits;
using Switchboard.Server.RateLimiting;

namespace Switchboard.IntegrationTests.Cluster;

/// <summary>
/// Shared limits on a real cluster (<see cref="ClusterNodes"/>: three gateway processes, one PostgreSQL database, one
/// redis-server; docs/cluster.md): a team's concurrency cap holds exactly under a burst spread over the three nodes and
/// leaks no slot; a rate limit holds across the nodes; a Redis restart mid-run leaves running calls talking, refuses new
/// ones (<c>shared_state_unavailable</c>), fails readiness naming redis, and once Redis is back the counts reconcile.
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class ClusterLimitsTests(PostgresServer postgres)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>No idle goodbyes while the tests hold calls open; short slot leases so a restarted Redis is reconciled quickly.</summary>
    private static Dictionary<string, string> Settings(params (string Name, string Value)[] more)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["Switchboard__Limits__IdleWarningSeconds"] = "0",
            ["Switchboard__Limits__IdleTimeoutSeconds"] = "0",
            ["Switchboard__Redis__SlotLeaseSeconds"] = "3",
        };
        foreach (var (name, value) in more)
        {
            settings[name] = value;
        }

        return settings;
    }

    /// <summary>A team (with <paramref name="limits"/>), a key that may create sessions and an endpoint, in the shared database.</summary>
    private static async Task<(string Key, Guid EndpointId, Guid TeamId)> TeamAsync(ClusterNodes cluster, TeamLimits limits, LimitsSpec? endpointLimits = null)
    {
        var now = DateTimeOffset.UtcNow;
        var team = new Team(Guid.NewGuid(), "team-" + Guid.NewGuid().ToString("N")[..8], now);
        await cluster.Store.CreateTeamAsync(team, CancellationToken.None);
        Assert.True(await cluster.Store.SetTeamLimitsAsync(team.Id, limits, CancellationToken.None));
        var (plaintext, prefix, hash) = ApiKeyFormat.Generate();
        await cluster.Store.CreateKeyAsync(new ApiKeyRecord
        {
            Id = Guid.NewGuid(), TeamId = team.Id, Name = "test-" + prefix, Prefix = prefix, Hash = hash, Scopes = ApiScopes.CreateCallToken, CreatedAt = now,
        }, CancellationToken.None);
        var endpoint = new AgentEndpoint
        {
            Id = Guid.NewGuid(), TeamId = team.Id, Name = "ep-" + Guid.NewGuid().ToString("N")[..8], Spec = new AgentSpec { Limits = endpointLimits ?? new LimitsSpec() },
            CreatedAt = now, UpdatedAt = now,
        };
        await cluster.Store.CreateEndpointAsync(endpoint, CancellationToken.None);
        return (plaintext, endpoint.Id, team.Id);
    }

    private static async Task<HttpResponseMessage> PostSessionAsync(GatewayProcess node, string key, Guid endpointId, string mode = "text")
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        using var request = new HttpRequestMessage(HttpMethod.Post, node.BaseUrl + "/api/v1/sessions")
        {
            Content = new StringContent(JsonSerializer.Serialize(new { endpointId, mode }), Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("X-API-Key", key);
        return await http.SendAsync(request);
    }

    /// <summary>A session token from <paramref name="node"/>; its socket URL (on the same node).</summary>
    private static async Task<string> SessionUrlAsync(GatewayProcess node, string key, Guid endpointId, string mode = "text")
    {
        using var response = await PostSessionAsync(node, key, endpointId, mode);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"{(int)response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("wsUrl").GetString()!;
    }

    /// <summary>
    /// <paramref name="count"/> session sockets on one team, spread round-robin over the nodes: tokens first, then every
    /// socket at once.
    /// </summary>
    private static async Task<RawCall[]> BurstAsync(ClusterNodes cluster, string key, Guid endpointId, int count)
    {
        var urls = new List<string>();
        for (var i = 0; i < count; i++)
        {
            urls.Add(await SessionUrlAsync(cluster[i % cluster.Count], key, endpointId));
        }

        return await Task.WhenAll(urls.Select(RawCall.SessionAsync));
    }

    private static async Task WaitForAsync(Func<Task<bool>> condition, Func<string> what)
    {
        var deadline = DateTime.UtcNow + Wait;
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what());
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// Waits until all but <paramref name="admitted"/> of <paramref name="calls"/> are refused and the team's shared slot set
    /// holds exactly <paramref name="admitted"/> leases more than the <paramref name="held"/> ones of calls already running;
    /// checks each refusal is <c>busy</c> and returns the admitted calls.
    /// </summary>
    private static async Task<RawCall[]> ExactlyAdmittedAsync(ClusterNodes cluster, IDatabase redis, Guid teamId, RawCall[] calls, int admitted, int held = 0)
    {
        var teamKey = SlotLeaseMath.RedisKey(AdmissionGate.TeamKey(teamId));
        await WaitForAsync(async () => calls.Count(c => c.Closed.IsCompleted) == calls.Length - admitted && await redis.SortedSetLengthAsync(teamKey) == held + admitted,
            () => $"{calls.Length - admitted} refusals and {held + admitted} leases (closed {calls.Count(c => c.Closed.IsCompleted)}):{Environment.NewLine}{cluster.Output}");
        foreach (var refused in calls.Where(c => c.Closed.IsCompleted))
        {
            var (status, reason) = await refused.Closed;
            Assert.Equal(4429, (int?)status);
            Assert.StartsWith("busy: the team's cap of", reason, StringComparison.Ordinal);
        }

        // Still exactly that many a moment later: no late admission, no late refusal.
        await Task.Delay(500);
        Assert.Equal(calls.Length - admitted, calls.Count(c => c.Closed.IsCompleted));
        Assert.Equal(held + admitted, await redis.SortedSetLengthAsync(teamKey));
        return calls.Where(c => !c.Closed.IsCompleted).ToArray();
    }

    private static async Task DisposeAllAsync(IEnumerable<RawCall> calls)
    {
        foreach (var call in calls)
        {
            await call.DisposeAsync();
        }
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> HealthAsync(GatewayProcess node)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync(node.BaseUrl + "/health/ready");
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    [Fact]
    public async Task TeamCap_BurstOfFourTimesTheCapOverThreeNodes_AdmitsExactlyTheCap_AndAgainAfterTheyEnd()
    {
        const int cap = 3;
        await using var cluster = await ClusterNodes.StartAsync(postgres, settings: Settings());
        using var client = await ConnectionMultiplexer.ConnectAsync(cluster.Redis.Configuration);
        var redis = client.GetDatabase();
        var (key, endpointId, teamId) = await TeamAsync(cluster, new TeamLimits { MaxConcurrentCalls = cap });

        var first = await BurstAsync(cluster, key, endpointId, 4 * cap);
        try
        {
            var admitted = await ExactlyAdmittedAsync(cluster, redis, teamId, first, cap);
            foreach (var call in admitted)
            {
                await call.HangUpAsync();
            }

            // Every slot comes back, on whichever node its call ran: nothing leaks.
            await WaitForAsync(async () => await redis.SortedSetLengthAsync(SlotLeaseMath.RedisKey(AdmissionGate.TeamKey(teamId))) == 0, () => "the slots to be released");
        }
        finally
        {
            await DisposeAllAsync(first);
        }

        var second = await BurstAsync(cluster, key, endpointId, 4 * cap);
        try
        {
            await ExactlyAdmittedAsync(cluster, redis, teamId, second, cap);
        }
        finally
        {
            await DisposeAllAsync(second);
        }
    }

    [Fact]
    public async Task RateLimits_HoldAcrossTheNodes_PerAddressAndPerKey()
    {
        const int perAddress = 5;
        const int perKey = 4;
        await using var cluster = await ClusterNodes.StartAsync(postgres, settings: Settings(
            ("Switchboard__RateLimits__DemoPerIp__TokenLimit", perAddress.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("Switchboard__RateLimits__DemoPerIp__TokensPerPeriod", "1"),
            ("Switchboard__RateLimits__DemoPerIp__ReplenishmentPeriodSeconds", "3600"),
            ("Switchboard__RateLimits__SessionsPerKey__TokenLimit", perKey.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("Switchboard__RateLimits__SessionsPerKey__TokensPerPeriod", "1"),
            ("Switchboard__RateLimits__SessionsPerKey__ReplenishmentPeriodSeconds", "3600")));
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };

        // The per-address bucket (the rate-limiting middleware's path): one client address, three nodes, one budget.
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3 * perAddress; i++)
        {
            using var response = await http.GetAsync(cluster[i % cluster.Count].BaseUrl + "/demo/config");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.True(int.Parse(response.Headers.GetValues("Retry-After").Single(), System.Globalization.CultureInfo.InvariantCulture) >= 1);
                Assert.Equal("ip", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("rateLimit").GetString());
            }
        }

        Assert.True(statuses.Count(s => s == HttpStatusCode.OK) == perAddress, string.Join(",", statuses.Select(s => (int)s)) + Environment.NewLine + cluster.Output);
        Assert.Equal(2 * perAddress, statuses.Count(s => s == HttpStatusCode.TooManyRequests));

        // The per-key sessions bucket (the API filter's path), spent on three nodes.
        var (key, endpointId, _) = await TeamAsync(cluster, new TeamLimits());
        var created = 0;
        var limited = 0;
        for (var i = 0; i < 3 * perKey; i++)
        {
            using var response = await PostSessionAsync(cluster[i % cluster.Count], key, endpointId);
            if (response.StatusCode == HttpStatusCode.Created)
            {
                created++;
            }
            else
            {
                Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
                Assert.Equal("sessions", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("rateLimit").GetString());
                limited++;
            }
        }

        Assert.Equal(perKey, created);
        Assert.Equal(2 * perKey, limited);

        // The buckets are Redis keys, one per client and limit.
        using var client = await ConnectionMultiplexer.ConnectAsync(cluster.Redis.Configuration);
        Assert.True(await client.GetDatabase().KeyExistsAsync(TokenBucketMath.RedisKey("DemoPerIp", "127.0.0.1")));
    }

    [Fact]
    public async Task DailyBudget_CountsTheCallsOfEveryNode_RunningCallsEndWhenTogetherTheyUseItUp_AndOtherNodesRefuse()
    {
        const int budgetSeconds = 10;
        const int goodbyeSeconds = 2;
        await using var cluster = await ClusterNodes.StartAsync(postgres, settings: Settings(
            ("Switchboard__Limits__GoodbyeSeconds", goodbyeSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            ("Switchboard__Limits__CallWarningSeconds", "0")));
        var (key, endpointId, teamId) = await TeamAsync(cluster, new TeamLimits { MaxDailyCallSeconds = budgetSeconds });

        // node-c takes a short call first, so it has the team's day in memory before the others spend it.
        await using (var early = await SessionTestClient.ConnectAsync(await SessionUrlAsync(cluster[2], key, endpointId)))
        {
            await early.WaitForTypeAsync("status", m => m.GetProperty("payload").GetProperty("state").GetString() == "connected", Wait);
            await early.SendAsync("""{"type":"hangup"}""");
            await early.WaitForCloseAsync(Wait);
        }

        // Two calls at once on node-a and node-b: alone, each node would let its call run the whole budget.
        var calls = new[]
        {
            await RawCall.SessionAsync(await SessionUrlAsync(cluster[0], key, endpointId)),
            await RawCall.SessionAsync(await SessionUrlAsync(cluster[1], key, endpointId)),
        };
        try
        {
            await Task.WhenAll(calls.Select(c => c.WaitClosedAsync(TimeSpan.FromSeconds(3 * budgetSeconds))));
        }
        finally
        {
            await DisposeAllAsync(calls);
        }

        // Together they stayed within the budget, give or take the goodbyes and a second of exchange delay each
        // (counted per node, the two would have used twice the budget).
        var day = DateTimeOffset.UtcNow.Date;
        IReadOnlyList<Switchboard.Journal.CallUsage> usage = [];
        await WaitForAsync(async () => (usage = await cluster.Store.ListUsageAsync(teamId, null, day.AddDays(-1), day.AddDays(2), CancellationToken.None))
            .Count(u => u.DurationMs is not null) == 3, () => "the three calls' records");
        var total = usage.Sum(u => u.DurationMs ?? 0) / 1000d;
        Assert.True(total <= budgetSeconds + (2 * goodbyeSeconds) + 3, $"the team's calls used {total:0.0} s of a {budgetSeconds} s budget:{Environment.NewLine}{cluster.Output}");

        // node-c, which last saw the day almost unused, refuses the next call (already when its session is created: the
        // preflight runs the same admission).
        using var refused = await PostSessionAsync(cluster[2], key, endpointId);
        var problem = await refused.Content.ReadAsStringAsync();
        Assert.True(refused.StatusCode == HttpStatusCode.TooManyRequests, $"{(int)refused.StatusCode}: {problem}");
        Assert.StartsWith(Refusals.BudgetExhausted + ": the team's daily call seconds are used up",
            JsonDocument.Parse(problem).RootElement.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RedisRestartMidRun_RunningCallsKeepTalking_NewCallsRefused_ReadinessNamesRedis_ThenTheCapReconciles()
    {
        const int cap = 2;
        await using var cluster = await ClusterNodes.StartAsync(postgres, settings: Settings());
        using var client = await ConnectionMultiplexer.ConnectAsync(cluster.Redis.Configuration);
        var redis = client.GetDatabase();
        var (key, endpointId, teamId) = await TeamAsync(cluster, new TeamLimits { MaxConcurrentCalls = cap });
        var teamKey = SlotLeaseMath.RedisKey(AdmissionGate.TeamKey(teamId));

        // Two live voice calls, on node-a and node-b.
        var running = new List<SessionTestClient>();
        try
        {
            for (var i = 0; i < cap; i++)
            {
                var call = await SessionTestClient.ConnectAsync(await SessionUrlAsync(cluster[i], key, endpointId, "audio_playback"));
                running.Add(call);
                await call.WaitForTypeAsync("status", m => m.GetProperty("payload").GetProperty("state").GetString() == "connected", Wait);
            }

            Assert.Equal(cap, await redis.SortedSetLengthAsync(teamKey));

            await cluster.Redis.StopAsync();

            for (var i = 0; i < cluster.Count; i++)
            {
                var node = cluster[i];
                await WaitForAsync(async () => (await HealthAsync(node)).Status == HttpStatusCode.ServiceUnavailable, () => $"node {i} to report redis down");
                var (_, health) = await HealthAsync(node);
                Assert.Contains(health.GetProperty("failing").EnumerateArray(), f => f.GetString()!.StartsWith("redis: ", StringComparison.Ordinal));
            }

            // A new call (on the third node) follows the outage policy: refused, with the reason. Its token was still issued:
            // the rate limits fall back to per-node counting.
            await using (var refused = await RawCall.SessionAsync(await SessionUrlAsync(cluster[2], key, endpointId)))
            {
                var (status, reason) = await refused.WaitClosedAsync(Wait);
                Assert.Equal(4429, (int?)status);
                Assert.StartsWith(Refusals.SharedStateUnavailable + ": shared state (Redis)", reason, StringComparison.Ordinal);
            }

            // The running calls go on: each answers a turn with audio while Redis is down.
            foreach (var call in running)
            {
                await call.SendTextAsync("Are you still there?");
                await call.WaitForTypeAsync("audio", timeout: Wait);
            }

            await cluster.Redis.StartAsync();

            for (var i = 0; i < cluster.Count; i++)
            {
                var node = cluster[i];
                await WaitForAsync(async () => (await HealthAsync(node)).Status == HttpStatusCode.OK, () => $"node {i} to report redis up");
            }

            // The renewals re-assert the running calls' leases in the empty Redis: the count is the calls that really run.
            await WaitForAsync(async () => await redis.SortedSetLengthAsync(teamKey) == cap, () => "the leases to be re-asserted");
            var full = await BurstAsync(cluster, key, endpointId, 3);
            try
            {
                await ExactlyAdmittedAsync(cluster, redis, teamId, full, 0, held: cap);
            }
            finally
            {
                await DisposeAllAsync(full);
            }

            // One running call ends: exactly one new call is admitted.
            await running[0].SendAsync("""{"type":"hangup"}""");
            await running[0].WaitForCloseAsync(Wait);
            await WaitForAsync(async () => await redis.SortedSetLengthAsync(teamKey) == cap - 1, () => "the ended call's slot");
            var next = await BurstAsync(cluster, key, endpointId, 3);
            try
            {
                await ExactlyAdmittedAsync(cluster, redis, teamId, next, 1, held: cap - 1);
            }
            finally
            {
                await DisposeAllAsync(next);
            }

            foreach (var call in running.Skip(1))
            {
                Assert.Equal(System.Net.WebSockets.WebSocketState.Open, call.State);
            }
        }
        finally
        {
            foreach (var call in running)
            {
                await call.DisposeAsync();
            }
        }
    }
}
