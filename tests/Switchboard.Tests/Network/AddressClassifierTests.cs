using System.Net;
using Switchboard.Network;

namespace Switchboard.Tests.Network;

/// <summary>Every range the outbound policy refuses, each IPv6 form embedding an IPv4 address, and public addresses on both sides of each boundary.</summary>
public sealed class AddressClassifierTests
{
    [Theory]
    [InlineData("127.0.0.1", nameof(AddressClass.Loopback))]
    [InlineData("127.255.255.254", nameof(AddressClass.Loopback))]
    [InlineData("::1", nameof(AddressClass.Loopback))]
    [InlineData("10.0.0.1", nameof(AddressClass.Private))]
    [InlineData("10.255.255.255", nameof(AddressClass.Private))]
    [InlineData("172.16.0.1", nameof(AddressClass.Private))]
    [InlineData("172.31.255.255", nameof(AddressClass.Private))]
    [InlineData("192.168.1.1", nameof(AddressClass.Private))]
    [InlineData("fc00::1", nameof(AddressClass.Private))]
    [InlineData("fd12:3456::1", nameof(AddressClass.Private))]
    [InlineData("fec0::1", nameof(AddressClass.Private))]
    [InlineData("64:ff9b:1::a00:1", nameof(AddressClass.Private))]
    [InlineData("169.254.169.254", nameof(AddressClass.LinkLocal))]
    [InlineData("fe80::1", nameof(AddressClass.LinkLocal))]
    [InlineData("febf::1", nameof(AddressClass.LinkLocal))]
    [InlineData("100.64.0.1", nameof(AddressClass.SharedAddressSpace))]
    [InlineData("100.127.255.255", nameof(AddressClass.SharedAddressSpace))]
    [InlineData("224.0.0.1", nameof(AddressClass.Multicast))]
    [InlineData("239.255.255.250", nameof(AddressClass.Multicast))]
    [InlineData("ff02::1", nameof(AddressClass.Multicast))]
    [InlineData("0.0.0.0", nameof(AddressClass.Unspecified))]
    [InlineData("0.1.2.3", nameof(AddressClass.Unspecified))]
    [InlineData("::", nameof(AddressClass.Unspecified))]
    [InlineData("255.255.255.255", nameof(AddressClass.Broadcast))]
    [InlineData("240.0.0.1", nameof(AddressClass.Reserved))]
    [InlineData("192.0.0.8", nameof(AddressClass.Reserved))]
    [InlineData("192.88.99.1", nameof(AddressClass.Reserved))]
    [InlineData("192.0.2.1", nameof(AddressClass.Documentation))]
    [InlineData("198.51.100.7", nameof(AddressClass.Documentation))]
    [InlineData("203.0.113.9", nameof(AddressClass.Documentation))]
    [InlineData("2001:db8::1", nameof(AddressClass.Documentation))]
    [InlineData("3fff::1", nameof(AddressClass.Documentation))]
    [InlineData("198.18.0.1", nameof(AddressClass.Benchmarking))]
    [InlineData("198.19.255.255", nameof(AddressClass.Benchmarking))]
    [InlineData("2001:2::1", nameof(AddressClass.Benchmarking))]
    [InlineData("2001::1", nameof(AddressClass.Reserved))] // Teredo
    [InlineData("100::1", nameof(AddressClass.Reserved))] // discard-only
    [InlineData("4000::1", nameof(AddressClass.Reserved))] // outside 2000::/3
    // IPv4-mapped, IPv4-compatible, NAT64 and 6to4 forms take the class of the IPv4 address inside.
    [InlineData("::ffff:127.0.0.1", nameof(AddressClass.Loopback))]
    [InlineData("::ffff:7f00:1", nameof(AddressClass.Loopback))]
    [InlineData("::ffff:10.0.0.1", nameof(AddressClass.Private))]
    [InlineData("::ffff:169.254.169.254", nameof(AddressClass.LinkLocal))]
    [InlineData("::ffff:0.0.0.0", nameof(AddressClass.Unspecified))]
    [InlineData("::127.0.0.1", nameof(AddressClass.Loopback))]
    [InlineData("::192.168.0.1", nameof(AddressClass.Private))]
    [InlineData("::8.8.8.8", nameof(AddressClass.Reserved))] // IPv4-compatible is deprecated even for a public address
    [InlineData("64:ff9b::127.0.0.1", nameof(AddressClass.Loopback))]
    [InlineData("64:ff9b::a9fe:a9fe", nameof(AddressClass.LinkLocal))]
    [InlineData("2002:7f00:1::", nameof(AddressClass.Loopback))]
    [InlineData("2002:c0a8:101::1", nameof(AddressClass.Private))]
    [InlineData("2002:a9fe:a9fe::", nameof(AddressClass.LinkLocal))]
    public void Classify_NonPublicAddress_NamesItsRange(string address, string expected) =>
        Assert.Equal(expected, AddressClassifier.Classify(IPAddress.Parse(address)).ToString());

    [Theory]
    [InlineData("8.8.8.8")]
    [InlineData("1.1.1.1")]
    [InlineData("9.255.255.255")] // just below 10/8
    [InlineData("11.0.0.0")] // just above 10/8
    [InlineData("172.15.255.255")]
    [InlineData("172.32.0.0")]
    [InlineData("192.167.255.255")]
    [InlineData("192.169.0.0")]
    [InlineData("100.63.255.255")]
    [InlineData("100.128.0.0")]
    [InlineData("126.255.255.255")]
    [InlineData("128.0.0.0")]
    [InlineData("169.253.255.255")]
    [InlineData("198.17.255.255")]
    [InlineData("198.20.0.0")]
    [InlineData("223.255.255.255")]
    [InlineData("2001:4860:4860::8888")]
    [InlineData("2606:4700::1111")]
    [InlineData("::ffff:8.8.8.8")]
    [InlineData("64:ff9b::808:808")]
    [InlineData("2002:808:808::")]
    public void Classify_PublicAddress_IsPublic(string address) =>
        Assert.Equal(AddressClass.Public, AddressClassifier.Classify(IPAddress.Parse(address)));

    [Theory]
    [InlineData("::ffff:127.0.0.1", "127.0.0.1")]
    [InlineData("::10.0.0.1", "10.0.0.1")]
    [InlineData("::1", null)]
    [InlineData("2002:7f00:1::", null)]
    [InlineData("127.0.0.1", null)]
    public void SameHostV4_MappedAndCompatibleForms_GiveTheIPv4Address(string address, string? expected) =>
        Assert.Equal(expected, AddressClassifier.SameHostV4(IPAddress.Parse(address))?.ToString());
}
