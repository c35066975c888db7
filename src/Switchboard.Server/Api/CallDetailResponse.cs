using Switchboard.Calls;
using Switchboard.Storage;

namespace Switchboard.Server.Api;

/// <summary>A call with its transcript (folded from the events) and every stored event.</summary>
internal sealed record CallDetailResponse : CallResponse
{
    public required IReadOnlyList<TranscriptTurnResponse> Transcript { get; init; }

    public required IReadOnlyList<CallEventResponse> Events { get; init; }

    public static CallDetailResponse Build(CallRecord call, IReadOnlyList<CallEvent> events) => new()
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
        Transcript = CallTranscript.Build(events).Select(t => new TranscriptTurnResponse(t.Role, t.Text, t.At, t.Interrupted, t.HeardMs)).ToList(),
        Events = events.Select(CallEventResponse.From).ToList(),
    };
}
