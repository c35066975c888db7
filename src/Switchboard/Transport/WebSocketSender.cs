using System.Net.WebSockets;
using System.Runtime.CompilerServices;

namespace Switchboard.Transport;

/// <summary>
/// Serializes sends on one WebSocket: several loops of a call write to the same socket, and a WebSocket
/// allows only one send at a time. Closing goes through the same gate so it never races a send.
/// </summary>
internal sealed class WebSocketSender : IDisposable
{
    private readonly WebSocket _socket;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private int _closed;

    public WebSocketSender(WebSocket socket) => _socket = socket;

    public WebSocket Socket => _socket;

    /// <summary>True once a close has been sent or the socket stopped being open.</summary>
    public bool IsClosed => Volatile.Read(ref _closed) != 0 || _socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived);

    /// <summary>Sends one text message. Returns false (never throws) when the socket is gone.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> SendTextAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (IsClosed)
            {
                return false;
            }

            await _socket.SendAsync(message, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            return false;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Sends a close frame once; later calls do nothing. Waits at most <paramref name="timeout"/>.</summary>
    public async Task CloseAsync(WebSocketCloseStatus status, string reason, TimeSpan timeout)
    {
        if (Interlocked.Exchange(ref _closed, 1) != 0)
        {
            return;
        }

        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _gate.WaitAsync(cts.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            _socket.Abort();
            return;
        }

        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                // Close reasons are limited to 123 bytes by RFC 6455.
                var trimmed = reason.Length > 120 ? reason[..120] : reason;
                await _socket.CloseOutputAsync(status, trimmed, cts.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or IOException or ObjectDisposedException or OperationCanceledException)
        {
            _socket.Abort();
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();
}
