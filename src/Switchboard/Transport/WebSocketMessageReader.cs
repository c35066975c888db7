using System.Buffers;
using System.Net.WebSockets;

namespace Switchboard.Transport;

/// <summary>
/// Reads whole WebSocket messages into one reusable pooled buffer (grown on demand up to a limit), so a
/// call reads every frame without allocating. The message is valid until the next read.
/// </summary>
internal sealed class WebSocketMessageReader : IDisposable
{
    private readonly WebSocket _socket;
    private readonly int _maxMessageBytes;
    private byte[] _buffer;
    private int _length;

    public WebSocketMessageReader(WebSocket socket, int maxMessageBytes, int initialBytes = 4096)
    {
        _socket = socket;
        _maxMessageBytes = maxMessageBytes;
        _buffer = ArrayPool<byte>.Shared.Rent(Math.Min(initialBytes, maxMessageBytes));
    }

    /// <summary>The last complete message.</summary>
    public ReadOnlyMemory<byte> Message => _buffer.AsMemory(0, _length);

    public async ValueTask<ReceiveStatus> ReadAsync(CancellationToken cancellationToken)
    {
        _length = 0;
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
                return result.MessageType == WebSocketMessageType.Text ? ReceiveStatus.Text : ReceiveStatus.Binary;
            }

            if (_length >= _maxMessageBytes)
            {
                return ReceiveStatus.TooLarge;
            }
        }
    }

    public void Dispose()
    {
        var buffer = Interlocked.Exchange(ref _buffer, []);
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
