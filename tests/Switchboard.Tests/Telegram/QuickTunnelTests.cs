using Switchboard.Telegram;

namespace Switchboard.Tests.Telegram;

public sealed class QuickTunnelTests
{
    [Theory]
    [InlineData("2026-12-07T02:00:00Z INF |  https://words-in-a-row.trycloudflare.com                                |", "https://words-in-a-row.trycloudflare.com")]
    [InlineData("http://127.0.0.1:5050", "http://127.0.0.1:5050")]
    [InlineData("  https://tunnel.example.net  ", "https://tunnel.example.net")]
    public void TryFindUrl_TheTunnelsLine_IsItsUrl(string line, string expected)
    {
        Assert.Equal(expected, QuickTunnel.TryFindUrl(line));
    }

    [Theory]
    [InlineData("Thank you for trying Cloudflare Tunnel. ... by following: https://developers.cloudflare.com/cloudflare-one/connections/connect-apps")]
    [InlineData("INF Requesting new quick Tunnel on trycloudflare.com...")]
    [InlineData("")]
    public void TryFindUrl_OtherLines_AreNotTheUrl(string line)
    {
        Assert.Null(QuickTunnel.TryFindUrl(line));
    }
}
