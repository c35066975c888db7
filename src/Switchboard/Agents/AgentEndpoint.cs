namespace Switchboard.Agents;

/// <summary>An agent endpoint: a team's named, stored <see cref="AgentSpec"/>.</summary>
internal sealed record AgentEndpoint
{
    public required Guid Id { get; init; }

    public required Guid TeamId { get; init; }

    public required string Name { get; init; }

    /// <summary>The team's endpoint for carrier calls that name none.</summary>
    public bool IsDefault { get; init; }

    public required AgentSpec Spec { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }
}
