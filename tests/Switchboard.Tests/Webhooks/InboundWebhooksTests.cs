using Switchboard.Webhooks;

namespace Switchboard.Tests.Webhooks;

public class InboundWebhooksTests
{
    private static readonly KeyValuePair<string, string>[] Form =
    [
        new("CallSid", "CA1234567890ABCDE"),
        new("Caller", "+14158675309"),
        new("Digits", "1234"),
        new("From", "+14158675309"),
        new("To", "+18005551212"),
    ];

    [Fact]
    public void VerifyTwilio_ProtocolsVector_IsVerifiedAndATamperedFormIsNot()
    {
        var headers = new Dictionary<string, string> { ["x-twilio-signature"] = "RSOYDt4T1cUTdK1PDd93/VVr8B8=" };
        const string url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        Assert.Equal(WebhookVerification.Verified, InboundWebhooks.VerifyTwilio("12345", headers, url, Form));
        Assert.Equal(WebhookVerification.SignatureMismatch, InboundWebhooks.VerifyTwilio("12345", headers, url, Form.Take(4)));
        Assert.Equal(WebhookVerification.MissingSignature, InboundWebhooks.VerifyTwilio("12345", new Dictionary<string, string>(), url, Form));
        Assert.Equal(WebhookVerification.InvalidKey, InboundWebhooks.VerifyTwilio("", headers, url, Form));
    }

    [Fact]
    public void WebhookPayloads_Envelope_HasTypeTimestampAndDataInOrder()
    {
        using var data = System.Text.Json.JsonDocument.Parse("{\"callId\":\"call_1\",\"n\":2}");
        var body = WebhookPayloads.Envelope("call.artifact", DateTimeOffset.FromUnixTimeMilliseconds(1_750_000_000_123), data.RootElement);
        Assert.Equal("{\"type\":\"call.artifact\",\"timestamp\":\"2025-06-15T15:06:40.123Z\",\"data\":{\"callId\":\"call_1\",\"n\":2}}", body);
    }
}
