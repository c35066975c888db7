using System.Threading.RateLimiting;

namespace Switchboard.Server.RateLimiting;

/// <summary>The answer of a shared (Redis) bucket: acquired, or refused with the wait until it has a token again.</summary>
internal sealed class CounterLease : RateLimitLease
{
    private readonly TimeSpan? _retryAfter;

    /// <summary>A refused lease that tells its retry time.</summary>
    public CounterLease(TimeSpan retryAfter) => _retryAfter = retryAfter;

    private CounterLease(bool acquired) => IsAcquired = acquired;

    /// <summary>A token was taken (it holds nothing to give back).</summary>
    public static CounterLease Acquired { get; } = new(acquired: true);

    /// <summary>Not decided without waiting: the middleware then asks the limiter's asynchronous path.</summary>
    public static CounterLease Undecided { get; } = new(acquired: false);

    public override bool IsAcquired { get; }

    public override IEnumerable<string> MetadataNames => _retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

    public override bool TryGetMetadata(string metadataName, out object? metadata)
    {
        if (_retryAfter is { } wait && metadataName == MetadataName.RetryAfter.Name)
        {
            metadata = wait;
            return true;
        }

        metadata = null;
        return false;
    }
}
