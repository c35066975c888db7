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
internal sealed class ReadAheadStream(Stream inner) : Stream
{
    /// <summary>One read's worth: several 20 ms audio messages, and what one loopback or LAN segment carries.</summary>
    public const int BlockBytes = 4096;

    private byte[]? _block;
    private int _start;
    private int _end;

    /// <summary>True while read-ahead bytes are buffered (and a pooled block is held).</summary>
    internal bool HoldsBuffer => _block is not null;

    public override bool CanRead => true;

    public override bool CanWrite => inner.CanWrite;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer)
    {
        if (_block is not null)
        {
            return Drain(buffer);
        }

        return inner.Read(buffer);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // Buffered bytes answer at once; a zero-byte read then says "data is there" without touching the socket.
        if (_block is not null)
        {
            return ValueTask.FromResult(Drain(buffer.Span));
        }

        // A zero-byte wait holds no block; a read as large as a block gains nothing from a copy.
        if (buffer.IsEmpty || buffer.Length >= BlockBytes)
        {
            return inner.ReadAsync(buffer, cancellationToken);
        }

        return FillAsync(buffer, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(ReadOnlySpan<byte> buffer) => inner.Write(buffer);

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
        inner.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        inner.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            Release();
        }

        base.Dispose(disposing);
    }

    // Pooled builder: this read usually completes at once, but when it waits a fresh box per wait would allocate.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> FillAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        var block = ArrayPool<byte>.Shared.Rent(BlockBytes);
        int read;
        try
        {
            read = await inner.ReadAsync(block, cancellationToken).ConfigureAwait(false);
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

        _start = 0;
        _end = read;
        _block = block;
        return Drain(buffer.Span);
    }

    /// <summary>Copies buffered bytes into <paramref name="destination"/>, returning the block once it is empty.</summary>
    private int Drain(Span<byte> destination)
    {
        var block = _block;
        if (block is null)
        {
            return 0;
        }

        var n = Math.Min(destination.Length, _end - _start);
        block.AsSpan(_start, n).CopyTo(destination);
        _start += n;
        if (_start == _end)
        {
            Release();
        }

        return n;
    }

    private void Release()
    {
        _start = _end = 0;
        if (Interlocked.Exchange(ref _block, null) is { } block)
        {
            ArrayPool<byte>.Shared.Return(block);
        }
    }
}
