using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Agents;
using Switchboard.Cli.Simulation;
using Switchboard.Control;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.Journal;
using Switchboard.Server.Api;
using Switchboard.Server.Control;

namespace Switchboard.IntegrationTests.Storage;

/// <summary>
/// A real gateway on each storage provider: a carrier call lands in the database (checked with plain SQL, not
/// through the store), keys, endpoints and transcripts survive a restart, <c>/healthz</c> reports the database,
/// and the journal keeps events while the database is unreachable and writes them once it is back.
/// </summary>
public abstract class GatewayStorageTests : IAsyncLifetime
{
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary><c>sqlite</c> or <c>postgres</c>.</summary>
    private protected abstract string ProviderName { get; }

    /// <summary>Creates the test's empty database.</summary>
    public abstract Task InitializeAsync();

    public abstract Task DisposeAsync();

    /// <summary>Gateway settings that point storage at the test's database.</summary>
    private protected abstract Dictionary<string, string?> StorageSettings();

    /// <summary>The call row and the number of stored events, read with plain SQL.</summary>
    private protected abstract Task<RawCall?> QueryCallAsync(string callId);

    /// <summary>Makes the database unreachable for the running gateway (new connections fail, open ones are gone).</summary>
    private protected abstract Task MakeUnreachableAsync();

    private protected abstract Task MakeReachableAsync();

