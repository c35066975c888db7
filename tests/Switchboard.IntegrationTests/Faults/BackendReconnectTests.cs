using System.Collections.Concurrent;
using System.Text;
using Switchboard.Audio;
using Switchboard.Configuration;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Limits;
using Switchboard.IntegrationTests.LocalBackend;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.Journal;
using Switchboard.LocalAgent;
using Switchboard.LocalAgent.Hosting;
using Switchboard.Testing.Faults;

namespace Switchboard.IntegrationTests.Faults;

/// <summary>
/// A live Twilio call on real sockets, its agent leg running to the local backend through the fault proxy: the backend
/// connection is cut, reset or black-holed between two turns, and the call goes on on a new backend session with the
/// conversation replayed; or it cannot be regained and ends <c>backend_unavailable</c>. Caller frames are counted where
/// the backend receives them: none sent outside the gap is lost.
/// </summary>
public sealed class BackendReconnectTests : IAsyncDisposable
{
    private const int FrameMs = 20;
    private readonly ConcurrentQueue<LocalRealtimeSession> _sessions = new();
    private LocalRealtimeHost? _backend;
    private FaultProxy? _proxy;
    private GatewayFixture? _gateway;

    private async Task<GatewayFixture> StartAsync(Dictionary<string, string?>? extra = null)
    {
        _backend = await LocalBackendFixture.StartAsync(new LocalBackendOptions { PaceFactor = 0 });
        _backend.SessionStarted = _sessions.Enqueue;
        _proxy = FaultProxy.Start(_backend.Url.Port);
        var settings = SessionApi.Settings();
        settings["Switchboard:Backend:Kind"] = "OpenAI";
        settings["Switchboard:OpenAI:ApiKey"] = _backend.ApiKey;
        settings["Switchboard:OpenAI:RealtimeUrl"] = _proxy.Through(new Uri(_backend.Url.GetLeftPart(UriPartial.Path))).ToString();
        settings["Switchboard:Limits:IdleWarningSeconds"] = "0";
        settings["Switchboard:Limits:IdleTimeoutSeconds"] = "0";
        settings["Switchboard:Backend:KeepAliveSeconds"] = "1";
        settings["Switchboard:Backend:KeepAliveTimeoutSeconds"] = "1";
        // A black-holed attempt hangs until its connect timeout; the budget leaves room for the next one.
        settings["Switchboard:Backend:ConnectTimeoutSeconds"] = "2";
        settings["Switchboard:Backend:ReconnectBudgetSeconds"] = "10";
        settings["Switchboard:Bridge:MediaTimeoutSeconds"] = "60";
        foreach (var (key, value) in extra ?? [])
        {
            settings[key] = value;
        }

        return _gateway = await GatewayFixture.StartAsync(settings);
    }

    public static TheoryData<string> Faults => ["cut", "reset", "black-hole"];

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task BackendLost_BetweenTurns_NextTurnIsAnsweredOnANewSession_TranscriptWhole_NoCallerAudioLost(string fault)
    {
        var gateway = await StartAsync();
        var endpoint = SessionApi.DefaultEndpoint(gateway);
        await using var call = await RawCall.CarrierAsync("twilio", gateway.WebSocketUrl("/twilio"), endpoint.Id, await CarrierBinding.TokenAsync(gateway, endpoint.Id), media: false);
        var callId = await WaitAsync(() => gateway.Calls.Snapshot().FirstOrDefault()?.CallId, "the call to start");
        var first = await WaitAsync(() => _sessions.TryPeek(out var s) ? s : null, "the first backend session");

        var sent = await SpeakTurnAsync(call);
        await WaitAsync(async () => (await Turns(gateway, callId)).Any(t => t.Role == "agent"), "the agent's first answer");
        await WaitAsync(() => first.AudioAppends == sent, $"{sent} frames at the first session (has {first.AudioAppends})");

        switch (fault)
        {
            case "cut":
                _proxy!.Cut();
                break;
            case "reset":
                _proxy!.Reset();
                break;
            default:
                // Nothing arrives any more, nothing is closed: the agent leg's unanswered ping tells.
                _proxy!.BlackHole();
                // The gateway notices (its ping goes unanswered) and tries a new connection; then the path heals.
                await WaitAsync(() => _proxy.Accepted >= 2, "a reconnect attempt");
                _proxy.Restore();
                break;
        }

        var reconnected = await WaitAsync(async () => (await gateway.Journal.ReadAsync(callId, CancellationToken.None)).FirstOrDefault(e => e.Type == CallEventType.BackendReconnected),
            "BackendReconnected");
        var second = await WaitAsync(() => _sessions.Count == 2 ? _sessions.Last() : null, "the second backend session");

        sent = await SpeakTurnAsync(call);
        await WaitAsync(async () => (await Turns(gateway, callId)).Count(t => t.Role == "agent") >= 2, "the agent's answer on the new session");
        await WaitAsync(() => second.AudioAppends == sent, $"{sent} frames at the second session (has {second.AudioAppends})");
        Assert.Equal(2, _sessions.Count);

        await call.HangUpAsync();
        var events = await gateway.WaitForEndedCallAsync(callId);
        Assert.DoesNotContain("backend", events.Single(e => e.Type == CallEventType.CallEnded).Reason, StringComparison.Ordinal);
        Assert.Equal(ReconnectReasonsDropped, reconnected.Reason);
        Assert.Equal("0", reconnected.Data!["gap_frames"]);
        // The transcript is whole: both exchanges, in order, the second after the reconnect.
        var turns = CallTranscript.Build(events);
        Assert.Equal(["caller", "agent", "caller", "agent"], turns.Select(t => t.Role));
        Assert.All(turns, t => Assert.False(string.IsNullOrWhiteSpace(t.Text)));
        var secondAnswer = events.Last(e => e.Type == CallEventType.AgentTurn);
        Assert.True(secondAnswer.Sequence > reconnected.Sequence);
    }

