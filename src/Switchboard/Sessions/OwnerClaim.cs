using System.Globalization;
using StackExchange.Redis;

namespace Switchboard.Sessions;

/// <summary>A session's owner in Redis: the node, the call (connection) there, and when it claimed the session (Unix ms).</summary>
internal readonly record struct OwnerClaim(string Node, string CallId, long ClaimedAtMs)
{
    /// <summary>The stored form, <c>node|callId|claimedAtMs</c>.</summary>
    public string Value => Node + "|" + CallId + "|" + ClaimedAtMs.ToString(CultureInfo.InvariantCulture);

    public static bool TryParse(RedisValue value, out OwnerClaim claim)
    {
        claim = default;
        var parts = value.IsNullOrEmpty ? [] : ((string)value!).Split('|');
        if (parts.Length != 3 || !long.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var at))
        {
            return false;
        }

        claim = new OwnerClaim(parts[0], parts[1], at);
        return true;
    }
}
