using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using StackExchange.Redis;
using Switchboard.Cluster;
using Switchboard.Diagnostics;

namespace Switchboard.Server.RateLimiting;

/// <summary>
/// The one place every rate limit counts (the per-address policies, the per-key and per-team API buckets, the Telegram
/// bootstrap's buckets): in this process, or — with Redis configured — in one token bucket per client in Redis, shared by
/// every node (docs/cluster.md). While Redis is unreachable a limit falls back to this node's own bucket with a warning
/// (whatever <c>Redis:OutagePolicy</c> says: refusing every request on a Redis blip would be worse than counting per node),
/// and goes back to Redis by itself once it answers again.
/// </summary>
internal sealed partial class RateLimitCounter : IDisposable
{
    /// <summary>The logger category.</summary>
    public const string Category = "Switchboard.Server.RateLimiting";

    // KEYS[1]: the bucket. ARGV: token limit, tokens per period, period ms, key ttl ms. Returns 0 when a token was taken,
    // else the ms until one is there. Redis TIME, so node clocks do not matter; refills continuously (TokenBucketMath.Refill).
    private const string TakeScript = """
        local t = redis.call('TIME')
        local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
        local limit = tonumber(ARGV[1])
        local per = tonumber(ARGV[2])
        local period = tonumber(ARGV[3])
        local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
        local tokens = tonumber(state[1])
        local at = tonumber(state[2])
        if tokens == nil or at == nil then
          tokens = limit
          at = now
        end
        local elapsed = now - at
        if elapsed < 0 then elapsed = 0 end
        tokens = math.min(limit, tokens + elapsed * per / period)
        local wait = 0
        if tokens >= 1 then
          tokens = tokens - 1
        else
          wait = math.max(1, math.ceil((1 - tokens) * period / per))
        end
        redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(now))
        redis.call('PEXPIRE', KEYS[1], ARGV[4])
        return wait
        """;

    private static readonly TimeSpan LogWindow = TimeSpan.FromSeconds(10);

    private readonly RedisConnection? _redis;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly ConcurrentDictionary<string, PartitionedRateLimiter<string>> _local = new(StringComparer.Ordinal);
    private long _nextOutageLine = long.MinValue;
    private int _down;

    /// <summary>In-process counting only (a single node; unit tests).</summary>
    public RateLimitCounter()
        : this(null, TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance)
    {
    }

    /// <summary>Counts in Redis when <paramref name="redis"/> is configured, else in process.</summary>
    public RateLimitCounter(RedisConnection redis, TimeProvider time, ILoggerFactory loggers)
        : this(redis.Enabled ? redis : null, time, loggers.CreateLogger(Category))
    {
    }

    private RateLimitCounter(RedisConnection? redis, TimeProvider time, ILogger log)
    {
        _redis = redis;
        _time = time;
        _log = log;
    }

    /// <summary>Whether the buckets are shared across nodes (Redis configured).</summary>
    public bool Shared => _redis is not null;

    /// <summary>
    /// The partition an ASP.NET Core rate-limiting policy hands the middleware for <paramref name="partition"/>: today's
    /// in-process token bucket without Redis, else a limiter that asks <see cref="TakeAsync"/>.
    /// </summary>
    public RateLimitPartition<string> Partition(string limit, string partition, TokenBucketRateLimiterOptions options) =>
        _redis is null
            ? RateLimitPartition.GetTokenBucketLimiter(partition, _ => options)
            : RateLimitPartition.Get(partition, p => new SharedBucketLimiter(this, limit, p, options, _time));

    /// <summary>
    /// Takes one token from <paramref name="limit"/>'s bucket for <paramref name="partition"/>: an acquired lease, or a refused
    /// one whose <see cref="MetadataName.RetryAfter"/> says when a token is there again.
    /// </summary>
    public async ValueTask<RateLimitLease> TakeAsync(string limit, string partition, TokenBucketRateLimiterOptions options, CancellationToken cancellationToken)
    {
        if (_redis is null)
        {
            return TakeLocal(limit, partition, options);
        }

        try
        {
            var db = await _redis.DatabaseAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
            if (db is null)
            {
                Outage("unreachable");
                return TakeLocal(limit, partition, options);
            }

            var wait = (long)await db.ScriptEvaluateAsync(TakeScript, [TokenBucketMath.RedisKey(limit, partition)],
                [options.TokenLimit, options.TokensPerPeriod, TokenBucketMath.PeriodMilliseconds(options), TokenBucketMath.KeyTtlMilliseconds(options)])
                .WaitAsync(cancellationToken).ConfigureAwait(false);
            if (Interlocked.Exchange(ref _down, 0) != 0)
            {
                LogRestored(_log);
            }

            return wait <= 0 ? CounterLease.Acquired : new CounterLease(TimeSpan.FromMilliseconds(wait));
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            Outage(RedisConnection.Describe(ex));
            return TakeLocal(limit, partition, options);
        }
    }

    /// <summary>This node's own bucket (no Redis, or Redis unreachable).</summary>
    private RateLimitLease TakeLocal(string limit, string partition, TokenBucketRateLimiterOptions options)
    {
        var limiter = _local.GetOrAdd(limit, static (_, o) => PartitionedRateLimiter.Create<string, string>(p => RateLimitPartition.GetTokenBucketLimiter(p, _ => o)), options);
        return limiter.AttemptAcquire(partition);
    }

    /// <summary>Logs the fallback when it starts, then at most once per <see cref="LogWindow"/> while it lasts.</summary>
    private void Outage(string failure)
    {
        var first = Interlocked.Exchange(ref _down, 1) == 0;
        var now = _time.GetTimestamp();
        var next = Interlocked.Read(ref _nextOutageLine);
        if ((first || now >= next) && Interlocked.CompareExchange(ref _nextOutageLine, now + (long)(LogWindow.TotalSeconds * _time.TimestampFrequency), next) == next)
        {
            LogFallback(_log, failure);
        }
    }

    public void Dispose()
    {
        foreach (var limiter in _local.Values)
        {
            limiter.Dispose();
        }
    }

    [LoggerMessage(EventId = EventIds.RateLimitSharedUnavailable, Level = LogLevel.Warning,
        Message = "Redis unreachable ({Failure}) for the rate limits: each node counts its own buckets until it returns")]
    private static partial void LogFallback(ILogger logger, string failure);

    [LoggerMessage(EventId = EventIds.RateLimitSharedRestored, Level = LogLevel.Information,
        Message = "Redis answers again: the rate limits are counted across nodes")]
    private static partial void LogRestored(ILogger logger);
}
