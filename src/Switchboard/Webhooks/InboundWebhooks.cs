using Switchboard.Carriers.Twilio;

namespace Switchboard.Webhooks;

/// <summary>
/// One place for the inbound signature checks later features need (OpenAI SIP webhooks, Twilio status callbacks,
/// Telnyx call-control events): each takes the raw request parts and returns a <see cref="WebhookVerification"/>.
/// </summary>
internal static class InboundWebhooks
{
    /// <summary>Standard Webhooks (OpenAI): <paramref name="secret"/> is the <c>whsec_…</c> signing secret.</summary>
    public static WebhookVerification VerifyStandard(string secret, IEnumerable<KeyValuePair<string, string>> headers, ReadOnlySpan<byte> body, DateTimeOffset now) =>
        StandardWebhooks.Verify(secret, headers, body, now);

    /// <summary>Telnyx Ed25519: <paramref name="publicKeyBase64"/> is the account's public key.</summary>
    public static WebhookVerification VerifyTelnyx(string publicKeyBase64, IEnumerable<KeyValuePair<string, string>> headers, ReadOnlySpan<byte> body, DateTimeOffset now) =>
        TelnyxWebhookSignature.Verify(publicKeyBase64, headers, body, now);

    /// <summary>Twilio <c>X-Twilio-Signature</c> over the full URL and form parameters (no timestamp in this scheme).</summary>
    public static WebhookVerification VerifyTwilio(string authToken, IEnumerable<KeyValuePair<string, string>> headers, string url, IEnumerable<KeyValuePair<string, string>>? form)
    {
        var signature = WebhookHeaders.Find(headers, "X-Twilio-Signature");
        if (string.IsNullOrEmpty(signature))
        {
            return WebhookVerification.MissingSignature;
        }

        if (string.IsNullOrEmpty(authToken))
        {
            return WebhookVerification.InvalidKey;
        }

        return TwilioSignature.IsValid(authToken, signature, url, form) ? WebhookVerification.Verified : WebhookVerification.SignatureMismatch;
    }
}
