namespace Switchboard.Configuration;

/// <summary>
/// Request rate limits (section <c>Switchboard:RateLimits</c>): token buckets per client address on every unauthenticated
/// entry point and on the REST API, and per API key and per team on the REST API, with a tighter pair for session
/// creation. The defaults are generous enough for the load generator (1000 Twilio streams from one address) and the test
/// suites; tighten them for a public gateway. Counters are in-process (each node counts on its own) or, with
/// <c>Switchboard:Redis</c>, one bucket per client in Redis shared by every node (docs/cluster.md).
/// </summary>
public sealed record RateLimitOptions
{
    /// <summary>Whether any rate limit applies (default true); <c>false</c> lifts every bucket below.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Every <c>/api/v1</c> request per client address, checked before the API key is looked up (so key guessing is throttled): burst 1000, 200/s.</summary>
    public RateLimitBucketOptions ApiPerIp { get; init; } = new() { TokenLimit = 1000, TokensPerPeriod = 200 };

    /// <summary>Every <c>/api/v1</c> request per API key, after authentication: burst 200, 50/s.</summary>
    public RateLimitBucketOptions ApiPerKey { get; init; } = new() { TokenLimit = 200, TokensPerPeriod = 50 };

    /// <summary>Every <c>/api/v1</c> request per team (all its keys together), after authentication: burst 400, 100/s.</summary>
    public RateLimitBucketOptions ApiPerTeam { get; init; } = new() { TokenLimit = 400, TokensPerPeriod = 100 };

    /// <summary><c>POST /api/v1/sessions</c> per API key, on top of the API buckets: burst 100, 20/s.</summary>
    public RateLimitBucketOptions SessionsPerKey { get; init; } = new() { TokenLimit = 100, TokensPerPeriod = 20 };

    /// <summary><c>POST /api/v1/sessions</c> per team, on top of the API buckets: burst 200, 40/s.</summary>
    public RateLimitBucketOptions SessionsPerTeam { get; init; } = new() { TokenLimit = 200, TokensPerPeriod = 40 };

    /// <summary>
    /// Carrier entry points per client address, one bucket for all of them: the Twilio TwiML webhook, the <c>/twilio</c> and
    /// <c>/telnyx</c> stream upgrades. A carrier sends many calls from few addresses: burst 1000, 200/s.
    /// </summary>
    public RateLimitBucketOptions CarriersPerIp { get; init; } = new() { TokenLimit = 1000, TokensPerPeriod = 200 };

    /// <summary><c>/ws/session</c> upgrades per client address: burst 400, 100/s.</summary>
    public RateLimitBucketOptions SessionSocketsPerIp { get; init; } = new() { TokenLimit = 400, TokensPerPeriod = 100 };

    /// <summary>
    /// The keyless demo routes (<c>GET /demo/config</c>, <c>POST /demo/sessions</c>) per client address: burst 60, 1/s. With
    /// <c>Demo:Enabled</c> on a paid backend these sessions spend your money, and a person at the talk page needs few.
    /// </summary>
    public RateLimitBucketOptions DemoPerIp { get; init; } = new() { TokenLimit = 60, TokensPerPeriod = 1 };

    /// <summary>Every problem with these settings, each naming its key.</summary>
    internal IEnumerable<string> Validate(string prefix) =>
        ApiPerIp.Validate($"{prefix}:{nameof(ApiPerIp)}")
            .Concat(ApiPerKey.Validate($"{prefix}:{nameof(ApiPerKey)}"))
            .Concat(ApiPerTeam.Validate($"{prefix}:{nameof(ApiPerTeam)}"))
            .Concat(SessionsPerKey.Validate($"{prefix}:{nameof(SessionsPerKey)}"))
            .Concat(SessionsPerTeam.Validate($"{prefix}:{nameof(SessionsPerTeam)}"))
            .Concat(CarriersPerIp.Validate($"{prefix}:{nameof(CarriersPerIp)}"))
            .Concat(SessionSocketsPerIp.Validate($"{prefix}:{nameof(SessionSocketsPerIp)}"))
            .Concat(DemoPerIp.Validate($"{prefix}:{nameof(DemoPerIp)}"));
}
