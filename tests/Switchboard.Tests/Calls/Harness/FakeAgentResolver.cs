using Switchboard.Agents;
using Switchboard.Agents.Tools;
using Switchboard.Artifacts;
using Switchboard.Calls;
using Switchboard.Journal;

namespace Switchboard.Tests.Calls.Harness;

/// <summary>Resolves every call to one endpoint (or refuses it with <see cref="Refusal"/>).</summary>
internal sealed class FakeAgentResolver(AgentEndpoint endpoint) : IAgentResolver
{
    public AgentEndpoint Endpoint { get; } = endpoint;

    public string? Refusal { get; set; }

    public int Calls { get; private set; }

    public Task<AgentResolution> ResolveAsync(string channel, CallStartInfo start, CancellationToken cancellationToken)
    {
        Calls++;
        return Task.FromResult(Refusal is { } refusal ? AgentResolution.Refuse(refusal) : AgentResolution.Found(Endpoint));
    }
}
