namespace Switchboard.Transport;

/// <summary>
/// The common part of the client-side streams that change only how a connection is read (<see cref="ReadAheadStream"/>,
/// <see cref="PrefixedStream"/>): writes, flushes and disposal go straight to <paramref name="inner"/>, and it does not seek.
/// A subclass supplies the two reads.
/// </summary>
/// <param name="inner">The connection stream; disposed with this stream.</param>
internal abstract class ReadWrapperStream(Stream inner) : Stream
{
    /// <summary>The wrapped connection stream.</summary>
    protected Stream Inner => inner;

    public override bool CanRead => true;

    public override bool CanWrite => inner.CanWrite;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public abstract override int Read(Span<byte> buffer);

    public abstract override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default);

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

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

    /// <summary>Drops what the subclass holds (called once, after <see cref="Inner"/> is disposed).</summary>
    protected virtual void ReleaseBuffered()
    {
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
            ReleaseBuffered();
        }

        base.Dispose(disposing);
    }
}
