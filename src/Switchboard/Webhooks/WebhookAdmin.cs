using Switchboard.Agents;
using Switchboard.Common;
using Switchboard.Network;

namespace Switchboard.Webhooks;

/// <summary>
/// The rules for a team's webhook subscriptions and its delivery outbox, in one place for the REST API
/// (<c>/api/v1/webhooks</c>) and the CLI's local mode (<c>switchboard webhooks</c>):
/// (1) an absolute http(s) URL the <see cref="OutboundPolicy"/> does not refuse outright, and at least one known event type (<see cref="WebhookSubscriptionRules"/>), and an
/// endpoint filter naming one of the team's endpoints; (2) a fresh signing secret, returned once at creation;
/// (3) deleting a subscription fails its pending deliveries; (4) only a pending or failed delivery can be retried;
/// (5) another team's subscription or delivery looks exactly like a missing one.
/// Refusals are values; only a storage failure throws.
/// </summary>
internal sealed class WebhookAdmin
{
    /// <summary>Delivery ids are <c>msg_</c> + 32 hex digits; anything much longer cannot be one.</summary>
    private const int MaxDeliveryIdLength = 128;

    private readonly IWebhookStore _store;
    private readonly IEndpointStore _endpoints;
    private readonly TimeProvider _time;
    private readonly OutboundPolicy _outbound;

    /// <param name="store">The subscriptions and the outbox.</param>
    /// <param name="endpoints">The endpoints a subscription may be limited to.</param>
    /// <param name="time">The clock for timestamps.</param>
    /// <param name="outbound">The policy subscription URLs must pass; <see cref="OutboundPolicy.Strict"/> when null.</param>
    public WebhookAdmin(IWebhookStore store, IEndpointStore endpoints, TimeProvider time, OutboundPolicy? outbound = null)
    {
        _store = store;
        _endpoints = endpoints;
        _time = time;
        _outbound = outbound ?? OutboundPolicy.Strict;
    }

    /// <summary>The team's active subscriptions, oldest first.</summary>
    public Task<IReadOnlyList<WebhookSubscription>> ListAsync(Guid teamId, CancellationToken cancellationToken) =>
        _store.ListWebhookSubscriptionsAsync(teamId, cancellationToken);

    /// <summary>The team's active subscription with this id; null for a malformed, unknown, deleted or another team's id.</summary>
    public async Task<WebhookSubscription?> GetAsync(Guid teamId, string id, CancellationToken cancellationToken) =>
        Guid.TryParse(id, out var webhookId) ? await _store.GetWebhookSubscriptionAsync(teamId, webhookId, cancellationToken).ConfigureAwait(false) : null;

    /// <summary>
    /// Subscribes <paramref name="url"/> (trimmed) to <paramref name="eventTypes"/>, for every endpoint of the team or
    /// only <paramref name="endpointId"/>. Every problem is reported at once.
    /// </summary>
    public async Task<AdminResult<WebhookSubscription>> CreateAsync(Guid teamId, string? url, IReadOnlyList<string>? eventTypes, Guid? endpointId, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        url = url?.Trim();
        if (WebhookSubscriptionRules.UrlProblem(url) is { } urlProblem)
        {
            errors["url"] = [urlProblem];
        }
        else if (_outbound.UrlProblem(new Uri(url!, UriKind.Absolute)) is { } refused)
        {
            errors["url"] = ["url " + refused];
        }

        if (WebhookSubscriptionRules.EventTypesProblem(eventTypes) is { } typesProblem)
        {
            errors["eventTypes"] = [typesProblem];
        }

        if (endpointId is { } id && await _endpoints.GetEndpointAsync(teamId, id, cancellationToken).ConfigureAwait(false) is null)
        {
            errors["endpointId"] = ["endpointId must be an endpoint of your team"];
        }

        if (errors.Count > 0)
        {
            return AdminError.Invalid(errors);
        }

        var subscription = new WebhookSubscription
        {
            Id = Guid.NewGuid(),
            TeamId = teamId,
            EndpointId = endpointId,
            Url = url!,
            EventTypes = WebhookSubscriptionRules.Normalize(eventTypes!),
            Secret = WebhookSecret.Generate(),
            CreatedAt = StoreClock.Now(_time),
        };
        await _store.CreateWebhookSubscriptionAsync(subscription, cancellationToken).ConfigureAwait(false);
        return subscription;
    }

    /// <summary>Deletes the team's subscription and returns what it was: nothing more is sent to it, its pending deliveries fail.</summary>
    public async Task<AdminResult<WebhookSubscription>> DeleteAsync(Guid teamId, string id, CancellationToken cancellationToken)
    {
        var subscription = await GetAsync(teamId, id, cancellationToken).ConfigureAwait(false);
        return subscription is not null && await _store.DeleteWebhookSubscriptionAsync(teamId, subscription.Id, StoreClock.Now(_time), cancellationToken).ConfigureAwait(false)
            ? subscription
            : NotFound();
    }

    /// <summary>One page of deliveries, newest first, optionally only those with <paramref name="status"/>; a null team lists every team's (the operator's view).</summary>
    public async Task<AdminResult<Page<WebhookDelivery>>> ListDeliveriesAsync(Guid? teamId, string? status, PageRequest page, CancellationToken cancellationToken)
    {
        if (status is not null && !WebhookDeliveryStatus.All.Contains(status, StringComparer.Ordinal))
        {
            return AdminError.Invalid("status", "status must be pending, delivered or failed");
        }

        return await _store.ListWebhookDeliveriesAsync(teamId, status, page.Offset, page.Limit, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Makes a pending or failed delivery due now (same <c>webhook-id</c>, same body) and returns it; a null team reaches every team's.</summary>
    public async Task<AdminResult<WebhookDelivery>> RetryDeliveryAsync(Guid? teamId, string id, CancellationToken cancellationToken)
    {
        var result = id.Length <= MaxDeliveryIdLength
            ? await _store.RetryWebhookDeliveryAsync(teamId, id, StoreClock.Now(_time), cancellationToken).ConfigureAwait(false)
            : DeliveryRetryResult.NotFound;
        switch (result)
        {
            case DeliveryRetryResult.NotFound:
                return DeliveryNotFound();
            case DeliveryRetryResult.AlreadyDelivered:
                return AdminError.Conflict("the delivery was already delivered");
            case DeliveryRetryResult.SubscriptionDeleted:
                return AdminError.Conflict("the delivery's webhook was deleted");
        }

        var delivery = await _store.GetWebhookDeliveryAsync(teamId, id, cancellationToken).ConfigureAwait(false);
        return delivery is null ? DeliveryNotFound() : delivery;
    }

    /// <summary>The refusal for a subscription that is not the team's.</summary>
    public static AdminError NotFound() => AdminError.NotFound("no such webhook");

    /// <summary>The refusal for a delivery that is not the team's.</summary>
    public static AdminError DeliveryNotFound() => AdminError.NotFound("no such delivery");
}
