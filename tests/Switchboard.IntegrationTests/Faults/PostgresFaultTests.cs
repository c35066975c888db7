using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Npgsql;
using Switchboard.Configuration;
using Switchboard.Control;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Limits;
using Switchboard.IntegrationTests.LocalBackend;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.IntegrationTests.Storage;
using Switchboard.IntegrationTests.Webhooks;
using Switchboard.Journal;
using Switchboard.LocalAgent;
using Switchboard.LocalAgent.Hosting;
using Switchboard.Testing.Faults;
using static Switchboard.IntegrationTests.Faults.BackendReconnectTests;

namespace Switchboard.IntegrationTests.Faults;

/// <summary>
/// The link between a gateway and PostgreSQL cut by the fault proxy (open connections closed, new ones refused) while a
/// Twilio call carries audio: the call goes on (a whole turn is heard and answered), readiness fails naming the database,
/// and the caller hangs up during the outage; once the link heals the journal catches up — every event in the database,
/// the transcript whole — and <c>call.ended</c> is delivered exactly once (docs/reliability.md).
/// </summary>
[Collection(PostgresCollection.Name)]
public sealed class PostgresFaultTests : IAsyncLifetime
{
    private readonly PostgresServer _server;
    private PostgresDatabase? _database;

    public PostgresFaultTests(PostgresServer server) => _server = server;

    public async Task InitializeAsync() => _database = await _server.CreateDatabaseAsync();

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Fact]
    public async Task DatabaseCutMidCall_CallGoesOn_ReadinessNamesTheDatabase_JournalCatchesUp_CallEndedDeliveredOnce()
    {
        var sessions = new ConcurrentQueue<LocalRealtimeSession>();
        await using var backend = await LocalBackendFixture.StartAsync(new LocalBackendOptions { PaceFactor = 0 });
        backend.SessionStarted = sessions.Enqueue;
        await using var receiver = await WebhookReceiver.StartAsync();
        var direct = new NpgsqlConnectionStringBuilder(_database!.ConnectionString);
        var addresses = await Dns.GetHostAddressesAsync(direct.Host!);
        await using var proxy = FaultProxy.Start(new IPEndPoint(addresses.First(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork), direct.Port));
        var throughProxy = new NpgsqlConnectionStringBuilder(direct.ConnectionString) { Host = "127.0.0.1", Port = proxy.Port, Timeout = 3 };

        await using var gateway = await GatewayFixture.StartAsync(WebhookTestKit.Settings(new()
        {
            ["Switchboard:Storage:Provider"] = "postgres",
            ["Switchboard:Storage:PostgresConnectionString"] = throughProxy.ConnectionString,
            ["Switchboard:Backend:Kind"] = "OpenAI",
            ["Switchboard:OpenAI:ApiKey"] = backend.ApiKey,
            ["Switchboard:OpenAI:RealtimeUrl"] = backend.Url.GetLeftPart(UriPartial.Path),
            ["Switchboard:Limits:IdleWarningSeconds"] = "0",
            ["Switchboard:Limits:IdleTimeoutSeconds"] = "0",
            ["Switchboard:Bridge:MediaTimeoutSeconds"] = "60",
        }));
        var endpoint = SessionApi.DefaultEndpoint(gateway);
        var manage = await SessionApi.CreateKeyAsync(gateway, ApiScopes.ManageEndpoints);
        await WebhookTestKit.SubscribeAsync(gateway, manage, receiver.Url, ["call.ended"]);

        await using var call = await RawCall.CarrierAsync("twilio", gateway.WebSocketUrl("/twilio"), endpoint.Id, await CarrierBinding.TokenAsync(gateway, endpoint.Id), media: false);
        var callId = await WaitAsync(() => gateway.Calls.Snapshot().FirstOrDefault()?.CallId, "the call to start");
        var session = await WaitAsync(() => sessions.TryPeek(out var s) ? s : null, "the backend session");
        var sent = await SpeakTurnAsync(call);
        await WaitAsync(async () => (await Turns(gateway, callId)).Any(t => t.Role == "agent"), "the agent's first answer");
        await WaitAsync(() => session.AudioAppends == sent, "the first turn's frames at the backend");

        // The database's path is cut: open connections end, new ones are refused.
        proxy.RefuseNew = true;
        proxy.Cut();

        var down = await WaitAsync(async () => await HealthAsync(gateway) is { Status: HttpStatusCode.ServiceUnavailable } r ? r.Body.ToString() : null, "readiness to fail");
        var body = JsonDocument.Parse(down).RootElement;
        Assert.Contains(body.GetProperty("failing").EnumerateArray(), f => f.GetString()!.StartsWith("database: ", StringComparison.Ordinal));
        Assert.Equal("down", body.GetProperty("dependencies").GetProperty("database").GetProperty("state").GetString());

        // The call goes on: a whole turn during the outage is heard and answered with audio to the caller (the journal's
        // reads wait for the database, so the answer is checked on the wire here and in the transcript afterwards).
        var before = session.AudioAppends;
        var heard = call.Messages;
        sent = await SpeakTurnAsync(call);
        await WaitAsync(() => call.Messages > heard + 10, "the agent's audio during the outage");
        await WaitAsync(() => session.AudioAppends == before + sent, "the outage turn's frames at the backend");
        Assert.False(call.Closed.IsCompleted);

        // The caller hangs up while the database is still unreachable: the end waits in the journal.
        await call.HangUpAsync();
        await WaitAsync(() => gateway.Calls.Count == 0, "the call to end");
        Assert.Empty(receiver.Received);

        proxy.Restore();
        await WaitAsync(async () => (await HealthAsync(gateway)).Status == HttpStatusCode.OK, "readiness after the link healed");

        // The journal caught up: every event is in the database, the transcript whole, ended once.
        var events = await gateway.WaitForEndedCallAsync(callId, TimeSpan.FromSeconds(30));
        var stored = await gateway.Store.ReadEventsAsync(callId, CancellationToken.None);
        Assert.Equal(events.Select(e => e.Sequence), stored.Select(e => e.Sequence));
        // No gap: the events written during the outage are all there, in order.
        Assert.Equal(Enumerable.Range(0, stored.Count).Select(i => stored[0].Sequence + i), stored.Select(e => e.Sequence));
        Assert.Equal(CallEndReason.CallerHangup, Assert.Single(stored, e => e.Type == CallEventType.CallEnded).Reason);
        var turns = CallTranscript.Build(stored);
        Assert.Equal(["caller", "agent", "caller", "agent"], turns.Select(t => t.Role));
        Assert.All(turns, t => Assert.False(string.IsNullOrWhiteSpace(t.Text)));

        var delivered = await receiver.WaitForAsync(r => r.Any(w => w.Type == "call.ended"), TimeSpan.FromSeconds(30));
        Assert.Equal(callId, delivered.Single(w => w.Type == "call.ended").Json.GetProperty("data").GetProperty("callId").GetString());
        // Once: the delivery is done, and nothing else is pending for the call.
        var deliveries = await WebhookTestKit.WaitForDeliveriesAsync(gateway, manage, d => d.Length > 0 && d.All(x => x.GetProperty("status").GetString() == "delivered"));
        Assert.Single(deliveries);
        Assert.Single(receiver.Received, w => w.Type == "call.ended");
    }

    private static async Task<(HttpStatusCode Status, JsonElement Body)> HealthAsync(GatewayFixture gateway)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
        using var response = await http.GetAsync(gateway.BaseUrl + "/health/ready");
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }
}
