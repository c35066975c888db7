using System.Collections.Concurrent;
using Switchboard.Control;

namespace Switchboard.Limits;

/// <summary>
/// Teams' limits for admission, read from the store at most every few seconds per team (admission runs on every call;
/// a <c>PATCH /api/v1/team</c> on this node takes effect at once through <see cref="Invalidate"/>).
/// </summary>
internal sealed class TeamLimitsCache
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(5);
    private readonly ITeamStore _store;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<Guid, (TeamLimits Limits, DateTimeOffset Until)> _cache = new();

    public TeamLimitsCache(ITeamStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
    }

    public async Task<TeamLimits> GetAsync(Guid teamId, CancellationToken cancellationToken)
    {
        var now = _time.GetUtcNow();
        if (_cache.TryGetValue(teamId, out var hit) && hit.Until > now)
        {
            return hit.Limits;
        }

        var team = await _store.GetTeamAsync(teamId, cancellationToken).ConfigureAwait(false);
        var limits = team?.Limits ?? TeamLimits.None;
        _cache[teamId] = (limits, now + Ttl);
        return limits;
    }

    public void Invalidate(Guid teamId) => _cache.TryRemove(teamId, out _);
}
