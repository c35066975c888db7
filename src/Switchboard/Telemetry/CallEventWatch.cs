using System.Threading.Channels;
using Switchboard.Journal;

namespace Switchboard.Telemetry;

/// <summary>
/// One watcher of the <see cref="CallEventFeed"/>: events journalled on this node from its creation on, in a bounded queue
/// that drops its oldest when the watcher falls behind. Disposing stops the watch.
/// </summary>
internal sealed class CallEventWatch : IDisposable
{
    private readonly CallEventFeed _feed;
    private readonly Channel<CallEvent> _channel;

    internal CallEventWatch(CallEventFeed feed, Channel<CallEvent> channel)
    {
        _feed = feed;
        _channel = channel;
    }

    /// <summary>The events, in the order they were journalled.</summary>
    public ChannelReader<CallEvent> Reader => _channel.Reader;

    public void Dispose()
    {
        _feed.Remove(_channel);
        _channel.Writer.TryComplete();
    }
}
