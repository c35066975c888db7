namespace Switchboard.Agents;

/// <summary>The ranges of the limits an endpoint and a team share (docs/limits.md), checked in one place for both.</summary>
internal static class LimitRules
{
    /// <summary>Longest warning or idle time, and the largest daily seconds budget (one day).</summary>
    public const int MaxSeconds = 86_400;

    /// <summary>Largest cost budget accepted, in US dollars (a typo guard, not a business rule).</summary>
    public const double MaxCostUsd = 1_000_000;

    /// <summary>Largest concurrency cap accepted.</summary>
    public const int MaxConcurrent = 100_000;

    /// <summary>The problems of the given values as (field, message) pairs; fields are camelCase names without a prefix.</summary>
    public static IEnumerable<(string Field, string Problem)> Check(int? callWarningSeconds, int? idleWarningSeconds, int? idleTimeoutSeconds,
        int maxDailyCallSeconds, double maxCallCostUsd, double maxDailyCostUsd, int maxConcurrentCalls)
    {
        if (callWarningSeconds is < 0 or > MaxSeconds)
        {
            yield return ("callWarningSeconds", "callWarningSeconds must be 0 (no warning) to 86400");
        }

        if (idleWarningSeconds is < 0 or > MaxSeconds)
        {
            yield return ("idleWarningSeconds", "idleWarningSeconds must be 0 (off) to 86400");
        }

        if (idleTimeoutSeconds is < 0 or > MaxSeconds)
        {
            yield return ("idleTimeoutSeconds", "idleTimeoutSeconds must be 0 (off) to 86400");
        }
        else if (idleTimeoutSeconds is > 0 && idleWarningSeconds is > 0 && idleWarningSeconds >= idleTimeoutSeconds)
        {
            yield return ("idleWarningSeconds", "idleWarningSeconds must be shorter than idleTimeoutSeconds");
        }

        if (maxDailyCallSeconds is < 0 or > MaxSeconds)
        {
            yield return ("maxDailyCallSeconds", "maxDailyCallSeconds must be 0 (no budget) to 86400");
        }

        if (!double.IsFinite(maxCallCostUsd) || maxCallCostUsd is < 0 or > MaxCostUsd)
        {
            yield return ("maxCallCostUsd", "maxCallCostUsd must be 0 (no budget) to 1000000");
        }

        if (!double.IsFinite(maxDailyCostUsd) || maxDailyCostUsd is < 0 or > MaxCostUsd)
        {
            yield return ("maxDailyCostUsd", "maxDailyCostUsd must be 0 (no budget) to 1000000");
        }

        if (maxConcurrentCalls is < 0 or > MaxConcurrent)
        {
            yield return ("maxConcurrentCalls", "maxConcurrentCalls must be 0 (no cap) to 100000");
        }
    }
}
