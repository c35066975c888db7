using Switchboard.Control;
using Switchboard.Server.RateLimiting;

namespace Switchboard.Server.Api;

/// <summary>
/// Protects routes with <see cref="ApiKeyFilter"/> and the API's rate limits, and records what they require for the
/// OpenAPI document.
/// </summary>
internal static class ApiRouteExtensions
{
    /// <summary>Requires an <c>X-API-Key</c> holding <paramref name="scope"/> (ADMIN holds every scope; <see cref="ApiScopes.None"/>: any valid key).</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, ApiScopes scope)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAnyScope(scope);

    /// <summary>
    /// Requires an <c>X-API-Key</c> holding at least one of <paramref name="anyOf"/> (e.g. READ_TEAM_APPS or MANAGE_ENDPOINTS),
    /// within the API's rate limits: per client address before the key is looked up (key guessing is throttled too), then
    /// per key and per team.
    /// </summary>
    public static TBuilder RequireAnyScope<TBuilder>(this TBuilder builder, params ApiScopes[] anyOf)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.RequireClientRateLimit(RateLimitBucket.ApiPerIp);
        // Filters run in the order added: authentication first, as the per-key and per-team buckets need the caller.
        builder.AddEndpointFilter(new ApiKeyFilter(anyOf));
        builder.AddEndpointFilter(CallerRateLimitFilter.Api);
        builder.WithMetadata(new RequiredScopesMetadata(anyOf));
        builder.ProducesProblem(StatusCodes.Status401Unauthorized);
        builder.ProducesProblem(StatusCodes.Status403Forbidden);
        return builder;
    }

    /// <summary>Adds the sessions buckets of the caller's key and team (after <see cref="RequireScope{TBuilder}"/>): session creation has its own, tighter budget.</summary>
    public static TBuilder RequireSessionRateLimit<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilter(CallerRateLimitFilter.SessionCreation);
        return builder;
    }

    /// <summary>Documents a JSON request body of type <typeparamref name="T"/> (see <see cref="JsonBodyMetadata"/>); <paramref name="optional"/>: it may be left out.</summary>
    public static RouteHandlerBuilder WithJsonBody<T>(this RouteHandlerBuilder builder, bool optional = false) =>
        builder.WithMetadata(new JsonBodyMetadata(typeof(T), optional));
}
