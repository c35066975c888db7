namespace Switchboard.Control;

/// <summary>Teams (tenants).</summary>
internal interface ITeamStore
{
    Task CreateTeamAsync(Team team, CancellationToken cancellationToken);

    Task<Team?> GetTeamAsync(Guid id, CancellationToken cancellationToken);

    Task<Team?> FindTeamByNameAsync(string name, CancellationToken cancellationToken);

    Task<IReadOnlyList<Team>> ListTeamsAsync(CancellationToken cancellationToken);

    /// <summary>Replaces the team's limits; false when the team does not exist.</summary>
    Task<bool> SetTeamLimitsAsync(Guid id, TeamLimits limits, CancellationToken cancellationToken);
}
