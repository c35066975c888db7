using Switchboard.Agents;
using Switchboard.Agents.Tools;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Journal;

namespace Switchboard.Calls;

/// <summary>
/// The one admission path of every channel, run once when a call begins: (1) the endpoint (named by the call, its
/// dialled number, or the default), checked against the channel and the session's mode and flow; (2) the backend from
/// the endpoint's spec (<c>backend</c>, <c>model</c>); (3) the endpoint's remote configuration. Hosts keep only their
/// transport checks (signatures, tokens); nothing here touches the audio path.
/// </summary>
internal sealed class CallAdmission
{
    private readonly IAgentResolver _resolver;
    private readonly IRealtimeEndpointProvider _backends;
    private readonly RemoteAgentConfig? _remote;

    public CallAdmission(IAgentResolver resolver, IRealtimeEndpointProvider backends, RemoteAgentConfig? remote)
    {
        _resolver = resolver;
        _backends = backends;
        _remote = remote;
    }

    public async Task<Admission> AdmitAsync(string channel, CallStartInfo start, CancellationToken cancellationToken)
    {
        AgentResolution found;
        try
        {
            found = await _resolver.ResolveAsync(channel, start, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            return Admission.Fail(AdmissionStatus.LookupFailed, ex.Message);
        }

        if (found.Endpoint is not { } endpoint)
        {
            return Admission.Fail(AdmissionStatus.Refused, found.Refusal ?? "unknown endpoint");
        }

        var spec = endpoint.Spec;
        var isSession = start.Mode is not null;
        if (!EndpointPolicy.AllowsChannel(spec, channel))
        {
            return Admission.Fail(AdmissionStatus.Refused, isSession ? "endpoint no longer allows this session" : $"endpoint does not accept {channel} calls");
        }

        FlowSpec? flow = null;
        if (isSession)
        {
            if (EndpointPolicy.CheckMode(spec, start.Mode!) != SessionModeDecision.Allowed)
            {
                return Admission.Fail(AdmissionStatus.Refused, "endpoint no longer allows this session");
            }

            if (!EndpointPolicy.TryResolveFlow(spec, start.Flow, out flow))
            {
                return Admission.Fail(AdmissionStatus.Refused, "flow no longer exists");
            }
        }

        RealtimeEndpoint backend;
        try
        {
            backend = _backends.GetEndpoint(spec.Backend, spec.Model);
        }
        catch (InvalidOperationException ex)
        {
            // Admitted to the endpoint (the call is journalled and the caller told why), but there is no agent to talk to.
            return new Admission(AdmissionStatus.BackendUnavailable, $"the endpoint asks for backend '{spec.Backend}', which this gateway does not run: {ex.Message}")
            {
                Agent = new ResolvedAgent(endpoint.TeamId, endpoint.Id, endpoint.Name, spec),
                Flow = flow,
            };
        }

        // An endpoint with remoteConfig gets its instructions, greeting and tools from its app now (cached, with fallbacks).
        if (_remote is not null)
        {
            spec = await _remote.ApplyAsync(endpoint, channel, flow?.Name, cancellationToken).ConfigureAwait(false);
        }

        return new Admission(AdmissionStatus.Admitted, "")
        {
            Agent = new ResolvedAgent(endpoint.TeamId, endpoint.Id, endpoint.Name, spec),
            Flow = flow,
            Backend = backend,
        };
    }
}
