using System.Collections.Concurrent;
using Switchboard.Calls;

namespace Switchboard.Sessions;

/// <summary>
/// The live call of each session on this node. A session has at most one: a newer connection (a reload, a second tab)
/// takes over and the older one is closed with 4000.
/// </summary>
internal sealed class SessionConnections
{
    private readonly ConcurrentDictionary<Guid, CallBridge> _live = new();

    public int Count => _live.Count;

    /// <summary>Makes <paramref name="call"/> the session's connection; returns the one it replaces, if any.</summary>
    public CallBridge? Register(Guid sessionId, CallBridge call)
    {
        ArgumentNullException.ThrowIfNull(call);
        CallBridge? previous = null;
        _live.AddOrUpdate(sessionId, call, (_, old) =>
        {
            previous = old;
            return call;
        });
        return ReferenceEquals(previous, call) ? null : previous;
    }

    /// <summary>The session's live call on this node, if any.</summary>
    public CallBridge? Find(Guid sessionId) => _live.TryGetValue(sessionId, out var call) ? call : null;

    /// <summary>Forgets the connection, unless a newer one has already replaced it.</summary>
    public void Unregister(Guid sessionId, CallBridge call)
    {
        ArgumentNullException.ThrowIfNull(call);
        _live.TryRemove(new KeyValuePair<Guid, CallBridge>(sessionId, call));
    }
}
