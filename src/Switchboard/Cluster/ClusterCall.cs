namespace Switchboard.Cluster;

/// <summary>
/// A live call as the cluster registry holds it: who owns it, whose it is, and what hanging up its carrier call needs if the
/// owner dies (carrier, the carrier's call id, the account). No phone numbers.
/// </summary>
internal sealed record ClusterCall
{
    public required string CallId { get; init; }

    /// <summary>The owner node's id.</summary>
    public required string Node { get; init; }

    public required Guid TeamId { get; init; }

    public Guid EndpointId { get; init; }

    public string? EndpointName { get; init; }

    /// <summary>The call's channel (<c>twilio</c>, <c>telnyx</c>, <c>websocket</c>, …).</summary>
    public required string Channel { get; init; }

    /// <summary>The carrier's id of the call (Twilio CallSid, Telnyx call_control_id), or the session id it runs for.</summary>
    public string? CarrierCallId { get; init; }

    /// <summary>The carrier account the call came in on (Twilio AccountSid), for a REST hang-up by another node.</summary>
    public string? AccountId { get; init; }

    public required DateTimeOffset StartedAt { get; init; }
}
