using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Switchboard.Diagnostics;
using Switchboard.Telemetry;

namespace Switchboard.Server.RateLimiting;

/// <summary>
/// Turns a refused lease into the 429 answer and logs it, at most one line per limit every <see cref="LogWindow"/>: a
/// flood would otherwise flood the log too. The line after a quiet window says how many refusals it did not log.
/// Clients appear only as a masked address, a key's public prefix or a team id.
/// </summary>
internal sealed partial class RateLimitRefusals
{
    /// <summary>The logger category.</summary>
    public const string Category = "Switchboard.Server.RateLimiting";

    /// <summary>The shortest time between two log lines of one limit.</summary>
    public static readonly TimeSpan LogWindow = TimeSpan.FromSeconds(10);

    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly GatewayTelemetry _telemetry;
    private readonly ConcurrentDictionary<RateLimitBucket, LogState> _logStates = new();

    public RateLimitRefusals(TimeProvider time, ILoggerFactory loggers, GatewayTelemetry? telemetry = null)
    {
        _telemetry = telemetry ?? GatewayTelemetry.Default;
        _time = time;
        _logger = loggers.CreateLogger(Category);
    }

    /// <summary>Whole seconds a client should wait: the lease's <see cref="MetadataName.RetryAfter"/> rounded up, at least 1.</summary>
    public static int RetryAfterSeconds(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds)) : 1;

    /// <summary>Logs the refusal (throttled) and returns the 429 to send.</summary>
    /// <param name="context">The refused request.</param>
    /// <param name="bucket">The limit that refused it.</param>
    /// <param name="lease">The refused lease (for its retry time).</param>
    /// <param name="client">Who was counted, as logs may show it (masked address, key prefix or team id).</param>
    public RateLimitProblem Refuse(HttpContext context, RateLimitBucket bucket, RateLimitLease lease, string client)
    {
        var problem = new RateLimitProblem(bucket, RetryAfterSeconds(lease));
        _telemetry.RateLimited(bucket.ConfigName);
        if (ShouldLog(bucket, out var unlogged))
        {
            var route = (context.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? context.Request.Path.Value ?? "";
            LogRefused(_logger, bucket.ConfigName, context.Request.Method, route, client, problem.RetryAfterSeconds, unlogged);
        }

        return problem;
    }

    /// <summary>True for the first refusal of a limit in a window; <paramref name="unlogged"/> counts the refusals since its last line.</summary>
    private bool ShouldLog(RateLimitBucket bucket, out int unlogged)
    {
        var state = _logStates.GetOrAdd(bucket, static _ => new LogState());
        var now = _time.GetTimestamp();
        var next = Interlocked.Read(ref state.NextLineAt);
        var window = (long)(LogWindow.TotalSeconds * _time.TimestampFrequency);
        if (now >= next && Interlocked.CompareExchange(ref state.NextLineAt, now + window, next) == next)
        {
            unlogged = Interlocked.Exchange(ref state.Unlogged, 0);
            return true;
        }

        Interlocked.Increment(ref state.Unlogged);
        unlogged = 0;
        return false;
    }

    [LoggerMessage(EventId = EventIds.RateLimitRefused, Level = LogLevel.Information,
        Message = "Rate limit {Limit} refused {Method} {Route} from {Client}: 429, retry after {RetryAfterSeconds} s; refusals by this limit not logged since its previous line: {Unlogged}")]
    private static partial void LogRefused(ILogger logger, string limit, string method, string route, string client, int retryAfterSeconds, int unlogged);

    /// <summary>When a limit may log again, and how many refusals it has not logged meanwhile.</summary>
    private sealed class LogState
    {
        public long NextLineAt = long.MinValue;
        public int Unlogged;
    }
}
