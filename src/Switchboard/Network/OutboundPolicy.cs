using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Configuration;
using Switchboard.Diagnostics;

namespace Switchboard.Network;

/// <summary>
/// The one policy for every URL the gateway fetches on a tenant's behalf (webhooks, HTTP tools, remote agent configuration):
/// only public addresses, plus the networks an operator allows (<see cref="NetworkOptions.AllowedPrivateNetworks"/>).
/// It is enforced in two places:
/// (1) <see cref="UrlProblem"/> when a URL is written (literal addresses in any spelling and <c>localhost</c> names, no DNS),
///     so a team learns early;
/// (2) <see cref="CreateClient"/>'s connect callback on every connection: it resolves the host itself, refuses the request
///     if <b>any</b> address is refused (a name with one public and one private record is refused, not half-used), then
///     connects the socket to the checked addresses without resolving again — so names resolving to private addresses and
///     DNS rebinding are caught, and redirects (never followed anyway) or proxies cannot route around it.
/// </summary>
internal sealed partial class OutboundPolicy
{
    /// <summary>What <c>Switchboard:Tools:AllowPrivateNetworks=true</c> used to let HTTP tools reach; added to the allow-list when set.</summary>
    public static readonly IReadOnlyList<string> LegacyPrivateNetworks =
        ["127.0.0.0/8", "::1/128", "10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16", "fc00::/7", "fe80::/10"];

    /// <summary>The fixed reason tenants are shown when the policy refused a request (no address: it would map internal DNS).</summary>
    public const string RefusedReason = "address not allowed by the gateway's outbound policy (see Switchboard:Network:AllowedPrivateNetworks)";

    private readonly IPNetwork[] _allowed;
    private readonly ILogger _logger;

