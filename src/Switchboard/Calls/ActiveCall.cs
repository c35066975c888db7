namespace Switchboard.Calls;

/// <summary>
/// A call in progress on this node. <see cref="HangUpAsync"/> ends it at once with a close frame that gives the reason;
/// <see cref="EndWithGoodbyeAsync"/> ends it after the agent's goodbye (an operator's hang-up, a drain).
/// </summary>
internal sealed record ActiveCall(string CallId, string Carrier, string? CarrierCallId, DateTimeOffset StartedAt, Func<string, Task> HangUpAsync)
{
    /// <summary>The team whose endpoint took the call (operators see only their team's calls).</summary>
    public Guid TeamId { get; init; }

    public Guid EndpointId { get; init; }

    public string? EndpointName { get; init; }

    /// <summary>The carrier account the call came in on (Twilio AccountSid): another node needs it to hang the call up by REST.</summary>
    public string? AccountId { get; init; }

    /// <summary>The call's listeners (listen-mode sessions): copies of both sides' audio; null in hosts that offer none.</summary>
    public CallTap? Tap { get; init; }

    /// <summary>Ends the call for an end reason after a goodbye (optionally the given words); false when it was already ending.</summary>
    public Func<string, string, string?, Task<bool>>? EndWithGoodbyeAsync { get; init; }
}
