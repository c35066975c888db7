namespace Switchboard.Calls;

/// <summary>A call in progress on this node. <see cref="HangUpAsync"/> ends it with a close frame that gives the reason.</summary>
internal sealed record ActiveCall(string CallId, string Carrier, string? CarrierCallId, DateTimeOffset StartedAt, Func<string, Task> HangUpAsync);
