using System.Net;
using Switchboard.Server.RateLimiting;

namespace Switchboard.Tests.RateLimiting;

public class ClientAddressTests
{
    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("::1", "::/64")]
    public void PartitionKey_Address_IsTheIPv4AddressOrTheIPv6Slash64(string address, string expected) =>
        Assert.Equal(expected, ClientAddress.PartitionKey(IPAddress.Parse(address)));

    [Fact]
    public void PartitionKey_AddressesInOneIPv6Slash64_ShareABucket()
    {
        var one = ClientAddress.PartitionKey(IPAddress.Parse("2001:db8:1:2::1"));

        Assert.Equal(one, ClientAddress.PartitionKey(IPAddress.Parse("2001:db8:1:2:ffff:ffff:ffff:ffff")));
        Assert.NotEqual(one, ClientAddress.PartitionKey(IPAddress.Parse("2001:db8:1:3::1")));
        Assert.NotEqual(ClientAddress.PartitionKey(IPAddress.Parse("203.0.113.7")), ClientAddress.PartitionKey(IPAddress.Parse("203.0.113.8")));
    }

    [Fact]
    public void PartitionKey_NoAddress_IsOneSharedBucket() => Assert.Equal("unknown", ClientAddress.PartitionKey(null));

    [Theory]
    [InlineData("203.0.113.7", "203.0.113.0/24")]
    [InlineData("::ffff:198.51.100.250", "198.51.100.0/24")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1::/48")]
    public void Masked_Address_DropsTheHostPart(string address, string expected)
    {
        var masked = ClientAddress.Masked(IPAddress.Parse(address));

        Assert.Equal(expected, masked);
        Assert.DoesNotContain(address.Replace("::ffff:", "", StringComparison.Ordinal), masked, StringComparison.Ordinal);
    }
}
