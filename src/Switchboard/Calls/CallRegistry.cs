using System.Collections.Concurrent;

namespace Switchboard.Calls;

/// <summary>The calls live on this node, for health, metrics and (later) hang-up by id.</summary>
internal sealed class CallRegistry
{
    private const int RecentLimit = 1024;
    private readonly ConcurrentDictionary<string, ActiveCall> _calls = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _recentByStream = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _recentOrder = new();

    public int Count => _calls.Count;

    public void Add(ActiveCall call) => _calls[call.CallId] = call;

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

    public void Remove(string callId) => _calls.TryRemove(callId, out _);

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
