using Switchboard.Artifacts;
using Switchboard.Journal;

namespace Switchboard.Server.Api;

/// <summary>A call with its transcript (folded from the events), every stored event, and its artifact.</summary>
internal sealed record CallDetailResponse : CallResponse
{
    public required IReadOnlyList<TranscriptTurnResponse> Transcript { get; init; }

    public required IReadOnlyList<CallEventResponse> Events { get; init; }

    /// <summary>The post-call artifact (<c>final: false</c> while the call runs), as <c>GET …/artifact</c> serves it.</summary>
    public required CallArtifact Artifact { get; init; }

    public static CallDetailResponse Build(CallRecord call, IReadOnlyList<CallEvent> events, CallArtifact artifact) => new()
    {
        Id = call.Id,
        EndpointId = call.EndpointId,
        Channel = call.Channel,
        CarrierCallId = call.CarrierCallId,
        From = call.From,
        To = call.To,
        StartedAt = call.StartedAt,
        EndedAt = call.EndedAt,
        EndReason = call.EndReason,
        EventCount = call.EventCount,
        DurationMs = call.DurationMs,
        CostUsd = call.CostUsd,
        Refused = call.Refused,
        Metadata = CallMetadata.Parse(call.Metadata),
        Transcript = CallTranscript.Build(events).Select(TranscriptTurnResponse.From).ToList(),
        Events = events.Select(CallEventResponse.From).ToList(),
        Artifact = artifact,
    };
}
