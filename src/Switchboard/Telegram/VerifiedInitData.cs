namespace Switchboard.Telegram;

/// <summary>What a verified <c>initData</c> says: who opened the Mini App, when, and from which chat (when Telegram says).</summary>
/// <param name="UserId">The Telegram user's id (<c>user.id</c>).</param>
/// <param name="Username">Their <c>@username</c>, when they have one.</param>
/// <param name="AuthDate">When Telegram signed it (<c>auth_date</c>).</param>
/// <param name="ChatId">The chat's id (<c>chat.id</c>): absent when the Mini App was opened from a private chat's button.</param>
/// <param name="ChatType">The chat's type (<c>chat_type</c>), when present.</param>
/// <param name="BySignature">True when the Ed25519 <c>signature</c> (not the HMAC <c>hash</c>) proved it.</param>
internal sealed record VerifiedInitData(long UserId, string? Username, DateTimeOffset AuthDate, long? ChatId, string? ChatType, bool BySignature);
