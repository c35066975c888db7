using System.Net;

namespace Switchboard.Configuration;

/// <summary>
/// The outbound policy for every URL the gateway fetches on a tenant's behalf: webhooks, HTTP tools, remote agent
/// configuration (section <c>Switchboard:Network</c>; docs/security.md, "Outbound requests (SSRF)").
/// </summary>
public sealed record NetworkOptions
{
    /// <summary>
    /// Networks (CIDR, e.g. <c>10.20.0.0/16</c>, <c>127.0.0.0/8</c>, <c>::1/128</c>; a bare address means that one address) that
    /// tenant-chosen URLs may reach although they are loopback, private, link-local or otherwise not public. Empty by default:
    /// only public addresses are reached. List self-hosted receivers here, as narrowly as you can.
    /// </summary>
    public List<string> AllowedPrivateNetworks { get; init; } = [];

    /// <summary>Every entry of <see cref="AllowedPrivateNetworks"/> that is not a network, each naming its key.</summary>
    internal IEnumerable<string> Validate(string prefix)
    {
        for (var i = 0; i < AllowedPrivateNetworks.Count; i++)
        {
            if (!TryParseNetwork(AllowedPrivateNetworks[i], out _))
            {
                yield return $"{prefix}:AllowedPrivateNetworks:{i} must be a network in CIDR notation such as 10.0.0.0/8, 127.0.0.0/8 or fd00::/8 "
                    + $"(an address alone means /32 or /128; the address must have no bits set beyond the prefix) (got '{AllowedPrivateNetworks[i]}').";
            }
        }
    }

    /// <summary>A CIDR network, or a bare address as a one-address network; false for anything else.</summary>
    internal static bool TryParseNetwork(string? text, out IPNetwork network)
    {
        network = default;
        text = text?.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        if (!text.Contains('/', StringComparison.Ordinal))
        {
            if (!IPAddress.TryParse(text, out var single) || text.Contains('%', StringComparison.Ordinal))
            {
                return false;
            }

            network = new IPNetwork(single, single.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork ? 32 : 128);
            return true;
        }

        // Host bits beyond the prefix (10.0.0.1/8) are refused: the operator probably meant something else.
        return IPNetwork.TryParse(text, out network) && network.BaseAddress.Equals(IPAddress.Parse(text[..text.IndexOf('/', StringComparison.Ordinal)]));
    }
}
