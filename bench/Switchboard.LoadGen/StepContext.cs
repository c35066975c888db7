namespace Switchboard.LoadGen;

/// <summary>What the echo backend needs to know about the step in progress.</summary>
internal sealed class StepContext(CallState[] calls, long bargeInEveryTicks)
{
    public CallState[] Calls { get; } = calls;

    /// <summary>0 disables barge-ins.</summary>
    public long BargeInEveryTicks { get; } = bargeInEveryTicks;

    public CallState? Find(int index) => (uint)index < (uint)Calls.Length ? Calls[index] : null;
}
