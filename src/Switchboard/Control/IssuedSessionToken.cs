namespace Switchboard.Control;

/// <summary>A freshly issued session token (the compact JWT) and when it stops being accepted.</summary>
internal sealed record IssuedSessionToken(string Token, string TokenId, DateTimeOffset ExpiresAt);
