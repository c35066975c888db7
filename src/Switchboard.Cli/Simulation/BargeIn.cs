namespace Switchboard.Cli.Simulation;

/// <summary>A barge-in and how long the gateway took to <c>clear</c> the caller's playback (null if it never did).</summary>
internal sealed record BargeIn(int Index, double StartMs, double EndMs, double? ClearAfterMs);
