namespace Switchboard.Cli.Admin;

/// <summary>The body of <c>GET /api/v1/webhooks</c>.</summary>
internal sealed record WebhookList(IReadOnlyList<WebhookView> Webhooks);
