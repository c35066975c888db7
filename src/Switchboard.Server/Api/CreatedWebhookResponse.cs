using Switchboard.Webhooks;

namespace Switchboard.Server.Api;

/// <summary>A new subscription. <see cref="Secret"/> (<c>whsec_…</c>) verifies its deliveries; it is shown in this response only.</summary>
internal sealed record CreatedWebhookResponse(Guid Id, string Url, IReadOnlyList<string> EventTypes, Guid? EndpointId, DateTimeOffset CreatedAt, string Secret)
{
    public static CreatedWebhookResponse From(WebhookSubscription s) => new(s.Id, s.Url, s.EventTypes, s.EndpointId, s.CreatedAt, s.Secret);
}
