using Microsoft.Extensions.Time.Testing;
using Switchboard.Agents;
using Switchboard.Agents.Tools;
using Switchboard.Artifacts;
using Switchboard.Calls;
using Switchboard.Configuration;
using Switchboard.Journal;
using Switchboard.Limits;

namespace Switchboard.Tests.Calls.Harness;

/// <summary>
/// One <see cref="CallBridge"/> wired to fakes, with no network and no real clock (pipecat's <c>run_test</c>, LiveKit's
/// <c>fake_io</c>): a <see cref="FakeCallerLeg"/>, a <see cref="ScriptedBackend"/> behind a real WebSocket over in-memory
/// pipes, an in-memory journal, a <see cref="CallAdmission"/> over a fake resolver and endpoint provider, a fake tool
/// invoker, and a <see cref="FakeTimeProvider"/> the test advances. Waits are event-driven (<see cref="HarnessSignal"/>):
/// a scenario runs in milliseconds.
/// </summary>
/// <example>
/// <code>
/// await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone(), spec);
/// await h.Backend.ResponseCreatedAsync("resp_1");
/// await h.Backend.AudioDeltaAsync("resp_1", "item_1", ms: 200);
/// await h.WaitUntilAsync(() => h.Leg.SentMs("item_1") == 200, "the audio at the leg");
/// </code>
/// </example>
internal sealed class BridgeHarness : IAsyncDisposable
{
    public static readonly Guid TeamId = Guid.Parse("7ea70000-0000-4000-8000-000000000001");
    public static readonly Guid EndpointId = Guid.Parse("e9d90000-0000-4000-8000-000000000002");

    private readonly CancellationTokenSource _aborted = new();

    static BridgeHarness()
    {
        // Every hop of a scenario (a pipe read, a loop's continuation) is a thread-pool work item. With the default
        // minimum (one thread per core: two here) and the test runner holding pool threads, a hop could wait ~1 s for
        // the pool to grow; a scenario then took a second instead of milliseconds. Nothing here blocks a thread.
        ThreadPool.GetMinThreads(out var workers, out var io);
        ThreadPool.SetMinThreads(Math.Max(workers, 16), io);
    }
    private readonly List<ScriptedBackend> _sessions = [];
    private Task? _run;
    private int _syncCounter;

    private BridgeHarness(FakeCallerLeg leg, AgentSpec spec, SwitchboardOptions options, ICallerLeg? bridgeLeg = null)
    {
        Options = options;
        Leg = leg;
        Time = new FakeTimeProvider(new DateTimeOffset(2026, 1, 1, 9, 0, 0, TimeSpan.Zero));
        leg.Attach(Signal, Time);
        var (client, server) = InMemoryWebSocketPair.Create();
        _sessions.Add(new ScriptedBackend(server, Signal));
        Connector = new FakeRealtimeConnector(client, options.Bridge.MaxBackendMessageBytes)
        {
            NextSession = () =>
            {
                var (nextClient, nextServer) = InMemoryWebSocketPair.Create();
                lock (_sessions)
                {
                    _sessions.Add(new ScriptedBackend(nextServer, Signal));
                }

                Signal.Pulse();
                return nextClient;
            },
        };
        Journal = new MemoryCallJournal(Signal);
        Tools = new FakeToolInvoker(Signal);
        Logger = new RecordingLogger(Signal);
        Endpoints = new FakeEndpointProvider();
        Resolver = new FakeAgentResolver(new AgentEndpoint
        {
            Id = EndpointId,
            TeamId = TeamId,
            Name = "harness",
            Spec = spec,
            CreatedAt = Time.GetUtcNow(),
            UpdatedAt = Time.GetUtcNow(),
        });
        Gate = new AdmissionGate(Microsoft.Extensions.Options.Options.Create(options), Slots, new UsageLedger(Usage, Time), Drain, new TeamLimitsCache(Teams, Time), Time);
        var admission = new CallAdmission(Resolver, Endpoints, remote: null, Gate, Journal, Time);
        var services = new CallServices(options, admission, Connector, Journal, Registry, Tools, Logger, Time, CallPricing.Default);
        // A wrapper (a leg without media over the fake) may stand between the bridge and the fake leg the test drives.
        Bridge = new CallBridge(bridgeLeg ?? leg, services, _aborted.Token);
    }

    public HarnessSignal Signal { get; } = new();

    public SwitchboardOptions Options { get; }

    public FakeCallerLeg Leg { get; }

    /// <summary>The backend session the bridge connected last (the first until a reconnect).</summary>
    public ScriptedBackend Backend
    {
        get
        {
            lock (_sessions)
            {
                return _sessions[^1];
            }
        }
    }

    /// <summary>Every backend session the bridge has had, in order (a reconnect adds one).</summary>
    public IReadOnlyList<ScriptedBackend> Sessions
    {
        get
        {
            lock (_sessions)
            {
                return _sessions.ToArray();
            }
        }
    }

    public FakeRealtimeConnector Connector { get; }

    public MemoryCallJournal Journal { get; }

    public CallRegistry Registry { get; } = new();

    /// <summary>The limits' shared state: slots, the drain flag, teams' limits, earlier usage (set before <see cref="BeginAsync"/>).</summary>
    public ConcurrencySlots Slots { get; } = new();

    public DrainState Drain { get; } = new();

    public FakeTeamStore Teams { get; } = new();

    public FakeUsageStore Usage { get; } = new();

    public AdmissionGate Gate { get; }

    public FakeToolInvoker Tools { get; }

