namespace Switchboard.Cli.Simulation;

/// <summary>
/// A <c>mark</c> from the gateway: when it arrived and when the carrier echoed it (null if the call ended first).
/// <paramref name="EchoedByClear"/> is true when a <c>clear</c> released it before its audio played.
/// </summary>
internal sealed record MarkRecord(string Name, double ReceivedMs, double? EchoedMs, bool EchoedByClear);
