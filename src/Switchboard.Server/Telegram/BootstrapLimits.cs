using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using Switchboard.Configuration;
using Switchboard.Server.RateLimiting;

namespace Switchboard.Server.Telegram;

/// <summary>
/// The bootstrap's three token buckets (<c>Realtime:BootstrapPerIp</c>, <c>…PerBridge</c>, <c>…PerUser</c>): every request takes
/// one from its address's bucket before anything is checked; a verified request then takes one from the bridge's and the
/// user's. So a forged or stale <c>initData</c> spends only its address's tokens and never locks the real user out. Counted
/// by the <see cref="RateLimitCounter"/>, like every rate limit (in process, or across nodes in Redis).
/// </summary>
internal sealed class BootstrapLimits
{
    private readonly RateLimitCounter _counter;
    private readonly TokenBucketRateLimiterOptions? _perIp;
    private readonly TokenBucketRateLimiterOptions? _perBridge;
    private readonly TokenBucketRateLimiterOptions? _perUser;

    public BootstrapLimits(IOptions<SwitchboardOptions> options, RateLimitCounter counter)
    {
        var o = options.Value;
        var enabled = o.RateLimits.Enabled;
        _counter = counter;
        _perIp = RateLimitBucket.LimiterOptions(o.Realtime.BootstrapPerIp, enabled);
        _perBridge = RateLimitBucket.LimiterOptions(o.Realtime.BootstrapPerBridge, enabled);
        _perUser = RateLimitBucket.LimiterOptions(o.Realtime.BootstrapPerUser, enabled);
    }

    /// <summary>Takes a token for the address; the refusal's wait when its bucket is empty.</summary>
    public ValueTask<TimeSpan?> TakeForAddressAsync(string address, CancellationToken cancellationToken) =>
        TakeAsync("BootstrapPerIp", _perIp, address, cancellationToken);

    /// <summary>Takes a token for the bridge and the user; which bucket was empty and the wait, or null.</summary>
    public async ValueTask<(string Scope, TimeSpan Wait)?> TakeForCallerAsync(string bridgeId, long userId, CancellationToken cancellationToken)
    {
        if (await TakeAsync("BootstrapPerBridge", _perBridge, bridgeId, cancellationToken).ConfigureAwait(false) is { } bridgeWait)
        {
            return ("bridge", bridgeWait);
        }

        var user = userId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return await TakeAsync("BootstrapPerUser", _perUser, user, cancellationToken).ConfigureAwait(false) is { } userWait ? ("user", userWait) : null;
    }

    private async ValueTask<TimeSpan?> TakeAsync(string limit, TokenBucketRateLimiterOptions? options, string key, CancellationToken cancellationToken)
    {
        if (options is null)
        {
            return null;
        }

        using var lease = await _counter.TakeAsync(limit, key, options, cancellationToken).ConfigureAwait(false);
        if (lease.IsAcquired)
        {
            return null;
        }

        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? retry : TimeSpan.FromSeconds(1);
    }
}
