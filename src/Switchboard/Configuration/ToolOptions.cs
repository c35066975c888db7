namespace Switchboard.Configuration;

/// <summary>Agent tools (section <c>Switchboard:Tools</c>).</summary>
public sealed record ToolOptions
{
    /// <summary>
    /// Secrets HTTP tools reference by name in their headers (<c>{ "name": "Authorization", "secret": "crm", "format": "Bearer {secret}" }</c>),
    /// e.g. env <c>Switchboard__Tools__Secrets__crm</c>. Endpoints hold only the name; the value never leaves the gateway's
    /// configuration and is never logged.
    /// </summary>
    public Dictionary<string, string> Secrets { get; init; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Legacy switch, kept working: true adds loopback, private (RFC 1918, unique-local), carrier-grade NAT and link-local
    /// networks to <see cref="NetworkOptions.AllowedPrivateNetworks"/> — for webhooks too, since there is one outbound policy.
    /// Prefer listing the networks you need in <c>Switchboard:Network:AllowedPrivateNetworks</c>.
    /// </summary>
    public bool AllowPrivateNetworks { get; init; }
}
