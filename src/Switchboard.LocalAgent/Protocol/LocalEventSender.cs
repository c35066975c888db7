using System.Buffers;
using System.Buffers.Text;
using System.Net.WebSockets;
using System.Text.Json;

namespace Switchboard.LocalAgent.Protocol;

/// <summary>
/// The single writer of a session's socket. Response streaming and inbound handling run concurrently,
/// and a WebSocket allows one send at a time, so every event goes through one lock; the JSON is built
/// into a reused buffer while the lock is held. Send failures mark the sender closed instead of throwing,
/// because a caller that hung up is not an error.
/// </summary>
internal sealed class LocalEventSender : IDisposable
{
    private readonly WebSocket _socket;
    private readonly SemaphoreSlim _lock = new(1, 1);
    private readonly ArrayBufferWriter<byte> _buffer = new(8192);
    private readonly Utf8JsonWriter _writer;
    private long _nextEventId;

    public LocalEventSender(WebSocket socket)
    {
        _socket = socket;
        _writer = new Utf8JsonWriter(_buffer, new JsonWriterOptions { SkipValidation = true });
    }

    /// <summary>True once a send failed or the socket was closed.</summary>
    public bool Closed { get; private set; }

    /// <summary>
    /// Sends <c>{"type":…,"event_id":"event_n",…body…}</c>. <paramref name="body"/> should be a static lambda
    /// so that nothing is allocated per event. Returns false when the socket is gone.
    /// </summary>
    /// <param name="type">The event type.</param>
    /// <param name="state">Values the body writes.</param>
    /// <param name="body">Writes the event's fields after <c>type</c> and <c>event_id</c>.</param>
    /// <param name="cancellationToken">Session lifetime only: cancelling a WebSocket send aborts the socket.</param>
    public async ValueTask<bool> SendAsync<TState>(JsonEncodedText type, TState state, Action<Utf8JsonWriter, TState> body, CancellationToken cancellationToken)
    {
        try
        {
            await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            return false;
        }

        try
        {
            if (Closed || _socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
            {
                Closed = true;
                return false;
            }

            Build(type, state, body);
            await _socket.SendAsync(_buffer.WrittenMemory, WebSocketMessageType.Text, endOfMessage: true, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException or IOException)
        {
            Closed = true;
            return false;
        }
        finally
        {
            _lock.Release();
        }
    }

    /// <summary>Sends a close frame (without waiting for the peer's) unless the socket is already closing.</summary>
    public async Task CloseOutputAsync(WebSocketCloseStatus status, string description, CancellationToken cancellationToken)
    {
        try
        {
            await _lock.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ObjectDisposedException)
        {
            // Session already over, or the peer stopped reading: give up on a polite close.
            return;
        }

        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(status, description, cancellationToken).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is WebSocketException or ObjectDisposedException or OperationCanceledException or IOException)
        {
            // The peer is gone already; nothing left to tell it.
        }
        finally
        {
            Closed = true;
            _lock.Release();
        }
    }

    public void Dispose()
    {
        _writer.Dispose();
        _lock.Dispose();
    }

    private void Build<TState>(JsonEncodedText type, TState state, Action<Utf8JsonWriter, TState> body)
    {
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        _writer.WriteStartObject();
        _writer.WriteString("type"u8, type);
        Span<byte> id = stackalloc byte[32];
        "event_"u8.CopyTo(id);
        Utf8Formatter.TryFormat(++_nextEventId, id[6..], out var written);
        _writer.WriteString("event_id"u8, id[..(6 + written)]);
        body(_writer, state);
        _writer.WriteEndObject();
        _writer.Flush();
    }
}
