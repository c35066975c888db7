using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchboard.Testing.Realtime;

/// <summary>One WebSocket the <see cref="FakeRealtimeBackend"/> accepted: sends server events on it, or drops it.</summary>
public sealed class FakeRealtimeConnection
{
    private readonly FakeRealtimeBackend _backend;
    private readonly WebSocket _socket;
    private readonly Lock _gate = new();
    private Task _lastSend = Task.CompletedTask;

    internal FakeRealtimeConnection(FakeRealtimeBackend backend, WebSocket socket)
    {
        _backend = backend;
        _socket = socket;
    }

    /// <summary>
    /// Sends one server event: a <see cref="JsonObject"/> (see <see cref="ServerEvents"/>) or any object serialized to one.
    /// An <c>event_id</c> is added unless it has one. Safe to call from several tasks at once: events leave in call order.
    /// </summary>
    public Task SendAsync(object serverEvent)
    {
        var node = JsonSerializer.SerializeToNode(serverEvent)!.AsObject();
        lock (_gate)
        {
            if (!node.ContainsKey("event_id"))
            {
                node["event_id"] = _backend.NextEventId();
            }

            // One send at a time on a WebSocket: each waits for the one before it (whether that one failed or not).
            _lastSend = SendAfterAsync(_lastSend, Encoding.UTF8.GetBytes(node.ToJsonString()));
            return _lastSend;
        }
    }

    /// <summary>Drops the connection without a close handshake, as a backend that vanishes mid-call.</summary>
    public void Abort() => _socket.Abort();

    private async Task SendAfterAsync(Task previous, byte[] message)
    {
        await previous.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await _socket.SendAsync(message, WebSocketMessageType.Text, true, CancellationToken.None);
    }
}
