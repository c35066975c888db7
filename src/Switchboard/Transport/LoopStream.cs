using System.Buffers;
using System.Runtime.CompilerServices;

namespace Switchboard.Transport;

/// <summary>
/// A connection stream on a <see cref="LoopSocket"/>, for a WebSocket to run on. Reads are served from a read-ahead block:
/// one <c>recv</c> takes whatever the socket holds (one message or several) and the WebSocket's small header read and its
/// payload read are both answered from it; the block goes back to the pool once drained, so a connection waiting for its
/// next message holds none. Writes are sent at once from the writing thread; only a full send buffer waits (for the loop's
/// writable edge), which is the backpressure a slow peer gets. A read or write that waits continues on the loop thread.
/// </summary>
internal sealed class LoopStream : Stream
{
    /// <summary>One receive's worth: several 20 ms audio messages, and what one loopback or LAN segment carries.</summary>
    public const int BlockBytes = 4096;

    private readonly LoopSocket _socket;
    private readonly bool _ownsSocket;
    private Action? _ended;
    private ReadAheadBlock _ahead;
    private int _disposed;

    /// <param name="socket">The socket; disposed with this stream when <paramref name="ownsSocket"/>.</param>
    /// <param name="prefix">Bytes already read from the connection by someone else (after an HTTP upgrade), served first.</param>
    /// <param name="ownsSocket">Whether disposing the stream closes the socket.</param>
    /// <param name="ended">Called once when a read finds the end of the stream or a failed connection.</param>
    public LoopStream(LoopSocket socket, ReadOnlySpan<byte> prefix = default, bool ownsSocket = true, Action? ended = null)
    {
        ArgumentNullException.ThrowIfNull(socket);
        _socket = socket;
        _ownsSocket = ownsSocket;
        _ended = ended;
        if (!prefix.IsEmpty)
        {
            var block = ArrayPool<byte>.Shared.Rent(Math.Max(prefix.Length, BlockBytes));
            prefix.CopyTo(block);
            _ahead.Hold(block, prefix.Length);
        }
    }

    /// <summary>The socket under the stream.</summary>
    public LoopSocket Socket => _socket;

    /// <summary>True while read-ahead bytes are buffered (and a pooled block is held).</summary>
    internal bool HoldsBuffer => _ahead.HoldsBuffer;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_ahead.HoldsBuffer)
        {
            return ValueTask.FromResult(_ahead.Drain(buffer.Span));
        }

        if (buffer.IsEmpty)
        {
            // A zero-byte read is a wait for data that holds no buffer.
            var wait = _socket.WaitReadableAsync(cancellationToken);
            return wait.IsCompletedSuccessfully ? ValueTask.FromResult(0) : WaitThenZeroAsync(wait);
        }

        var read = TryFill(buffer.Span);
        return read >= 0 ? ValueTask.FromResult(read) : ReadWhenReadableAsync(buffer, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(Span<byte> buffer)
    {
        if (_ahead.HoldsBuffer)
        {
            return _ahead.Drain(buffer);
        }

        var rented = ArrayPool<byte>.Shared.Rent(buffer.Length);
        try
        {
            var read = Block(ReadAsync(rented.AsMemory(0, buffer.Length)));
            rented.AsSpan(0, read).CopyTo(buffer);
            return read;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var offset = 0;
        while (offset < buffer.Length)
        {
            var sent = Send(buffer.Span[offset..]);
            if (sent < 0)
            {
                return WriteWhenWritableAsync(buffer[offset..], cancellationToken);
            }

            offset += sent;
        }

        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        var copy = buffer.ToArray();
        Block(WriteAsync(copy));
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing && Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            if (_ownsSocket)
            {
                _socket.Dispose();
            }

            _ahead.Release();
        }

        base.Dispose(disposing);
    }

    // Synchronous use (rare: a handshake helper) would deadlock a loop thread waiting on its own loop.
    private static T Block<T>(ValueTask<T> task)
    {
        if (!task.IsCompleted && EventLoop.OnLoopThread)
        {
            throw new InvalidOperationException("A blocking read on an event-loop thread would wait for itself.");
        }

        return task.AsTask().GetAwaiter().GetResult();
    }

    private static void Block(ValueTask task)
    {
        if (!task.IsCompleted && EventLoop.OnLoopThread)
        {
            throw new InvalidOperationException("A blocking write on an event-loop thread would wait for itself.");
        }

        task.AsTask().GetAwaiter().GetResult();
    }

    // Pooled builders: these wait for the loop on most messages (the WebSocket message reader waits with a zero-byte
    // read between messages), and a fresh box per wait would allocate per frame.
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private static async ValueTask<int> WaitThenZeroAsync(ValueTask wait)
    {
        await wait.ConfigureAwait(false);
        return 0;
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReadWhenReadableAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (true)
        {
            await _socket.WaitReadableAsync(cancellationToken).ConfigureAwait(false);
            var read = TryFill(buffer.Span);
            if (read >= 0)
            {
                return read;
            }
        }
    }

    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder))]
    private async ValueTask WriteWhenWritableAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken)
    {
        var offset = 0;
        while (offset < buffer.Length)
        {
            await _socket.WaitWritableAsync(cancellationToken).ConfigureAwait(false);
            var sent = Send(buffer.Span[offset..]);
            if (sent > 0)
            {
                offset += sent;
            }
        }
    }

    private int Send(ReadOnlySpan<byte> buffer)
    {
        try
        {
            return _socket.TrySend(buffer);
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            throw new IOException($"Unable to write to the connection: {ex.Message}", ex);
        }
    }

    /// <summary>One receive (see <see cref="TryFillCore"/>), noting the end of the stream for the <c>ended</c> callback.</summary>
    private int TryFill(Span<byte> buffer)
    {
        int read;
        try
        {
            read = TryFillCore(buffer);
        }
        catch (System.Net.Sockets.SocketException ex)
        {
            Ended();
            // As NetworkStream reports it: callers of a stream handle IOException.
            throw new IOException($"Unable to read from the connection: {ex.Message}", ex);
        }

        if (read == 0)
        {
            Ended();
        }

        return read;
    }

    private void Ended() => Interlocked.Exchange(ref _ended, null)?.Invoke();

    /// <summary>One receive: straight into a buffer as large as a block, else into a pooled block read ahead. -1: nothing yet.</summary>
    private int TryFillCore(Span<byte> buffer)
    {
        if (buffer.Length >= BlockBytes)
        {
            return _socket.TryReceive(buffer);
        }

        var block = ArrayPool<byte>.Shared.Rent(BlockBytes);
        int read;
        try
        {
            read = _socket.TryReceive(block);
        }
        catch
        {
            ArrayPool<byte>.Shared.Return(block);
            throw;
        }

        if (read <= buffer.Length)
        {
            // Nothing, the end, or all of it fits the caller's buffer: no read-ahead left to keep.
            if (read > 0)
            {
                block.AsSpan(0, read).CopyTo(buffer);
            }

            ArrayPool<byte>.Shared.Return(block);
            return read;
        }

        _ahead.Hold(block, read);
        return _ahead.Drain(buffer);
    }
}
