namespace Switchboard.Agents;

/// <summary>The outcome of admitting a carrier call: the agent to run, or why the call is refused.</summary>
internal readonly record struct AgentResolution(ResolvedAgent? Agent, string? Refusal)
{
    public static AgentResolution Accept(ResolvedAgent agent) => new(agent, null);

    public static AgentResolution Refuse(string reason) => new(null, reason);
}
