using Switchboard.Control;

namespace Switchboard.Server.Api;

/// <summary>Endpoint metadata: the route needs an API key holding any one of <see cref="AnyOf"/>. Read by the OpenAPI document.</summary>
internal sealed record RequiredScopesMetadata(IReadOnlyList<ApiScopes> AnyOf)
{
    /// <summary>The wire names, e.g. "READ_TEAM_APPS or MANAGE_ENDPOINTS"; "any valid key" for <see cref="ApiScopes.None"/>.</summary>
    public string Describe() =>
        AnyOf.All(s => s == ApiScopes.None) ? "any valid key" : ApiKeyFilter.Describe(AnyOf.Where(s => s != ApiScopes.None).ToArray());
}
