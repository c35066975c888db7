using Switchboard.Webhooks;

namespace Switchboard.Server.Api;

/// <summary>One delivery of the outbox: its <c>webhook-id</c>, state and last outcome (the body is not repeated here).</summary>
/// <param name="Id">The <c>webhook-id</c> sent on every attempt (<c>msg_…</c>).</param>
/// <param name="WebhookId">The subscription.</param>
/// <param name="EventType">The event type.</param>
/// <param name="Status"><c>pending</c>, <c>delivered</c> or <c>failed</c>.</param>
/// <param name="Attempts">Attempts made so far.</param>
/// <param name="NextAttemptAt">When a pending delivery is next sent.</param>
/// <param name="LastStatus">HTTP status of the last attempt; null when it got no response (timeout, refused).</param>
/// <param name="LastError">Why the last attempt failed, with a short excerpt of the response body.</param>
/// <param name="CreatedAt">When the event was committed.</param>
/// <param name="DeliveredAt">When the receiver accepted it.</param>
internal sealed record WebhookDeliveryResponse(
    string Id,
    Guid WebhookId,
    string EventType,
    string Status,
    int Attempts,
    DateTimeOffset? NextAttemptAt,
    int? LastStatus,
    string? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset? DeliveredAt)
{
    public static WebhookDeliveryResponse From(WebhookDelivery d) => new(
        d.Id, d.SubscriptionId, d.EventType, d.Status, d.Attempts,
        d.Status == WebhookDeliveryStatus.Pending ? d.NextAttemptAt : null,
        d.LastStatus, d.LastError, d.CreatedAt, d.DeliveredAt);
}
