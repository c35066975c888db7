namespace Switchboard.Server.Api;

/// <summary>One page of the team's deliveries, newest first.</summary>
internal sealed record WebhookDeliveryListResponse(IReadOnlyList<WebhookDeliveryResponse> Deliveries, PaginationInfo Pagination);
