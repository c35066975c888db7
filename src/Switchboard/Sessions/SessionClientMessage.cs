namespace Switchboard.Sessions;

/// <summary>A parsed client message; which fields are set depends on <see cref="Kind"/>.</summary>
internal readonly record struct SessionClientMessage(SessionClientMessageKind Kind, string? Text)
{
    /// <summary><c>playback</c>/<c>interrupt</c>: the agent item the position is about.</summary>
    public string? ItemId { get; init; }

    /// <summary><c>playback</c>/<c>interrupt</c>: milliseconds of the item actually played; -1 when not given.</summary>
    public long PlayedMs { get; init; } = -1;

    /// <summary><c>playback</c>: the client stopped playback because of an interrupt.</summary>
    public bool Interrupted { get; init; }

    /// <summary><c>action_result</c>: the action's id (the function call's <c>call_id</c>).</summary>
    public string? ActionId { get; init; }

    /// <summary><c>action_result</c>: whether the page performed the action.</summary>
    public bool Ok { get; init; }

    /// <summary><c>action_result</c>: the result as raw JSON (null when absent).</summary>
    public string? ResultJson { get; init; }
}
