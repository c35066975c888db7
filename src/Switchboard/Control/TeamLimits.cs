using System.Text.Json.Serialization;
using Switchboard.Agents;

namespace Switchboard.Control;

/// <summary>
/// A team's caps and budgets (<c>GET/PATCH /api/v1/team</c>), enforced together with each endpoint's: the tighter wins.
/// 0 means none from the team. Daily budgets reset at midnight in <see cref="TimeZone"/>.
/// </summary>
internal sealed record TeamLimits
{
    /// <summary>Longest call on any of the team's endpoints, in seconds (0: none from the team).</summary>
    public int MaxCallSeconds { get; init; }

    /// <summary>Call seconds the team may use per day (0: no budget).</summary>
    public int MaxDailyCallSeconds { get; init; }

    /// <summary>Estimated model cost one call may reach, in US dollars (0: no budget).</summary>
    public double MaxCallCostUsd { get; init; }

    /// <summary>Estimated model cost the team may reach per day, in US dollars (0: no budget).</summary>
    public double MaxDailyCostUsd { get; init; }

    /// <summary>Calls the team may run at once (0: no cap of its own).</summary>
    public int MaxConcurrentCalls { get; init; }

    /// <summary>IANA time zone the team's (and its endpoints') days are counted in; null: UTC.</summary>
    public string? TimeZone { get; init; }

    /// <summary>No caps, no budgets, UTC days.</summary>
    public static TeamLimits None { get; } = new();

    /// <summary>The problems of these limits as (field, message) pairs (camelCase field names).</summary>
    public IEnumerable<(string Field, string Problem)> Validate()
    {
        if (MaxCallSeconds is < 0 or > LimitRules.MaxSeconds)
        {
            yield return ("maxCallSeconds", "maxCallSeconds must be 0 (none) to 86400");
        }

        foreach (var problem in LimitRules.Check(null, null, null, MaxDailyCallSeconds, MaxCallCostUsd, MaxDailyCostUsd, MaxConcurrentCalls))
        {
            yield return problem;
        }

        if (TimeZone is not null && !TryFindZone(TimeZone, out _))
        {
            yield return ("timeZone", $"timeZone '{TimeZone}' is not a known IANA time zone (e.g. Europe/Berlin)");
        }
    }

    /// <summary>The zone days are counted in (UTC when unset or unknown). Derived from <see cref="TimeZone"/>, never stored or served.</summary>
    [JsonIgnore]
    public TimeZoneInfo Zone => TimeZone is not null && TryFindZone(TimeZone, out var zone) ? zone : TimeZoneInfo.Utc;

    private static bool TryFindZone(string id, out TimeZoneInfo zone)
    {
        zone = TimeZoneInfo.Utc;
        if (id.Length is 0 or > 64)
        {
            return false;
        }

        return TimeZoneInfo.TryFindSystemTimeZoneById(id, out zone!);
    }
}
