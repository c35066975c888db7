namespace Switchboard.Configuration;

/// <summary>
/// One token bucket (for example <c>Switchboard:RateLimits:ApiPerKey</c>): it holds at most <see cref="TokenLimit"/> tokens,
/// starts full, and gains <see cref="TokensPerPeriod"/> tokens every <see cref="ReplenishmentPeriodSeconds"/>. Each request
/// it covers takes one token; a request that finds the bucket empty is refused with 429. Every client (address, key or
/// team, as the bucket says) has its own bucket.
/// </summary>
public sealed record RateLimitBucketOptions
{
    /// <summary>Whether this bucket applies (default true). <c>false</c> lifts this one limit; <see cref="RateLimitOptions.Enabled"/> lifts all.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>The burst: tokens a full bucket holds, so requests that may arrive back to back (1-1000000).</summary>
    public int TokenLimit { get; init; } = 100;

    /// <summary>Tokens added every period, the sustained rate (1 to <see cref="TokenLimit"/>).</summary>
    public int TokensPerPeriod { get; init; } = 10;

    /// <summary>The period in seconds (0.1-3600; the limiter checks its buckets every 100 ms).</summary>
    public double ReplenishmentPeriodSeconds { get; init; } = 1;

    /// <summary>Every problem with this bucket, each naming its key.</summary>
    internal IEnumerable<string> Validate(string prefix)
    {
        if (TokenLimit is < 1 or > 1_000_000)
        {
            yield return $"{prefix}:TokenLimit must be 1-1000000 (got {TokenLimit}).";
        }

        // Against a TokenLimit that is itself wrong, only the lower bound is worth reporting.
        if (TokensPerPeriod < 1 || (TokenLimit >= 1 && TokensPerPeriod > TokenLimit))
        {
            yield return $"{prefix}:TokensPerPeriod must be 1 to TokenLimit (got {TokensPerPeriod}; TokenLimit is {TokenLimit}).";
        }

        if (ReplenishmentPeriodSeconds is < 0.1 or > 3600 || double.IsNaN(ReplenishmentPeriodSeconds))
        {
            yield return $"{prefix}:ReplenishmentPeriodSeconds must be 0.1-3600 (got {ReplenishmentPeriodSeconds}).";
        }
    }
}
