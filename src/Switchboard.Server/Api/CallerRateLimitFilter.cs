using Switchboard.Server.RateLimiting;

namespace Switchboard.Server.Api;

/// <summary>
/// The per-key and per-team rate limits of the REST API (<see cref="CallerRateLimits"/>). Runs after
/// <see cref="ApiKeyFilter"/>, which it needs for the caller; the per-address limit ran before both, in the middleware.
/// </summary>
internal sealed class CallerRateLimitFilter : IEndpointFilter
{
    private readonly bool _sessionCreation;

    private CallerRateLimitFilter(bool sessionCreation) => _sessionCreation = sessionCreation;

    /// <summary>The API buckets, on every route that requires a key.</summary>
    public static CallerRateLimitFilter Api { get; } = new(sessionCreation: false);

    /// <summary>The sessions buckets, on <c>POST /api/v1/sessions</c> (after <see cref="Api"/>).</summary>
    public static CallerRateLimitFilter SessionCreation { get; } = new(sessionCreation: true);

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var caller = ApiCaller.From(http);
        if (await http.RequestServices.GetRequiredService<CallerRateLimits>().TryAcquireAsync(caller.KeyId, caller.TeamId, _sessionCreation, http.RequestAborted)
                .ConfigureAwait(false) is { } refused)
        {
            using var lease = refused.Lease;
            var client = refused.PerKey ? "key " + caller.KeyPrefix : "team " + caller.TeamId.ToString("D");
            return http.RequestServices.GetRequiredService<RateLimitRefusals>().Refuse(http, refused.Bucket, lease, client);
        }

        return await next(context).ConfigureAwait(false);
    }
}
