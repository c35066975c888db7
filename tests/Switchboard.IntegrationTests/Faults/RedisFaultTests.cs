using System.Net;
using System.Text.Json;
using StackExchange.Redis;
using Switchboard.Agents;
using Switchboard.Cluster;
using Switchboard.Configuration;
using Switchboard.Control;
using Switchboard.IntegrationTests.Cluster;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Limits;
using Switchboard.IntegrationTests.LocalBackend;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.Journal;
using Switchboard.Limits;
using Switchboard.LocalAgent;
using Switchboard.LocalAgent.Hosting;
using Switchboard.Testing.Faults;
using static Switchboard.IntegrationTests.Faults.BackendReconnectTests;

namespace Switchboard.IntegrationTests.Faults;

/// <summary>
/// The link between a gateway and its Redis broken by the fault proxy (black-holed: bytes stop, sockets stay open; or
/// reset: RST) while a capped team's Twilio call carries audio: the call keeps relaying both ways, readiness fails naming
/// redis, a new capped call is refused <c>shared_state_unavailable</c>; once the link heals admissions resume and the running
/// call's slot lease and registry entry are in Redis again (docs/reliability.md, docs/cluster.md).
/// </summary>
public sealed class RedisFaultTests : IAsyncDisposable
{
    private LocalRealtimeHost? _backend;
    private RedisServer? _redis;
    private FaultProxy? _proxy;
    private GatewayFixture? _gateway;

