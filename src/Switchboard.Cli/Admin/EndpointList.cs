namespace Switchboard.Cli.Admin;

/// <summary>One page of <c>GET /api/v1/endpoints</c>.</summary>
internal sealed record EndpointList(IReadOnlyList<EndpointView> Endpoints, Pagination Pagination);
