using System.Buffers;
using System.IO.Pipelines;
using Switchboard.Agents.Tools;
using Switchboard.Artifacts;
using Switchboard.Journal;

namespace Switchboard.Tests.Calls.Harness;

/// <summary>
/// One end of an in-memory duplex byte stream: reads what the other end writes, and writes what it reads. Handles the
/// zero-byte reads a <see cref="System.Net.WebSockets.WebSocket"/> uses to wait for data without a buffer. Disposing it
/// ends the other end's reads (end of stream), as closing a TCP connection would.
/// </summary>
internal sealed class DuplexPipeStream : Stream
{
    private readonly PipeReader _input;
    private readonly PipeWriter _output;
    private int _disposed;

    public DuplexPipeStream(PipeReader input, PipeWriter output)
    {
        _input = input;
        _output = output;
    }

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ReadResult result;
        try
        {
            result = await _input.ReadAsync(cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            throw new IOException("harness: the stream was closed", ex);
        }

        if (result.IsCanceled || Volatile.Read(ref _disposed) != 0)
        {
            throw new IOException("harness: the stream was closed");
        }

        var data = result.Buffer;
        if (data.IsEmpty && result.IsCompleted)
        {
            _input.AdvanceTo(data.End);
            return 0;
        }

        if (buffer.IsEmpty)
        {
            // A zero-byte read: data is there; consume none of it.
            _input.AdvanceTo(data.Start);
            return 0;
        }

        var count = (int)Math.Min(data.Length, buffer.Length);
        data.Slice(0, count).CopyTo(buffer.Span);
        _input.AdvanceTo(data.GetPosition(count));
        return count;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (Volatile.Read(ref _disposed) != 0)
        {
            throw new IOException("harness: the stream was closed");
        }

        FlushResult flushed;
        try
        {
            flushed = await _output.WriteAsync(buffer, cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            throw new IOException("harness: the stream was closed", ex);
        }

        if (flushed.IsCompleted)
        {
            throw new IOException("harness: the other end is gone");
        }
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Write(byte[] buffer, int offset, int count) => WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            // The other end reads end-of-stream; a read pending here returns. The input is left to the GC: completing it
            // under a pending read would race that read.
            _output.Complete();
            _input.CancelPendingRead();
        }

        base.Dispose(disposing);
    }
}
