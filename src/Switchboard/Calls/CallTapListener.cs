using System.Buffers;
using System.Threading.Channels;
using Switchboard.Audio;

namespace Switchboard.Calls;

/// <summary>
/// One listener's copy of a call's audio (<see cref="CallTap"/>): a bounded queue the call writes without waiting. When the
/// listener falls behind by <see cref="Capacity"/> chunks the oldest are dropped and counted, so a slow or dead listener
/// never slows the call. The queue completes when the call ends (<see cref="EndReason"/> then says why) or when the listener
/// leaves (<see cref="Dispose"/>).
/// </summary>
internal sealed class CallTapListener : IDisposable
{
    /// <summary>Chunks a listener may fall behind by: a few seconds of audio (carriers send 20 ms chunks, backends 40–100 ms).</summary>
    public const int Capacity = 256;

    private readonly CallTap _tap;
    private readonly Channel<TapAudio> _queue;
    private long _dropped;
    private string? _endReason;

    internal CallTapListener(CallTap tap)
    {
        _tap = tap;
        _queue = Channel.CreateBounded<TapAudio>(
            new BoundedChannelOptions(Capacity)
            {
                FullMode = BoundedChannelFullMode.DropOldest,
                SingleReader = true,
                // Never run the listener's continuation on the call's loop.
                AllowSynchronousContinuations = false,
            },
            OnDropped);
    }

    /// <summary>Chunks dropped because the listener did not keep up.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Why the call ended (a <c>CallEndReason</c>), once it has; null while it runs or after the listener left.</summary>
    public string? EndReason => Volatile.Read(ref _endReason);

    /// <summary>Waits for audio; false once the queue has completed and is empty (the call ended, or the listener left).</summary>
    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) => _queue.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>The next chunk; hand it back with <see cref="Release"/> once written out.</summary>
    public bool TryRead(out TapAudio audio) => _queue.Reader.TryRead(out audio);

    /// <summary>Returns a chunk's buffer to the pool.</summary>
    public static void Release(TapAudio audio) => ArrayPool<byte>.Shared.Return(audio.Buffer);

    /// <summary>Leaves the call: no more audio is queued, and what is left is released.</summary>
    public void Dispose()
    {
        _tap.Detach(this);
        _queue.Writer.TryComplete();
        while (_queue.Reader.TryRead(out var left))
        {
            Release(left);
        }
    }

    /// <summary>Called by the call's loops: copies the chunk and queues it without waiting.</summary>
    internal void Offer(TapSource source, AudioFormat format, bool isBase64, ReadOnlySpan<byte> data, string? itemId)
    {
        var copy = TapAudio.Copy(source, format, isBase64, data, itemId);
        if (!_queue.Writer.TryWrite(copy))
        {
            // Completed meanwhile (the listener left).
            Release(copy);
        }
    }

    /// <summary>The call ended for <paramref name="endReason"/>: what is queued can still be read, then the queue ends.</summary>
    internal void Complete(string endReason)
    {
        Volatile.Write(ref _endReason, endReason);
        _queue.Writer.TryComplete();
    }

    private void OnDropped(TapAudio dropped)
    {
        Interlocked.Increment(ref _dropped);
        Release(dropped);
    }
}
