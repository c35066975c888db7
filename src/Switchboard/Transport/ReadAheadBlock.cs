using System.Buffers;

namespace Switchboard.Transport;

/// <summary>
/// The bytes one read took beyond what its caller asked for, in a pooled block, served to the next reads (the read-ahead
/// of <see cref="ReadAheadStream"/> and <see cref="LoopStream"/>). The block goes back to the pool once drained, so a
/// connection waiting for its next message holds none. A mutable struct: keep it in a field and call it there.
/// </summary>
internal struct ReadAheadBlock
{
    private byte[]? _block;
    private int _start;
    private int _end;

    /// <summary>True while bytes are buffered (and a pooled block is held).</summary>
    public readonly bool HoldsBuffer => _block is not null;

    /// <summary>Keeps <paramref name="block"/> (rented from the shared pool) whose first <paramref name="length"/> bytes are unread.</summary>
    public void Hold(byte[] block, int length)
    {
        _block = block;
        _start = 0;
        _end = length;
    }

    /// <summary>Copies buffered bytes into <paramref name="destination"/>, returning the block once it is empty.</summary>
    public int Drain(Span<byte> destination)
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

    /// <summary>Drops what is buffered and returns the block to the pool (safe to call twice, or from disposal).</summary>
    public void Release()
    {
        _start = _end = 0;
        if (Interlocked.Exchange(ref _block, null) is { } block)
        {
            ArrayPool<byte>.Shared.Return(block);
        }
    }
}
