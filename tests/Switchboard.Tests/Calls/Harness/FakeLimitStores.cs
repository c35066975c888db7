using Switchboard.Common;
using Switchboard.Control;
using Switchboard.Journal;

namespace Switchboard.Tests.Calls.Harness;

/// <summary>Teams for the admission gate: every team exists, with the limits a test sets.</summary>
internal sealed class FakeTeamStore : ITeamStore
{
    private readonly Dictionary<Guid, TeamLimits> _limits = [];

    public TeamLimits this[Guid teamId]
    {
        get => _limits.GetValueOrDefault(teamId) ?? TeamLimits.None;
        set => _limits[teamId] = value;
    }

    public Task CreateTeamAsync(Team team, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<Team?> GetTeamAsync(Guid id, CancellationToken cancellationToken) =>
        Task.FromResult<Team?>(new Team(id, "team", DateTimeOffset.UnixEpoch) { Limits = this[id] });

    public Task<Team?> FindTeamByNameAsync(string name, CancellationToken cancellationToken) => Task.FromResult<Team?>(null);

    public Task<IReadOnlyList<Team>> ListTeamsAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<Team>>([]);

    public Task<bool> SetTeamLimitsAsync(Guid id, TeamLimits limits, CancellationToken cancellationToken)
    {
        this[id] = limits;
        return Task.FromResult(true);
    }
}

/// <summary>Usage already in the journal for the budgets (earlier calls of the day); nothing else.</summary>
internal sealed class FakeUsageStore : ICallStore
{
    public List<(Guid TeamId, CallUsage Usage)> Rows { get; } = [];

    public Task<IReadOnlyList<CallUsage>> ListUsageAsync(Guid teamId, Guid? endpointId, DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        Task.FromResult<IReadOnlyList<CallUsage>>(Rows.Where(r => r.TeamId == teamId && (endpointId is null || r.Usage.EndpointId == endpointId)
            && r.Usage.StartedAt >= from && r.Usage.StartedAt < to).Select(r => r.Usage).ToList());

    public Task AppendEventsAsync(IReadOnlyList<CallEvent> events, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task<IReadOnlyList<CallEvent>> ReadEventsAsync(string callId, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<CallEvent>>([]);

    public Task<CallRecord?> GetCallAsync(Guid? teamId, string callId, CancellationToken cancellationToken) => Task.FromResult<CallRecord?>(null);

    public Task<Page<CallRecord>> ListCallsAsync(Guid? teamId, int offset, int limit, CancellationToken cancellationToken) =>
        Task.FromResult(new Page<CallRecord>([], 0));

    public Task<IReadOnlyList<string>> ListOpenCallsAsync(string nodeId, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<string>>([]);

    public Task<bool> CloseOpenCallAsync(CallEvent ended, string nodeId, CancellationToken cancellationToken) => Task.FromResult(false);
}
