using Switchboard.Carriers;

namespace Switchboard.Agents;

/// <summary>Always the same agent: for hosts without a control plane (benchmarks, tools).</summary>
internal sealed class StaticAgentResolver : IAgentResolver
{
    private readonly ResolvedAgent _agent;

    public StaticAgentResolver(ResolvedAgent agent) => _agent = agent;

    public Task<AgentResolution> ResolveForCallAsync(string transport, CallStartInfo start, CancellationToken cancellationToken) =>
        Task.FromResult(AgentResolution.Accept(_agent));
}
