using Switchboard.Agents;
using Switchboard.Agents.Tools;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Journal;
using Switchboard.Limits;

namespace Switchboard.Calls;

/// <summary>
/// The one admission path of every channel, run once when a call begins: (1) the endpoint (named by the call, its
/// dialled number, or the default), checked against the channel and the session's mode and flow; (2) the limits
/// (<see cref="AdmissionGate"/>: draining, daily budgets, concurrency caps), which give an admitted call its permit;
/// (3) the backend from the endpoint's spec (<c>backend</c>, <c>model</c>); (4) the endpoint's remote configuration.
/// A refusal happens before the backend is contacted. Hosts keep only their transport checks (signatures, tokens) and
/// may ask <see cref="PreflightAsync"/> first (a TwiML webhook, a session being created) to refuse before a socket opens.
/// </summary>
internal sealed class CallAdmission
{
    private readonly IAgentResolver _resolver;
    private readonly IRealtimeEndpointProvider _backends;
    private readonly RemoteAgentConfig? _remote;
    private readonly AdmissionGate _gate;
    private readonly ICallJournal _journal;
    private readonly TimeProvider _time;

    public CallAdmission(IAgentResolver resolver, IRealtimeEndpointProvider backends, RemoteAgentConfig? remote, AdmissionGate gate, ICallJournal journal, TimeProvider time)
    {
        _resolver = resolver;
        _backends = backends;
        _remote = remote;
        _gate = gate;
        _journal = journal;
        _time = time;
    }

    /// <summary>
    /// The limits' part of <see cref="AdmitAsync"/> (draining, budgets, caps) without taking a slot or touching the backend,
    /// for a host that can refuse before the call's socket exists (a TwiML webhook, a session being created). A refusal is
    /// journalled as a refused call (<c>CallRefused</c>, its own record) and returned; null means the call may come. An
    /// unknown or unwilling endpoint is left to the call itself, which refuses it as before (so it is journalled once).
    /// </summary>
    public async Task<Refusal?> PreflightAsync(string channel, CallStartInfo start, CancellationToken cancellationToken)
    {
        var admission = await DecideAsync(channel, start, admit: false, cancellationToken).ConfigureAwait(false);
        if (admission.Refusal is not { } refusal || refusal.Reason == Refusals.EndpointRejected)
        {
            return null;
        }

        var data = new Dictionary<string, string>(StringComparer.Ordinal) { [CallEventKeys.Carrier] = channel };
        AddIfSet(data, CallEventKeys.CarrierCallId, start.CarrierCallId);
        AddIfSet(data, CallEventKeys.SessionId, start.SessionId?.ToString("D"));
        _journal.Append(Refused("call_" + Guid.NewGuid().ToString("N"), 1, _time.GetUtcNow(), admission, data));
        return refusal;
    }

    /// <summary>The journal event of a refused call: the refusal as its reason, the endpoint and team it was refused for.</summary>
    public static CallEvent Refused(string callId, long sequence, DateTimeOffset at, Admission admission, Dictionary<string, string> data)
    {
        if (admission.Agent is { } agent)
        {
            data[CallEventKeys.TeamId] = agent.TeamId.ToString("D");
            data[CallEventKeys.EndpointId] = agent.EndpointId.ToString("D");
            data["endpoint"] = agent.EndpointName;
        }

        return new CallEvent
        {
            CallId = callId,
            Sequence = sequence,
            At = at,
            Type = CallEventType.CallRefused,
            Reason = admission.Refusal?.Reason ?? Refusals.EndpointRejected,
            Detail = admission.Detail,
            Data = data,
        };
    }

    /// <summary>Admits the call (it then holds <see cref="Admission.Permit"/> until it ends) or says why not.</summary>
    public Task<Admission> AdmitAsync(string channel, CallStartInfo start, CancellationToken cancellationToken) =>
        DecideAsync(channel, start, admit: true, cancellationToken);

    private async Task<Admission> DecideAsync(string channel, CallStartInfo start, bool admit, CancellationToken cancellationToken)
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
            return Admission.Reject(found.Refusal ?? "unknown endpoint", null);
        }

        var spec = endpoint.Spec;
        var isSession = start.Mode is not null;
        if (!EndpointPolicy.AllowsChannel(spec, channel))
        {
            return Admission.Reject(isSession ? "endpoint no longer allows this session" : $"endpoint does not accept {channel} calls", endpoint);
        }

        FlowSpec? flow = null;
        if (isSession)
        {
            if (EndpointPolicy.CheckMode(spec, start.Mode!) != SessionModeDecision.Allowed)
            {
                return Admission.Reject("endpoint no longer allows this session", endpoint);
            }

            if (!EndpointPolicy.TryResolveFlow(spec, start.Flow, out flow))
            {
                return Admission.Reject("flow no longer exists", endpoint);
            }
        }

        GateDecision decision;
        try
        {
            decision = await _gate.CheckAsync(endpoint.TeamId, endpoint.Id, spec.Limits, admit, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is System.Data.Common.DbException or InvalidOperationException or TimeoutException)
        {
            return Admission.Fail(AdmissionStatus.LookupFailed, ex.Message);
        }

        if (decision.Refusal is { } refusal)
        {
            return new Admission(AdmissionStatus.Refused, refusal.Detail)
            {
                Agent = new ResolvedAgent(endpoint.TeamId, endpoint.Id, endpoint.Name, spec),
                Refusal = refusal,
            };
        }

        if (!admit)
        {
            return new Admission(AdmissionStatus.Admitted, "");
        }

        var permit = decision.Permit!;
        try
        {
            return await AdmittedAsync(channel, endpoint, spec, flow, permit, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            // Whatever failed after the slots were taken must not keep them.
            permit.Dispose();
            throw;
        }
    }

    private async Task<Admission> AdmittedAsync(string channel, AgentEndpoint endpoint, AgentSpec spec, FlowSpec? flow, CallPermit permit, CancellationToken cancellationToken)
    {
        RealtimeEndpoint backend;
        RealtimeEndpoint? fallback = null;
        FallbackNote? note = null;
        if (spec.Fallback is { } named)
        {
            try
            {
                fallback = _backends.GetEndpoint(named.Backend, named.Model);
            }
            catch (InvalidOperationException ex)
            {
                note = new FallbackNote(false, Describe(named.Backend, named.Model), ex.Message);
            }
        }

        try
        {
            backend = _backends.GetEndpoint(spec.Backend, spec.Model);
        }
        catch (InvalidOperationException ex) when (fallback is not null)
        {
            // The primary is not run here but the fallback is: the call starts there, and says so in its journal.
            backend = fallback;
            fallback = null;
            note = new FallbackNote(true, Describe(spec.Backend, spec.Model), ex.Message);
        }
        catch (InvalidOperationException ex)
        {
            // Admitted to the endpoint (the call is journalled and the caller told why), but there is no agent to talk to.
            return new Admission(AdmissionStatus.BackendUnavailable, $"the endpoint asks for backend '{spec.Backend}', which this gateway does not run: {ex.Message}")
            {
                Agent = new ResolvedAgent(endpoint.TeamId, endpoint.Id, endpoint.Name, spec),
                Flow = flow,
                Permit = permit,
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
            Fallback = fallback,
            FallbackNote = note,
            Permit = permit,
        };
    }

    private static string Describe(string backend, string? model) => string.IsNullOrEmpty(model) ? backend : backend + "/" + model;

    private static void AddIfSet(Dictionary<string, string> data, string key, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            data[key] = value;
        }
    }
}
