namespace Switchboard.Server.Api;

/// <summary>The caller's team and the key that made the request.</summary>
internal sealed record TeamResponse(Guid Id, string Name, TeamKeyInfo Key);
