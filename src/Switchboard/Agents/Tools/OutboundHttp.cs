using System.Net;
using System.Net.Sockets;

namespace Switchboard.Agents.Tools;

/// <summary>
/// HTTP clients for requests whose URL an endpoint owner chose (HTTP tools, remote agent configuration): no redirects, no
/// cookies, and — unless private networks are allowed — no connections to loopback, private or link-local addresses,
/// checked on the address actually connected to so DNS cannot smuggle one in.
/// </summary>
internal static class OutboundHttp
{
    /// <summary>A client with an infinite client timeout: callers bound each request with their own token.</summary>
    public static HttpClient CreateClient(bool allowPrivateNetworks)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            ConnectTimeout = TimeSpan.FromSeconds(5),
            ConnectCallback = (context, token) => ConnectAsync(context, allowPrivateNetworks, token),
        };
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Whether a failed request failed because the address was refused by policy (and the message saying so).</summary>
    public static bool IsBlocked(HttpRequestException exception, out string message)
    {
        message = exception.InnerException is BlockedAddressException blocked ? blocked.Message : "";
        return exception.InnerException is BlockedAddressException;
    }

    private static async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, bool allowPrivate, CancellationToken cancellationToken)
    {
        var endPoint = context.DnsEndPoint;
        var addresses = IPAddress.TryParse(endPoint.Host, out var literal)
            ? [literal]
            : await Dns.GetHostAddressesAsync(endPoint.Host, cancellationToken).ConfigureAwait(false);
        var allowed = allowPrivate ? addresses : addresses.Where(a => !IsPrivate(a)).ToArray();
        if (allowed.Length == 0)
        {
            throw new BlockedAddressException($"'{endPoint.Host}' is a private or loopback address, which endpoint-defined requests may not reach (Switchboard:Tools:AllowPrivateNetworks)");
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, endPoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>Loopback, RFC 1918, carrier-grade NAT, link-local, unique-local, unspecified and IPv4-mapped forms of them.</summary>
    public static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
        {
            return true;
        }

        if (address.AddressFamily == AddressFamily.InterNetwork)
        {
            var b = address.GetAddressBytes();
            return b[0] == 10 || b[0] == 0
                || (b[0] == 172 && b[1] >= 16 && b[1] <= 31)
                || (b[0] == 192 && b[1] == 168)
                || (b[0] == 169 && b[1] == 254)
                || (b[0] == 100 && b[1] >= 64 && b[1] <= 127);
        }

        return address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal;
    }

    private sealed class BlockedAddressException(string message) : IOException(message);
}
