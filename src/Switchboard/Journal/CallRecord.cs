namespace Switchboard.Journal;

/// <summary>The summary row of a call, derived from its <c>CallStarted</c> and <c>CallEnded</c> events.</summary>
internal sealed record CallRecord
{
    public required string Id { get; init; }

    public Guid? TeamId { get; init; }

    public Guid? EndpointId { get; init; }

    /// <summary><c>twilio</c>, <c>telnyx</c>, <c>websocket</c>, …</summary>
    public required string Channel { get; init; }

    public string? CarrierCallId { get; init; }

    public string? From { get; init; }

    public string? To { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? EndedAt { get; init; }

    public string? EndReason { get; init; }

    public long EventCount { get; init; }

    /// <summary>How long the call lasted, once it has ended (refused calls: 0).</summary>
    public long? DurationMs { get; init; }

    /// <summary>The call's estimated model cost in US dollars, once it has ended (null when its model has no price).</summary>
    public double? CostUsd { get; init; }

    /// <summary>The call was refused at admission (<see cref="EndReason"/> says why).</summary>
    public bool Refused { get; init; }

    /// <summary>The call's metadata as a JSON object of strings (<see cref="CallMetadata"/>), or null when it has none.</summary>
    public string? Metadata { get; init; }

    /// <summary>The node that ran the call (<c>Switchboard:Node:Id</c>); null for calls journalled before nodes were recorded.</summary>
    public string? NodeId { get; init; }
}
