namespace Switchboard.Cli.Admin;

/// <summary>A webhook delivery as listed (<c>GET /api/v1/webhooks/deliveries</c>).</summary>
internal sealed record DeliveryView(
    string Id,
    Guid WebhookId,
    string EventType,
    string Status,
    int Attempts,
    DateTimeOffset? NextAttemptAt,
    int? LastStatus,
    string? LastError,
    DateTimeOffset CreatedAt,
    DateTimeOffset? DeliveredAt);
