namespace Switchboard.Calls;

/// <summary>The outcome of <see cref="CallRegistry.HangUp"/>: the status, the call (when live here) and, when accepted, its ending.</summary>
internal sealed record HangupAttempt(HangupStatus Status, ActiveCall? Call, Task<bool>? Ending);
