using Switchboard.Control;

namespace Switchboard.Server.Api;

/// <summary>Endpoint metadata: the route needs an API key holding any one of <see cref="AnyOf"/>. Read by the OpenAPI document.</summary>
internal sealed record RequiredScopesMetadata(IReadOnlyList<ApiScopes> AnyOf)
{
    /// <summary>Any valid key will do (the route requires <see cref="ApiScopes.None"/>).</summary>
    public bool AnyKey => AnyOf.All(s => s == ApiScopes.None);

    /// <summary>The wire names of every accepted scope, in a stable order.</summary>
    public IReadOnlyList<string> Names => AnyOf.SelectMany(ApiScopeNames.ToNames).Distinct(StringComparer.Ordinal).ToArray();

    /// <summary>"scope READ_CALLS", "scope READ_TEAM_APPS or MANAGE_ENDPOINTS", or "any scope".</summary>
    public string Describe() => AnyKey ? "any scope" : "scope " + ApiKeyFilter.Describe(AnyOf.Where(s => s != ApiScopes.None).ToArray());
}
