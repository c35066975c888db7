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
    /// Lets HTTP tools reach loopback, private (RFC 1918, unique-local) and link-local addresses. Off by default: an endpoint
    /// owner must not be able to make the gateway call its own network (cloud metadata at 169.254.169.254, an admin port).
    /// </summary>
    public bool AllowPrivateNetworks { get; init; }
}
