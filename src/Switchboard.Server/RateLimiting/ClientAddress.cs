using System.Net;
using System.Net.Sockets;

namespace Switchboard.Server.RateLimiting;

/// <summary>
/// The client address a per-address bucket counts: the connection's remote address (forwarded headers are not trusted;
/// behind a proxy every client is the proxy). IPv6 clients are counted per /64, the block one subscriber usually holds,
/// so rotating addresses inside it does not escape the limit. Logs get a coarser, masked form, never the full address.
/// </summary>
internal static class ClientAddress
{
    /// <summary>The partition of a per-address bucket: the IPv4 address, or the IPv6 /64 network ("unknown" without an address).</summary>
    public static string PartitionKey(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return address.AddressFamily == AddressFamily.InterNetworkV6 ? Network(address, 64) + "/64" : address.ToString();
    }

    /// <summary>The address as logs may show it: IPv4 /24 (<c>203.0.113.0/24</c>), IPv6 /48.</summary>
    public static string Masked(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown address";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return address.AddressFamily == AddressFamily.InterNetworkV6 ? Network(address, 48) + "/48" : Network(address, 24) + "/24";
    }

    private static string Network(IPAddress address, int prefixBits)
    {
        var bytes = address.GetAddressBytes();
        for (var i = prefixBits / 8; i < bytes.Length; i++)
        {
            bytes[i] = 0;
        }

        return new IPAddress(bytes).ToString();
    }
}
