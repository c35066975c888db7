namespace Switchboard.Journal;

/// <summary>One call as usage: when it started, how long it lasted and what it cost (null while it runs or without a price).</summary>
internal sealed record CallUsage(Guid? EndpointId, DateTimeOffset StartedAt, long? DurationMs, double? CostUsd, bool Refused);
