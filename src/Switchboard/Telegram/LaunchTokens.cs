using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Telegram;

/// <summary>
/// The launch token in a <c>/call</c> button's URL (<c>/miniapp?launch=…</c>). Telegram signs <c>initData</c> but not the Mini
/// App's URL, so the gateway signs the token itself: <c>base64url(payload) "." base64url(HMAC-SHA-256(payload))</c>, the payload
/// being <c>v1:&lt;id&gt;:&lt;bridge&gt;:&lt;user&gt;:&lt;chat&gt;:&lt;expiry&gt;</c>, under a key derived from the session signing key.
/// Reading checks the MAC (constant time), the bridge and the expiry; single use is the store's
/// (<see cref="ILaunchTokenStore"/>), consumed once the page has proved the same user.
/// </summary>
internal static class LaunchTokens
{
    /// <summary>The derivation label of the launch-token key (one key per purpose).</summary>
    public static readonly byte[] Purpose = "switchboard/telegram-launch/v1"u8.ToArray();

    private const int MaxLength = 512;

    /// <summary>The key from the gateway's session signing key.</summary>
    public static byte[] DeriveKey(ReadOnlySpan<byte> signingKey) => HMACSHA256.HashData(signingKey, Purpose);

    /// <summary>Signs a new token for <paramref name="userId"/> in <paramref name="chatId"/>, valid for <paramref name="ttl"/>.</summary>
    public static (string Token, LaunchTokenClaims Claims) Issue(ReadOnlySpan<byte> key, string bridgeId, long userId, long chatId, DateTimeOffset now, TimeSpan ttl)
    {
        var id = Base64Url(RandomNumberGenerator.GetBytes(16));
        // Whole seconds: the token carries Unix seconds, and the claims must equal what reading it gives back.
        var expires = DateTimeOffset.FromUnixTimeSeconds((now + ttl).ToUnixTimeSeconds());
        var claims = new LaunchTokenClaims(id, bridgeId, userId, chatId, expires);
        var payload = Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"v1:{id}:{bridgeId}:{userId}:{chatId}:{expires.ToUnixTimeSeconds()}"));
        return (Base64Url(payload) + "." + Base64Url(HMACSHA256.HashData(key, payload)), claims);
    }

    /// <summary>Reads <paramref name="token"/>: <see cref="LaunchTokenStatus.Valid"/> with its claims, or why not. Never throws.</summary>
    public static LaunchTokenStatus Read(ReadOnlySpan<byte> key, string? token, string bridgeId, DateTimeOffset now, out LaunchTokenClaims? claims)
    {
        claims = null;
        if (string.IsNullOrEmpty(token) || token.Length > MaxLength)
        {
            return LaunchTokenStatus.Invalid;
        }

        var dot = token.IndexOf('.', StringComparison.Ordinal);
        if (dot <= 0 || !TryFromBase64Url(token.AsSpan(0, dot), out var payload) || !TryFromBase64Url(token.AsSpan(dot + 1), out var mac)
            || !CryptographicOperations.FixedTimeEquals(HMACSHA256.HashData(key, payload), mac))
        {
            return LaunchTokenStatus.Invalid;
        }

        var parts = Encoding.UTF8.GetString(payload).Split(':');
        if (parts.Length != 6 || parts[0] != "v1" || parts[2] != bridgeId
            || !long.TryParse(parts[3], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var user)
            || !long.TryParse(parts[4], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var chat)
            || !long.TryParse(parts[5], NumberStyles.None, CultureInfo.InvariantCulture, out var expiresUnix) || expiresUnix > 253_402_300_799)
        {
            return LaunchTokenStatus.Invalid;
        }

        claims = new LaunchTokenClaims(parts[1], parts[2], user, chat, DateTimeOffset.FromUnixTimeSeconds(expiresUnix));
        return claims.ExpiresAt <= now ? LaunchTokenStatus.Expired : LaunchTokenStatus.Valid;
    }

    private static string Base64Url(ReadOnlySpan<byte> bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    private static bool TryFromBase64Url(ReadOnlySpan<char> text, out byte[] bytes)
    {
        bytes = [];
        if (text.Length is 0 or > MaxLength)
        {
            return false;
        }

        var padded = new StringBuilder(text.Length + 3);
        foreach (var c in text)
        {
            if (c is '+' or '/' or '=')
            {
                return false;
            }

            padded.Append(c switch { '-' => '+', '_' => '/', _ => c });
        }

        padded.Append('=', (4 - (padded.Length % 4)) % 4);
        var buffer = new byte[padded.Length];
        if (!Convert.TryFromBase64String(padded.ToString(), buffer, out var written))
        {
            return false;
        }

        bytes = buffer[..written];
        return true;
    }
}
