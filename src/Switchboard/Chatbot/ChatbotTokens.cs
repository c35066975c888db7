using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Chatbot;

/// <summary>
/// Per-conversation tokens for chatbot callbacks: 32 random bytes, shown once and stored as their SHA-256; checked by
/// comparing hashes in constant time.
/// </summary>
internal static class ChatbotTokens
{
    private const string Prefix = "cbt_";

    /// <summary>A new token and the hash to store.</summary>
    public static (string Token, byte[] Hash) Issue()
    {
        var token = Prefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return (token, Hash(token));
    }

    public static byte[] Hash(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));

    /// <summary>Whether <paramref name="presented"/> is the token whose hash is <paramref name="storedHash"/>.</summary>
    public static bool Matches(string? presented, byte[] storedHash)
    {
        ArgumentNullException.ThrowIfNull(storedHash);
        // Hashing first gives equal lengths, so the comparison's time does not depend on where the inputs differ.
        return !string.IsNullOrEmpty(presented) && CryptographicOperations.FixedTimeEquals(Hash(presented), storedHash);
    }

    /// <summary>A new conversation id (what the chatbot sends as <c>conversation.identifier.id</c>).</summary>
    public static string NewConversationId() => "conv_" + Guid.NewGuid().ToString("N");
}
