namespace Switchboard.Cli.Admin;

/// <summary>A call's summary (<c>GET /api/v1/calls</c> items).</summary>
internal sealed record CallView(
    string Id,
    Guid? EndpointId,
    string Channel,
    string? CarrierCallId,
    string? From,
    string? To,
    DateTimeOffset StartedAt,
    DateTimeOffset? EndedAt,
    string? EndReason,
    long EventCount);
