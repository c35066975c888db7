using System.Net.WebSockets;
using Switchboard.Transport;

namespace Switchboard.Backends.OpenAIRealtime;

/// <summary>
/// The agent leg's socket: one GA realtime session over a client WebSocket opened by <see cref="WebSocketClient"/>
/// (no HTTP stack kept per call), or over any open WebSocket (<see cref="Over"/>). Sends are serialized; received messages land in a reusable buffer.
/// </summary>
internal sealed class RealtimeConnection : IAsyncDisposable
{
    private readonly WebSocket _socket;
    private readonly WebSocketSender _sender;
    private readonly WebSocketMessageReader _reader;

    private RealtimeConnection(WebSocket socket, int maxMessageBytes)
    {
        _socket = socket;
        _sender = new WebSocketSender(socket);
        _reader = new WebSocketMessageReader(socket, maxMessageBytes, initialBytes: 8 * 1024);
    }

    public ReadOnlyMemory<byte> Message => _reader.Message;

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    public string? CloseStatusDescription => _socket.CloseStatusDescription;

    /// <summary>Connects within <paramref name="timeout"/>, with the default keep-alive (a ping every 5 s, answered within 5 s).</summary>
    public static Task<RealtimeConnection> ConnectAsync(RealtimeEndpoint endpoint, int maxMessageBytes, TimeSpan timeout, CancellationToken cancellationToken) =>
        ConnectAsync(endpoint, maxMessageBytes, timeout, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(5), cancellationToken);

    /// <summary>
    /// Connects within <paramref name="timeout"/>. The socket pings every <paramref name="keepAliveInterval"/> and is aborted
    /// when a ping goes unanswered for <paramref name="keepAliveTimeout"/>: a black-holed backend reads as a drop.
    /// </summary>
    public static async Task<RealtimeConnection> ConnectAsync(RealtimeEndpoint endpoint, int maxMessageBytes, TimeSpan timeout, TimeSpan keepAliveInterval,
        TimeSpan keepAliveTimeout, CancellationToken cancellationToken)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        var socket = await WebSocketClient.ConnectAsync(endpoint.Url, endpoint.Headers, keepAliveInterval, cts.Token, keepAliveTimeout).ConfigureAwait(false);
        return new RealtimeConnection(socket, maxMessageBytes);
    }

    /// <summary>A connection over a WebSocket that is already open (an in-memory backend in tests); it owns the socket from now on.</summary>
    internal static RealtimeConnection Over(WebSocket socket, int maxMessageBytes) => new(socket, maxMessageBytes);

    public ValueTask<bool> SendAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken) =>
        _sender.SendTextAsync(message, cancellationToken);

    public ValueTask<ReceiveStatus> ReceiveAsync(CancellationToken cancellationToken) => _reader.ReadAsync(cancellationToken);

    /// <summary>Drops the socket at once, without a close handshake (a connection already dead, or being replaced).</summary>
    public void Abort() => _socket.Abort();

    public Task CloseAsync(string reason) => _sender.CloseAsync(WebSocketCloseStatus.NormalClosure, reason, TimeSpan.FromSeconds(2));

    public async ValueTask DisposeAsync()
    {
        await CloseAsync("call ended").ConfigureAwait(false);
        _socket.Abort();
        _socket.Dispose();
        _reader.Dispose();
        _sender.Dispose();
    }
}
