using Switchboard.Calls;
using Switchboard.Agents;
using Switchboard.Carriers;

namespace Switchboard.Server.Control;

/// <summary>
/// Finds a call's endpoint among the stored ones (the first step of admission). Carrier webhooks are verified with the gateway's own
/// carrier credentials, so an <c>endpointId</c> they carry is trusted across teams (the operator put it in
/// the TwiML or client_state). One indexed lookup per call start; never on the audio path.
/// </summary>
internal sealed class StoreAgentResolver : IAgentResolver
{
    /// <summary>Parameter names carrying the endpoint id (Twilio customParameters, Telnyx client_state).</summary>
    public static readonly string[] EndpointParameterNames = ["endpointId", "endpoint_id"];

    private readonly IEndpointStore _store;
    private readonly ControlPlaneState _state;

    public StoreAgentResolver(IEndpointStore store, ControlPlaneState state)
    {
        _store = store;
        _state = state;
    }

    public async Task<AgentResolution> ResolveAsync(string channel, CallStartInfo start, CancellationToken cancellationToken)
    {
        // A session's endpoint, as it is now (it may have been edited or deleted since the session was created).
        if (start.TeamId is { } teamId && start.EndpointId is { } endpointId)
        {
            return await _store.GetEndpointAsync(teamId, endpointId, cancellationToken).ConfigureAwait(false) is { } own
                ? AgentResolution.Found(own)
                : AgentResolution.Refuse("endpoint no longer exists");
        }

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
        return endpoint is null ? AgentResolution.Refuse("no default endpoint") : AgentResolution.Found(endpoint);
    }
}
