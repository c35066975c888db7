using Switchboard.Journal;

namespace Switchboard.Server.Api;

/// <summary>A call's summary. Not sealed on purpose: <see cref="CallDetailResponse"/> adds the transcript and events.</summary>
internal record CallResponse
{
    public required string Id { get; init; }

    public Guid? EndpointId { get; init; }

    /// <summary><c>twilio</c>, <c>telnyx</c>, <c>sip</c>, <c>websocket</c>, …</summary>
    public required string Channel { get; init; }

    /// <summary>The carrier's id of the call (Twilio CallSid, Telnyx call_control_id).</summary>
    public string? CarrierCallId { get; init; }

    public string? From { get; init; }

    public string? To { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>Null while the call is in progress.</summary>
    public DateTimeOffset? EndedAt { get; init; }

    /// <summary><c>caller_hangup</c>, <c>max_duration</c>, … once ended.</summary>
    public string? EndReason { get; init; }

    /// <summary>Events stored so far (they reach the database in batches).</summary>
    public required long EventCount { get; init; }

    /// <summary>How long the call lasted once it has ended (0 for a refused call); for a live call (<c>?status=live</c>), how long it has run so far.</summary>
    public long? DurationMs { get; init; }

    /// <summary>The call's estimated model cost in US dollars once it has ended; null while it runs or when its model has no price.</summary>
    public double? CostUsd { get; init; }

    /// <summary>The call was refused at admission by a limit (<see cref="EndReason"/> says which).</summary>
    public bool Refused { get; init; }

    /// <summary>
    /// What the caller's side attached to the call (Twilio <c>customParameters</c>, Telnyx <c>client_state</c> JSON fields),
    /// without the gateway's routing parameters; empty when there is none.
    /// </summary>
    public IReadOnlyDictionary<string, string> Metadata { get; init; } = new Dictionary<string, string>();

    /// <summary>The node the call runs on (<c>?status=live</c> only; with Redis the list holds every node's calls).</summary>
    public string? Node { get; init; }

    public static CallResponse Summarize(CallRecord call) => new()
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
    };
}
