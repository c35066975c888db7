namespace Switchboard.Cli.Simulation;

/// <summary>A gateway message a real carrier would reject or ignore, with the reason and the raw text (truncated).</summary>
internal sealed record ProtocolViolation(double TimeMs, string Problem, string Raw);
