namespace Switchboard.Server.Api;

/// <summary>A new subscription. <see cref="Secret"/> (<c>whsec_…</c>) verifies its deliveries; it is shown in this response only.</summary>
internal sealed record CreatedWebhookResponse(Guid Id, string Url, IReadOnlyList<string> EventTypes, Guid? EndpointId, DateTimeOffset CreatedAt, string Secret);
