using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.Agents;
using Switchboard.Configuration;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Limits;
using Switchboard.IntegrationTests.LocalBackend;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.Journal;
using Switchboard.LocalAgent;
using Switchboard.LocalAgent.Hosting;
using Switchboard.Testing.Faults;
using static Switchboard.IntegrationTests.Faults.BackendReconnectTests;

namespace Switchboard.IntegrationTests.Faults;

/// <summary>
/// Provider failover on real sockets with two local backends: the endpoint's primary (<c>openai</c>, a local backend
/// behind the fault proxy) and its fallback (<c>local</c>, the gateway's own). The proxy refuses the primary at the start
/// or cuts it mid-call and refuses it from then on; the caller's next turn is answered by the fallback and the transcript
/// is whole.
/// </summary>
public sealed class BackendFailoverTests : IAsyncDisposable
{
    private readonly ConcurrentQueue<LocalRealtimeSession> _primarySessions = new();
    private readonly ConcurrentQueue<LocalRealtimeSession> _fallbackSessions = new();
    private LocalRealtimeHost? _primary;
    private FaultProxy? _proxy;
    private GatewayFixture? _gateway;

    private async Task<GatewayFixture> StartAsync()
    {
        _primary = await LocalBackendFixture.StartAsync(new LocalBackendOptions { PaceFactor = 0 });
        _primary.SessionStarted = _primarySessions.Enqueue;
        _proxy = FaultProxy.Start(_primary.Url.Port);
        var settings = SessionApi.Settings();
        // The gateway runs its own local backend (the fallback) and knows OpenAI's URL and key (the primary, proxied).
        settings["Switchboard:Backend:Kind"] = "Local";
        settings["Switchboard:OpenAI:ApiKey"] = _primary.ApiKey;
        settings["Switchboard:OpenAI:RealtimeUrl"] = _proxy.Through(new Uri(_primary.Url.GetLeftPart(UriPartial.Path))).ToString();
        settings["Switchboard:Limits:IdleWarningSeconds"] = "0";
        settings["Switchboard:Limits:IdleTimeoutSeconds"] = "0";
        settings["Switchboard:Backend:ConnectTimeoutSeconds"] = "2";
        settings["Switchboard:Backend:ReconnectBudgetSeconds"] = "1";
        settings["Switchboard:Bridge:MediaTimeoutSeconds"] = "60";
        _gateway = await GatewayFixture.StartAsync(settings);
        _gateway.App.Services.GetRequiredService<LocalRealtimeHost>().SessionStarted = _fallbackSessions.Enqueue;
        return _gateway;
    }

    public static TheoryData<string> When => ["at-start", "mid-call"];

    [Theory]
    [MemberData(nameof(When))]
    public async Task PrimaryLost_TheFallbackAnswersTheNextTurn_TranscriptWhole(string when)
    {
        var gateway = await StartAsync();
        var endpoint = await SessionApi.CreateEndpointAsync(gateway, new AgentSpec { Backend = "openai", Fallback = new BackendFallbackSpec { Backend = "local" } });
        if (when == "at-start")
        {
            _proxy!.RefuseNew = true;
        }

        await using var call = await RawCall.CarrierAsync("twilio", gateway.WebSocketUrl("/twilio"), endpoint.Id, await CarrierBinding.TokenAsync(gateway, endpoint.Id), media: false);
        var callId = await WaitAsync(() => gateway.Calls.Snapshot().FirstOrDefault()?.CallId, "the call to start");
        var expected = new List<string>();
        if (when == "mid-call")
        {
            var first = await WaitAsync(() => _primarySessions.TryPeek(out var s) ? s : null, "the primary's session");
            var sent = await SpeakTurnAsync(call);
            await WaitAsync(async () => (await Turns(gateway, callId)).Any(t => t.Role == "agent"), "the primary's answer");
            await WaitAsync(() => first.AudioAppends == sent, $"{sent} frames at the primary");
            expected.AddRange(["caller", "agent"]);
            _proxy!.RefuseNew = true;
            _proxy.Cut();
        }

        var failover = await WaitAsync(async () => (await gateway.Journal.ReadAsync(callId, CancellationToken.None)).FirstOrDefault(e => e.Type == CallEventType.BackendReconnected),
            "the failover");
        var fallback = await WaitAsync(() => _fallbackSessions.TryPeek(out var s) ? s : null, "the fallback's session");

        var spoken = await SpeakTurnAsync(call);
        await WaitAsync(async () => (await Turns(gateway, callId)).Count(t => t.Role == "agent") > expected.Count / 2, "the fallback's answer");
        await WaitAsync(() => fallback.AudioAppends == spoken, $"{spoken} frames at the fallback");
        expected.AddRange(["caller", "agent"]);

        await call.HangUpAsync();
        var events = await gateway.WaitForEndedCallAsync(callId);
        Assert.DoesNotContain("backend", events.Single(e => e.Type == CallEventType.CallEnded).Reason, StringComparison.Ordinal);
        Assert.Equal("failover", failover.Reason);
        Assert.Equal("local", failover.Data!["backend"]);
        Assert.StartsWith("openai", failover.Data["from"], StringComparison.Ordinal);
        Assert.Single(_fallbackSessions);
        Assert.Equal(when == "mid-call" ? 1 : 0, _primarySessions.Count);
        var turns = CallTranscript.Build(events);
        Assert.Equal(expected, turns.Select(t => t.Role));
        Assert.All(turns, t => Assert.False(string.IsNullOrWhiteSpace(t.Text)));
        Assert.True(events.Last(e => e.Type == CallEventType.AgentTurn).Sequence > failover.Sequence);
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

        if (_primary is not null)
        {
            await _primary.DisposeAsync();
        }
    }
}
