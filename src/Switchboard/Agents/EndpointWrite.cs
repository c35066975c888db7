namespace Switchboard.Agents;

/// <summary>A validated endpoint body (<see cref="EndpointBody"/>): the name, default flag and spec to store.</summary>
internal sealed record EndpointWrite(string Name, bool IsDefault, AgentSpec Spec);
