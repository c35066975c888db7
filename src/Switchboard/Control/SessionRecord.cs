namespace Switchboard.Control;

/// <summary>A session created by <c>POST /api/v1/sessions</c>: one endpoint, one interaction mode, a fixed lifetime.</summary>
internal sealed record SessionRecord
{
    public required Guid Id { get; init; }

    public required Guid TeamId { get; init; }

    public required Guid EndpointId { get; init; }

    /// <summary>One of <see cref="Agents.InteractionModes"/>.</summary>
    public required string Mode { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset ExpiresAt { get; init; }

    /// <summary>The flow entry point the session starts at, when the endpoint declares flows.</summary>
    public string? Flow { get; init; }
}
