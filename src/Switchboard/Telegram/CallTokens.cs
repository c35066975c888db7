using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Telegram;

/// <summary>
/// The page's proof that it owns a bootstrapped call, for <c>POST /api/call/hangup</c> and <c>/api/call/finalize</c>: HMAC-SHA-256
/// of the session id under the launch-token key. It does not expire (finalize must work after the call), and it names one
/// session only.
/// </summary>
internal static class CallTokens
{
    public static string Issue(ReadOnlySpan<byte> key, Guid sessionId) =>
        Convert.ToBase64String(Mac(key, sessionId)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Whether <paramref name="token"/> is <paramref name="sessionId"/>'s (constant time).</summary>
    public static bool Verify(ReadOnlySpan<byte> key, Guid sessionId, string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 64)
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Issue(key, sessionId)), Encoding.UTF8.GetBytes(token));
    }

    private static byte[] Mac(ReadOnlySpan<byte> key, Guid sessionId) => HMACSHA256.HashData(key, Encoding.ASCII.GetBytes("call:" + sessionId.ToString("D")));
}
