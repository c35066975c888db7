namespace Switchboard.Webhooks;

/// <summary>A URL that receives a team's events, signed with <see cref="Secret"/>.</summary>
internal sealed record WebhookSubscription
{
    public required Guid Id { get; init; }

    public required Guid TeamId { get; init; }

    /// <summary>Only this endpoint's events; null for every endpoint of the team.</summary>
    public Guid? EndpointId { get; init; }

    /// <summary>Absolute http(s) URL the deliveries are POSTed to.</summary>
    public required string Url { get; init; }

    /// <summary>Subscribed types from <see cref="WebhookEventTypes.All"/>.</summary>
    public required IReadOnlyList<string> EventTypes { get; init; }

    /// <summary><c>whsec_…</c>; stored because the gateway signs with it, shown to the API caller only at creation, never logged.</summary>
    public required string Secret { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>Set when the subscription is deleted; it then receives nothing and is no longer listed.</summary>
    public DateTimeOffset? DisabledAt { get; init; }
}
