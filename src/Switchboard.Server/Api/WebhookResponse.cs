using Switchboard.Webhooks;

namespace Switchboard.Server.Api;

/// <summary>A webhook subscription as listed: never its secret.</summary>
internal sealed record WebhookResponse(Guid Id, string Url, IReadOnlyList<string> EventTypes, Guid? EndpointId, DateTimeOffset CreatedAt)
{
    public static WebhookResponse From(WebhookSubscription s) => new(s.Id, s.Url, s.EventTypes, s.EndpointId, s.CreatedAt);
}
