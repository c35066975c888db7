namespace Switchboard.Cluster;

/// <summary>
/// What nodes say to each other on their pub/sub channels (<see cref="ClusterKeys.Channel"/>): a command forwarded to a call's
/// owner, and the owner's reply on the requester's channel, matched by <see cref="RequestId"/>.
/// </summary>
internal sealed record ClusterMessage
{
    /// <summary>A forwarded hang-up (<see cref="CallId"/>, <see cref="TeamId"/>, <see cref="Reason"/>, <see cref="Say"/>).</summary>
    public const string HangupType = "hangup";

    /// <summary>A reply (<see cref="Status"/>, <see cref="Detail"/>).</summary>
    public const string ReplyType = "reply";

    public required string Type { get; init; }

    public required string RequestId { get; init; }

    /// <summary>The requesting node, whose channel the reply goes to.</summary>
    public string? From { get; init; }

    public string? CallId { get; init; }

    public Guid? TeamId { get; init; }

    public string? Reason { get; init; }

    public string? Say { get; init; }

    /// <summary>The HTTP status the owner's local path gave (202, 404, 409).</summary>
    public int? Status { get; init; }

    public string? Detail { get; init; }
}
