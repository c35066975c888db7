using System.Text;
using Switchboard.Webhooks;

namespace Switchboard.Tests.Webhooks;

public class TelnyxWebhookSignatureTests
{
    // PROTOCOLS.md 3.4: private key seed = bytes 0x00..0x1F.
    private const string PublicKey = "A6EHv/POEL4dcN0Y50vAmWfk1jCbpQ1fHdyGZBJVMbg=";
    private const string Signature = "0FSumZeD1NPWaUfii0uza/f5otdEPJ0oHQHp4GuvY/Q71O9akhKUdUr6uSCoN4S7ESkv7gLPdZmc4EktIJg7CA==";
    private const string Timestamp = "1750000000";
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("{\"data\":{\"event_type\":\"call.initiated\"}}");
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1750000000);

    private static WebhookVerification Verify(string? signature = Signature, string? timestamp = Timestamp, string key = PublicKey, byte[]? body = null, DateTimeOffset? now = null) =>
        TelnyxWebhookSignature.Verify(key, signature, timestamp, body ?? Body, now ?? Now);

    [Fact]
    public void Verify_ProtocolsVector_IsVerified() => Assert.Equal(WebhookVerification.Verified, Verify());

    [Fact]
    public void Verify_PublicKeyOfTheSeed_IsTheVectorsKey()
    {
        var seed = Enumerable.Range(0, 32).Select(i => (byte)i).ToArray();
        using var key = NSec.Cryptography.Key.Import(NSec.Cryptography.SignatureAlgorithm.Ed25519, seed, NSec.Cryptography.KeyBlobFormat.RawPrivateKey);
        Assert.Equal(PublicKey, Convert.ToBase64String(key.PublicKey.Export(NSec.Cryptography.KeyBlobFormat.RawPublicKey)));
    }

    [Fact]
    public void Verify_HeadersInAnyCase_AreFound()
    {
        var headers = new Dictionary<string, string> { ["Telnyx-Signature-Ed25519"] = Signature, ["TELNYX-TIMESTAMP"] = Timestamp };
        Assert.Equal(WebhookVerification.Verified, TelnyxWebhookSignature.Verify(PublicKey, headers, Body, Now));
    }

    [Fact]
    public void Verify_ChangedBody_IsMismatch() => Assert.Equal(WebhookVerification.SignatureMismatch, Verify(body: Encoding.UTF8.GetBytes("{\"data\":{\"event_type\":\"call.hangup\"}}")));

    [Fact]
    public void Verify_ChangedTimestampWithinTolerance_IsMismatch() => Assert.Equal(WebhookVerification.SignatureMismatch, Verify(timestamp: "1750000001"));

    [Fact]
    public void Verify_OtherKey_IsMismatch() => Assert.Equal(WebhookVerification.SignatureMismatch, Verify(key: Convert.ToBase64String(new byte[32].Select((_, i) => (byte)(i + 1)).ToArray())));

    [Fact]
    public void Verify_MissingParts_SayWhich()
    {
        Assert.Equal(WebhookVerification.MissingSignature, Verify(signature: null));
        Assert.Equal(WebhookVerification.MissingTimestamp, Verify(timestamp: ""));
    }

    [Theory]
    [InlineData("not base64")]
    [InlineData("AAAA")]
    public void Verify_SignatureNot64Bytes_IsMalformed(string signature) => Assert.Equal(WebhookVerification.MalformedSignature, Verify(signature: signature));

    [Theory]
    [InlineData("")]
    [InlineData("AAAA")]
    [InlineData("***")]
    public void Verify_KeyNot32Bytes_IsInvalidKey(string key) => Assert.Equal(WebhookVerification.InvalidKey, Verify(key: key));

    [Fact]
    public void Verify_OutsideTolerance_IsTooOldOrTooNew()
    {
        Assert.Equal(WebhookVerification.TimestampTooOld, Verify(now: Now.AddSeconds(301)));
        Assert.Equal(WebhookVerification.TimestampTooNew, Verify(now: Now.AddSeconds(-301)));
        Assert.Equal(WebhookVerification.Verified, Verify(now: Now.AddSeconds(300)));
    }

    [Fact]
    public void Verify_MalformedTimestamp_IsReported() => Assert.Equal(WebhookVerification.MalformedTimestamp, Verify(timestamp: "soon"));
}
