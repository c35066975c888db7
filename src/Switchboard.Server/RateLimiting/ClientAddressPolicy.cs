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
    private readonly RateLimitRefusals _refusals;

    public ClientAddressPolicy(RateLimitBucket bucket, RateLimitOptions options, RateLimitRefusals refusals)
    {
        _bucket = bucket;
        _limiter = bucket.LimiterOptions(options);
        _refusals = refusals;
        OnRejected = RejectAsync;
    }

    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; }

    public RateLimitPartition<string> GetPartition(HttpContext httpContext)
    {
        if (_limiter is not { } limiter)
        {
            // One shared partition: a lifted limit keeps no state per client.
            return RateLimitPartition.GetNoLimiter("");
        }

        return RateLimitPartition.GetTokenBucketLimiter(ClientAddress.PartitionKey(httpContext.Connection.RemoteIpAddress), _ => limiter);
    }

    private async ValueTask RejectAsync(OnRejectedContext context, CancellationToken cancellationToken)
    {
        var http = context.HttpContext;
        var problem = _refusals.Refuse(http, _bucket, context.Lease, ClientAddress.Masked(http.Connection.RemoteIpAddress));
        await problem.ExecuteAsync(http);
    }
}
