using Switchboard.Agents;
using Switchboard.Common;
using Switchboard.Control;
using Switchboard.Journal;

namespace Switchboard.Limits;

/// <summary>
/// A team's usage so far, in one place for the REST API (<c>GET /api/v1/usage</c>) and the CLI's local mode
/// (<c>switchboard usage</c>): (1) the span is read in the team's time zone (<see cref="UsageQuery"/>); (2) an endpoint
/// filter must name one of the team's endpoints (another team's looks missing); (3) the journal's call records are added
/// up per day, the same rows the daily budgets count (<see cref="ICallStore.ListUsageAsync"/>). Refusals are values.
/// </summary>
internal sealed class UsageAdmin
{
    private readonly ICallStore _calls;
    private readonly IEndpointStore _endpoints;
    private readonly ITeamStore _teams;
    private readonly TimeProvider _time;

    public UsageAdmin(ICallStore calls, IEndpointStore endpoints, ITeamStore teams, TimeProvider time)
    {
        _calls = calls;
        _endpoints = endpoints;
        _teams = teams;
        _time = time;
    }

    /// <summary>
    /// The team's usage per day between <paramref name="from"/> and <paramref name="to"/> (see <see cref="UsageQuery"/>),
    /// of the whole team or of the endpoint <paramref name="endpointId"/> (a UUID).
    /// </summary>
    public async Task<AdminResult<UsageReport>> ReportAsync(Guid teamId, string? from, string? to, string? endpointId, CancellationToken cancellationToken)
    {
        var team = await _teams.GetTeamAsync(teamId, cancellationToken).ConfigureAwait(false);
        if (team is null)
        {
            return TeamAdmin.NotFound();
        }

        var zone = team.Limits.Zone;
        if (!UsageQuery.Parse(from, to, _time.GetUtcNow(), zone).Succeeded(out var query, out var invalid))
        {
            return invalid;
        }

        Guid? endpoint = null;
        if (endpointId is not null)
        {
            if (!Guid.TryParse(endpointId, out var id))
            {
                return AdminError.Invalid("endpointId", $"endpointId must be an endpoint's id (a UUID) (got '{(endpointId.Length > 40 ? endpointId[..40] + "…" : endpointId)}')");
            }

            if (await _endpoints.GetEndpointAsync(teamId, id, cancellationToken).ConfigureAwait(false) is null)
            {
                return EndpointAdmin.NotFound();
            }

            endpoint = id;
        }

        var rows = await _calls.ListUsageAsync(teamId, endpoint, query.From, query.To, cancellationToken).ConfigureAwait(false);
        return Build(rows, query, zone, endpoint);
    }

    /// <summary>Adds <paramref name="rows"/> up per day of <paramref name="query"/> in <paramref name="zone"/>.</summary>
    public static UsageReport Build(IReadOnlyList<CallUsage> rows, UsageQuery query, TimeZoneInfo zone, Guid? endpointId)
    {
        var firstDay = LocalDate(query.From, zone);
        var lastDay = LocalDate(query.To.AddTicks(-1), zone);
        var days = new SortedDictionary<DateOnly, Dictionary<Guid, Sum>>();
        for (var day = firstDay; day <= lastDay; day = day.AddDays(1))
        {
            days[day] = [];
        }

        var total = new Sum();
        foreach (var row in rows)
        {
            if (!days.TryGetValue(LocalDate(row.StartedAt, zone), out var byEndpoint))
            {
                continue;
            }

            var key = row.EndpointId ?? Guid.Empty;
            if (!byEndpoint.TryGetValue(key, out var sum))
            {
                byEndpoint[key] = sum = new Sum();
            }

            sum.Add(row);
            total.Add(row);
        }

        var result = new List<UsageDay>(days.Count);
        foreach (var (date, byEndpoint) in days)
        {
            var day = new Sum();
            foreach (var sum in byEndpoint.Values)
            {
                day.Merge(sum);
            }

            var endpoints = byEndpoint
                .OrderByDescending(e => e.Value.Ms).ThenByDescending(e => e.Value.Calls).ThenBy(e => e.Key)
                .Select(e => new UsageByEndpoint(e.Key == Guid.Empty ? null : e.Key, e.Value.Calls, e.Value.Refused, Seconds(e.Value.Ms), Usd(e.Value.Cost)))
                .ToList();
            result.Add(new UsageDay(date, day.Calls, day.Refused, Seconds(day.Ms), Usd(day.Cost), endpoints));
        }

        // The span in the zone's own offsets, whatever offset the request gave it in.
        return new UsageReport(TimeZoneInfo.ConvertTime(query.From, zone), TimeZoneInfo.ConvertTime(query.To, zone), zone.Id, endpointId, new UsageTotals(total.Calls, total.Refused, Seconds(total.Ms), Usd(total.Cost)), result);
    }

    private static DateOnly LocalDate(DateTimeOffset at, TimeZoneInfo zone) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, zone).DateTime);

    private static double Seconds(long ms) => ms / 1000d;

    /// <summary>Micro-dollars, the journal's own precision; sums of doubles would show 0.30000000000000004.</summary>
    private static double Usd(double cost) => Math.Round(cost, 6);

    /// <summary>A running sum of usage rows.</summary>
    private sealed class Sum
    {
        public int Calls { get; private set; }

        public int Refused { get; private set; }

        public long Ms { get; private set; }

        public double Cost { get; private set; }

        public void Add(CallUsage row)
        {
            if (row.Refused)
            {
                Refused++;
                return;
            }

            Calls++;
            Ms += row.DurationMs ?? 0;
            Cost += row.CostUsd ?? 0;
        }

        public void Merge(Sum other)
        {
            Calls += other.Calls;
            Refused += other.Refused;
            Ms += other.Ms;
            Cost += other.Cost;
        }
    }
}
