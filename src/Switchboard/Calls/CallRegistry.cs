using System.Collections.Concurrent;

namespace Switchboard.Calls;

/// <summary>The calls live on this node, for health, metrics and (later) hang-up by id.</summary>
internal sealed class CallRegistry
{
    private readonly ConcurrentDictionary<string, ActiveCall> _calls = new(StringComparer.Ordinal);

    public int Count => _calls.Count;

    public void Add(ActiveCall call) => _calls[call.CallId] = call;

    public void Remove(string callId) => _calls.TryRemove(callId, out _);

    public bool TryGet(string callId, out ActiveCall? call) => _calls.TryGetValue(callId, out call);

    public IReadOnlyCollection<ActiveCall> Snapshot() => _calls.Values.ToArray();

    /// <summary>Hangs up every live call (gateway shutdown) and waits for the close frames to go out.</summary>
    public Task HangUpAllAsync(string reason) => Task.WhenAll(Snapshot().Select(c => c.HangUpAsync(reason)));
}
