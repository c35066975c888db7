using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Switchboard.Configuration;

namespace Switchboard.Server.RateLimiting;

/// <summary>
/// The REST API's buckets per API key and per team, checked after authentication (the caller is known only then): every
/// request takes a token from its key's and its team's API bucket, and session creation also from the key's and the
/// team's sessions bucket. A request must pass each bucket that applies, in that order. The chain is walked here rather
/// than with <c>PartitionedRateLimiter.CreateChained</c> so the refusal can say which bucket was empty; as with a chained
/// limiter, tokens taken before the empty bucket stay spent.
/// </summary>
internal sealed class CallerRateLimits : IDisposable
{
    private readonly Link[] _api;
    private readonly Link[] _sessions;

    public CallerRateLimits(IOptions<SwitchboardOptions> options)
    {
        var limits = options.Value.RateLimits;
        _api = [Link.Create(RateLimitBucket.ApiPerKey, perKey: true, limits), Link.Create(RateLimitBucket.ApiPerTeam, perKey: false, limits)];
        _sessions = [Link.Create(RateLimitBucket.SessionsPerKey, perKey: true, limits), Link.Create(RateLimitBucket.SessionsPerTeam, perKey: false, limits)];
    }

    /// <summary>
    /// Takes one token from the key's and then the team's bucket (the API pair, or with <paramref name="sessionCreation"/>
    /// the sessions pair); null when both had one, else the empty bucket, whether it counts per key, and its refused lease.
    /// </summary>
    public (RateLimitBucket Bucket, bool PerKey, RateLimitLease Lease)? TryAcquire(Guid keyId, Guid teamId, bool sessionCreation)
    {
        foreach (var link in sessionCreation ? _sessions : _api)
        {
            if (link.Limiter is null)
            {
                continue;
            }

            var lease = link.Limiter.AttemptAcquire(link.PerKey ? keyId : teamId);
            if (!lease.IsAcquired)
            {
                return (link.Bucket, link.PerKey, lease);
            }

            // A token-bucket lease holds nothing to give back: its token is spent once acquired.
            lease.Dispose();
        }

        return null;
    }

    public void Dispose()
    {
        foreach (var link in _api.Concat(_sessions))
        {
            link.Limiter?.Dispose();
        }
    }

    /// <summary>One bucket of the chain: partitioned by key id or team id; no limiter when the limit is off.</summary>
    private sealed record Link(RateLimitBucket Bucket, bool PerKey, PartitionedRateLimiter<Guid>? Limiter)
    {
        public static Link Create(RateLimitBucket bucket, bool perKey, RateLimitOptions limits) =>
            new(bucket, perKey, bucket.LimiterOptions(limits) is { } options
                ? PartitionedRateLimiter.Create<Guid, Guid>(id => RateLimitPartition.GetTokenBucketLimiter(id, _ => options))
                : null);
    }
}
