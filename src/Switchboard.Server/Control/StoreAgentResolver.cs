using Switchboard.Agents;
using Switchboard.Agents.Tools;
using Switchboard.Carriers;

namespace Switchboard.Server.Control;

/// <summary>
/// Resolves carrier calls against stored endpoints. Carrier webhooks are verified with the gateway's own
/// carrier credentials, so an <c>endpointId</c> they carry is trusted across teams (the operator put it in
/// the TwiML or client_state). One indexed lookup per call start; never on the audio path.
/// </summary>
internal sealed class StoreAgentResolver : IAgentResolver
{
    /// <summary>Parameter names carrying the endpoint id (Twilio customParameters, Telnyx client_state).</summary>
    public static readonly string[] EndpointParameterNames = ["endpointId", "endpoint_id"];

    private readonly IEndpointStore _store;
    private readonly ControlPlaneState _state;
    private readonly RemoteAgentConfig _remote;

    public StoreAgentResolver(IEndpointStore store, ControlPlaneState state, RemoteAgentConfig remote)
    {
        _store = store;
        _state = state;
        _remote = remote;
    }

    public async Task<AgentResolution> ResolveForCallAsync(string transport, CallStartInfo start, CancellationToken cancellationToken)
    {
        AgentEndpoint? endpoint = null;
        var requested = EndpointParameterNames.Select(n => start.Parameters.TryGetValue(n, out var v) ? v : null).FirstOrDefault(v => !string.IsNullOrWhiteSpace(v));
        if (requested is not null)
        {
            if (!Guid.TryParse(requested, out var id) || (endpoint = await _store.FindEndpointAsync(id, cancellationToken).ConfigureAwait(false)) is null)
            {
                return AgentResolution.Refuse("unknown endpoint");
            }
        }
        else if (!string.IsNullOrWhiteSpace(start.To))
        {
            endpoint = await _store.FindEndpointByPhoneNumberAsync(start.To, cancellationToken).ConfigureAwait(false);
        }

        endpoint ??= await _store.GetDefaultEndpointAsync(_state.Bootstrap.DefaultTeam.Id, cancellationToken).ConfigureAwait(false);
        if (endpoint is null)
        {
            return AgentResolution.Refuse("no default endpoint");
        }

        if (!endpoint.Spec.Carriers.Contains(transport, StringComparer.Ordinal))
        {
            return AgentResolution.Refuse($"endpoint does not accept {transport} calls");
        }

        // An endpoint with remoteConfig gets its instructions, greeting and tools from its app now (cached, with fallbacks).
        var spec = await _remote.ApplyAsync(endpoint, transport, null, cancellationToken).ConfigureAwait(false);
        return AgentResolution.Accept(new ResolvedAgent(endpoint.TeamId, endpoint.Id, endpoint.Name, spec));
    }
}
