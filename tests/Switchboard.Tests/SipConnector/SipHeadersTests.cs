using Switchboard.SipConnector;

namespace Switchboard.Tests.SipConnector;

public class SipHeadersTests
{
    [Theory]
    [InlineData("\"Alice\" <sip:+15550001111@carrier.example.com>;tag=abc", "+15550001111")]
    [InlineData("<sip:+15550001111@carrier.example.com;transport=tls>", "+15550001111")]
    [InlineData("sip:+15550001111@carrier.example.com;tag=1", "+15550001111")]
    [InlineData("<sip:15550001111;user=phone@carrier.example.com>", "+15550001111")]
    [InlineData("<sips:15550001111@carrier.example.com>", "+15550001111")]
    [InlineData("<tel:+15550001111;phone-context=example.com>", "+15550001111")]
    [InlineData("tel:+15550001111", "+15550001111")]
    [InlineData("<sip:alice@example.com>", "alice")]
    [InlineData("<sip:anonymous@anonymous.invalid>", "anonymous")]
    [InlineData("<sip:1001@pbx.local>", "1001")]
    [InlineData("<sip:%2B15550001111@carrier.example.com>", "+15550001111")]
    [InlineData("<sip:sip.api.openai.com>", null)]
    [InlineData("", null)]
    [InlineData("<>", null)]
    [InlineData("<sip:@host>", null)]
    [InlineData("garbage without a uri", null)]
    public void UserOf_NameAddrOrUri_ReturnsTheUserPart(string value, string? expected) => Assert.Equal(expected, SipHeaders.UserOf(value));

    [Fact]
    public void CallerNumber_PrefersPAssertedIdentity_HeaderNamesIgnoreCase()
    {
        IReadOnlyList<KeyValuePair<string, string>> headers =
        [
            new("from", "<sip:anonymous@anonymous.invalid>;tag=1"),
            new("P-ASSERTED-IDENTITY", "<sip:+15550003333@carrier.example.com>"),
            new("TO", "<sip:+15550002222@sip.api.openai.com>"),
        ];

        Assert.Equal("+15550003333", SipHeaders.CallerNumber(headers));
        Assert.Equal("+15550002222", SipHeaders.DialledNumber(headers));
        Assert.Equal("<sip:+15550002222@sip.api.openai.com>", SipHeaders.Find(headers, "to"));
    }

    [Fact]
    public void CallerNumber_WithoutHeaders_IsNull() => Assert.Null(SipHeaders.CallerNumber([]));
}
