using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using StackExchange.Redis;
using Switchboard.Configuration;

namespace Switchboard.Telegram;

/// <summary>
/// The state of the bridge's call surface: armed or not (and since when it has been idle), the thread bound by the operator,
/// whether a control connection listens, and the one live call (<see cref="LiveCallLease"/>). Nobody can call until the
/// operator arms it; an armed surface with no call for <c>Realtime:AutoDisarmSeconds</c> disarms itself (<see cref="Sweep"/>).
/// Every change is announced on the <see cref="Feed"/>. In process by default; with Redis (<see cref="RedisTelegramState"/>) the
/// fields here are this node's copy of the shared state, and the server's paths use the <c>…Async</c> methods, which decide in
/// Redis so the same rule holds whichever node a request reaches (docs/cluster.md). Without Redis they are the methods below.
/// </summary>
internal sealed partial class CallSurface
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _time;
    private readonly TimeSpan _autoDisarm;
    private bool _armed;
    private DateTimeOffset _idleSince;
    private string? _threadId;
    private LiveCallLease? _lease;
    private Func<string, Task<bool>>? _hangUp;
    private Guid _hangUpSession;
    private long _version;

    public CallSurface(IOptions<SwitchboardOptions> options, TimeProvider time, RedisTelegramState? shared = null, ILogger<CallSurface>? log = null)
    {
        var realtime = options.Value.Realtime;
        BridgeId = realtime.BridgeId;
        _autoDisarm = TimeSpan.FromSeconds(realtime.AutoDisarmSeconds);
        _time = time;
        _shared = shared;
        _log = log ?? (ILogger)Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        if (shared is not null)
        {
            Feed.Relay = RelayToOtherNodes;
        }
    }

    public string BridgeId { get; }

    /// <summary>What the bridge's control connections receive.</summary>
    public BridgeFeed Feed { get; } = new();

    public bool IsArmed
    {
        get
        {
            lock (_gate)
            {
                return _armed;
            }
        }
    }

    public string? ThreadId
    {
        get
        {
            lock (_gate)
            {
                return _threadId;
            }
        }
    }

    public LiveCallLease? Lease
    {
        get
        {
            lock (_gate)
            {
                return _lease;
            }
        }
    }

    /// <summary>Whether another call holds the lease (live, or prepared and still within its connect deadline).</summary>
    public bool IsBusy
    {
        get
        {
            lock (_gate)
            {
                return _lease is { } held && (held.IsLive || held.PreparedUntil > _time.GetUtcNow());
            }
        }
    }

    /// <summary>Whether a control connection is listening.</summary>
    public bool IsControlConnected => Feed.Count > 0;

    /// <summary>Arms the surface (idempotent); the auto-disarm clock starts now.</summary>
    public void Arm(string by)
    {
        lock (_gate)
        {
            _armed = true;
            _idleSince = _time.GetUtcNow();
            _version++;
        }

        Feed.Publish(Message("surface.armed", ("by", by), ("autoDisarmSeconds", (long)_autoDisarm.TotalSeconds)));
    }

    /// <summary>Disarms the surface; a live call is not ended by it (hang it up for that).</summary>
    public void Disarm(string reason)
    {
        lock (_gate)
        {
            _armed = false;
            _version++;
        }

        Feed.Publish(Message("surface.disarmed", ("reason", reason)));
    }

    /// <summary>Binds the operator's thread: the conversation the calls' transcripts and artifacts belong to.</summary>
    public void Bind(string threadId)
    {
        lock (_gate)
        {
            _threadId = threadId;
            _version++;
        }

        Feed.Publish(Message("thread.bound", ("threadId", threadId)));
    }

    /// <summary>
    /// Takes the live-call lease for a bootstrapped session; null when another call holds it (live, or prepared and not yet
    /// past its connect deadline).
    /// </summary>
    public LiveCallLease? TryTake(Guid sessionId, long userId, long chatId, TimeSpan connectWithin)
    {
        var now = _time.GetUtcNow();
        LiveCallLease lease;
        lock (_gate)
        {
            if (_lease is { } held && (held.IsLive || held.PreparedUntil > now))
            {
                return null;
            }

            lease = _lease = new LiveCallLease(sessionId, userId, chatId, _threadId, now, now + connectWithin);
            _version++;
        }

        Feed.Publish(Message("call.preparing", ("sessionId", sessionId.ToString("D")), ("userId", userId), ("threadId", lease.ThreadId)));
        return lease;
    }

    /// <summary>Makes the prepared lease of <paramref name="sessionId"/> live with its call; false when it is not (or no longer) the holder.</summary>
    public bool TryGoLive(Guid sessionId, string callId, Func<string, Task<bool>> hangUp)
    {
        LiveCallLease lease;
        lock (_gate)
        {
            if (_lease is not { IsLive: false } held || held.SessionId != sessionId || held.PreparedUntil <= _time.GetUtcNow())
            {
                return false;
            }

            lease = _lease = held with { CallId = callId };
            _hangUp = hangUp;
            _hangUpSession = sessionId;
            _version++;
        }

        Feed.Publish(Message("call.started", ("callId", callId), ("sessionId", sessionId.ToString("D")), ("userId", lease.UserId), ("threadId", lease.ThreadId)));
        return true;
    }

    /// <summary>Releases the lease of <paramref name="sessionId"/> (a call that ended, crashed or never connected); the idle clock restarts.</summary>
    public bool Release(Guid sessionId)
    {
        lock (_gate)
        {
            if (_lease?.SessionId != sessionId)
            {
                return false;
            }

            _lease = null;
            _hangUp = null;
            _idleSince = _time.GetUtcNow();
            _version++;
        }

        return true;
    }

    /// <summary>Hangs up the live call (after the agent's goodbye); false when there is none.</summary>
    public Task<bool> HangUpAsync(string reason)
    {
        Func<string, Task<bool>>? hangUp;
        lock (_gate)
        {
            // Only the node running the call can end it; with Redis the lease may name a call on another node.
            hangUp = _lease is { IsLive: true } live && _hangUpSession == live.SessionId ? _hangUp : null;
        }

        return hangUp is not null ? hangUp(reason) : HangUpElsewhere(reason) ? Task.FromResult(true) : Task.FromResult(false);
    }

    /// <summary>
    /// Housekeeping, run every second: a prepared lease whose page never connected is released, a live lease whose call is
    /// gone (<paramref name="isCallRunning"/> false) is released, and an armed surface idle for the auto-disarm time disarms.
    /// </summary>
    public void Sweep(Func<string, bool> isCallRunning)
    {
        ArgumentNullException.ThrowIfNull(isCallRunning);
        var now = _time.GetUtcNow();
        string? released = null;
        var disarm = false;
        lock (_gate)
        {
            if (_lease is { } lease && (lease.IsLive ? !isCallRunning(lease.CallId!) : lease.PreparedUntil <= now))
            {
                released = lease.CallId ?? lease.SessionId.ToString("D");
                _lease = null;
                _hangUp = null;
                _idleSince = now;
            }

            if (_armed && _lease is null && _autoDisarm > TimeSpan.Zero && now - _idleSince >= _autoDisarm)
            {
                _armed = false;
                disarm = true;
            }
        }

        if (released is not null)
        {
            Feed.Publish(Message("call.lease_released", ("id", released), ("reason", "call gone")));
        }

        if (disarm)
        {
            Feed.Publish(Message("surface.disarmed", ("reason", "auto"), ("idleSeconds", (long)_autoDisarm.TotalSeconds)));
        }
    }

    /// <summary>The surface as the status routes and the bot show it.</summary>
    public JsonObject Describe()
    {
        lock (_gate)
        {
            var status = new JsonObject
            {
                ["bridgeId"] = BridgeId,
                ["armed"] = _armed,
                ["threadId"] = _threadId,
                ["controlConnected"] = Feed.Count > 0,
                ["autoDisarmSeconds"] = (long)_autoDisarm.TotalSeconds,
            };
            if (_armed && _lease is null && _autoDisarm > TimeSpan.Zero)
            {
                var left = _autoDisarm - (_time.GetUtcNow() - _idleSince);
                status["autoDisarmInSeconds"] = Math.Max(0, (long)Math.Ceiling(left.TotalSeconds));
            }

            status["call"] = _lease is null ? null : new JsonObject
            {
                ["state"] = _lease.IsLive ? "live" : "preparing",
                ["callId"] = _lease.CallId,
                ["sessionId"] = _lease.SessionId.ToString("D"),
                ["userId"] = _lease.UserId,
                ["since"] = _lease.TakenAt.ToString("O", CultureInfo.InvariantCulture),
            };
            return status;
        }
    }

    /// <summary>A feed message of <paramref name="type"/> with the given fields.</summary>
    public static JsonObject Message(string type, params (string Name, object? Value)[] fields)
    {
        var message = new JsonObject { ["type"] = type };
        foreach (var (name, value) in fields)
        {
            message[name] = value switch
            {
                null => null,
                JsonNode node => node,
                string s => s,
                long l => l,
                int i => i,
                bool b => b,
                double d => d,
                _ => value.ToString(),
            };
        }

        return message;
    }
}
