namespace Switchboard.Network;

/// <summary>What kind of address an IP address is, for the outbound policy. Everything but <see cref="Public"/> is refused unless allowed.</summary>
internal enum AddressClass
{
    /// <summary>A globally routable unicast address.</summary>
    Public,

    /// <summary>0.0.0.0/8 and <c>::</c>: "this host", which connects to the gateway itself on most systems.</summary>
    Unspecified,

    /// <summary>127.0.0.0/8 and <c>::1</c>.</summary>
    Loopback,

    /// <summary>RFC 1918 (10/8, 172.16/12, 192.168/16), unique-local fc00::/7, deprecated site-local fec0::/10, local-use NAT64 64:ff9b:1::/48.</summary>
    Private,

    /// <summary>Carrier-grade NAT, 100.64.0.0/10 (RFC 6598): often the provider's own infrastructure.</summary>
    SharedAddressSpace,

    /// <summary>169.254.0.0/16 (cloud metadata lives here) and fe80::/10.</summary>
    LinkLocal,

    /// <summary>224.0.0.0/4 and ff00::/8.</summary>
    Multicast,

    /// <summary>255.255.255.255.</summary>
    Broadcast,

    /// <summary>192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32, 3fff::/20: never a real host.</summary>
    Documentation,

    /// <summary>198.18.0.0/15 and 2001:2::/48: benchmarking networks, often used inside labs.</summary>
    Benchmarking,

    /// <summary>Reserved or special-purpose: 192.0.0.0/24, 192.88.99.0/24, 240.0.0.0/4, Teredo, discard-only, IPv4-compatible IPv6, anything outside 2000::/3.</summary>
    Reserved,
}
