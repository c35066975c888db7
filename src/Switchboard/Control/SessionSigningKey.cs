using System.Security.Cryptography;
using Switchboard.Configuration;

namespace Switchboard.Control;

/// <summary>
/// Where the session-token key comes from: <c>Switchboard:Sessions:SigningKey</c> when configured, otherwise a
/// random key generated once and kept in the database, so restarts and every node sharing the database accept
/// the same tokens (first writer wins when several nodes start together).
/// </summary>
internal static class SessionSigningKey
{
    /// <summary>The gateway setting holding the generated key (base64).</summary>
    public const string SettingName = "session_signing_key";

    public static async Task<byte[]> ResolveAsync(SessionOptions options, ISettingStore store, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        if (!string.IsNullOrEmpty(options.SigningKey))
        {
            return Convert.FromBase64String(options.SigningKey);
        }

        var candidate = Convert.ToBase64String(RandomNumberGenerator.GetBytes(SessionTokens.MinKeyBytes));
        var stored = await store.SetSettingIfAbsentAsync(SettingName, candidate, cancellationToken).ConfigureAwait(false);
        var key = Convert.FromBase64String(stored);
        if (key.Length < SessionTokens.MinKeyBytes)
        {
            throw new InvalidOperationException($"the stored setting '{SettingName}' is shorter than {SessionTokens.MinKeyBytes} bytes");
        }

        return key;
    }
}
