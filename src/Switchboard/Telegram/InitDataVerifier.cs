using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using NSec.Cryptography;

namespace Switchboard.Telegram;

/// <summary>
/// Verifies a Mini App's <c>initData</c> (docs/telegram.md, PROTOCOLS §4): the HMAC <c>hash</c> keyed from the bot token, or
/// failing that an Ed25519 <c>signature</c> under one of the configured Telegram keys; then <c>auth_date</c> within the window
/// and a <c>user</c> with an id. Telegram.Bot's own helper is not used: it compares with <c>SequenceEqual</c> (not constant
/// time), has no <c>auth_date</c> check and no Ed25519 path. Never throws on hostile input.
/// </summary>
internal sealed class InitDataVerifier
{
    /// <summary>Longest <c>initData</c> read; Telegram's are well under 2 KB.</summary>
    public const int MaxLength = 8192;

    // A clock a little ahead of Telegram's is not an attack.
    private static readonly TimeSpan FutureSkew = TimeSpan.FromMinutes(1);

    private readonly byte[] _hmacKey;
    private readonly string _botId;
    private readonly PublicKey[] _signatureKeys;
    private readonly TimeSpan _maxAge;
    private readonly TimeProvider _time;

    /// <param name="botToken">The bot's token (<c>&lt;bot id&gt;:&lt;secret&gt;</c>).</param>
    /// <param name="signatureKeysHex">Telegram Ed25519 public keys, hex; empty accepts the HMAC only.</param>
    /// <param name="maxAge">Oldest <c>auth_date</c> accepted.</param>
    /// <param name="time">The clock.</param>
    public InitDataVerifier(string botToken, IEnumerable<string> signatureKeysHex, TimeSpan maxAge, TimeProvider time)
    {
        ArgumentException.ThrowIfNullOrEmpty(botToken);
        // secret_key = HMAC_SHA256(key: "WebAppData", message: bot_token): the constant is the key.
        _hmacKey = HMACSHA256.HashData("WebAppData"u8, Encoding.UTF8.GetBytes(botToken));
        var colon = botToken.IndexOf(':', StringComparison.Ordinal);
        _botId = colon > 0 ? botToken[..colon] : botToken;
        _signatureKeys = signatureKeysHex.Select(hex => PublicKey.Import(SignatureAlgorithm.Ed25519, Convert.FromHexString(hex), KeyBlobFormat.RawPublicKey)).ToArray();
        _maxAge = maxAge;
        _time = time;
    }

    /// <summary>Checks <paramref name="initData"/> exactly as <c>Telegram.WebApp.initData</c> gave it.</summary>
    public InitDataCheck Verify(string? initData)
    {
        if (string.IsNullOrEmpty(initData) || initData.Length > MaxLength)
        {
            return InitDataCheck.Fail(InitDataStatus.Malformed, string.IsNullOrEmpty(initData) ? "initData is empty (open the page from the bot's button)" : "initData is too long");
        }

        if (!TryParse(initData, out var fields))
        {
            return InitDataCheck.Fail(InitDataStatus.Malformed, "initData is not a form-encoded string of unique keys");
        }

        var bySignature = false;
        if (!HashMatches(fields))
        {
            if (!SignatureMatches(fields))
            {
                return InitDataCheck.Fail(InitDataStatus.BadSignature, "initData signature does not match this bot");
            }

            bySignature = true;
        }

        if (!fields.TryGetValue("auth_date", out var authText) || !long.TryParse(authText, NumberStyles.None, CultureInfo.InvariantCulture, out var authUnix)
            || authUnix is <= 0 or > 253_402_300_799)
        {
            return InitDataCheck.Fail(InitDataStatus.Malformed, "initData has no valid auth_date");
        }

        var authDate = DateTimeOffset.FromUnixTimeSeconds(authUnix);
        var now = _time.GetUtcNow();
        if (now - authDate > _maxAge || authDate - now > FutureSkew)
        {
            return InitDataCheck.Fail(InitDataStatus.Stale, $"initData is stale (signed {(long)(now - authDate).TotalSeconds} s ago; the limit is {(long)_maxAge.TotalSeconds} s)");
        }

        if (!fields.TryGetValue("user", out var userJson) || !TryReadId(userJson, out var userId, out var username))
        {
            return InitDataCheck.Fail(InitDataStatus.NoUser, "initData has no user");
        }

        long? chatId = fields.TryGetValue("chat", out var chatJson) && TryReadId(chatJson, out var chat, out _) ? chat : null;
        fields.TryGetValue("chat_type", out var chatType);
        return new InitDataCheck(InitDataStatus.Valid, new VerifiedInitData(userId, username, authDate, chatId, chatType, bySignature), "valid");
    }

