namespace Switchboard.Webhooks;

/// <summary>One event for one subscription: the outbox row the dispatcher sends until the receiver accepts it.</summary>
internal sealed record WebhookDelivery
{
    /// <summary><c>msg_…</c>: sent as <c>webhook-id</c> on every attempt, so receivers can de-duplicate.</summary>
    public required string Id { get; init; }

    public required Guid SubscriptionId { get; init; }

    public required string EventType { get; init; }

    /// <summary>The exact JSON body sent on every attempt.</summary>
    public required string Payload { get; init; }

    /// <summary>See <see cref="WebhookDeliveryStatus"/>.</summary>
    public required string Status { get; init; }

    /// <summary>Attempts started so far.</summary>
    public int Attempts { get; init; }

    public required DateTimeOffset NextAttemptAt { get; init; }

    /// <summary>The HTTP status of the last attempt; null when it got no response.</summary>
    public int? LastStatus { get; init; }

    /// <summary>Why the last attempt failed (a short, capped excerpt; never secrets).</summary>
    public string? LastError { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset? DeliveredAt { get; init; }
}
