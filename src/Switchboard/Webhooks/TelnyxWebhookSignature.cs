using System.Text;
using NSec.Cryptography;

namespace Switchboard.Webhooks;

/// <summary>
/// Telnyx webhook signatures: <c>telnyx-signature-ed25519</c> (base64, 64 bytes) is an Ed25519 signature over
/// <c>"{telnyx-timestamp}|{raw body}"</c> with the account's public key (base64, 32 bytes, from Mission Control);
/// the timestamp (Unix seconds) must be within 300 s of now.
/// </summary>
internal static class TelnyxWebhookSignature
{
    public const string SignatureHeader = "telnyx-signature-ed25519";
    public const string TimestampHeader = "telnyx-timestamp";

    /// <summary>Checks a message given its headers (looked up case-insensitively) and raw body.</summary>
    public static WebhookVerification Verify(string publicKeyBase64, IEnumerable<KeyValuePair<string, string>> headers, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan? tolerance = null) =>
        Verify(publicKeyBase64, WebhookHeaders.Find(headers, SignatureHeader), WebhookHeaders.Find(headers, TimestampHeader), body, now, tolerance);

    /// <summary>Checks one message. Key problems are reported as <see cref="WebhookVerification.InvalidKey"/>, never thrown.</summary>
    public static WebhookVerification Verify(string publicKeyBase64, string? signature, string? timestamp, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan? tolerance = null)
    {
        if (string.IsNullOrEmpty(timestamp))
        {
            return WebhookVerification.MissingTimestamp;
        }

        if (string.IsNullOrWhiteSpace(signature))
        {
            return WebhookVerification.MissingSignature;
        }

        if (StandardWebhooks.CheckTimestamp(timestamp, now, tolerance ?? StandardWebhooks.DefaultTolerance, out _) is { } timeProblem)
        {
            return timeProblem;
        }

        Span<byte> keyBytes = stackalloc byte[48];
        if (string.IsNullOrEmpty(publicKeyBase64) || !Convert.TryFromBase64String(publicKeyBase64, keyBytes, out var keyLength) || keyLength != 32)
        {
            return WebhookVerification.InvalidKey;
        }

        Span<byte> signatureBytes = stackalloc byte[96];
        if (!Convert.TryFromBase64String(signature.Trim(), signatureBytes, out var signatureLength) || signatureLength != 64)
        {
            return WebhookVerification.MalformedSignature;
        }

        if (!PublicKey.TryImport(SignatureAlgorithm.Ed25519, keyBytes[..32], KeyBlobFormat.RawPublicKey, out var key) || key is null)
        {
            return WebhookVerification.InvalidKey;
        }

        var message = new byte[Encoding.UTF8.GetByteCount(timestamp) + 1 + body.Length];
        var written = Encoding.UTF8.GetBytes(timestamp, message);
        message[written] = (byte)'|';
        body.CopyTo(message.AsSpan(written + 1));
        return SignatureAlgorithm.Ed25519.Verify(key, message, signatureBytes[..64]) ? WebhookVerification.Verified : WebhookVerification.SignatureMismatch;
    }
}
