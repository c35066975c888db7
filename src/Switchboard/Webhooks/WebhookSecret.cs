using System.Security.Cryptography;

namespace Switchboard.Webhooks;

/// <summary>Signing secrets the gateway generates for each subscription: <c>whsec_</c> + base64 of 32 random bytes.</summary>
internal static class WebhookSecret
{
    public static string Generate() => StandardWebhooks.SecretPrefix + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
}
