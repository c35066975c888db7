using Switchboard.Calls;
using Switchboard.Agents;
using Switchboard.Carriers;

namespace Switchboard.Server.Control;

/// <summary>
/// Finds a call's endpoint among the stored ones (the first step of admission). An <c>endpointId</c> in a carrier stream's
/// parameters is trusted only when the carrier signed the upgrade (then the gateway's own TwiML put it there) or when it
/// comes with its <c>endpointToken</c> (<see cref="EndpointBinding"/>, issued by the gateway): otherwise anyone who can
/// open a stream could route callers to another team's agent. One indexed lookup per call start; never on the audio path.
/// </summary>
internal sealed class StoreAgentResolver : IAgentResolver
{
    /// <summary>Parameter names carrying the endpoint id (Twilio customParameters, Telnyx client_state).</summary>
    public static readonly string[] EndpointParameterNames = ["endpointId", "endpoint_id"];

    private readonly IEndpointStore _store;
    private readonly ControlPlaneState _state;
    private readonly Sessions.SessionTokenSource _keys;

    public StoreAgentResolver(IEndpointStore store, ControlPlaneState state, Sessions.SessionTokenSource keys)
    {
        _store = store;
        _state = state;
        _keys = keys;
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

            if (!start.ParametersSigned)
            {
                var key = await _keys.GetEndpointBindingKeyAsync(cancellationToken).ConfigureAwait(false);
                if (!EndpointBinding.Verify(key, id, start.Parameters.GetValueOrDefault(EndpointBinding.TokenParameter)))
                {
                    return AgentResolution.Refuse("endpointId is not bound to this stream: add its endpointToken (GET /api/v1/endpoints/{id}/stream-parameters)");
                }
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
