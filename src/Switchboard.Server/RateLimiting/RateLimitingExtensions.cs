using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Switchboard.Configuration;

namespace Switchboard.Server.RateLimiting;

/// <summary>Registers the rate limits (<c>Switchboard:RateLimits</c>) and puts a per-address bucket on a route.</summary>
internal static class RateLimitingExtensions
{
    /// <summary>
    /// The ASP.NET Core rate limiter with one policy per per-address bucket (the host adds the middleware), and the
    /// per-key and per-team buckets the API's filters use, all counted by the <see cref="RateLimitCounter"/> (in this
    /// process, or in Redis when it is configured).
    /// </summary>
    public static IServiceCollection AddSwitchboardRateLimits(this IServiceCollection services)
    {
        services.TryAddSingleton<RateLimitRefusals>();
        services.TryAddSingleton<RateLimitCounter>();
        services.TryAddSingleton<CallerRateLimits>();
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<SwitchboardOptions>, RateLimitCounter, RateLimitRefusals>((options, switchboard, counter, refusals) =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            foreach (var bucket in RateLimitBucket.PerClientAddress)
            {
                options.AddPolicy(bucket.PolicyName, new ClientAddressPolicy(bucket, switchboard.Value.RateLimits, counter, refusals));
            }
        });
        return services;
    }

    /// <summary>Counts every request to the route in <paramref name="bucket"/>'s per-address bucket (429 when empty).</summary>
    public static TBuilder RequireClientRateLimit<TBuilder>(this TBuilder builder, RateLimitBucket bucket)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.RequireRateLimiting(bucket.PolicyName);
        builder.ProducesProblem(StatusCodes.Status429TooManyRequests);
        return builder;
    }
}
