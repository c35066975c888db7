namespace Switchboard.Webhooks;

/// <summary>The states of a delivery, as stored in <c>webhook_deliveries.status</c>.</summary>
internal static class WebhookDeliveryStatus
{
    /// <summary>Not delivered yet; due at <c>next_attempt_at</c>.</summary>
    public const string Pending = "pending";

    /// <summary>The receiver answered 2xx.</summary>
    public const string Delivered = "delivered";

    /// <summary>Every attempt failed (or the subscription was deleted); a manual retry makes it pending again.</summary>
    public const string Failed = "failed";

    public static readonly IReadOnlyList<string> All = [Pending, Delivered, Failed];
}
