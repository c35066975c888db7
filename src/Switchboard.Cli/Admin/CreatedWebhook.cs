namespace Switchboard.Cli.Admin;

/// <summary>A new subscription (<c>POST /api/v1/webhooks</c>): the only time its signing <see cref="Secret"/> is shown.</summary>
internal sealed record CreatedWebhook(Guid Id, string Url, IReadOnlyList<string> EventTypes, Guid? EndpointId, DateTimeOffset CreatedAt, string Secret);
