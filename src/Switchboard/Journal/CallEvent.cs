namespace Switchboard.Journal;

/// <summary>
/// One thing that happened in a call. The journal of these is the call's record: transcripts, artifacts,
/// webhooks and APIs read it; nothing scrapes logs. Optional fields are set per <see cref="Type"/>.
/// </summary>
internal sealed record CallEvent
{
    public required string CallId { get; init; }

    public required long Sequence { get; init; }

    public required DateTimeOffset At { get; init; }

    public required CallEventType Type { get; init; }

    /// <summary><c>caller</c> or <c>agent</c> for turns.</summary>
    public string? Role { get; init; }

    public string? Text { get; init; }

    /// <summary>The backend's conversation item this event is about.</summary>
    public string? ItemId { get; init; }

    /// <summary>For agent turns: the caller interrupted it, so only <see cref="HeardMs"/> of it was heard.</summary>
    public bool? Interrupted { get; init; }

    public long? HeardMs { get; init; }

    public long? GeneratedMs { get; init; }

    public string? Digit { get; init; }

    /// <summary>End reason, error code or similar machine-readable word.</summary>
    public string? Reason { get; init; }

    /// <summary>Human-readable detail (never secrets).</summary>
    public string? Detail { get; init; }

    /// <summary>Free-form fields (carrier ids, usage counters).</summary>
    public IReadOnlyDictionary<string, string>? Data { get; init; }
}
