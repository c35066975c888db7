using System.Net;
using Switchboard.Configuration;
using Switchboard.Network;

namespace Switchboard.Tests.Network;

/// <summary>The outbound policy's checks: allow-list, the legacy switch, URL checks at write time (every spelling of loopback), and the connect-time check.</summary>
public sealed class OutboundPolicyTests
{
    private static OutboundPolicy Allowing(params string[] networks) =>
        OutboundPolicy.From(new SwitchboardOptions { Network = new NetworkOptions { AllowedPrivateNetworks = [.. networks] } });

    [Theory]
    [InlineData("http://127.0.0.1:8080/hook", "a loopback address (127.0.0.1)")]
    [InlineData("http://2130706433/hook", "a loopback address (127.0.0.1)")]
    [InlineData("http://0x7f000001/hook", "a loopback address (127.0.0.1)")]
    [InlineData("http://0x7f.1/hook", "a loopback address (127.0.0.1)")]
    [InlineData("http://127.1/hook", "a loopback address (127.0.0.1)")]
    [InlineData("http://017700000001/hook", "a loopback address (127.0.0.1)")]
    [InlineData("http://[::1]/hook", "a loopback address (::1)")]
    [InlineData("http://[::ffff:127.0.0.1]/hook", "a loopback address (::ffff:127.0.0.1)")]
    [InlineData("http://[0:0:0:0:0:ffff:7f00:1]/hook", "a loopback address (::ffff:127.0.0.1)")]
    [InlineData("http://[::127.0.0.1]/hook", "a loopback address")]
    [InlineData("https://169.254.169.254/latest/meta-data", "a link-local address (169.254.169.254)")]
    [InlineData("http://10.0.0.5/", "a private address (10.0.0.5)")]
    [InlineData("http://[fd00::5]/", "a private address (fd00::5)")]
    [InlineData("http://100.64.1.1/", "a carrier-grade NAT (shared) address")]
    [InlineData("http://0.0.0.0:5050/", "an unspecified address")]
    [InlineData("http://[64:ff9b::7f00:1]/", "a loopback address")]
    [InlineData("http://[2002:a9fe:a9fe::]/", "a link-local address")]
    [InlineData("http://224.0.0.1/", "a multicast address")]
    public void UrlProblem_LiteralNonPublicAddress_InAnySpelling_IsRefusedNamingTheRange(string url, string expected)
    {
        var problem = OutboundPolicy.Strict.UrlProblem(new Uri(url));

        Assert.NotNull(problem);
        Assert.Contains(expected, problem, StringComparison.Ordinal);
        Assert.Contains("Switchboard:Network:AllowedPrivateNetworks", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("http://localhost/hook")]
    [InlineData("http://LOCALHOST./hook")]
    [InlineData("http://localhost:5050/hook")]
    [InlineData("http://foo.localhost/hook")]
    [InlineData("https://a.b.LocalHost/hook")]
    public void UrlProblem_LocalhostName_IsRefusedWithoutDns(string url)
    {
        var problem = OutboundPolicy.Strict.UrlProblem(new Uri(url));

        Assert.NotNull(problem);
        Assert.Contains("names a loopback host", problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("https://crm.example.com/hooks")]
    [InlineData("https://8.8.8.8/x")]
    [InlineData("http://[2606:4700::1111]/x")]
    [InlineData("https://localhost.example.com/x")] // only the name or its subdomains are loopback by definition
    [InlineData("https://mylocalhost/x")]
    [InlineData("https://does-not-resolve.invalid/x")] // names are not resolved when a URL is written
    public void UrlProblem_PublicOrUnresolvedName_IsAccepted(string url) =>
        Assert.Null(OutboundPolicy.Strict.UrlProblem(new Uri(url)));

    [Fact]
    public void UrlProblem_AllowedNetwork_IsAccepted_AndLocalhostNeedsBothLoopbacks()
    {
        var v4Only = Allowing("127.0.0.0/8");
        Assert.Null(v4Only.UrlProblem(new Uri("http://127.0.0.1:9/x")));
        Assert.Null(v4Only.UrlProblem(new Uri("http://2130706433/x")));
        Assert.Null(v4Only.UrlProblem(new Uri("http://[::ffff:127.0.0.1]/x"))); // the same host as 127.0.0.1
        Assert.NotNull(v4Only.UrlProblem(new Uri("http://[::1]/x")));
        Assert.NotNull(v4Only.UrlProblem(new Uri("http://localhost/x"))); // localhost is ::1 too
        Assert.NotNull(v4Only.UrlProblem(new Uri("http://10.0.0.1/x")));

        var both = Allowing("127.0.0.0/8", "::1");
        Assert.Null(both.UrlProblem(new Uri("http://localhost/x")));
        Assert.Null(both.UrlProblem(new Uri("http://api.localhost/x")));
    }

    [Fact]
    public void From_LegacyToolsSwitch_AllowsThePrivateRangesItAlwaysDid_ButNotMulticastOrUnspecified()
    {
        var legacy = OutboundPolicy.From(new SwitchboardOptions { Tools = new ToolOptions { AllowPrivateNetworks = true } });

        foreach (var address in new[] { "127.0.0.1", "::1", "10.1.2.3", "172.20.0.1", "192.168.0.1", "100.64.0.1", "169.254.169.254", "fd00::1", "fe80::1" })
        {
            Assert.True(legacy.IsAllowed(IPAddress.Parse(address), out _), address);
        }

        foreach (var address in new[] { "224.0.0.1", "0.0.0.0", "255.255.255.255", "192.0.2.1" })
        {
            Assert.False(legacy.IsAllowed(IPAddress.Parse(address), out _), address);
        }
    }

    [Theory]
    [InlineData("10.0.0.0/8")]
    [InlineData("127.0.0.1")]
    [InlineData("::1")]
    [InlineData(" fd00::/8 ")]
    [InlineData("0.0.0.0/0")]
    public void NetworkOptions_ValidNetwork_IsAccepted(string network) =>
        Assert.Empty(new NetworkOptions { AllowedPrivateNetworks = [network] }.Validate("Switchboard:Network"));

    [Theory]
    [InlineData("")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0.1/8")] // host bits set: probably not what was meant
    [InlineData("localhost")]
    [InlineData("10.0.0.0/")]
    [InlineData("fe80::1%eth0")]
    public void NetworkOptions_InvalidNetwork_IsReportedWithItsKey(string network)
    {
        var errors = new NetworkOptions { AllowedPrivateNetworks = ["10.0.0.0/8", network] }.Validate("Switchboard:Network").ToList();

        var error = Assert.Single(errors);
        Assert.StartsWith("Switchboard:Network:AllowedPrivateNetworks:1 must be a network in CIDR notation", error, StringComparison.Ordinal);
    }

    [Fact]
    public void OptionsValidator_InvalidNetwork_FailsStartUp() =>
        Assert.Contains(SwitchboardOptionsValidator.Collect(new SwitchboardOptions { Network = new NetworkOptions { AllowedPrivateNetworks = ["nope"] } }),
            e => e.Contains("Switchboard:Network:AllowedPrivateNetworks:0", StringComparison.Ordinal));

    [Theory]
    [InlineData("127.0.0.1")]
    [InlineData("[::1]")]
    [InlineData("2130706433")]
    [InlineData("localhost")]
    [InlineData("LOCALHOST.")]
    [InlineData("foo.localhost")]
    [InlineData("[::ffff:127.0.0.1]")]
    [InlineData("169.254.169.254")]
    public async Task ConnectAsync_RefusedAddress_ThrowsBeforeConnecting(string host)
    {
        // Port 9 (discard): nothing is sent; the policy must refuse before a socket opens.
        var refused = await Assert.ThrowsAsync<OutboundRefusedException>(() => OutboundPolicy.Strict.ConnectAsync(new DnsEndPoint(host, 9), "test", CancellationToken.None).AsTask());

        Assert.NotEqual(AddressClass.Public, refused.AddressClass);
        Assert.True(OutboundPolicy.IsRefused(new HttpRequestException("wrapped", refused)));
    }
}
