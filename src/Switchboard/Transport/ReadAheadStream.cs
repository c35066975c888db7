using System.Buffers;
using System.Runtime.CompilerServices;

namespace Switchboard.Transport;

/// <summary>
/// A read-side buffer under a client WebSocket on a plain socket. The runtime's WebSocket reads a frame header
/// into its small buffer and the payload with a second read, so every message cost two <c>recv</c> calls (three
/// with the wait). This stream reads whatever the socket holds, one message or several, with one call into a
/// pooled block and serves the WebSocket's reads from it. The block goes back to the pool as soon as it is
/// drained, so a connection waiting for its next message holds none; zero-byte reads (how the WebSocket waits
/// without a buffer) and writes go straight through.
/// </summary>
/// <param name="inner">The connection stream; disposed with this stream.</param>
internal sealed class ReadAheadStream(Stream inner) : ReadWrapperStream(inner)
{
    /// <summary>One read's worth: several 20 ms audio messages, and what one loopback or LAN segment carries.</summary>
    public const int BlockBytes = 4096;

    private ReadAheadBlock _ahead;

    /// <summary>True while read-ahead bytes are buffered (and a pooled block is held).</summary>
    internal bool HoldsBuffer => _ahead.HoldsBuffer;

    public override int Read(Span<byte> buffer)
    {
        if (_ahead.HoldsBuffer)
        {
            return _ahead.Drain(buffer);
        }

        return Inner.Read(buffer);
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // Buffered bytes answer at once; a zero-byte read then says "data is there" without touching the socket.
        if (_ahead.HoldsBuffer)
        {
            return ValueTask.FromResult(_ahead.Drain(buffer.Span));
        }

        // A zero-byte wait holds no block; a read as large as a block gains nothing from a copy.
        if (buffer.IsEmpty || buffer.Length >= BlockBytes)
        {
            return Inner.ReadAsync(buffer, cancellationToken);
        }

        return FillAsync(buffer, cancellationToken);
    }

    protected override void ReleaseBuffered() => _ahead.Release();

    // Pooled builder: this read usually completes at once, but when it waits a fresh box per wait would allocate.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> FillAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var block = ArrayPool<byte>.Shared.Rent(BlockBytes);
        int read;
        try
        {
            read = await Inner.ReadAsync(block, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(block);
            throw;
        }

        if (read <= buffer.Length)
        {
            // All of it fits the caller's buffer: no read-ahead left to keep.
            block.AsSpan(0, read).CopyTo(buffer.Span);
            ArrayPool<byte>.Shared.Return(block);
            return read;
        }

        _ahead.Hold(block, read);
        return _ahead.Drain(buffer.Span);
    }
}
