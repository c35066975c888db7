using System.Collections.Concurrent;
using System.Diagnostics;

namespace Switchboard.Server.Telemetry;

/// <summary>
/// The trace a session was created in (<c>POST /api/v1/sessions</c>, which continues a caller's <c>traceparent</c>), kept
/// until the session expires so that its call, on the session's WebSocket, continues that trace. In memory on the node
/// that created the session, at most <see cref="Capacity"/> sessions; only kept while tracing is on.
/// </summary>
internal sealed class SessionTraces
{
    public const int Capacity = 10_000;

    private readonly ConcurrentDictionary<Guid, (ActivityContext Context, DateTimeOffset Expires)> _traces = new();
    private readonly TimeProvider _time;

    public SessionTraces(TimeProvider time) => _time = time;

    /// <summary>Remembers the current activity's context for <paramref name="sessionId"/> (nothing when nothing is traced).</summary>
    public void RememberCurrent(Guid sessionId, DateTimeOffset expires)
    {
        if (Activity.Current is not { Recorded: true } current)
        {
            return;
        }

        if (_traces.Count >= Capacity)
        {
            var now = _time.GetUtcNow();
            foreach (var (id, entry) in _traces)
            {
                if (entry.Expires <= now)
                {
                    _traces.TryRemove(id, out _);
                }
            }

            if (_traces.Count >= Capacity)
            {
                return;
            }
        }

        _traces[sessionId] = (current.Context, expires);
    }

    /// <summary>The context the session was created in, while the session lives.</summary>
    public bool TryGet(Guid sessionId, out ActivityContext context)
    {
        if (_traces.TryGetValue(sessionId, out var entry) && entry.Expires > _time.GetUtcNow())
        {
            context = entry.Context;
            return true;
        }

        context = default;
        return false;
    }
}
