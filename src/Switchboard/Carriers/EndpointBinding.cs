using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Carriers;

/// <summary>
/// Binds an endpoint id carried in a carrier stream's parameters (Twilio <c>customParameters</c>, Telnyx
/// <c>client_state</c>) to the gateway that issued it: <c>endpointToken</c> = HMAC-SHA-256 of the endpoint id under a key
/// derived from the gateway's session signing key. A stream whose upgrade the carrier did not sign may only name an
/// endpoint with its token, so one tenant's callers can never be routed to (and billed to) another tenant's agent by
/// writing its id into a start message (docs/security.md).
/// </summary>
internal static class EndpointBinding
{
    /// <summary>The stream parameter carrying the token, beside <c>endpointId</c>.</summary>
    public const string TokenParameter = "endpointToken";

    private static readonly byte[] Purpose = "switchboard/endpoint-binding/v1"u8.ToArray();

    /// <summary>The binding key from the gateway's session signing key (a separate key per purpose).</summary>
    public static byte[] DeriveKey(ReadOnlySpan<byte> signingKey) => HMACSHA256.HashData(signingKey, Purpose);

    /// <summary>The token that lets a stream name <paramref name="endpointId"/> (URL-safe base64, 43 characters).</summary>
    public static string Issue(ReadOnlySpan<byte> key, Guid endpointId) =>
        Convert.ToBase64String(Mac(key, endpointId)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>Whether <paramref name="token"/> is <paramref name="endpointId"/>'s token (constant time).</summary>
    public static bool Verify(ReadOnlySpan<byte> key, Guid endpointId, string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 64)
        {
            return false;
        }

        var expected = Encoding.ASCII.GetBytes(Issue(key, endpointId));
        var given = Encoding.UTF8.GetBytes(token);
        return CryptographicOperations.FixedTimeEquals(expected, given);
    }

    private static byte[] Mac(ReadOnlySpan<byte> key, Guid endpointId) => HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(endpointId.ToString("D")));
}