    [Fact]
    public async Task BackendGone_NoSessionWithinTheBudget_EndsBackendUnavailable()
    {
        var gateway = await StartAsync(new Dictionary<string, string?> { ["Switchboard:Backend:ReconnectBudgetSeconds"] = "1" });
        var endpoint = SessionApi.DefaultEndpoint(gateway);
        await using var call = await RawCall.CarrierAsync("twilio", gateway.WebSocketUrl("/twilio"), endpoint.Id, await CarrierBinding.TokenAsync(gateway, endpoint.Id), media: false);
        var callId = await WaitAsync(() => gateway.Calls.Snapshot().FirstOrDefault()?.CallId, "the call to start");
        await WaitAsync(() => _sessions.TryPeek(out var s) ? s : null, "the first backend session");

        _proxy!.RefuseNew = true;
        _proxy.Reset();

        var (status, reason) = await call.WaitClosedAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(System.Net.WebSockets.WebSocketCloseStatus.InternalServerError, status);
        Assert.Equal("agent backend unavailable", reason);
        var events = await gateway.WaitForEndedCallAsync(callId);
        Assert.Equal(CallEndReason.BackendUnavailable, events.Single(e => e.Type == CallEventType.CallEnded).Reason);
        Assert.DoesNotContain(events, e => e.Type == CallEventType.BackendReconnected);
        Assert.True(_proxy.Accepted > 1, "the gateway tried to reconnect");
    }

    private const string ReconnectReasonsDropped = "dropped";

    /// <summary>One caller turn: 1.5 s of speech then 0.8 s of silence, as 20 ms Twilio media frames; returns the frames sent.</summary>
    internal static async Task<int> SpeakTurnAsync(RawCall call)
    {
        var speech = CallTestAudio.Speech(1500).Samples;
        var samples = speech.Concat(new short[8 * 800]).ToArray();
        var frames = 0;
        var payload = new byte[8 * FrameMs];
        for (var offset = 0; offset + payload.Length <= samples.Length; offset += payload.Length)
        {
            G711.PcmToMuLaw(samples.AsSpan(offset, payload.Length), payload);
            frames++;
            var media = "{\"event\":\"media\",\"sequenceNumber\":\"" + (frames + 1) + "\",\"streamSid\":\"" + call.StreamSid
                + "\",\"media\":{\"track\":\"inbound\",\"chunk\":\"" + frames + "\",\"timestamp\":\"" + (frames * FrameMs)
                + "\",\"payload\":\"" + Convert.ToBase64String(payload) + "\"}}";
            await call.SendAsync(media);
            await Task.Delay(FrameMs / 4);
        }

        return frames;
    }

    internal static async Task<IReadOnlyList<TranscriptTurn>> Turns(GatewayFixture gateway, string callId) =>
        CallTranscript.Build(await gateway.Journal.ReadAsync(callId, CancellationToken.None));

    internal static Task<T> WaitAsync<T>(Func<T?> probe, string what) where T : class => WaitAsync(() => Task.FromResult(probe()), what);

    internal static async Task WaitAsync(Func<bool> probe, string what) => await WaitAsync(() => Task.FromResult(probe() ? "yes" : null), what);

    internal static async Task WaitAsync(Func<Task<bool>> probe, string what) => await WaitAsync(async () => await probe() ? "yes" : null, what);

    internal static async Task<T> WaitAsync<T>(Func<Task<T?>> probe, string what) where T : class
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            if (await probe() is { } value)
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("timed out waiting for " + what);
            }

            await Task.Delay(20);
        }
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

        if (_backend is not null)
        {
            await _backend.DisposeAsync();
        }
    }
}
