namespace Switchboard.Server.Api;

/// <summary>The answer of <c>POST /api/v1/admin/drain</c>: the node is draining, since when, how many calls are live and for how long they may go on.</summary>
internal sealed record DrainResponse(bool Draining, DateTimeOffset Since, int LiveCalls, int TimeoutSeconds);
