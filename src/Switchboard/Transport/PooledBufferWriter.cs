using System.Buffers;

namespace Switchboard.Transport;

/// <summary>
/// An <see cref="IBufferWriter{T}"/> for one outgoing message at a time whose array is rented from
/// <see cref="ArrayPool{T}.Shared"/> on first write and handed back by <see cref="Release"/> once the message is sent, so
/// a call that is not sending holds no buffer (a relay's calls are mostly waiting). Renting and returning allocate
/// nothing once the pool's per-thread cache is warm, which keeps the frame path allocation-free. Not thread-safe: one
/// writer per loop, as with <see cref="ArrayBufferWriter{T}"/>.
/// </summary>
internal sealed class PooledBufferWriter : IBufferWriter<byte>, IDisposable
{
    private readonly int _initialBytes;
    private byte[] _buffer = [];
    private int _written;

    /// <summary>A writer whose first rent asks for at least <paramref name="initialBytes"/>.</summary>
    public PooledBufferWriter(int initialBytes = 1024) => _initialBytes = initialBytes;

    /// <summary>What was written since the last reset or release.</summary>
    public ReadOnlyMemory<byte> WrittenMemory => _buffer.AsMemory(0, _written);

    /// <summary>What was written since the last reset or release.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.AsSpan(0, _written);

    /// <summary>Bytes written since the last reset or release.</summary>
    public int WrittenCount => _written;

    /// <summary>Whether an array is rented now (for tests).</summary>
    internal bool HoldsBuffer => _buffer.Length > 0;

    /// <summary>Starts the next message in the same array.</summary>
    public void ResetWrittenCount() => _written = 0;

    /// <summary>Returns the array to the pool (after the message has been sent); the next write rents again.</summary>
    public void Release()
    {
        var buffer = _buffer;
        _buffer = [];
        _written = 0;
        if (buffer.Length > 0)
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <inheritdoc />
    public void Advance(int count)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        if (_written + count > _buffer.Length)
        {
            throw new InvalidOperationException("Cannot advance past the end of the buffer.");
        }

        _written += count;
    }

    /// <inheritdoc />
    public Memory<byte> GetMemory(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsMemory(_written);
    }

    /// <inheritdoc />
    public Span<byte> GetSpan(int sizeHint = 0)
    {
        Ensure(sizeHint);
        return _buffer.AsSpan(_written);
    }

    /// <inheritdoc />
    public void Dispose() => Release();

    private void Ensure(int sizeHint)
    {
        var needed = _written + Math.Max(sizeHint, 1);
        if (needed <= _buffer.Length)
        {
            return;
        }

        var bigger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, Math.Max(_initialBytes, _buffer.Length * 2)));
        if (_buffer.Length > 0)
        {
            _buffer.AsSpan(0, _written).CopyTo(bigger);
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        _buffer = bigger;
    }
}
