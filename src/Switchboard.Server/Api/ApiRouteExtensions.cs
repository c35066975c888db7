using Switchboard.Control;

namespace Switchboard.Server.Api;

/// <summary>Protects routes with <see cref="ApiKeyFilter"/> and records what they require for the OpenAPI document.</summary>
internal static class ApiRouteExtensions
{
    /// <summary>Requires an <c>X-API-Key</c> holding <paramref name="scope"/> (ADMIN holds every scope; <see cref="ApiScopes.None"/>: any valid key).</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, ApiScopes scope)
        where TBuilder : IEndpointConventionBuilder =>
        builder.RequireAnyScope(scope);

    /// <summary>Requires an <c>X-API-Key</c> holding at least one of <paramref name="anyOf"/> (e.g. READ_TEAM_APPS or MANAGE_ENDPOINTS).</summary>
    public static TBuilder RequireAnyScope<TBuilder>(this TBuilder builder, params ApiScopes[] anyOf)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilter(new ApiKeyFilter(anyOf));
        builder.WithMetadata(new RequiredScopesMetadata(anyOf));
        builder.ProducesProblem(StatusCodes.Status401Unauthorized);
        builder.ProducesProblem(StatusCodes.Status403Forbidden);
        return builder;
    }

    /// <summary>Documents a JSON request body of type <typeparamref name="T"/> (see <see cref="JsonBodyMetadata"/>); <paramref name="optional"/>: it may be left out.</summary>
    public static RouteHandlerBuilder WithJsonBody<T>(this RouteHandlerBuilder builder, bool optional = false) =>
        builder.WithMetadata(new JsonBodyMetadata(typeof(T), optional));
}
