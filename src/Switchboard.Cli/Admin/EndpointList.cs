using Switchboard.Server.Api;

namespace Switchboard.Cli.Admin;

/// <summary>One page of <c>GET /api/v1/endpoints</c>, as <see cref="EndpointView"/>s.</summary>
internal sealed record EndpointList(IReadOnlyList<EndpointView> Endpoints, PaginationInfo Pagination);
