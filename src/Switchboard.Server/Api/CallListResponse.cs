namespace Switchboard.Server.Api;

/// <summary>One page of the team's calls, newest first.</summary>
internal sealed record CallListResponse(IReadOnlyList<CallResponse> Calls, PaginationInfo Pagination);
