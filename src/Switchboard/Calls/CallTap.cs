using Switchboard.Audio;

namespace Switchboard.Calls;

/// <summary>
/// A call's listeners (listen-mode sessions, docs/sessions.md): each gets a copy of the caller's and the agent's audio
/// through its own bounded queue (<see cref="CallTapListener"/>). With nobody listening the call's per-frame cost is one
/// read of <see cref="IsListened"/>; with listeners it is a pooled copy per listener, never a wait.
/// </summary>
internal sealed class CallTap
{
    /// <summary>Listeners one call may have at once.</summary>
    public const int MaxListeners = 4;

    private readonly Lock _gate = new();

    // Replaced whole under the gate; the call's loops read it without the gate.
    private CallTapListener[] _listeners = [];
    private bool _ended;

    /// <summary>Whether the call's audio passes through the gateway (not with the SIP connector, nor in a text session).</summary>
    public bool CarriesAudio { get; set; }

    /// <summary>Whether anybody listens: the only check on the per-frame path.</summary>
    public bool IsListened => Volatile.Read(ref _listeners).Length != 0;

    /// <summary>How many listeners follow the call.</summary>
    public int Count => Volatile.Read(ref _listeners).Length;

    /// <summary>Adds a listener unless <see cref="MaxListeners"/> already follow the call or it has ended.</summary>
    public TapAttachStatus TryAttach(out CallTapListener? listener)
    {
        listener = null;
        lock (_gate)
        {
            if (_ended)
            {
                return TapAttachStatus.Ended;
            }

            if (_listeners.Length >= MaxListeners)
            {
                return TapAttachStatus.Full;
            }

            listener = new CallTapListener(this);
            Volatile.Write(ref _listeners, [.. _listeners, listener]);
            return TapAttachStatus.Attached;
        }
    }

    /// <summary>Copies a chunk of audio to every listener (synchronously: <paramref name="data"/> may point into a receive buffer).</summary>
    public void Write(TapSource source, AudioFormat format, bool isBase64, ReadOnlySpan<byte> data, string? itemId)
    {
        foreach (var listener in Volatile.Read(ref _listeners))
        {
            listener.Offer(source, format, isBase64, data, itemId);
        }
    }

    /// <summary>The call ended: every listener's queue completes with the reason, and no one can attach any more. Idempotent.</summary>
    public void Close(string endReason)
    {
        CallTapListener[] listeners;
        lock (_gate)
        {
            if (_ended)
            {
                return;
            }

            _ended = true;
            listeners = _listeners;
            Volatile.Write(ref _listeners, []);
        }

        foreach (var listener in listeners)
        {
            listener.Complete(endReason);
        }
    }

    internal void Detach(CallTapListener listener)
    {
        lock (_gate)
        {
            var index = Array.IndexOf(_listeners, listener);
            if (index >= 0)
            {
                Volatile.Write(ref _listeners, [.. _listeners.AsSpan(0, index), .. _listeners.AsSpan(index + 1)]);
            }
        }
    }
}
