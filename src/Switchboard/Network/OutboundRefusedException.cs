using System.Net;

namespace Switchboard.Network;

/// <summary>
/// Thrown by the outbound connect callback when a host resolves to an address the policy refuses; no packet was sent.
/// The message names the host, the address and its class: for logs and the operator, not for tenants (see
/// <see cref="OutboundPolicy.RefusedReason"/> for what they are shown).
/// </summary>
internal sealed class OutboundRefusedException : IOException
{
    public OutboundRefusedException(string host, IPAddress address, AddressClass addressClass)
        : base($"'{host}' resolves to {AddressClassifier.Describe(addressClass)} ({address}), which the gateway refuses; see Switchboard:Network:AllowedPrivateNetworks")
    {
        Host = host;
        Address = address;
        AddressClass = addressClass;
    }

    /// <summary>The host as the URL names it.</summary>
    public string Host { get; }

    /// <summary>The refused address.</summary>
    public IPAddress Address { get; }

    /// <summary>Why it was refused.</summary>
    public AddressClass AddressClass { get; }
}
