using System.Buffers;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;

namespace Switchboard.Transport;

/// <summary>
/// Reads whole WebSocket messages into a pooled buffer (grown on demand up to a limit). While waiting for the
/// next message it holds no buffer at all: it waits with a zero-byte receive and rents only when a frame has
/// arrived, so an idle or between-frames call costs no receive memory. The message is valid until the next
/// read or <see cref="Dispose"/>.
/// </summary>
internal sealed class WebSocketMessageReader : IDisposable
{
    private readonly WebSocket _socket;
    private readonly int _maxMessageBytes;
    private readonly int _initialBytes;
    private byte[] _buffer = [];
    private int _length;

    public WebSocketMessageReader(WebSocket socket, int maxMessageBytes, int initialBytes = 4096)
    {
        _socket = socket;
        _maxMessageBytes = maxMessageBytes;
        _initialBytes = Math.Min(initialBytes, maxMessageBytes);
    }

    /// <summary>The last complete message.</summary>
    public ReadOnlyMemory<byte> Message => _buffer.AsMemory(0, _length);

    /// <summary>True while a buffer is rented (between a frame's arrival and the next read).</summary>
    internal bool HoldsBuffer => _buffer.Length > 0;

    // Pooled builder: the read suspends on almost every message, and a fresh state-machine box per message
    // was the relay's main per-frame allocation.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<ReceiveStatus> ReadAsync(CancellationToken cancellationToken)
    {
        ReleaseBuffer();

        // Wait for the next frame header without a buffer (the WebSocket parses headers into its own small one).
        var header = await _socket.ReceiveAsync(Memory<byte>.Empty, cancellationToken).ConfigureAwait(false);
        if (header.MessageType == WebSocketMessageType.Close)
        {
            return ReceiveStatus.Closed;
        }

        if (header.EndOfMessage)
        {
            return Status(header.MessageType);
        }

        _buffer = ArrayPool<byte>.Shared.Rent(_initialBytes);
        while (true)
        {
            if (_length == _buffer.Length)
            {
                if (_buffer.Length >= _maxMessageBytes)
                {
                    return ReceiveStatus.TooLarge;
                }

                var bigger = ArrayPool<byte>.Shared.Rent(Math.Min(_buffer.Length * 2, _maxMessageBytes));
                _buffer.AsSpan(0, _length).CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = bigger;
            }

            // Never read past the limit, so an oversized message is detected without buffering it.
            var room = Math.Min(_buffer.Length, _maxMessageBytes) - _length;
            if (room <= 0)
            {
                return ReceiveStatus.TooLarge;
            }

            var result = await _socket.ReceiveAsync(_buffer.AsMemory(_length, room), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return ReceiveStatus.Closed;
            }

            _length += result.Count;
            if (result.EndOfMessage)
            {
                return Status(result.MessageType);
            }

            if (_length >= _maxMessageBytes)
            {
                return ReceiveStatus.TooLarge;
            }
        }
    }

    public void Dispose() => ReleaseBuffer();

    private static ReceiveStatus Status(WebSocketMessageType type) =>
        type == WebSocketMessageType.Text ? ReceiveStatus.Text : ReceiveStatus.Binary;

    private void ReleaseBuffer()
    {
        _length = 0;
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
