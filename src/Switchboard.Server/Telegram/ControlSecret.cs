using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Server.Telegram;

/// <summary>
/// The operator's shared secret (<c>REALTIME_CONTROL_SECRET</c>), presented as <c>Authorization: Bearer &lt;secret&gt;</c> or
/// <c>?secret=</c>, compared in constant time. With no secret configured nothing is accepted.
/// </summary>
internal static class ControlSecret
{
    public static bool IsPresented(HttpContext context, string? configured)
    {
        if (string.IsNullOrEmpty(configured))
        {
            return false;
        }

        string? given = null;
        var authorization = context.Request.Headers.Authorization.ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            given = authorization["Bearer ".Length..].Trim();
        }
        else if (context.Request.Query.TryGetValue("secret", out var query))
        {
            given = query.ToString();
        }

        if (string.IsNullOrEmpty(given))
        {
            return false;
        }

        // Hashing first makes the comparison constant-time whatever the lengths.
        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(configured)));
    }
}
