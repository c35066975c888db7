namespace Switchboard.Calls;

/// <summary>What a caller message means to the bridge.</summary>
internal enum CallerFrameKind
{
    /// <summary>Nothing for the bridge: consumed by the leg (a mark, a playback report, an ignored event).</summary>
    None,

    /// <summary>The leg queued replies of its own: the bridge runs <see cref="ICallerLeg.RunPendingAsync"/>.</summary>
    Pending,

    /// <summary>Caller audio in <see cref="CallerFrame.AudioFormat"/>, base64 in <see cref="CallerFrame.Audio"/>.</summary>
    Audio,

    /// <summary>The caller's side reported an error of its own (<see cref="CallerFrame.Detail"/>); the call goes on.</summary>
    Error,

    /// <summary>A keypad digit.</summary>
    Dtmf,

    /// <summary>A typed turn.</summary>
    Text,

    /// <summary>The caller stopped the agent itself (the client's own barge-in), at <see cref="CallerFrame.PlayedMs"/>.</summary>
    Interrupt,

    /// <summary>The caller ended the call (<see cref="CallerFrame.EndReason"/>): the leg is closed with <see cref="CallerFrame.CloseCode"/>.</summary>
    End,
}
