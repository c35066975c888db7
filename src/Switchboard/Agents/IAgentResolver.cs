using Switchboard.Carriers;

namespace Switchboard.Agents;

/// <summary>Picks the endpoint for a carrier call from what the carrier sent at stream start.</summary>
internal interface IAgentResolver
{
    /// <summary>
    /// In order: an <c>endpointId</c> parameter (Twilio <c>&lt;Parameter&gt;</c>, Telnyx <c>client_state</c> field),
    /// then the dialled number (<c>To</c>) mapped to an endpoint, then the default team's default endpoint.
    /// Refuses unknown endpoints and endpoints that do not allow <paramref name="transport"/>.
    /// </summary>
    Task<AgentResolution> ResolveForCallAsync(string transport, CallStartInfo start, CancellationToken cancellationToken);
}
