using Switchboard.Agents;

namespace Switchboard.Cli.Admin;

/// <summary>An endpoint as the API serves it: identity and timestamps next to its <see cref="AgentSpec"/> (flattened on the wire).</summary>
internal sealed record EndpointView(Guid Id, string Name, bool IsDefault, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, AgentSpec Spec)
{
    public static EndpointView From(AgentEndpoint endpoint) =>
        new(endpoint.Id, endpoint.Name, endpoint.IsDefault, endpoint.CreatedAt, endpoint.UpdatedAt, endpoint.Spec);
}
