using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using Switchboard.Configuration;

namespace Switchboard.Server.RateLimiting;

/// <summary>
/// A per-address bucket as an ASP.NET Core rate-limiting policy: the middleware checks it before the endpoint runs, so
/// an unauthenticated request is counted before its API key is looked up or its WebSocket is accepted.
/// </summary>
internal sealed class ClientAddressPolicy : IRateLimiterPolicy<string>
{
    private readonly RateLimitBucket _bucket;
    private readonly TokenBucketRateLimiterOptions? _limiter;
    private readonly RateLimitCounter _counter;
    private readonly RateLimitRefusals _refusals;

    public ClientAddressPolicy(RateLimitBucket bucket, RateLimitOptions options, RateLimitCounter counter, RateLimitRefusals refusals)
    {
        _bucket = bucket;
        _limiter = bucket.LimiterOptions(options);
        _counter = counter;
        _refusals = refusals;
        OnRejected = RejectAsync;
    }

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; }

    public RateLimitPartition<string> GetPartition(HttpContext httpContext)
    {
        // A lifted limit has one shared partition: it keeps no state per client.
        return _limiter is null
            ? RateLimitPartition.GetNoLimiter("")
            : _counter.Partition(_bucket.ConfigName, ClientAddress.PartitionKey(httpContext.Connection.RemoteIpAddress), _limiter);
    }

    private async ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        var problem = _refusals.Refuse(http, _bucket, context.Lease, ClientAddress.Masked(http.Connection.RemoteIpAddress));
        await problem.ExecuteAsync(http);
    }
}