    public static TheoryData<string> Faults => ["black-hole", "reset"];

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task RedisLinkBroken_RunningCallKeepsItsAudio_NewCappedCallRefused_AfterwardsAdmitsAndReassertsLeaseAndEntry(string fault)
    {
        var sessions = new System.Collections.Concurrent.ConcurrentQueue<LocalRealtimeSession>();
        var backend = _backend = await LocalBackendFixture.StartAsync(new LocalBackendOptions { PaceFactor = 0 });
        backend.SessionStarted = sessions.Enqueue;
        var redis = _redis = await RedisServer.StartNewAsync();
        var proxy = _proxy = FaultProxy.Start(redis.Port);
        var settings = SessionApi.Settings();
        settings["Switchboard:Node:Id"] = "node-a";
        settings["Switchboard:Redis:Configuration"] = $"127.0.0.1:{proxy.Port},connectTimeout=2000,syncTimeout=2000,asyncTimeout=2000";
        settings["Switchboard:Redis:LeaseSeconds"] = "3";
        settings["Switchboard:Backend:Kind"] = "OpenAI";
        settings["Switchboard:OpenAI:ApiKey"] = backend.ApiKey;
        settings["Switchboard:OpenAI:RealtimeUrl"] = backend.Url.GetLeftPart(UriPartial.Path);
        settings["Switchboard:Limits:IdleWarningSeconds"] = "0";
        settings["Switchboard:Limits:IdleTimeoutSeconds"] = "0";
        settings["Switchboard:Bridge:MediaTimeoutSeconds"] = "60";
        var gateway = _gateway = await GatewayFixture.StartAsync(settings);

        var team = await SessionApi.CreateTeamAsync(gateway);
        Assert.True(await gateway.Store.SetTeamLimitsAsync(team.Id, new TeamLimits { MaxConcurrentCalls = 3 }, CancellationToken.None));
        var key = await SessionApi.CreateKeyAsync(gateway, teamId: team.Id);
        var endpoint = await SessionApi.CreateEndpointAsync(gateway, new AgentSpec(), team.Id);

        await using var call = await RawCall.CarrierAsync("twilio", gateway.WebSocketUrl("/twilio"), endpoint.Id, await CarrierBinding.TokenAsync(gateway, endpoint.Id), media: false);
        var callId = await WaitAsync(() => gateway.Calls.Snapshot().FirstOrDefault()?.CallId, "the call to start");
        var session = await WaitAsync(() => sessions.TryPeek(out var s) ? s : null, "the backend session");
        var sent = await SpeakTurnAsync(call);
        await WaitAsync(async () => (await Turns(gateway, callId)).Any(t => t.Role == "agent"), "the agent's first answer");
        await WaitAsync(() => session.AudioAppends == sent, "the first turn's frames at the backend");

        // Read Redis directly, not through the proxy.
        using var direct = await ConnectionMultiplexer.ConnectAsync(redis.Configuration);
        var db = direct.GetDatabase();
        var teamKey = SlotLeaseMath.RedisKey(AdmissionGate.TeamKey(team.Id));
        Assert.Equal(1, await db.SortedSetLengthAsync(teamKey));
        Assert.True(await db.HashExistsAsync(ClusterKeys.Calls, callId));

        if (fault == "reset")
        {
            // Every connection is reset and new ones too: Redis looks gone.
            proxy.RefuseNew = true;
            proxy.Reset();
        }
        else
        {
            proxy.BlackHole();
        }

        // Readiness names redis within a bounded time (the client's timeouts are 2 s; the health probe's 3 s).
        var health = await WaitAsync(async () => await HealthAsync(gateway) is { Status: HttpStatusCode.ServiceUnavailable } r ? r.Body.ToString() : null, "readiness to fail");
        var body = JsonDocument.Parse(health).RootElement;
        Assert.Contains(body.GetProperty("failing").EnumerateArray(), f => f.GetString()!.StartsWith("redis: ", StringComparison.Ordinal));
        Assert.Equal("down", body.GetProperty("dependencies").GetProperty("redis").GetProperty("state").GetString());
        Assert.Equal("ok", body.GetProperty("dependencies").GetProperty("database").GetProperty("state").GetString());

        // A new call of the capped team is refused with the reason (fail closed, the default policy).
        await using (var refused = await RawCall.SessionAsync((await SessionApi.CreateSessionAsync(gateway, key, endpoint.Id)).WsUrl))
        {
            var (status, reason) = await refused.WaitClosedAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(4429, (int?)status);
            Assert.StartsWith(Refusals.SharedStateUnavailable + ": shared state (Redis)", reason, StringComparison.Ordinal);
        }

        // The running call goes on relaying audio both ways: a whole turn during the outage is heard and answered.
        var before = session.AudioAppends;
        sent = await SpeakTurnAsync(call);
        await WaitAsync(async () => (await Turns(gateway, callId)).Count(t => t.Role == "agent") >= 2, "the agent's answer during the outage");
        await WaitAsync(() => session.AudioAppends == before + sent, "the outage turn's frames at the backend");
        Assert.False(call.Closed.IsCompleted);
        Assert.Single(gateway.Calls.Snapshot());

        // Lose what Redis held for the call, as a restart would: the node must put it back by itself.
        await db.KeyDeleteAsync(teamKey);
        await db.HashDeleteAsync(ClusterKeys.Calls, callId);
        proxy.Restore();

        await WaitAsync(async () => (await HealthAsync(gateway)).Status == HttpStatusCode.OK, "readiness after the link healed");
        await WaitAsync(async () => await db.SortedSetLengthAsync(teamKey) == 1 && await db.HashExistsAsync(ClusterKeys.Calls, callId), "the call's lease and registry entry re-asserted");

        await using var after = await RawCall.SessionAsync((await SessionApi.CreateSessionAsync(gateway, key, endpoint.Id)).WsUrl);
        await WaitAsync(() => gateway.Calls.Count == 2, "an admission after the link healed");
        Assert.False(after.Closed.IsCompleted);
        Assert.Equal(2, await db.SortedSetLengthAsync(teamKey));

        await call.HangUpAsync();
        var events = await gateway.WaitForEndedCallAsync(callId);
        Assert.Equal(CallEndReason.CallerHangup, events.Single(e => e.Type == CallEventType.CallEnded).Reason);
        Assert.Equal(["caller", "agent", "caller", "agent"], CallTranscript.Build(events).Select(t => t.Role));
        await WaitAsync(async () => !await db.HashExistsAsync(ClusterKeys.Calls, callId), "the ended call's entry removed");
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> HealthAsync(GatewayFixture gateway)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync(gateway.BaseUrl + "/health/ready");
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    public async ValueTask DisposeAsync()
    {
        if (_gateway is not null)
        {
            await _gateway.DisposeAsync();
        }

        if (_proxy is not null)
        {
            await _proxy.DisposeAsync();
        }

        if (_redis is not null)
        {
            await _redis.DisposeAsync();
        }

        if (_backend is not null)
        {
            await _backend.DisposeAsync();
        }
    }
}
