namespace Switchboard.Cli.Admin;

/// <summary>The body of <c>GET /api/v1/calls</c>, also what <c>calls list --json</c> prints.</summary>
internal sealed record CallList(IReadOnlyList<CallView> Calls, Pagination Pagination);