    public OutboundPolicy(IEnumerable<IPNetwork> allowedNetworks, ILogger? logger = null)
    {
        _allowed = [.. allowedNetworks];
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>No non-public network allowed: the default, and what code without configuration uses.</summary>
    public static OutboundPolicy Strict { get; } = new([]);

    /// <summary>The networks allowed besides public addresses.</summary>
    public IReadOnlyList<IPNetwork> AllowedNetworks => _allowed;

    /// <summary>The policy the configuration describes (assumed validated): the allow-list, plus the legacy networks when <c>Switchboard:Tools:AllowPrivateNetworks</c> is set.</summary>
    public static OutboundPolicy From(SwitchboardOptions options, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        var texts = options.Network.AllowedPrivateNetworks.AsEnumerable();
        if (options.Tools.AllowPrivateNetworks)
        {
            texts = texts.Concat(LegacyPrivateNetworks);
            if (logger is not null)
            {
                LogLegacyAllowPrivate(logger, string.Join(", ", LegacyPrivateNetworks));
            }
        }

        var networks = new List<IPNetwork>();
        foreach (var text in texts)
        {
            if (NetworkOptions.TryParseNetwork(text, out var network))
            {
                networks.Add(network);
            }
        }

        return new OutboundPolicy(networks, logger);
    }

    /// <summary>Whether a connection to <paramref name="address"/> is allowed; <paramref name="addressClass"/> says what it is.</summary>
    public bool IsAllowed(IPAddress address, out AddressClass addressClass)
    {
        ArgumentNullException.ThrowIfNull(address);
        if (address.AddressFamily == AddressFamily.InterNetworkV6 && address.ScopeId != 0)
        {
            address = new IPAddress(address.GetAddressBytes()); // the zone does not change what the address is
        }

        addressClass = AddressClassifier.Classify(address);
        if (addressClass == AddressClass.Public)
        {
            return true;
        }

        // ::ffff:127.0.0.1 is the same host as 127.0.0.1: an allow-list of 127.0.0.0/8 covers both spellings.
        var sameHost = AddressClassifier.SameHostV4(address);
        foreach (var network in _allowed)
        {
            if (network.Contains(address) || (sameHost is not null && network.Contains(sameHost)))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Why a URL about to be stored can never be fetched, or null: a literal address the policy refuses (however spelt:
    /// <c>2130706433</c>, <c>0x7f000001</c>, <c>127.1</c> and <c>[::ffff:127.0.0.1]</c> all reach here as 127.0.0.1 through
    /// <see cref="Uri"/>), or a <c>localhost</c> name. Other names are not resolved here (the connect-time check covers them),
    /// so writing a URL never depends on live DNS.
    /// </summary>
    public string? UrlProblem(Uri url)
    {
        ArgumentNullException.ThrowIfNull(url);
        var host = url.IdnHost.Trim('[', ']');
        if (IPAddress.TryParse(host, out var literal))
        {
            return IsAllowed(literal, out var addressClass) ? null
                : $"resolves to {AddressClassifier.Describe(addressClass)} ({literal}), which the gateway refuses; see Switchboard:Network:AllowedPrivateNetworks";
        }

        if (IsLocalhostName(host) && !(IsAllowed(IPAddress.Loopback, out _) && IsAllowed(IPAddress.IPv6Loopback, out _)))
        {
            return $"names a loopback host ({url.Host}), which the gateway refuses; see Switchboard:Network:AllowedPrivateNetworks";
        }

        return null;
    }

    /// <summary><c>localhost</c> and any name under <c>.localhost</c> (RFC 6761), in any case, with or without the final dot.</summary>
    public static bool IsLocalhostName(string host)
    {
        var name = host.TrimEnd('.');
        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase) || name.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Whether a failed request was refused by this policy (before any packet was sent).</summary>
    public static bool IsRefused(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is OutboundRefusedException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A client for tenant-chosen URLs: the policy's connect callback, no redirects, no cookies, no proxy (a proxy would be
    /// the address checked, not the target), and an infinite client timeout: callers bound each request with their own token.
    /// </summary>
    /// <param name="purpose">What the client is for, in log lines: <c>webhook</c>, <c>HTTP tool</c>, <c>remote configuration</c>.</param>
    /// <param name="connectTimeout">How long one connection may take to open.</param>
    public HttpClient CreateClient(string purpose, TimeSpan connectTimeout)
    {
        var handler = new SocketsHttpHandler
        {
            AllowAutoRedirect = false,
            UseCookies = false,
            UseProxy = false,
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            ConnectTimeout = connectTimeout,
            ConnectCallback = (context, token) => ConnectAsync(context.DnsEndPoint, purpose, token),
        };
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    /// <summary>Resolves <paramref name="endPoint"/>, checks every address, and connects to the checked addresses only.</summary>
    internal async ValueTask<Stream> ConnectAsync(DnsEndPoint endPoint, string purpose, CancellationToken cancellationToken)
    {
        var addresses = await ResolveAsync(endPoint.Host, cancellationToken).ConfigureAwait(false);
        foreach (var address in addresses)
        {
            if (!IsAllowed(address, out var addressClass))
            {
                LogRefused(_logger, purpose, endPoint.Host, address.ToString(), AddressClassifier.Describe(addressClass));
                throw new OutboundRefusedException(endPoint.Host, address, addressClass);
            }
        }

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(addresses, endPoint.Port, cancellationToken).ConfigureAwait(false);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A literal address as itself; a name through DNS, with <c>localhost</c> names always counted as loopback.</summary>
    private static async Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken)
    {
        var bare = host.Trim('[', ']');
        if (IPAddress.TryParse(bare, out var literal))
        {
            return [literal];
        }

        if (!IsLocalhostName(bare))
        {
            var resolved = await Dns.GetHostAddressesAsync(bare, cancellationToken).ConfigureAwait(false);
            return resolved.Length > 0 ? resolved : throw new SocketException((int)SocketError.HostNotFound);
        }

        // RFC 6761: localhost names are loopback whatever a resolver says; what it says is checked as well.
        IPAddress[] loopback = [IPAddress.Loopback, IPAddress.IPv6Loopback];
        try
        {
            return [.. (await Dns.GetHostAddressesAsync(bare, cancellationToken).ConfigureAwait(false)).Concat(loopback).Distinct()];
        }
        catch (SocketException)
        {
            return loopback;
        }
    }

    [LoggerMessage(EventId = EventIds.OutboundLegacyAllowPrivate, Level = LogLevel.Warning, Message = "Switchboard:Tools:AllowPrivateNetworks is set: webhooks, HTTP tools and remote configuration may reach {Networks}; list only the networks you need in Switchboard:Network:AllowedPrivateNetworks instead")]
    private static partial void LogLegacyAllowPrivate(ILogger logger, string networks);

    [LoggerMessage(EventId = EventIds.OutboundRefused, Level = LogLevel.Warning, Message = "Outbound {Purpose} request to '{Host}' refused: it resolves to {Address}, {AddressClass}; allow the network in Switchboard:Network:AllowedPrivateNetworks if this target is yours")]
    private static partial void LogRefused(ILogger logger, string purpose, string host, string address, string addressClass);
}
