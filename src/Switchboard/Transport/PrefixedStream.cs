namespace Switchboard.Transport;

/// <summary>
/// A stream that first returns bytes already read from <paramref name="inner"/> (what a server sent after its
/// handshake response, often the first WebSocket frame in the same segment), then reads <paramref name="inner"/>
/// itself. Writes, flushes and disposal go straight through; the prefix is dropped once consumed.
/// </summary>
/// <param name="inner">The connection stream; disposed with this stream.</param>
/// <param name="prefix">Bytes to return before reading <paramref name="inner"/>.</param>
internal sealed class PrefixedStream(Stream inner, byte[] prefix) : ReadWrapperStream(inner)
{
    private byte[]? _prefix = prefix.Length > 0 ? prefix : null;
    private int _offset;

    public override int Read(Span<byte> buffer) =>
        buffer.IsEmpty && _prefix is not null ? 0 : TakePrefix(buffer) is var n and > 0 ? n : Inner.Read(buffer);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // A zero-byte read asks "is there data?": with prefix bytes left there is, so it must not wait on the
        // connection (the WebSocket's zero-byte receive would hang on a frame that already arrived).
        if (buffer.IsEmpty && _prefix is not null)
        {
            return ValueTask.FromResult(0);
        }

        return TakePrefix(buffer.Span) is var n and > 0 ? ValueTask.FromResult(n) : Inner.ReadAsync(buffer, cancellationToken);
    }

    protected override void ReleaseBuffered() => _prefix = null;

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
