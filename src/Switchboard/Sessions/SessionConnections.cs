using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Switchboard.Calls;
using Switchboard.Journal;

namespace Switchboard.Sessions;

/// <summary>
/// The live call of each session. A session has at most one: a newer connection (a reload, a second tab) takes over and the
/// older one is closed with 4000 — the one rule, whether the older connection is on this node or, with Redis
/// (<see cref="SessionOwnership"/>), on another.
/// </summary>
internal sealed class SessionConnections
{
    /// <summary>The close reason a superseded connection reads.</summary>
    public const string SupersededText = "superseded by a newer connection";

    private readonly ConcurrentDictionary<Guid, CallBridge> _live = new();
    private readonly ILogger _log;
    private readonly SessionOwnership? _shared;

    public SessionConnections(ILogger<SessionConnections> log, SessionOwnership? shared = null)
    {
        _log = log;
        _shared = shared;
        if (shared is not null)
        {
            shared.Superseded = (sessionId, callId) => SupersedeLocal(sessionId, callId);
        }
    }

    public int Count => _live.Count;

    /// <summary>
    /// Makes <paramref name="call"/> the session's connection: an older one on this node is superseded at once, and with Redis
    /// the session is claimed so an older one on another node is superseded too.
    /// </summary>
    public async Task TakeAsync(Guid sessionId, CallBridge call)
    {
        if (Register(sessionId, call) is { } previous)
        {
            Supersede(sessionId, previous);
        }

        if (_shared is not null)
        {
            await _shared.ClaimAsync(sessionId, call.CallId).ConfigureAwait(false);
        }
    }

    /// <summary>Makes <paramref name="call"/> the session's connection on this node; returns the one it replaces, if any.</summary>
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
        _shared?.Release(sessionId, call.CallId);
    }

    /// <summary>A newer connection elsewhere took the session: ends the local one if it is still <paramref name="callId"/>.</summary>
    private void SupersedeLocal(Guid sessionId, string callId)
    {
        if (_live.TryGetValue(sessionId, out var call) && call.CallId == callId && _live.TryRemove(new KeyValuePair<Guid, CallBridge>(sessionId, call)))
        {
            Supersede(sessionId, call);
        }
    }

    private void Supersede(Guid sessionId, CallBridge previous)
    {
        SessionLog.Superseded(_log, sessionId, previous.CallId);
        _ = previous.EndFromOutsideAsync(CallEndReason.Superseded, SupersededText);
    }
}
