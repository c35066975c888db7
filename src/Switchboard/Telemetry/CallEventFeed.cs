using System.Collections.Concurrent;
using System.Threading.Channels;
using Switchboard.Journal;

namespace Switchboard.Telemetry;

/// <summary>
/// Live call events for watchers (the operations page's feed, listen sessions' transcripts): every event journalled on this node, as it happens. A
/// watcher gets a bounded queue; a watcher that does not keep up loses its oldest events, never slows a call.
/// </summary>
internal sealed class CallEventFeed
{
    private const int WatcherCapacity = 1024;
    private readonly ConcurrentDictionary<Channel<CallEvent>, byte> _watchers = new();

    /// <summary>How many watchers are connected.</summary>
    public int Watchers => _watchers.Count;

    /// <summary>Hands the event to every watcher (never blocks).</summary>
    public void Publish(CallEvent callEvent)
    {
        if (_watchers.IsEmpty)
        {
            return;
        }

        foreach (var watcher in _watchers.Keys)
        {
            watcher.Writer.TryWrite(callEvent);
        }
    }

    /// <summary>Starts watching: every event published from now on, until the watch is disposed.</summary>
    public CallEventWatch Watch()
    {
        var channel = Channel.CreateBounded<CallEvent>(new BoundedChannelOptions(WatcherCapacity)
        {
            FullMode = BoundedChannelFullMode.DropOldest,
            SingleReader = true,
        });
        _watchers[channel] = 0;
        return new CallEventWatch(this, channel);
    }

    /// <summary>Events from now until <paramref name="cancellationToken"/> is cancelled.</summary>
    public async IAsyncEnumerable<CallEvent> WatchAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var watch = Watch();
        while (await watch.Reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (watch.Reader.TryRead(out var callEvent))
            {
                yield return callEvent;
            }
        }
    }

    internal void Remove(Channel<CallEvent> channel) => _watchers.TryRemove(channel, out _);
}
