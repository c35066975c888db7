using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Testing.Telegram;

/// <summary>Builds <c>initData</c> as Telegram would for a Mini App opened from a bot's button, signed with the bot token (HMAC).</summary>
public static class InitDataSigner
{
    /// <summary>A signed <c>initData</c> for <paramref name="userId"/> at <paramref name="authDate"/> (plus any extra fields).</summary>
    public static string Sign(string botToken, long userId, DateTimeOffset authDate, IReadOnlyDictionary<string, string>? extra = null)
    {
        var fields = new SortedDictionary<string, string>(StringComparer.Ordinal)
        {
            ["auth_date"] = authDate.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture),
            ["query_id"] = "AAH" + userId.ToString(CultureInfo.InvariantCulture),
            ["user"] = "{\"id\":" + userId.ToString(CultureInfo.InvariantCulture) + ",\"first_name\":\"Test\",\"username\":\"tester\",\"language_code\":\"en\"}",
        };
        foreach (var (key, value) in extra ?? new Dictionary<string, string>())
        {
            fields[key] = value;
        }

        var secret = HMACSHA256.HashData("WebAppData"u8, Encoding.UTF8.GetBytes(botToken));
        var check = string.Join('\n', fields.Select(f => f.Key + "=" + f.Value));
        var hash = Convert.ToHexStringLower(HMACSHA256.HashData(secret, Encoding.UTF8.GetBytes(check)));
        return string.Join('&', fields.Select(f => f.Key + "=" + Uri.EscapeDataString(f.Value))) + "&hash=" + hash;
    }
}
