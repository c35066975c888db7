using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;

namespace Switchboard.Network;

/// <summary>
/// Classifies IP addresses for the outbound policy. IPv6 forms that carry an IPv4 address — IPv4-mapped (::ffff:0:0/96),
/// IPv4-compatible (::/96), NAT64 (64:ff9b::/96) and 6to4 (2002::/16) — are classified by the IPv4 address inside, so
/// <c>::ffff:127.0.0.1</c> is loopback and <c>2002:a00:1::</c> is private.
/// </summary>
internal static class AddressClassifier
{
    // IPv4 special-purpose ranges (IANA registry), as (network, prefix length, class); the first match wins.
    private static readonly (uint Network, int Prefix, AddressClass Class)[] V4Ranges =
    [
        (V4(255, 255, 255, 255), 32, AddressClass.Broadcast),
        (V4(0, 0, 0, 0), 8, AddressClass.Unspecified),
        (V4(10, 0, 0, 0), 8, AddressClass.Private),
        (V4(100, 64, 0, 0), 10, AddressClass.SharedAddressSpace),
        (V4(127, 0, 0, 0), 8, AddressClass.Loopback),
        (V4(169, 254, 0, 0), 16, AddressClass.LinkLocal),
        (V4(172, 16, 0, 0), 12, AddressClass.Private),
        (V4(192, 0, 0, 0), 24, AddressClass.Reserved),
        (V4(192, 0, 2, 0), 24, AddressClass.Documentation),
        (V4(192, 88, 99, 0), 24, AddressClass.Reserved),
        (V4(192, 168, 0, 0), 16, AddressClass.Private),
        (V4(198, 18, 0, 0), 15, AddressClass.Benchmarking),
        (V4(198, 51, 100, 0), 24, AddressClass.Documentation),
        (V4(203, 0, 113, 0), 24, AddressClass.Documentation),
        (V4(224, 0, 0, 0), 4, AddressClass.Multicast),
        (V4(240, 0, 0, 0), 4, AddressClass.Reserved),
    ];

    /// <summary>The class of <paramref name="address"/>; an IPv6 form embedding an IPv4 address takes that address's class.</summary>
    public static AddressClass Classify(IPAddress address)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            return ClassifyV4(ReadV4(address));
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return AddressClass.Reserved;
        }

        Span<byte> b = stackalloc byte[16];
        address.TryWriteBytes(b, out _);
        var high = BinaryPrimitives.ReadUInt64BigEndian(b);
        var low = BinaryPrimitives.ReadUInt64BigEndian(b[8..]);
        var embedded = BinaryPrimitives.ReadUInt32BigEndian(b[12..]);

        if (high == 0 && low == 0)
        {
            return AddressClass.Unspecified;
        }

        if (high == 0 && low == 1)
        {
            return AddressClass.Loopback;
        }

        if (high == 0 && (low >> 32) == 0xFFFF)
        {
            return ClassifyV4(embedded); // ::ffff:a.b.c.d is a.b.c.d on a dual-mode socket
        }

        if (high == 0 && (low >> 32) == 0)
        {
            // IPv4-compatible (::a.b.c.d), deprecated since 2006: never a legitimate destination.
            var inner = ClassifyV4(embedded);
            return inner == AddressClass.Public ? AddressClass.Reserved : inner;
        }

        if (high == 0x0064_FF9B_0000_0000 && (low >> 32) == 0)
        {
            return ClassifyV4(embedded); // NAT64 well-known prefix: the translator connects to the embedded address
        }

        if ((high >> 16) == 0x0064_FF9B_0001)
        {
            return AddressClass.Private; // 64:ff9b:1::/48, local-use NAT64
        }

        if ((high >> 48) == 0x2002)
        {
            return ClassifyV4((uint)(high >> 16)); // 6to4: 2002:AABB:CCDD::/48 carries AA.BB.CC.DD
        }

        if ((high >> 32) == 0x2001_0DB8 || (high >> 44) == 0x3FFF_0)
        {
            return AddressClass.Documentation;
        }

        if ((high >> 16) == 0x2001_0002_0000)
        {
            return AddressClass.Benchmarking;
        }

        if ((high >> 32) == 0x2001_0000 || high == 0x0100_0000_0000_0000)
        {
            return AddressClass.Reserved; // Teredo tunnels and the discard-only prefix 100::/64
        }

        if ((high >> 56) == 0xFF)
        {
            return AddressClass.Multicast;
        }

        if ((high >> 57) == 0xFC >> 1)
        {
            return AddressClass.Private; // fc00::/7
        }

        if ((high >> 54) == 0xFE80 >> 6)
        {
            return AddressClass.LinkLocal; // fe80::/10
        }

        if ((high >> 54) == 0xFEC0 >> 6)
        {
            return AddressClass.Private; // fec0::/10, deprecated site-local
        }

        // Only 2000::/3 is allocated as global unicast; everything else is reserved.
        return (high >> 61) == 1 ? AddressClass.Public : AddressClass.Reserved;
    }

    /// <summary>The IPv4 address an IPv4-mapped or IPv4-compatible IPv6 address stands for (the same host); null otherwise.</summary>
    public static IPAddress? SameHostV4(IPAddress address)
    {
        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return null;
        }

        Span<byte> b = stackalloc byte[16];
        address.TryWriteBytes(b, out _);
        var high = BinaryPrimitives.ReadUInt64BigEndian(b);
        var low = BinaryPrimitives.ReadUInt64BigEndian(b[8..]);
        return high == 0 && ((low >> 32) == 0xFFFF || ((low >> 32) == 0 && low > 1)) ? new IPAddress(b[12..]) : null;
    }

    /// <summary>"a loopback address" and so on, for messages.</summary>
    public static string Describe(AddressClass addressClass) => addressClass switch
    {
        AddressClass.Unspecified => "an unspecified address",
        AddressClass.Loopback => "a loopback address",
        AddressClass.Private => "a private address",
        AddressClass.SharedAddressSpace => "a carrier-grade NAT (shared) address",
        AddressClass.LinkLocal => "a link-local address",
        AddressClass.Multicast => "a multicast address",
        AddressClass.Broadcast => "the broadcast address",
        AddressClass.Documentation => "a documentation address",
        AddressClass.Benchmarking => "a benchmarking address",
        AddressClass.Reserved => "a reserved address",
        _ => "a public address",
    };

    private static AddressClass ClassifyV4(uint value)
    {
        foreach (var (network, prefix, addressClass) in V4Ranges)
        {
            var mask = prefix == 0 ? 0u : uint.MaxValue << (32 - prefix);
            if ((value & mask) == network)
            {
                return addressClass;
            }
        }

        return AddressClass.Public;
    }

    private static uint ReadV4(IPAddress address)
    {
        Span<byte> b = stackalloc byte[4];
        address.TryWriteBytes(b, out _);
        return BinaryPrimitives.ReadUInt32BigEndian(b);
    }

    private static uint V4(byte a, byte b, byte c, byte d) => ((uint)a << 24) | ((uint)b << 16) | ((uint)c << 8) | d;
}
