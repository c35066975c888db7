namespace Switchboard.Telegram;

/// <summary>What a launch token binds: a single-use id, the bridge, the Telegram user and chat it was issued to, and its expiry.</summary>
internal sealed record LaunchTokenClaims(string Id, string BridgeId, long UserId, long ChatId, DateTimeOffset ExpiresAt);
