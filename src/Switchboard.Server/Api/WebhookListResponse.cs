namespace Switchboard.Server.Api;

/// <summary>The team's webhook subscriptions, oldest first.</summary>
internal sealed record WebhookListResponse(IReadOnlyList<WebhookResponse> Webhooks);
