using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Control;

/// <summary>
/// API keys look like <c>sb_k7f2m9qx_&lt;43 url-safe chars&gt;</c>: a fixed marker, an 8-character public prefix
/// that identifies the key in listings and logs, and 256 random bits. Only the SHA-256 of the whole key is
/// stored; a plain hash is enough because the secret is uniformly random, not a password.
/// </summary>
internal static class ApiKeyFormat
{
    private const string Marker = "sb_";
    private const int PrefixChars = 8;
    private const string PrefixAlphabet = "abcdefghijkmnpqrstuvwxyz23456789";

    /// <summary>A new key and its stored parts. The plaintext is shown once and never stored.</summary>
    public static (string Plaintext, string Prefix, byte[] Hash) Generate()
    {
        Span<char> prefix = stackalloc char[PrefixChars];
        for (var i = 0; i < prefix.Length; i++)
        {
            prefix[i] = PrefixAlphabet[RandomNumberGenerator.GetInt32(PrefixAlphabet.Length)];
        }

        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var visible = Marker + new string(prefix);
        var plaintext = visible + "_" + secret;
        return (plaintext, visible, Hash(plaintext));
    }

    /// <summary>The stored hash of a presented key.</summary>
    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>Extracts the public prefix (<c>sb_xxxxxxxx</c>) of a presented key; false for anything not shaped like a key.</summary>
    public static bool TryGetPrefix(string? key, out string prefix)
    {
        prefix = "";
        if (key is null || key.Length < Marker.Length + PrefixChars + 2 || key.Length > 128 || !key.StartsWith(Marker, StringComparison.Ordinal) || key[Marker.Length + PrefixChars] != '_')
        {
            return false;
        }

        prefix = key[..(Marker.Length + PrefixChars)];
        return true;
    }

    /// <summary>
    /// The public prefix an operator names a key by: the prefix itself (<c>sb_xxxxxxxx</c>) or the whole key pasted in;
    /// null when the value is neither.
    /// </summary>
    public static string? PrefixOf(string value)
    {
        value = value.Trim();
        if (TryGetPrefix(value, out var prefix))
        {
            return prefix;
        }

        return value.Length == Marker.Length + PrefixChars && value.StartsWith(Marker, StringComparison.Ordinal) ? value : null;
    }

    /// <summary>Constant-time comparison of a presented key against a stored hash.</summary>
    public static bool Matches(string key, byte[] storedHash) =>
        CryptographicOperations.FixedTimeEquals(Hash(key), storedHash);
}
