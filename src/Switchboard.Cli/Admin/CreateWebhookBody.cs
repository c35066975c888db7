namespace Switchboard.Cli.Admin;

/// <summary>The body of <c>POST /api/v1/webhooks</c>.</summary>
internal sealed record CreateWebhookBody(string Url, IReadOnlyList<string> EventTypes, Guid? EndpointId);
