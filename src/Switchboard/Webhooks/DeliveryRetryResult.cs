namespace Switchboard.Webhooks;

/// <summary>What a manual retry did.</summary>
internal enum DeliveryRetryResult
{
    /// <summary>The delivery is pending and due now.</summary>
    Scheduled,

    /// <summary>No such delivery (or another team's).</summary>
    NotFound,

    /// <summary>Already delivered; nothing to retry.</summary>
    AlreadyDelivered,

    /// <summary>Its subscription was deleted.</summary>
    SubscriptionDeleted,
}
