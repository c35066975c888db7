namespace Switchboard.LoadGen;

/// <summary>What the echo backend needs to know about the step in progress.</summary>
internal sealed class StepContext(CallState[] calls, long bargeInEveryTicks, bool alignedBargeIns = false)
{
    public CallState[] Calls { get; } = calls;

    /// <summary>0 disables barge-ins.</summary>
    public long BargeInEveryTicks { get; } = bargeInEveryTicks;

    /// <summary>
    /// Every call's first barge-in one period after its first frame, so all calls barge in within the same 20 ms (the old
    /// worst case, <c>--aligned-barge-ins</c>); otherwise each call's phase is spread over the period, as independent callers are.
    /// </summary>
    public bool AlignedBargeIns { get; } = alignedBargeIns;

    /// <summary>When call <paramref name="index"/>, whose first frame arrived at <paramref name="now"/>, first barges in.</summary>
    public long FirstBargeIn(int index, long now)
    {
        if (AlignedBargeIns)
        {
            return now + BargeInEveryTicks;
        }

        // Golden-ratio steps spread any number of calls evenly over the period; half a period first, so audio is playing.
        var phase = index * 0.6180339887498949 % 1.0;
        return now + (long)(BargeInEveryTicks * (0.5 + phase));
    }

    public CallState? Find(int index) => (uint)index < (uint)Calls.Length ? Calls[index] : null;
}
