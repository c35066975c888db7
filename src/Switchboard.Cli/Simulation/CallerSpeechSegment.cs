namespace Switchboard.Cli.Simulation;

/// <summary>
/// Speech the simulated caller sends: the loud part of a clip placed on the call timeline.
/// <paramref name="Index"/> counts from 1 within its kind (caller speech or barge-in).
/// </summary>
internal sealed record CallerSpeechSegment(int Index, bool IsBargeIn, double StartMs, double EndMs)
{
    /// <summary>Length of the speech.</summary>
    public double DurationMs => EndMs - StartMs;

    /// <summary>"caller speech 1" or "barge-in 2".</summary>
    public string Label => IsBargeIn ? $"barge-in {Index}" : $"caller speech {Index}";
}
