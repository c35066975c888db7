using Switchboard.Common;

namespace Switchboard.Agents;

/// <summary>Agent endpoints. Names are unique per team, phone numbers across the gateway, and a team has at most one default.</summary>
internal interface IEndpointStore
{
    /// <summary>Creates an endpoint; <see cref="StoreConflictException"/> on a duplicate name or phone number.</summary>
    Task CreateEndpointAsync(AgentEndpoint endpoint, CancellationToken cancellationToken);

    /// <summary>
    /// Creates <paramref name="endpoint"/> as its team's default unless the team already has a default endpoint,
    /// in which case nothing is written and the result is false. Unlike <see cref="CreateEndpointAsync"/> it never
    /// takes the flag from an existing endpoint, so nodes starting together agree on one default.
    /// <see cref="StoreConflictException"/> on a duplicate name or phone number.
    /// </summary>
    Task<bool> CreateDefaultEndpointIfNoneAsync(AgentEndpoint endpoint, CancellationToken cancellationToken);

    /// <summary>The team's endpoint; null when it does not exist or belongs to another team.</summary>
    Task<AgentEndpoint?> GetEndpointAsync(Guid teamId, Guid id, CancellationToken cancellationToken);

    /// <summary>Any team's endpoint, for carrier calls that name one (gateway-level trust).</summary>
    Task<AgentEndpoint?> FindEndpointAsync(Guid id, CancellationToken cancellationToken);

    Task<AgentEndpoint?> FindEndpointByNameAsync(Guid teamId, string name, CancellationToken cancellationToken);

    Task<AgentEndpoint?> FindEndpointByPhoneNumberAsync(string number, CancellationToken cancellationToken);

    /// <summary>The team's endpoint with this <see cref="AgentSpec.ExternalId"/> (an org id), or null.</summary>
    Task<AgentEndpoint?> FindEndpointByExternalIdAsync(Guid teamId, string externalId, CancellationToken cancellationToken);

    Task<AgentEndpoint?> GetDefaultEndpointAsync(Guid teamId, CancellationToken cancellationToken);

    /// <summary>The team's endpoints ordered by creation time, then id.</summary>
    Task<Page<AgentEndpoint>> ListEndpointsAsync(Guid teamId, int offset, int limit, CancellationToken cancellationToken);

    /// <summary>Replaces name, default flag and spec; false when the team has no such endpoint.</summary>
    Task<bool> UpdateEndpointAsync(AgentEndpoint endpoint, CancellationToken cancellationToken);

    Task<bool> DeleteEndpointAsync(Guid teamId, Guid id, CancellationToken cancellationToken);
}
