using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Switchboard.Configuration;

namespace Switchboard.Server.RateLimiting;

/// <summary>
/// The REST API's buckets per API key and per team, checked after authentication (the caller is known only then): every
/// request takes a token from its key's and its team's API bucket, and session creation also from the key's and the
/// team's sessions bucket. A request must pass each bucket that applies, in that order, so the refusal can say which bucket
/// was empty; as with a chained limiter, tokens taken before the empty bucket stay spent. The tokens are counted by the
/// <see cref="RateLimitCounter"/> (in process, or across nodes in Redis).
/// </summary>
internal sealed class CallerRateLimits : IDisposable
{
    private readonly RateLimitCounter _counter;
    private readonly bool _ownsCounter;
    private readonly Link[] _api;
    private readonly Link[] _sessions;

    /// <summary>Counting in this process only (unit tests).</summary>
    public CallerRateLimits(IOptions<SwitchboardOptions> options)
        : this(options, new RateLimitCounter())
    {
        _ownsCounter = true;
    }

    public CallerRateLimits(IOptions<SwitchboardOptions> options, RateLimitCounter counter)
    {
        _counter = counter;
        var limits = options.Value.RateLimits;
        _api = [Link.Create(RateLimitBucket.ApiPerKey, perKey: true, limits), Link.Create(RateLimitBucket.ApiPerTeam, perKey: false, limits)];
        _sessions = [Link.Create(RateLimitBucket.SessionsPerKey, perKey: true, limits), Link.Create(RateLimitBucket.SessionsPerTeam, perKey: false, limits)];
    }

    /// <summary>
    /// Takes one token from the key's and then the team's bucket (the API pair, or with <paramref name="sessionCreation"/>
    /// the sessions pair); null when both had one, else the empty bucket, whether it counts per key, and its refused lease.
    /// </summary>
    public async ValueTask<(RateLimitBucket Bucket, bool PerKey, RateLimitLease Lease)?> TryAcquireAsync(Guid keyId, Guid teamId, bool sessionCreation,
        CancellationToken cancellationToken = default)
    {
        foreach (var link in sessionCreation ? _sessions : _api)
        {
            if (link.Options is null)
            {
                continue;
            }

            var partition = (link.PerKey ? keyId : teamId).ToString("N");
            var lease = await _counter.TakeAsync(link.Bucket.ConfigName, partition, link.Options, cancellationToken).ConfigureAwait(false);
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
        if (_ownsCounter)
        {
            _counter.Dispose();
        }
    }

    /// <summary>One bucket of the chain: counted per key id or team id; no options when the limit is off.</summary>
    private sealed record Link(RateLimitBucket Bucket, bool PerKey, TokenBucketRateLimiterOptions? Options)
    {
        public static Link Create(RateLimitBucket bucket, bool perKey, RateLimitOptions limits) => new(bucket, perKey, bucket.LimiterOptions(limits));
    }
}
