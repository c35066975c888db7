using Switchboard.Agents;
using Switchboard.Backends.OpenAIRealtime;

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

    public static Admission Fail(AdmissionStatus status, string detail) => new(status, detail);
}
