namespace Switchboard.Server.Api;

/// <summary>One page of the team's endpoints, oldest first.</summary>
internal sealed record EndpointListResponse(IReadOnlyList<EndpointResponse> Endpoints, PaginationInfo Pagination);
