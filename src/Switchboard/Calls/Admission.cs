using Switchboard.Agents;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Limits;

namespace Switchboard.Calls;

/// <summary>The outcome of <see cref="CallAdmission"/>: what an admitted call runs with, or why it was not admitted.</summary>
internal sealed record Admission(AdmissionStatus Status, string Detail)
{
    /// <summary>The endpoint with its remote configuration applied.</summary>
    public ResolvedAgent? Agent { get; init; }

    /// <summary>The session flow the call starts at (null: the endpoint's own entry point).</summary>
    public FlowSpec? Flow { get; init; }

    /// <summary>The backend the endpoint's spec asks for (<c>backend</c>, <c>model</c>).</summary>
    public RealtimeEndpoint? Backend { get; init; }

    /// <summary>The backend the endpoint's <c>fallback</c> names, when it has one this gateway runs (null otherwise).</summary>
    public RealtimeEndpoint? Fallback { get; init; }

    /// <summary>
    /// Why <see cref="Backend"/> is already the fallback (the primary is not configured on this gateway), or why the
    /// fallback the spec names is not available here; null when neither happened.
    /// </summary>
    public FallbackNote? FallbackNote { get; init; }

    /// <summary>Why the call was refused (set when <see cref="Status"/> is <see cref="AdmissionStatus.Refused"/>).</summary>
    public Refusal? Refusal { get; init; }

    /// <summary>What an admitted call holds until it ends: its limits, slots and budget share. The call must dispose it.</summary>
    public CallPermit? Permit { get; init; }

    public static Admission Fail(AdmissionStatus status, string detail) => new(status, detail);

    /// <summary>The endpoint is unknown or does not take this call.</summary>
    public static Admission Reject(string detail, AgentEndpoint? endpoint) => new(AdmissionStatus.Refused, detail)
    {
        Refusal = new Refusal(Refusals.EndpointRejected, detail, TimeSpan.Zero),
        Agent = endpoint is null ? null : new ResolvedAgent(endpoint.TeamId, endpoint.Id, endpoint.Name, endpoint.Spec),
    };
}
