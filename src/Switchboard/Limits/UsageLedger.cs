using System.Collections.Concurrent;
using Switchboard.Journal;

namespace Switchboard.Limits;

/// <summary>
/// Daily usage per budget scope (an endpoint, a team), for budgets that hold across calls: a scope's day is read from the
/// journal's call records the first time a call of that day needs it, then kept here as calls join and end. Days are
/// counted in the team's time zone; a call counts toward the day it started in.
/// </summary>
internal sealed class UsageLedger
{
    private readonly ICallStore _store;
    private readonly TimeProvider _time;
    private readonly ConcurrentDictionary<(string Key, DateTimeOffset DayStart), Lazy<Task<UsageScope>>> _scopes = new();

    public UsageLedger(ICallStore store, TimeProvider time)
    {
        _store = store;
        _time = time;
    }

    /// <summary>Today's scope of <paramref name="endpointId"/> (or of the whole team when null).</summary>
    public async Task<UsageScope> TodayAsync(Guid teamId, Guid? endpointId, TimeZoneInfo zone, CancellationToken cancellationToken)
    {
        var (dayStart, dayEnd) = Day(_time.GetUtcNow(), zone);
        var key = endpointId is { } e ? "e:" + e.ToString("N") : "t:" + teamId.ToString("N");
        var lazy = _scopes.GetOrAdd((key, dayStart), k => new Lazy<Task<UsageScope>>(() => LoadAsync(k.Key, teamId, endpointId, dayStart, dayEnd)));
        try
        {
            return await lazy.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception) when (lazy.Value.IsFaulted)
        {
            // A failed load is not cached: the next call tries the store again.
            _scopes.TryRemove(new KeyValuePair<(string, DateTimeOffset), Lazy<Task<UsageScope>>>((key, dayStart), lazy));
            throw;
        }
    }

    /// <summary>The day <paramref name="now"/> falls in, in <paramref name="zone"/>, as UTC instants [start, end).</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) Day(DateTimeOffset now, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var startLocal = local.Date;
        var endLocal = startLocal.AddDays(1);
        return (new DateTimeOffset(startLocal, zone.GetUtcOffset(startLocal)), new DateTimeOffset(endLocal, zone.GetUtcOffset(endLocal)));
    }

    private async Task<UsageScope> LoadAsync(string key, Guid teamId, Guid? endpointId, DateTimeOffset dayStart, DateTimeOffset dayEnd)
    {
        Prune();
        var (seconds, cost) = await FinishedAsync(teamId, endpointId, dayStart, dayEnd, CancellationToken.None).ConfigureAwait(false);
        return new UsageScope(key, dayStart, dayEnd, seconds, cost, _time) { TeamId = teamId, EndpointId = endpointId };
    }

    /// <summary>
    /// Re-reads the scope's finished calls from the store (with several nodes, the calls that ended elsewhere), keeping what
    /// this node booked meanwhile.
    /// </summary>
    public async Task RefreshFinishedAsync(UsageScope scope, CancellationToken cancellationToken)
    {
        var mark = scope.OwnFinishedMark();
        var (seconds, cost) = await FinishedAsync(scope.TeamId, scope.EndpointId, scope.DayStart, scope.DayEnd, cancellationToken).ConfigureAwait(false);
        scope.ReplaceFinished(seconds, cost, mark);
    }

    private async Task<(double Seconds, double CostUsd)> FinishedAsync(Guid teamId, Guid? endpointId, DateTimeOffset dayStart, DateTimeOffset dayEnd, CancellationToken cancellationToken)
    {
        var rows = await _store.ListUsageAsync(teamId, endpointId, dayStart, dayEnd, cancellationToken).ConfigureAwait(false);
        double seconds = 0, cost = 0;
        foreach (var row in rows)
        {
            if (!row.Refused)
            {
                seconds += (row.DurationMs ?? 0) / 1000d;
                cost += row.CostUsd ?? 0;
            }
        }

        return (seconds, cost);
    }

    /// <summary>Forgets days that are over and have no live call (they are never asked for again).</summary>
    private void Prune()
    {
        var now = _time.GetUtcNow();
        foreach (var (k, lazy) in _scopes)
        {
            if (lazy.IsValueCreated && lazy.Value.IsCompletedSuccessfully && lazy.Value.Result is { } scope && scope.DayEnd < now && scope.Live == 0)
            {
                _scopes.TryRemove(k, out _);
            }
        }
    }
}