    public RecordingLogger Logger { get; }

    public FakeEndpointProvider Endpoints { get; }

    public FakeAgentResolver Resolver { get; }

    public FakeTimeProvider Time { get; }

    public CallBridge Bridge { get; }

    /// <summary>The bridge's <see cref="CallBridge.RunAsync"/>, once begun.</summary>
    public Task Run => _run ?? throw new InvalidOperationException("harness: not begun");

    public bool HasEnded => _run is { IsCompleted: true };

    /// <summary>The journal's <c>CallEnded</c>, once written.</summary>
    public CallEvent? CallEnded => Journal.OfType(CallEventType.CallEnded).SingleOrDefault();

    /// <summary>A harness not yet running: set up the fakes (a failing connector, a refusing resolver), then <see cref="BeginAsync"/>.</summary>
    public static BridgeHarness Create(FakeCallerLeg leg, AgentSpec? spec = null, SwitchboardOptions? options = null) =>
        new(leg, spec ?? new AgentSpec(), options ?? new SwitchboardOptions());

    /// <summary>A call on a leg whose media the backend holds (<see cref="FakeRemoteLeg"/>); the test drives its inner fake leg.</summary>
    public static async Task<BridgeHarness> StartRemoteAsync(FakeRemoteLeg remote, AgentSpec? spec = null, SwitchboardOptions? options = null)
    {
        var harness = new BridgeHarness(remote.Inner, spec ?? new AgentSpec(), options ?? new SwitchboardOptions(), remote);
        await harness.BeginAsync();
        return harness;
    }

    /// <summary>Starts a call and returns once it runs (the caller loop waits for frames: the agent leg is configured and the limits armed).</summary>
    public static async Task<BridgeHarness> StartAsync(FakeCallerLeg leg, AgentSpec? spec = null, SwitchboardOptions? options = null)
    {
        var harness = Create(leg, spec, options);
        await harness.BeginAsync();
        if (harness.HasEnded)
        {
            throw new InvalidOperationException($"harness: the call ended while starting ({harness.CallEnded?.Reason}: {harness.CallEnded?.Detail})");
        }

        return harness;
    }

    /// <summary>Runs the bridge until the call runs (and the backend has received what the bridge sent to set it up) or has ended.</summary>
    public async Task BeginAsync()
    {
        _run = Task.Run(Bridge.RunAsync);
        _ = _run.ContinueWith(_ => Signal.Pulse(), TaskScheduler.Default);
        await WaitUntilAsync(() => Leg.IsReceiving || HasEnded, "the call to start");
        await DrainAgentLegAsync();
    }

    public Task WaitUntilAsync(Func<bool> condition, string what) => Signal.WaitUntilAsync(condition, what);

    /// <summary>
    /// A barrier: returns once the bridge has handled every server event sent before it (a benign backend error goes
    /// through the backend loop and is logged) and every caller frame queued before it, and the backend has received
    /// every client event the bridge sent meanwhile. Background work the events started (tool runs, an armed end) may
    /// still be running: wait for its effect.
    /// </summary>
    public async Task SyncAsync()
    {
        if (!HasEnded && !Backend.CloseReceived)
        {
            var marker = $"harness sync {Interlocked.Increment(ref _syncCounter)}";
            await Backend.ErrorAsync("response_cancel_not_active", marker);
            await WaitUntilAsync(() => HasEnded || Logger.Entries.Any(e => e.Message.Contains(marker, StringComparison.Ordinal)), "the backend loop to reach " + marker);
        }

        await WaitUntilAsync(() => HasEnded || Leg.IsIdle, "the caller loop to handle every queued frame");
        await DrainAgentLegAsync();
    }

    /// <summary>Sends a marker on the agent leg behind the bridge's own sends and waits for the backend to read it.</summary>
    private async Task DrainAgentLegAsync()
    {
        if (Connector.Connection is not { } connection || HasEnded || Backend.CloseReceived)
        {
            return;
        }

        var seen = Backend.MarkersSeen;
        bool sent;
        try
        {
            sent = await connection.SendAsync("""{"type":"harness.marker"}"""u8.ToArray(), CancellationToken.None);
        }
        catch (ObjectDisposedException)
        {
            // The call ended meanwhile and the bridge disposed its agent leg.
            return;
        }

        if (sent)
        {
            await WaitUntilAsync(() => Backend.MarkersSeen > seen || Backend.CloseReceived || HasEnded, "the backend to read the harness's marker");
        }
    }

    /// <summary>Waits for the call to end and returns its <c>CallEnded</c> event.</summary>
    public async Task<CallEvent> EndedAsync()
    {
        await WaitUntilAsync(() => HasEnded, "the call to end");
        await Run;
        return CallEnded ?? throw new InvalidOperationException("harness: the call ended without CallEnded");
    }

    /// <summary>Moves the call's clock (timers due by then fire on this thread).</summary>
    public void Advance(TimeSpan by) => Time.Advance(by);

    /// <summary>The caller's connection goes away under the bridge (the host's abort token), not with a close frame.</summary>
    public void AbortCallerConnection() => _aborted.Cancel();

    public async ValueTask DisposeAsync()
    {
        if (_run is { } run)
        {
            if (!run.IsCompleted)
            {
                Leg.HangUp();
                await run.WaitAsync(HarnessSignal.Patience).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            }

            await Bridge.DisposeAsync();
        }

        foreach (var session in Sessions)
        {
            await session.DisposeAsync();
        }

        _aborted.Dispose();
    }
}
