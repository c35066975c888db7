namespace Switchboard.Control;

/// <summary>
/// What a valid session token says: which session of which team, for which endpoint and mode; a listen session's also
/// which call it follows (<see cref="ListenTo"/>).
/// </summary>
internal sealed record SessionTokenClaims(
    Guid SessionId,
    Guid TeamId,
    Guid EndpointId,
    string Mode,
    string TokenId,
    DateTimeOffset IssuedAt,
    DateTimeOffset ExpiresAt,
    string? ListenTo = null);
