using System.Collections.Concurrent;
using Switchboard.Cluster;
using Switchboard.Journal;

namespace Switchboard.Calls;

/// <summary>
/// The calls live on this node, for health, metrics, listing and hang-up by id. With shared state (Redis) every call is also
/// entered in the cluster registry as it goes live and removed as it ends: this is the one place that happens, on every channel.
/// </summary>
internal sealed class CallRegistry
{
    private const int RecentLimit = 1024;
    private readonly ClusterRegistry? _cluster;
    private readonly ConcurrentDictionary<string, ActiveCall> _calls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _recentByStream = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _recentOrder = new();

    /// <summary>A registry of this node alone (no shared state).</summary>
    public CallRegistry()
    {
    }

    /// <summary>A registry that also enters its calls in the cluster registry (when <paramref name="cluster"/> is enabled).</summary>
    public CallRegistry(ClusterRegistry? cluster) => _cluster = cluster is { Enabled: true } ? cluster : null;

    public int Count => _calls.Count;

    public void Add(ActiveCall call)
    {
        _calls[call.CallId] = call;
        _cluster?.Register(new ClusterCall
        {
            CallId = call.CallId,
            Node = _cluster.NodeId,
            TeamId = call.TeamId,
            EndpointId = call.EndpointId,
            EndpointName = call.EndpointName,
            Channel = call.Carrier,
            CarrierCallId = call.CarrierCallId,
            AccountId = call.AccountId,
            StartedAt = call.StartedAt,
        });
    }

    /// <summary>Remembers which call a carrier stream id belongs to (the last 1024 calls), for diagnostics.</summary>
    public void RememberStream(string streamId, string callId)
    {
        if (_recentByStream.TryAdd(streamId, callId))
        {
            _recentOrder.Enqueue(streamId);
            while (_recentOrder.Count > RecentLimit && _recentOrder.TryDequeue(out var old))
            {
                _recentByStream.TryRemove(old, out _);
            }
        }
    }

    public bool TryFindByStream(string streamId, out string? callId) => _recentByStream.TryGetValue(streamId, out callId);

    public void Remove(string callId)
    {
        if (_calls.TryRemove(callId, out _))
        {
            _cluster?.Unregister(callId);
        }
    }

    /// <summary>
    /// An operator's hang-up of the team's call <paramref name="callId"/> live here: ends it after a goodbye (<paramref name="say"/>,
    /// or the agent's own words) with <see cref="CallEndReason.OperatorHangup"/> and <paramref name="detail"/>. The API and a
    /// hang-up forwarded from another node both come here, so they answer alike. The returned task (when accepted) completes
    /// when the call has ended; nobody needs to wait for it but someone should observe it.
    /// </summary>
    public HangupAttempt HangUp(string callId, Guid teamId, string detail, string? say)
    {
        if (!_calls.TryGetValue(callId, out var call) || call.TeamId != teamId)
        {
            return new HangupAttempt(HangupStatus.NotFound, null, null);
        }

        if (call.EndWithGoodbyeAsync is not { } endWithGoodbye)
        {
            return new HangupAttempt(HangupStatus.NotSupported, call, null);
        }

        var ending = endWithGoodbye(CallEndReason.OperatorHangup, detail, say);
        return ending.IsCompletedSuccessfully && !ending.Result
            ? new HangupAttempt(HangupStatus.AlreadyEnding, call, null)
            : new HangupAttempt(HangupStatus.Accepted, call, ending);
    }

    public bool TryGet(string callId, out ActiveCall? call) => _calls.TryGetValue(callId, out call);

    /// <summary>
    /// The team's live call named by <paramref name="id"/>: its call id, else the carrier's call id or the session id it runs
    /// for. Null when no such call is live here, also when it is another team's (so ids cannot be probed).
    /// </summary>
    public ActiveCall? FindForTeam(string id, Guid teamId)
    {
        if (!_calls.TryGetValue(id, out var call))
        {
            call = _calls.Values.FirstOrDefault(c => string.Equals(c.CarrierCallId, id, StringComparison.OrdinalIgnoreCase));
        }

        return call is not null && call.TeamId == teamId ? call : null;
    }

    public IReadOnlyCollection<ActiveCall> Snapshot() => _calls.Values.ToArray();

    /// <summary>Hangs up every live call (gateway shutdown) and waits for the close frames to go out.</summary>
    public Task HangUpAllAsync(string reason) => Task.WhenAll(Snapshot().Select(c => c.HangUpAsync(reason)));
}