    [Fact]
    public async Task TwilioCall_EventsAndCallRowLandInTheDatabase()
    {
        await using var gateway = await GatewayFixture.StartAsync(StorageSettings());
        Assert.Equal(ProviderName, gateway.Store.Provider);

        var result = await CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WebSocketUrl("/twilio"),
            CallerAudio = CallTestAudio.Speech(800),
            TailSeconds = 2,
        });
        var events = await gateway.WaitForEndedCallAsync();

        var callId = events[0].CallId;
        var raw = await QueryCallAsync(callId);
        Assert.NotNull(raw);
        Assert.Equal(("twilio", result.Identity.CallId, CallEndReason.CallerHangup), (raw.Channel, raw.CarrierCallId, raw.EndReason));
        Assert.True(raw.Ended);
        Assert.Equal(events.Count, raw.EventCount);
        Assert.Equal(events.Count, raw.StoredEvents);
        Assert.Contains(events, e => e.Type == CallEventType.AgentTurn);
    }

    [Fact]
    public async Task Restart_KeyEndpointAndCallTranscriptSurvive()
    {
        string plaintext;
        Guid teamId;
        AgentEndpoint endpoint;
        string callId;
        IReadOnlyList<TranscriptTurn> transcript;
        long eventCount;
        await using (var first = await GatewayFixture.StartAsync(StorageSettings()))
        {
            teamId = first.App.Services.GetRequiredService<ControlPlaneState>().Bootstrap.DefaultTeam.Id;
            (plaintext, var prefix, var hash) = ApiKeyFormat.Generate();
            await first.Store.CreateKeyAsync(new ApiKeyRecord
            {
                Id = Guid.NewGuid(), TeamId = teamId, Name = "ci", Prefix = prefix, Hash = hash, Scopes = ApiScopes.ReadCalls, CreatedAt = DateTimeOffset.UtcNow,
            }, None);
            var now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());
            endpoint = new AgentEndpoint
            {
                Id = Guid.NewGuid(),
                TeamId = teamId,
                Name = "support",
                Spec = new AgentSpec { Voice = "cedar", Greeting = "Hi!", PhoneNumbers = ["+15550101010"], Flows = [new FlowSpec { Name = "billing" }] },
                CreatedAt = now,
                UpdatedAt = now,
            };
            await first.Store.CreateEndpointAsync(endpoint, None);

            await CallSimulator.RunAsync(new SimulationOptions { Url = first.WebSocketUrl("/twilio"), CallerAudio = CallTestAudio.Speech(800), TailSeconds = 2 });
            var events = await first.WaitForEndedCallAsync();
            callId = events[0].CallId;
            eventCount = events.Count;
            transcript = CallTranscript.Build(events);
            Assert.NotEmpty(transcript);
        }

        await using var second = await GatewayFixture.StartAsync(StorageSettings());

        Assert.Equal(teamId, second.App.Services.GetRequiredService<ControlPlaneState>().Bootstrap.DefaultTeam.Id);
        var (caller, failure) = await AuthenticateAsync(second, plaintext, ApiScopes.ReadCalls);
        Assert.Null(failure);
        Assert.Equal(teamId, caller!.TeamId);
        var (_, forbidden) = await AuthenticateAsync(second, plaintext, ApiScopes.ManageEndpoints);
        Assert.NotNull(forbidden);

        var storedEndpoint = await second.Store.GetEndpointAsync(teamId, endpoint.Id, None);
        Assert.NotNull(storedEndpoint);
        Assert.Equal(AgentSpecJson.Serialize(endpoint.Spec), AgentSpecJson.Serialize(storedEndpoint.Spec));
        Assert.Equal((endpoint.Name, endpoint.CreatedAt), (storedEndpoint.Name, storedEndpoint.CreatedAt));
        Assert.Equal(endpoint.Id, (await second.Store.FindEndpointByPhoneNumberAsync("+15550101010", None))?.Id);

        var call = await second.Store.GetCallAsync(null, callId, None);
        Assert.NotNull(call);
        Assert.Equal((eventCount, CallEndReason.CallerHangup), (call.EventCount, call.EndReason));
        var after = CallTranscript.Build(await second.Store.ReadEventsAsync(callId, None));
        Assert.Equal(transcript, after);
    }

    [Fact]
    public async Task Healthz_DatabaseUnreachableAtRuntime_Is503NamingTheDatabaseThenRecovers()
    {
        await using var gateway = await GatewayFixture.StartAsync(StorageSettings());
        using var http = new HttpClient();

        var (okStatus, ok) = await HealthAsync(http, gateway);
        Assert.Equal(HttpStatusCode.OK, okStatus);
        Assert.Equal("ok", (string?)ok["dependencies"]!["database"]!["state"]);
        Assert.Equal(ProviderName, (string?)ok["dependencies"]!["database"]!["provider"]);

        await MakeUnreachableAsync();
        var (downStatus, down) = await HealthAsync(http, gateway);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, downStatus);
        Assert.Equal("unhealthy", (string?)down["status"]);
        Assert.Equal("down", (string?)down["dependencies"]!["database"]!["state"]);
        Assert.False(string.IsNullOrWhiteSpace((string?)down["dependencies"]!["database"]!["detail"]));
        Assert.Equal("ok", (string?)down["dependencies"]!["backend"]!["state"]);

        await MakeReachableAsync();
        var (backStatus, back) = await HealthAsync(http, gateway);
        Assert.Equal(HttpStatusCode.OK, backStatus);
        Assert.Equal("ok", (string?)back["dependencies"]!["database"]!["state"]);
    }

    [Fact]
    public async Task Journal_DatabaseBrieflyDown_KeepsEventsReportsUnhealthyAndWritesThemWhenBack()
    {
        await using var gateway = await GatewayFixture.StartAsync(StorageSettings());
        using var http = new HttpClient();
        var callId = "outage-" + Guid.NewGuid().ToString("N");
        var t0 = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

        await MakeUnreachableAsync();
        gateway.Journal.Append(new CallEvent
        {
            CallId = callId, Sequence = 0, At = t0, Type = CallEventType.CallStarted, Data = new Dictionary<string, string> { [CallEventKeys.Carrier] = "twilio" },
        });
        gateway.Journal.Append(new CallEvent { CallId = callId, Sequence = 1, At = t0.AddSeconds(1), Type = CallEventType.CallerTurn, Role = "caller", Text = "are you there?" });
        gateway.Journal.Append(new CallEvent { CallId = callId, Sequence = 2, At = t0.AddSeconds(2), Type = CallEventType.CallEnded, Reason = CallEndReason.CallerHangup });

        await WaitUntilAsync(() => !gateway.Journal.Health.Ok, "the journal never reported the outage");
        var (status, body) = await HealthAsync(http, gateway);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("down", (string?)body["dependencies"]!["journal"]!["state"]);

        await MakeReachableAsync();
        using (var flushed = new CancellationTokenSource(TimeSpan.FromSeconds(30)))
        {
            await gateway.Journal.FlushAsync(flushed.Token);
        }

        Assert.True(gateway.Journal.Health.Ok, gateway.Journal.Health.Detail);
        var events = await gateway.Store.ReadEventsAsync(callId, None);
        Assert.Equal([0L, 1L, 2L], events.Select(e => e.Sequence));
        Assert.Equal("are you there?", events[1].Text);
        var raw = await QueryCallAsync(callId);
        Assert.NotNull(raw);
        Assert.True(raw.Ended);
        Assert.Equal((3L, 3L), (raw.EventCount, raw.StoredEvents));
        Assert.Equal(HttpStatusCode.OK, (await HealthAsync(http, gateway)).Status);
    }

    private static async Task<(ApiCaller? Caller, IResult? Failure)> AuthenticateAsync(GatewayFixture gateway, string key, ApiScopes scope)
    {
        using var scopeServices = gateway.App.Services.CreateScope();
        var http = new DefaultHttpContext { RequestServices = scopeServices.ServiceProvider };
        http.Request.Headers[ApiKeyFilter.HeaderName] = key;
        return await ApiKeyFilter.AuthenticateAsync(http, scope);
    }

    private static async Task<(HttpStatusCode Status, JsonNode Body)> HealthAsync(HttpClient http, GatewayFixture gateway)
    {
        using var response = await http.GetAsync(gateway.BaseUrl + "/healthz");
        return (response.StatusCode, JsonNode.Parse(await response.Content.ReadAsStringAsync())!);
    }

    private static async Task WaitUntilAsync(Func<bool> condition, string message)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, message);
            await Task.Delay(20);
        }
    }

    /// <summary>What the <c>calls</c> and <c>call_events</c> tables hold for one call.</summary>
    private protected sealed record RawCall(string Channel, string? CarrierCallId, bool Ended, string? EndReason, long EventCount, long StoredEvents);
}
