using System.Threading.RateLimiting;

namespace Switchboard.Server.RateLimiting;

/// <summary>
/// One client's bucket of a per-address policy when the buckets live in Redis: the rate-limiting middleware asks
/// <see cref="RateLimiter.AttemptAcquire(int)"/> first and, on a refusal, waits on <see cref="RateLimiter.AcquireAsync"/>;
/// the synchronous path cannot reach Redis, so it answers "undecided" and the asynchronous one asks the
/// <see cref="RateLimitCounter"/>. It keeps no tokens itself.
/// </summary>
internal sealed class SharedBucketLimiter : RateLimiter
{
    private readonly RateLimitCounter _counter;
    private readonly string _limit;
    private readonly string _partition;
    private readonly TokenBucketRateLimiterOptions _options;
    private readonly TimeProvider _time;
    private long _lastUse;

    public SharedBucketLimiter(RateLimitCounter counter, string limit, string partition, TokenBucketRateLimiterOptions options, TimeProvider time)
    {
        _counter = counter;
        _limit = limit;
        _partition = partition;
        _options = options;
        _time = time;
        _lastUse = time.GetTimestamp();
    }

    /// <summary>Time since its last use, so the partitioned limiter drops idle clients' limiters (the state is in Redis).</summary>
    public override TimeSpan? IdleDuration => _time.GetElapsedTime(Interlocked.Read(ref _lastUse));

    public override RateLimiterStatistics? GetStatistics() => null;

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => permitCount == 0 ? CounterLease.Acquired : CounterLease.Undecided;

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        if (permitCount == 0)
        {
            return ValueTask.FromResult<RateLimitLease>(CounterLease.Acquired);
        }

        Interlocked.Exchange(ref _lastUse, _time.GetTimestamp());
        return _counter.TakeAsync(_limit, _partition, _options, cancellationToken);
    }
}