    /// <summary>The HMAC check (PROTOCOLS §4.1): every pair but <c>hash</c>, <c>signature</c> included, sorted ordinally.</summary>
    private bool HashMatches(SortedDictionary<string, string> fields)
    {
        if (!fields.TryGetValue("hash", out var hashHex) || hashHex.Length != 64 || !hashHex.All(char.IsAsciiHexDigit))
        {
            return false;
        }

        var expected = HMACSHA256.HashData(_hmacKey, CheckString(fields, "", skipSignature: false));
        return CryptographicOperations.FixedTimeEquals(expected, Convert.FromHexString(hashHex));
    }

    /// <summary>The Ed25519 check (PROTOCOLS §4.2): <c>"&lt;bot id&gt;:WebAppData\n"</c> and the pairs without <c>hash</c> and <c>signature</c>.</summary>
    private bool SignatureMatches(SortedDictionary<string, string> fields)
    {
        if (_signatureKeys.Length == 0 || !fields.TryGetValue("signature", out var encoded) || encoded.Length is 0 or > 200)
        {
            return false;
        }

        var signature = new byte[64];
        var padded = encoded.Replace('-', '+').Replace('_', '/');
        padded += new string('=', (4 - (padded.Length % 4)) % 4);
        if (!Convert.TryFromBase64String(padded, signature, out var length) || length != 64)
        {
            return false;
        }

        var message = CheckString(fields, _botId + ":WebAppData\n", skipSignature: true);
        foreach (var key in _signatureKeys)
        {
            if (SignatureAlgorithm.Ed25519.Verify(key, message, signature))
            {
                return true;
            }
        }

        return false;
    }

    private static byte[] CheckString(SortedDictionary<string, string> fields, string prefix, bool skipSignature)
    {
        var builder = new StringBuilder(prefix);
        var first = true;
        foreach (var (key, value) in fields)
        {
            if (key == "hash" || (skipSignature && key == "signature"))
            {
                continue;
            }

            if (!first)
            {
                builder.Append('\n');
            }

            builder.Append(key).Append('=').Append(value);
            first = false;
        }

        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    /// <summary>Splits the form-encoded string into decoded pairs, sorted by key with an ordinal comparison.</summary>
    private static bool TryParse(string initData, out SortedDictionary<string, string> fields)
    {
        fields = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var pair in initData.Split('&'))
        {
            if (pair.Length == 0)
            {
                continue;
            }

            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0)
            {
                return false;
            }

            var key = WebUtility.UrlDecode(pair[..equals]);
            var value = WebUtility.UrlDecode(pair[(equals + 1)..]);
            if (!fields.TryAdd(key, value))
            {
                return false;
            }
        }

        return fields.Count > 0;
    }

    private static bool TryReadId(string json, out long id, out string? username)
    {
        id = 0;
        username = null;
        try
        {
            using var document = JsonDocument.Parse(json);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("id", out var idJson) || !idJson.TryGetInt64(out id))
            {
                return false;
            }

            if (root.TryGetProperty("username", out var name) && name.ValueKind == JsonValueKind.String)
            {
                username = name.GetString();
            }

            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
