namespace Switchboard.Calls;

/// <summary>A call in progress on this node.</summary>
internal sealed record ActiveCall(string CallId, string Carrier, string? CarrierCallId, DateTimeOffset StartedAt, CancellationTokenSource HangUp);
