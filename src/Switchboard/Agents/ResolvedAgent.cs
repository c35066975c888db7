namespace Switchboard.Agents;

/// <summary>The endpoint a call or session runs with, resolved once at admission.</summary>
internal sealed record ResolvedAgent(Guid TeamId, Guid EndpointId, string EndpointName, AgentSpec Spec);
