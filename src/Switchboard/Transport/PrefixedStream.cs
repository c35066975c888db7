namespace Switchboard.Transport;

/// <summary>
/// A stream that first returns bytes already read from <paramref name="inner"/> (what a server sent after its
/// handshake response, often the first WebSocket frame in the same segment), then reads <paramref name="inner"/>
/// itself. Writes, flushes and disposal go straight through; the prefix is dropped once consumed.
/// </summary>
/// <param name="inner">The connection stream; disposed with this stream.</param>
/// <param name="prefix">Bytes to return before reading <paramref name="inner"/>.</param>
internal sealed class PrefixedStream(Stream inner, byte[] prefix) : Stream
{
    private byte[]? _prefix = prefix.Length > 0 ? prefix : null;
    private int _offset;

    public override bool CanRead => true;

    public override bool CanWrite => inner.CanWrite;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(Span<byte> buffer) =>
        buffer.IsEmpty && _prefix is not null ? 0 : TakePrefix(buffer) is var n and > 0 ? n : inner.Read(buffer);

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // A zero-byte read asks "is there data?": with prefix bytes left there is, so it must not wait on the
        // connection (the WebSocket's zero-byte receive would hang on a frame that already arrived).
        if (buffer.IsEmpty && _prefix is not null)
        {
            return ValueTask.FromResult(0);
        }

        return TakePrefix(buffer.Span) is var n and > 0 ? ValueTask.FromResult(n) : inner.ReadAsync(buffer, cancellationToken);
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
            _prefix = null;
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>Copies what is left of the prefix into <paramref name="destination"/>; 0 once it is used up.</summary>
    private int TakePrefix(Span<byte> destination)
    {
        if (_prefix is null || destination.IsEmpty)
        {
            return 0;
        }

        var n = Math.Min(destination.Length, _prefix.Length - _offset);
        _prefix.AsSpan(_offset, n).CopyTo(destination);
        _offset += n;
        if (_offset == _prefix.Length)
        {
            _prefix = null;
        }

        return n;
    }
}
