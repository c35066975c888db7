using Switchboard.Agents;

namespace Switchboard.Artifacts;

/// <summary>
/// What the artifact needs to know about a call beyond its events, written into the <c>CallStarted</c> event's data at
/// admission so that the artifact is a pure function of the journal (and reflects the policy the call ran under).
/// </summary>
internal static class CallArtifactFacts
{
    /// <summary>The model (or Azure deployment) the agent leg used.</summary>
    public const string Model = "model";

    public const string CallerNumberPolicy = "privacy_caller_number";

    public const string CalleeNumberPolicy = "privacy_callee_number";

    /// <summary>Adds the model and the endpoint's number redaction to a <c>CallStarted</c> event's data.</summary>
    public static void AddTo(IDictionary<string, string> data, AgentSpec spec, string? model)
    {
        if (!string.IsNullOrEmpty(model))
        {
            data[Model] = model;
        }

        var privacy = spec.Privacy ?? new PrivacySpec();
        data[CallerNumberPolicy] = privacy.CallerNumber;
        data[CalleeNumberPolicy] = privacy.CalleeNumber;
    }
}
