using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Switchboard.Configuration;

namespace Switchboard.Server.Telegram;

/// <summary>
/// The bootstrap's three token buckets (<c>Realtime:BootstrapPerIp</c>, <c>…PerBridge</c>, <c>…PerUser</c>): every request takes
/// one from its address's bucket before anything is checked; a verified request then takes one from the bridge's and the
/// user's. So a forged or stale <c>initData</c> spends only its address's tokens and never locks the real user out.
/// </summary>
internal sealed class BootstrapLimits : IDisposable
{
    private readonly PartitionedRateLimiter<string>? _perIp;
    private readonly PartitionedRateLimiter<string>? _perBridge;
    private readonly PartitionedRateLimiter<string>? _perUser;

    public BootstrapLimits(IOptions<SwitchboardOptions> options)
    {
        var o = options.Value;
        var enabled = o.RateLimits.Enabled;
        _perIp = Create(o.Realtime.BootstrapPerIp, enabled);
        _perBridge = Create(o.Realtime.BootstrapPerBridge, enabled);
        _perUser = Create(o.Realtime.BootstrapPerUser, enabled);
    }

    /// <summary>Takes a token for the address; the refusal's wait when its bucket is empty.</summary>
    public TimeSpan? TakeForAddress(string address) => Take(_perIp, address);

    /// <summary>Takes a token for the bridge and the user; which bucket was empty and the wait, or null.</summary>
    public (string Scope, TimeSpan Wait)? TakeForCaller(string bridgeId, long userId)
    {
        if (Take(_perBridge, bridgeId) is { } bridgeWait)
        {
            return ("bridge", bridgeWait);
        }

        return Take(_perUser, userId.ToString(System.Globalization.CultureInfo.InvariantCulture)) is { } userWait ? ("user", userWait) : null;
    }

    public void Dispose()
    {
        _perIp?.Dispose();
        _perBridge?.Dispose();
        _perUser?.Dispose();
    }

    private static TimeSpan? Take(PartitionedRateLimiter<string>? limiter, string key)
    {
        if (limiter is null)
        {
            return null;
        }

        using var lease = limiter.AttemptAcquire(key);
        if (lease.IsAcquired)
        {
            return null;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? retry : TimeSpan.FromSeconds(1);
    }

    private static PartitionedRateLimiter<string>? Create(RateLimitBucketOptions bucket, bool enabled)
    {
        if (!enabled || !bucket.Enabled)
        {
            return null;
        }

        var options = new TokenBucketRateLimiterOptions
        {
            TokenLimit = bucket.TokenLimit,
            TokensPerPeriod = bucket.TokensPerPeriod,
            ReplenishmentPeriod = TimeSpan.FromSeconds(bucket.ReplenishmentPeriodSeconds),
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        return PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetTokenBucketLimiter(key, _ => options));
    }
}
