using System.Security.Cryptography;
using System.Text;
using Switchboard.Carriers.Twilio;

namespace Switchboard.Tests.Carriers;

public class TwilioSignatureTests
{
    private static readonly KeyValuePair<string, string>[] Params =
    [
        new("CallSid", "CA1234567890ABCDE"),
        new("Caller", "+14158675309"),
        new("Digits", "1234"),
        new("From", "+14158675309"),
        new("To", "+18005551212"),
    ];

    [Fact]
    public void Compute_TwilioCsharpVector_Matches() =>
        Assert.Equal("RSOYDt4T1cUTdK1PDd93/VVr8B8=", TwilioSignature.Compute("12345", "https://mycompany.com/myapp.php?foo=1&bar=2", Params));

    [Fact]
    public void Compute_VectorWithDefaultPort_Matches() =>
        Assert.Equal("kvajT1Ptam85bY51eRf/AJRuM3w=", TwilioSignature.Compute("12345", "https://mycompany.com:443/myapp.php?foo=1&bar=2", Params));

    [Fact]
    public void IsValid_SignatureOfPortForm_AcceptedForUrlWithoutPortAndViceVersa()
    {
        Assert.True(TwilioSignature.IsValid("12345", "kvajT1Ptam85bY51eRf/AJRuM3w=", "https://mycompany.com/myapp.php?foo=1&bar=2", Params));
        Assert.True(TwilioSignature.IsValid("12345", "RSOYDt4T1cUTdK1PDd93/VVr8B8=", "https://mycompany.com:443/myapp.php?foo=1&bar=2", Params));
    }

    [Fact]
    public void IsValid_BodySha256Vector_UrlOnlySignatureMatches()
    {
        var body = "{\"property\": \"value\", \"boolean\": true}";
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)));
        Assert.Equal("0a1ff7634d9ab3b95db5c9a2dfe9416e41502b283a80c7cf19632632f96e6620", hash);
        Assert.True(TwilioSignature.IsValid("12345", "y77kIzt2vzLz71DgmJGsen2scGs=", $"https://mycompany.com/myapp.php?bodySHA256={hash}"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("RSOYDt4T1cUTdK1PDd93/VVr8B8")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAA=")]
    public void IsValid_WrongOrMissingSignature_Rejected(string? signature) =>
        Assert.False(TwilioSignature.IsValid("12345", signature, "https://mycompany.com/myapp.php?foo=1&bar=2", Params));

    [Fact]
    public void IsValid_TamperedParameter_Rejected()
    {
        var tampered = Params.Select(p => p.Key == "Digits" ? new KeyValuePair<string, string>("Digits", "9999") : p);
        Assert.False(TwilioSignature.IsValid("12345", "RSOYDt4T1cUTdK1PDd93/VVr8B8=", "https://mycompany.com/myapp.php?foo=1&bar=2", tampered));
    }

    [Fact]
    public void IsValid_WebSocketUpgrade_AcceptsWssAndHttpsSignedForms()
    {
        var wss = TwilioSignature.Compute("tok", "wss://gw.example.com/twilio");
        var https = TwilioSignature.Compute("tok", "https://gw.example.com/twilio");
        Assert.True(TwilioSignature.IsValid("tok", wss, "wss://gw.example.com/twilio"));
        Assert.True(TwilioSignature.IsValid("tok", https, "wss://gw.example.com/twilio"));
        Assert.True(TwilioSignature.IsValid("tok", TwilioSignature.Compute("tok", "wss://gw.example.com:443/twilio"), "wss://gw.example.com/twilio"));
        Assert.False(TwilioSignature.IsValid("other", wss, "wss://gw.example.com/twilio"));
    }

    [Fact]
    public void Compute_RepeatedKeys_SortedValuesAppendedPerKey()
    {
        var repeated = new[] { new KeyValuePair<string, string>("b", "2"), new("a", "z"), new("a", "y") };
        var expected = Convert.ToBase64String(HMACSHA1.HashData("t"u8.ToArray(), Encoding.UTF8.GetBytes("https://x/ayazb2")));
        Assert.Equal(expected, TwilioSignature.Compute("t", "https://x/", repeated));
    }
}
