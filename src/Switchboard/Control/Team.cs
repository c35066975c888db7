namespace Switchboard.Control;

/// <summary>A tenant: it owns API keys, endpoints, sessions and calls. Nothing crosses teams.</summary>
internal sealed record Team(Guid Id, string Name, DateTimeOffset CreatedAt)
{
    /// <summary>The team's caps and budgets (none until set).</summary>
    public TeamLimits Limits { get; init; } = TeamLimits.None;
}
