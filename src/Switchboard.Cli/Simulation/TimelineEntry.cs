namespace Switchboard.Cli.Simulation;

/// <summary>One timeline event, <paramref name="TimeMs"/> after the stream started (call time, not wall time).</summary>
internal sealed record TimelineEntry(TimelineKind Kind, double TimeMs, string Detail);
