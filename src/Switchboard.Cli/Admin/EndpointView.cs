using Switchboard.Agents;
using Switchboard.Server.Api;

namespace Switchboard.Cli.Admin;

/// <summary>
/// An endpoint as the CLI handles it: identity and timestamps next to its <see cref="AgentSpec"/> (flattened on the wire,
/// <see cref="AdminJson.ToJson(EndpointView)"/>). Not the server's <see cref="EndpointResponse"/>: the CLI keeps the spec
/// whole so that <c>endpoints show</c> prints it as stored (null fields left out, <c>remoteConfig</c> included) and the
/// output can be fed back with <c>--file</c>, and it reads the API's answer leniently (fields this version does not know are skipped).
/// </summary>
internal sealed record EndpointView(Guid Id, string Name, bool IsDefault, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, AgentSpec Spec)
{
    public static EndpointView From(AgentEndpoint endpoint) =>
        new(endpoint.Id, endpoint.Name, endpoint.IsDefault, endpoint.CreatedAt, endpoint.UpdatedAt, endpoint.Spec);
}
