using Switchboard.Control;

namespace Switchboard.Server.Api;

/// <summary>Protects routes with <see cref="ApiKeyFilter"/>.</summary>
internal static class ApiRouteExtensions
{
    /// <summary>Requires an <c>X-API-Key</c> holding <paramref name="scope"/> (ADMIN holds every scope).</summary>
    public static TBuilder RequireScope<TBuilder>(this TBuilder builder, ApiScopes scope)
        where TBuilder : IEndpointConventionBuilder
    {
        builder.AddEndpointFilter(new ApiKeyFilter(scope));
        return builder;
    }
}
