using Switchboard.Common;

namespace Switchboard.Webhooks;

/// <summary>
/// Webhook subscriptions and the delivery outbox. Deliveries a journal event announces (<see cref="CallEventWebhooks"/>) are
/// written by <see cref="Journal.ICallStore.AppendEventsAsync"/> in the same transaction as the events; anything else uses
/// <see cref="EnqueueWebhookEventAsync"/>. Several gateway nodes may dispatch from one database: a delivery is sent
/// only by the node holding its lease.
/// </summary>
internal interface IWebhookStore
{
    /// <summary>Signalled in this process after a transaction that enqueued at least one delivery commits.</summary>
    WebhookSignal WebhookEnqueued { get; }

    Task CreateWebhookSubscriptionAsync(WebhookSubscription subscription, CancellationToken cancellationToken);

    /// <summary>An active subscription of the team; null for unknown, deleted or another team's.</summary>
    Task<WebhookSubscription?> GetWebhookSubscriptionAsync(Guid teamId, Guid id, CancellationToken cancellationToken);

    /// <summary>The team's active subscriptions, oldest first.</summary>
    Task<IReadOnlyList<WebhookSubscription>> ListWebhookSubscriptionsAsync(Guid teamId, CancellationToken cancellationToken);

    /// <summary>Deletes (disables) a subscription and fails its pending deliveries; false when it is not the team's or already deleted.</summary>
    Task<bool> DeleteWebhookSubscriptionAsync(Guid teamId, Guid id, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>Writes one delivery per matching subscription in one transaction; returns how many.</summary>
    Task<int> EnqueueWebhookEventAsync(WebhookEvent webhookEvent, DateTimeOffset at, CancellationToken cancellationToken);

    /// <summary>
    /// Leases up to <paramref name="limit"/> pending deliveries that are due at <paramref name="now"/> and not leased by
    /// anyone, until <paramref name="leaseUntil"/>, under <paramref name="leaseToken"/> (a fresh value per call); counts the attempt.
    /// Two nodes claiming at once never get the same delivery.
    /// </summary>
    Task<IReadOnlyList<ClaimedDelivery>> ClaimWebhookDeliveriesAsync(string leaseToken, DateTimeOffset now, DateTimeOffset leaseUntil, int limit, CancellationToken cancellationToken);

    /// <summary>
    /// Records an attempt's outcome and ends the lease, if <paramref name="leaseToken"/> still holds it (false otherwise):
    /// delivered; pending again at <paramref name="nextAttemptAt"/>; or failed when that is null.
    /// </summary>
    Task<bool> CompleteWebhookDeliveryAsync(string id, string leaseToken, bool delivered, DateTimeOffset at, DateTimeOffset? nextAttemptAt, int? lastStatus, string? lastError, CancellationToken cancellationToken);

    /// <summary>Ends a lease without an outcome (the attempt was interrupted by shutdown), so the delivery is due again at once.</summary>
    Task ReleaseWebhookLeaseAsync(string id, string leaseToken, CancellationToken cancellationToken);

    /// <summary>When the next pending delivery becomes claimable (its due time or the end of its lease); null when none is pending.</summary>
    Task<DateTimeOffset?> NextWebhookDueAtAsync(CancellationToken cancellationToken);

    /// <summary>Deliveries, newest first; with a team id only that team's, with a status only those.</summary>
    Task<Page<WebhookDelivery>> ListWebhookDeliveriesAsync(Guid? teamId, string? status, int offset, int limit, CancellationToken cancellationToken);

    Task<WebhookDelivery?> GetWebhookDeliveryAsync(Guid? teamId, string id, CancellationToken cancellationToken);

    /// <summary>Makes a pending or failed delivery due at <paramref name="now"/>.</summary>
    Task<DeliveryRetryResult> RetryWebhookDeliveryAsync(Guid? teamId, string id, DateTimeOffset now, CancellationToken cancellationToken);
}
