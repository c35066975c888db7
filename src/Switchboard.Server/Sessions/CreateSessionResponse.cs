namespace Switchboard.Server.Sessions;

/// <summary>The body of <c>201 Created</c> from <c>POST /api/v1/sessions</c>.</summary>
internal sealed record CreateSessionResponse(Guid SessionId, string WsToken, int WsTokenExpiresIn, int ExpiresIn, string WsUrl);
