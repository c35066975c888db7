namespace Switchboard.Cli.Admin;

/// <summary>A webhook subscription as listed (<c>GET /api/v1/webhooks</c>): never its secret.</summary>
internal sealed record WebhookView(Guid Id, string Url, IReadOnlyList<string> EventTypes, Guid? EndpointId, DateTimeOffset CreatedAt);
