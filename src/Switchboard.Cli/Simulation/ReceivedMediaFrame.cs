namespace Switchboard.Cli.Simulation;

/// <summary>
/// One agent <c>media</c> message: arrival time, decoded payload size, whether any <c>clear</c> preceded it, and
/// whether it is stale (arrived after a clear while the caller's interrupting speech was still going on).
/// </summary>
internal sealed record ReceivedMediaFrame(double ArrivalMs, int DecodedBytes, bool AfterClear, bool Stale);
