using Switchboard.Agents;

namespace Switchboard.Calls;

/// <summary>The endpoint a call asked for, or why there is none.</summary>
internal readonly record struct AgentResolution(AgentEndpoint? Endpoint, string? Refusal)
{
    public static AgentResolution Found(AgentEndpoint endpoint) => new(endpoint, null);

    public static AgentResolution Refuse(string reason) => new(null, reason);
}
