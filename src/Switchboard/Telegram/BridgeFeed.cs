using System.Text.Json.Nodes;
using System.Threading.Channels;

namespace Switchboard.Telegram;

/// <summary>
/// The messages a bridge's control connections receive (<c>/ws/bridge</c>): surface changes and call events, each a JSON object
/// with a <c>type</c>. Every connection has its own bounded queue; a connection too slow to keep up loses the oldest
/// messages rather than holding up a call.
/// </summary>
internal sealed class BridgeFeed
{
    private readonly Lock _gate = new();
    private readonly List<Channel<JsonObject>> _subscribers = [];

    /// <summary>Connections listening now.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _subscribers.Count;
            }
        }
    }

    /// <summary>A new connection's queue; pass it to <see cref="Unsubscribe"/> when the connection ends.</summary>
    public Channel<JsonObject> Subscribe()
    {
        var channel = Channel.CreateBounded<JsonObject>(new BoundedChannelOptions(1024) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true });
        lock (_gate)
        {
            _subscribers.Add(channel);
        }

        return channel;
    }

    public void Unsubscribe(Channel<JsonObject> channel)
    {
        lock (_gate)
        {
            _subscribers.Remove(channel);
        }

        channel.Writer.TryComplete();
    }

    /// <summary>With Redis: hands each message published here to the other nodes' feeds (their bridges hear it too).</summary>
    public Action<JsonObject>? Relay { get; set; }

    /// <summary>Sends <paramref name="message"/> to every connection here and, with Redis, on the other nodes.</summary>
    public void Publish(JsonObject message)
    {
        PublishLocal(message);
        Relay?.Invoke(message);
    }

    /// <summary>Sends <paramref name="message"/> (a fresh object per subscriber) to every connection on this node.</summary>
    public void PublishLocal(JsonObject message)
    {
        Channel<JsonObject>[] subscribers;
        lock (_gate)
        {
            subscribers = [.. _subscribers];
        }

        foreach (var subscriber in subscribers)
        {
            subscriber.Writer.TryWrite((JsonObject)message.DeepClone());
        }
    }
}
