using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Switchboard.Webhooks;

/// <summary>
/// The Standard Webhooks scheme (used by OpenAI and by this gateway's outbound webhooks): headers <c>webhook-id</c>,
/// <c>webhook-timestamp</c> (Unix seconds) and <c>webhook-signature</c> = space-separated <c>v1,&lt;base64 HMAC-SHA256&gt;</c>
/// entries over <c>"{id}.{timestamp}.{raw body}"</c>. A secret starting <c>whsec_</c> is base64 after the prefix; any
/// other secret is used as its UTF-8 bytes.
/// </summary>
internal static class StandardWebhooks
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    public const string SecretPrefix = "whsec_";

    /// <summary>How far a timestamp may be from now, in either direction.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    /// <summary>The HMAC key of a secret; null when a <c>whsec_</c> secret is not valid base64 or the secret is empty.</summary>
    public static byte[]? DecodeSecret(string? secret)
    {
        if (string.IsNullOrEmpty(secret))
        {
            return null;
        }

        if (!secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
        {
            return Encoding.UTF8.GetBytes(secret);
        }

        var encoded = secret.AsSpan(SecretPrefix.Length);
        var key = new byte[encoded.Length];
        return encoded.Length > 0 && Convert.TryFromBase64Chars(encoded, key, out var written) ? key[..written] : null;
    }

    /// <summary>The header value <c>v1,&lt;base64&gt;</c> for one message.</summary>
    public static string Sign(ReadOnlySpan<byte> key, string id, long timestamp, ReadOnlySpan<byte> body)
    {
        Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
        ComputeMac(key, id, timestamp, body, mac);
        return "v1," + Convert.ToBase64String(mac);
    }

    /// <summary>The header value for one message, signed with a secret (<c>whsec_…</c> or raw).</summary>
    public static string Sign(string secret, string id, long timestamp, ReadOnlySpan<byte> body) =>
        Sign(DecodeSecret(secret) ?? throw new ArgumentException("the webhook secret is empty or not valid base64 after whsec_", nameof(secret)), id, timestamp, body);

    /// <summary>Checks a message given its headers (looked up case-insensitively) and raw body.</summary>
    public static WebhookVerification Verify(string secret, IEnumerable<KeyValuePair<string, string>> headers, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan? tolerance = null) =>
        Verify(secret, WebhookHeaders.Find(headers, IdHeader), WebhookHeaders.Find(headers, TimestampHeader), WebhookHeaders.Find(headers, SignatureHeader), body, now, tolerance);

    /// <summary>
    /// Checks a message: every header present, timestamp within <paramref name="tolerance"/> (default 300 s) of
    /// <paramref name="now"/> both ways, and any <c>v1,</c> entry of <paramref name="signatureHeader"/> matching (constant-time).
    /// Entries of other versions (e.g. the asymmetric <c>v1a,</c>) are ignored.
    /// </summary>
    public static WebhookVerification Verify(string secret, string? id, string? timestamp, string? signatureHeader, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan? tolerance = null)
    {
        if (string.IsNullOrEmpty(id))
        {
            return WebhookVerification.MissingId;
        }

        if (string.IsNullOrEmpty(timestamp))
        {
            return WebhookVerification.MissingTimestamp;
        }

        if (string.IsNullOrWhiteSpace(signatureHeader))
        {
            return WebhookVerification.MissingSignature;
        }

        if (CheckTimestamp(timestamp, now, tolerance ?? DefaultTolerance, out var seconds) is { } timeProblem)
        {
            return timeProblem;
        }

        var key = DecodeSecret(secret);
        if (key is null)
        {
            return WebhookVerification.InvalidKey;
        }

        Span<byte> expected = stackalloc byte[HMACSHA256.HashSizeInBytes];
        ComputeMac(key, id, seconds, body, expected);
        Span<byte> given = stackalloc byte[64];
        var checkedAny = false;
        var match = false;
        foreach (var range in signatureHeader.AsSpan().Split(' '))
        {
            var entry = signatureHeader.AsSpan(range);
            if (!entry.StartsWith("v1,", StringComparison.Ordinal))
            {
                continue;
            }

            if (!Convert.TryFromBase64Chars(entry[3..], given, out var length))
            {
                continue;
            }

            checkedAny = true;
            // Every entry is compared, so timing does not reveal which one matched.
            match |= length == expected.Length && CryptographicOperations.FixedTimeEquals(given[..length], expected);
        }

        return match ? WebhookVerification.Verified : checkedAny ? WebhookVerification.SignatureMismatch : WebhookVerification.MalformedSignature;
    }

    /// <summary>Null when <paramref name="timestamp"/> is Unix seconds within the tolerance of <paramref name="now"/>; otherwise why not.</summary>
    internal static WebhookVerification? CheckTimestamp(string timestamp, DateTimeOffset now, TimeSpan tolerance, out long seconds)
    {
        if (timestamp.Length > 19 || !long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out seconds))
        {
            seconds = 0;
            return WebhookVerification.MalformedTimestamp;
        }

        var delta = now.ToUnixTimeSeconds() - seconds;
        if (delta > tolerance.TotalSeconds)
        {
            return WebhookVerification.TimestampTooOld;
        }

        if (-delta > tolerance.TotalSeconds)
        {
            return WebhookVerification.TimestampTooNew;
        }

        return null;
    }

    private static void ComputeMac(ReadOnlySpan<byte> key, string id, long timestamp, ReadOnlySpan<byte> body, Span<byte> destination)
    {
        var prefix = string.Create(CultureInfo.InvariantCulture, $"{id}.{timestamp}.");
        var length = Encoding.UTF8.GetByteCount(prefix) + body.Length;
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var written = Encoding.UTF8.GetBytes(prefix, buffer);
            body.CopyTo(buffer.AsSpan(written));
            HMACSHA256.HashData(key, buffer.AsSpan(0, length), destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }
}
