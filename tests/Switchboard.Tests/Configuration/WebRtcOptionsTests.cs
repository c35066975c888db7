using Switchboard.Configuration;

namespace Switchboard.Tests.Configuration;

public class WebRtcOptionsTests
{
    private static List<string> Errors(string? domain, string? url) =>
        SwitchboardOptionsValidator.Collect(new SwitchboardOptions
        {
            Sessions = new SessionOptions { WebRtc = new WebRtcOptions { TelproDomain = domain, GatewayUrl = url } },
        }).ToList();

    [Theory]
    [InlineData(null, null)]
    [InlineData("sip.example.com", "wss://webrtc.example.com/ws")]
    [InlineData("telpro.example.com", "https://webrtc.example.com")]
    public void Valid_IsAccepted(string? domain, string? url) => Assert.Empty(Errors(domain, url));

    [Theory]
    [InlineData("http://webrtc.example.com")]
    [InlineData("ws://webrtc.example.com")]
    [InlineData("/relative")]
    [InlineData("wss://user:pw@webrtc.example.com")]
    public void GatewayUrl_NotAbsoluteHttpsOrWss_IsNamed(string url) =>
        Assert.Contains(Errors(null, url), e => e.StartsWith("Switchboard:Sessions:WebRtc:GatewayUrl", StringComparison.Ordinal));

    [Theory]
    [InlineData("https://sip.example.com")]
    [InlineData("sip example")]
    public void TelproDomain_NotAHostName_IsNamed(string domain) =>
        Assert.Contains(Errors(domain, null), e => e.StartsWith("Switchboard:Sessions:WebRtc:TelproDomain", StringComparison.Ordinal));
}
