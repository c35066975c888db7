using System.Collections.Concurrent;
using Switchboard.Journal;

namespace Switchboard.Telegram;

/// <summary>
/// The journal, with a tap for the calls someone watches live: every event still goes to the durable journal first, and an
/// event of a watched call (a Mini App call, for its bridge) is also handed to the watcher. Calls nobody watches pay one
/// dictionary lookup. The call engine is unchanged: it writes its journal as always.
/// </summary>
internal sealed class CallEventTap : ICallJournal, IAsyncDisposable
{
    private readonly ICallJournal _inner;
    private readonly bool _ownsInner;
    private readonly ConcurrentDictionary<string, Action<CallEvent>> _watchers = new(StringComparer.Ordinal);

    /// <param name="inner">The durable journal.</param>
    /// <param name="ownsInner">Whether disposing the tap disposes <paramref name="inner"/> (the tap created it).</param>
    public CallEventTap(ICallJournal inner, bool ownsInner)
    {
        _inner = inner;
        _ownsInner = ownsInner;
    }

    public JournalHealth Health => _inner.Health;

    /// <summary>Hands <paramref name="callId"/>'s events to <paramref name="watcher"/> until the returned handle is disposed.</summary>
    public IDisposable Watch(string callId, Action<CallEvent> watcher)
    {
        _watchers[callId] = watcher;
        return new Unwatch(this, callId);
    }

    public void Append(CallEvent callEvent)
    {
        _inner.Append(callEvent);
        if (!_watchers.IsEmpty && _watchers.TryGetValue(callEvent.CallId, out var watcher))
        {
            watcher(callEvent);
        }
    }

    public Task<IReadOnlyList<CallEvent>> ReadAsync(string callId, CancellationToken cancellationToken) => _inner.ReadAsync(callId, cancellationToken);

    public Task FlushAsync(CancellationToken cancellationToken) => _inner.FlushAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        if (_ownsInner && _inner is IAsyncDisposable disposable)
        {
            await disposable.DisposeAsync().ConfigureAwait(false);
        }
    }

    private sealed class Unwatch(CallEventTap tap, string callId) : IDisposable
    {
        public void Dispose() => tap._watchers.TryRemove(callId, out _);
    }
}
