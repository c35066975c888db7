namespace Switchboard.Sessions;

/// <summary>An <c>error</c> message for the client: a stable machine-readable code and a human-readable message.</summary>
internal sealed record SessionError(string Code, string Message);
