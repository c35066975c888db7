using System.Text;
using Switchboard.Webhooks;

namespace Switchboard.Tests.Webhooks;

public class StandardWebhooksTests
{
    // PROTOCOLS.md 1.9 (openai-python test values, signature recomputed).
    private const string Secret = "whsec_c3ludGhldGljLXdlYmhvb2stc2VjcmV0";
    private const string Id = "evt_synthetic";
    private const long Timestamp = 1750000000;
    private const string Signature = "v1,qzuLCtHIXTcfJr8yxIcKC07cOqyNSgdmZRut6AFa+RA=";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"synthetic\": \"café\"}");
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(Timestamp);

    private static WebhookVerification Verify(string? signature, long? timestamp = Timestamp, DateTimeOffset? now = null, string secret = Secret, string? id = Id, byte[]? body = null) =>
        StandardWebhooks.Verify(secret, id, timestamp?.ToString(System.Globalization.CultureInfo.InvariantCulture), signature, body ?? Body, now ?? Now);

    [Fact]
    public void Sign_ProtocolsVector_Matches() => Assert.Equal(Signature, StandardWebhooks.Sign(Secret, Id, Timestamp, Body));

    [Fact]
    public void Sign_RawSecret_EqualsTheWhsecFormOfTheSameBytes() =>
        Assert.Equal(Signature, StandardWebhooks.Sign("synthetic-webhook-secret", Id, Timestamp, Body));

    [Fact]
    public void Verify_ProtocolsVector_IsVerified() => Assert.Equal(WebhookVerification.Verified, Verify(Signature));

    [Fact]
    public void Verify_HeadersInAnyCase_AreFound()
    {
        var headers = new Dictionary<string, string>
        {
            ["Webhook-Id"] = Id,
            ["WEBHOOK-TIMESTAMP"] = "1750000000",
            ["webhook-Signature"] = Signature,
        };
        Assert.Equal(WebhookVerification.Verified, StandardWebhooks.Verify(Secret, headers, Body, Now));
    }

    [Fact]
    public void Verify_RotationWithSeveralEntries_AcceptsAnyMatchAndIgnoresV1a() =>
        Assert.Equal(WebhookVerification.Verified, Verify("v1a,AAAA v1,Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmE= " + Signature));

    [Fact]
    public void Verify_OnlyV1aEntries_IsMalformed() => Assert.Equal(WebhookVerification.MalformedSignature, Verify("v1a,qzuLCtHIXTcfJr8yxIcKC07cOqyNSgdmZRut6AFa+RA="));

    [Fact]
    public void Verify_BadBase64_IsMalformed() => Assert.Equal(WebhookVerification.MalformedSignature, Verify("v1,not base64!!"));

    [Fact]
    public void Verify_ChangedBody_IsMismatch() =>
        Assert.Equal(WebhookVerification.SignatureMismatch, Verify(Signature, body: Encoding.UTF8.GetBytes("{\"synthetic\":\"café\"}")));

    [Fact]
    public void Verify_OtherSecret_IsMismatch() => Assert.Equal(WebhookVerification.SignatureMismatch, Verify(Signature, secret: "whsec_b3RoZXI="));

    [Fact]
    public void Verify_OtherId_IsMismatch() => Assert.Equal(WebhookVerification.SignatureMismatch, Verify(Signature, id: "evt_other"));

    [Fact]
    public void Verify_TruncatedSignature_IsMismatch() => Assert.Equal(WebhookVerification.SignatureMismatch, Verify("v1,qzuLCtHIXTcfJr8yxIcKC07cOqyN"));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Verify_NoId_IsMissingId(string? id) => Assert.Equal(WebhookVerification.MissingId, Verify(Signature, id: id));

    [Fact]
    public void Verify_NoTimestamp_IsMissingTimestamp() => Assert.Equal(WebhookVerification.MissingTimestamp, Verify(Signature, timestamp: null));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    public void Verify_NoSignature_IsMissingSignature(string? signature) => Assert.Equal(WebhookVerification.MissingSignature, Verify(signature));

    [Theory]
    [InlineData("17500000OO")]
    [InlineData("-1750000000")]
    [InlineData("1750000000.5")]
    [InlineData("99999999999999999999999")]
    public void Verify_NonNumericTimestamp_IsMalformed(string timestamp) =>
        Assert.Equal(WebhookVerification.MalformedTimestamp, StandardWebhooks.Verify(Secret, Id, timestamp, Signature, Body, Now));

    [Fact]
    public void Verify_TimestampAtToleranceEitherWay_IsVerified()
    {
        Assert.Equal(WebhookVerification.Verified, Verify(Signature, now: Now.AddSeconds(300)));
        Assert.Equal(WebhookVerification.Verified, Verify(Signature, now: Now.AddSeconds(-300)));
    }

    [Fact]
    public void Verify_TimestampBeyondTolerance_IsTooOldOrTooNew()
    {
        Assert.Equal(WebhookVerification.TimestampTooOld, Verify(Signature, now: Now.AddSeconds(301)));
        Assert.Equal(WebhookVerification.TimestampTooNew, Verify(Signature, now: Now.AddSeconds(-301)));
    }

    [Theory]
    [InlineData("")]
    [InlineData("whsec_")]
    [InlineData("whsec_***")]
    public void Verify_UnusableSecret_IsInvalidKey(string secret) => Assert.Equal(WebhookVerification.InvalidKey, Verify(Signature, secret: secret));

    [Fact]
    public void Generate_Secret_IsWhsecAnd32RandomBytes()
    {
        var a = WebhookSecret.Generate();
        var b = WebhookSecret.Generate();
        Assert.StartsWith("whsec_", a, StringComparison.Ordinal);
        Assert.Equal(32, StandardWebhooks.DecodeSecret(a)!.Length);
        Assert.NotEqual(a, b);
    }

    [Fact]
    public void SignThenVerify_GeneratedSecret_RoundTrips()
    {
        var secret = WebhookSecret.Generate();
        var signature = StandardWebhooks.Sign(secret, "msg_1", Timestamp, Body);
        Assert.Equal(WebhookVerification.Verified, Verify(signature, secret: secret, id: "msg_1"));
    }
}
