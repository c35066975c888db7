using System.Threading.RateLimiting;
using Switchboard.Configuration;

namespace Switchboard.Server.RateLimiting;

/// <summary>
/// One of the gateway's rate limits: its key under <c>Switchboard:RateLimits</c>, what it counts (its <see cref="Scope"/>,
/// named in the 429 so a client knows which budget it spent) and the refusal's detail. The per-address buckets are
/// ASP.NET Core rate-limiting policies (checked by the middleware before the endpoint runs); the per-key and per-team
/// ones run after authentication (<see cref="CallerRateLimits"/>).
/// </summary>
internal sealed class RateLimitBucket
{
    private readonly Func<RateLimitOptions, RateLimitBucketOptions> _select;

    private RateLimitBucket(string configName, string scope, string detail, Func<RateLimitOptions, RateLimitBucketOptions> select)
    {
        ConfigName = configName;
        Scope = scope;
        Detail = detail;
        _select = select;
    }

    public static RateLimitBucket ApiPerIp { get; } = new(nameof(RateLimitOptions.ApiPerIp), "ip", "Too many API requests from this client address", o => o.ApiPerIp);

    public static RateLimitBucket ApiPerKey { get; } = new(nameof(RateLimitOptions.ApiPerKey), "key", "Too many requests with this API key", o => o.ApiPerKey);

    public static RateLimitBucket ApiPerTeam { get; } = new(nameof(RateLimitOptions.ApiPerTeam), "team", "Too many requests for this team", o => o.ApiPerTeam);

    public static RateLimitBucket SessionsPerKey { get; } = new(nameof(RateLimitOptions.SessionsPerKey), "sessions", "Too many sessions created with this API key", o => o.SessionsPerKey);

    public static RateLimitBucket SessionsPerTeam { get; } = new(nameof(RateLimitOptions.SessionsPerTeam), "sessions", "Too many sessions created for this team", o => o.SessionsPerTeam);

    public static RateLimitBucket CarriersPerIp { get; } = new(nameof(RateLimitOptions.CarriersPerIp), "ip", "Too many carrier requests from this client address", o => o.CarriersPerIp);

    public static RateLimitBucket SessionSocketsPerIp { get; } = new(nameof(RateLimitOptions.SessionSocketsPerIp), "ip", "Too many session connections from this client address", o => o.SessionSocketsPerIp);

    public static RateLimitBucket DemoPerIp { get; } = new(nameof(RateLimitOptions.DemoPerIp), "ip", "Too many demo requests from this client address", o => o.DemoPerIp);

    /// <summary>The buckets counted per client address, each an ASP.NET Core rate-limiting policy named <see cref="PolicyName"/>.</summary>
    public static IReadOnlyList<RateLimitBucket> PerClientAddress { get; } = [ApiPerIp, CarriersPerIp, SessionSocketsPerIp, DemoPerIp];

    /// <summary>The option's name under <c>Switchboard:RateLimits</c>, e.g. <c>ApiPerKey</c>; also what the log names.</summary>
    public string ConfigName { get; }

    /// <summary>What the bucket counts: <c>ip</c>, <c>key</c>, <c>team</c> or <c>sessions</c> (the problem's <c>rateLimit</c>).</summary>
    public string Scope { get; }

    /// <summary>The start of the 429's detail, without the retry time.</summary>
    public string Detail { get; }

    /// <summary>The rate-limiting policy name of a per-address bucket.</summary>
    public string PolicyName => "Switchboard:RateLimits:" + ConfigName;

    /// <summary>The token bucket these options configure, or null when this limit (or every limit) is off.</summary>
    public TokenBucketRateLimiterOptions? LimiterOptions(RateLimitOptions options) => LimiterOptions(_select(options), options.Enabled);

    /// <summary>The token bucket <paramref name="bucket"/> configures, or null when it (or, with <paramref name="enabled"/> false, every limit) is off.</summary>
    public static TokenBucketRateLimiterOptions? LimiterOptions(RateLimitBucketOptions bucket, bool enabled)
    {
        if (!enabled || !bucket.Enabled)
        {
            return null;
        }

        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = bucket.TokenLimit,
            TokensPerPeriod = bucket.TokensPerPeriod,
            ReplenishmentPeriod = TimeSpan.FromSeconds(bucket.ReplenishmentPeriodSeconds),
            // Refuse at once: a queued request would hold its connection (and a WebSocket upgrade its socket) meanwhile.
            QueueLimit = 0,
            // The partitioned limiter replenishes every partition from one timer instead.
            AutoReplenishment = false,
        };
    }

    public override string ToString() => ConfigName;
}
