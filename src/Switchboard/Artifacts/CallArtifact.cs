using System.Text.Json.Serialization;

namespace Switchboard.Artifacts;

/// <summary>
/// The post-call artifact: everything a call's owner needs about it, folded from the call's journal by
/// <see cref="CallArtifactBuilder"/>. Served by <c>GET /api/v1/calls/{id}/artifact</c> and delivered as the
/// <c>data</c> of the <c>call.artifact</c> webhook. The JSON shape is documented in docs/artifacts.md.
/// </summary>
internal sealed record CallArtifact
{
    /// <summary>The shape's version; a field added later keeps it, a field changed or removed bumps it.</summary>
    public const int CurrentVersion = 1;

    public int Version { get; init; } = CurrentVersion;

    /// <summary>True once the call has ended (every webhook artifact); false for a call still running.</summary>
    public required bool Final { get; init; }

    public required string CallId { get; init; }

    public Guid? TeamId { get; init; }

    public required CallArtifactEndpoint Endpoint { get; init; }

    public required CallArtifactCarrier Carrier { get; init; }

    /// <summary>The caller's number, redacted per the endpoint's <c>privacy.callerNumber</c>.</summary>
    public string? From { get; init; }

    /// <summary>The dialled number, redacted per the endpoint's <c>privacy.calleeNumber</c>.</summary>
    public string? To { get; init; }

    [JsonConverter(typeof(CallArtifactTime))]
    public DateTimeOffset? StartedAt { get; init; }

    [JsonConverter(typeof(CallArtifactTime))]
    public DateTimeOffset? EndedAt { get; init; }

    public long? DurationMs { get; init; }

    public string? EndReason { get; init; }

    public string? EndDetail { get; init; }

    public required IReadOnlyList<CallArtifactTurn> Transcript { get; init; }

    public required IReadOnlyList<CallArtifactToolCall> ToolCalls { get; init; }

    /// <summary>The last transfer the agent asked for; null when there was none.</summary>
    public CallArtifactTransfer? Transfer { get; init; }

    public required CallArtifactUsage Usage { get; init; }

    /// <summary>Estimated backend cost; null when the model has no price.</summary>
    public CallArtifactCost? Cost { get; init; }

    /// <summary>The backend's summary when the endpoint asks for one; null otherwise or when none arrived in time.</summary>
    public string? Summary { get; init; }

    public required IReadOnlyList<CallArtifactHotHandoff> HotHandoffs { get; init; }

    /// <summary>What the caller's side attached to the call (Twilio <c>customParameters</c>, Telnyx <c>client_state</c>); empty when none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();
}
