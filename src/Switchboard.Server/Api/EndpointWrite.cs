using Switchboard.Agents;

namespace Switchboard.Server.Api;

/// <summary>A validated endpoint body: the name, default flag and spec to store.</summary>
internal sealed record EndpointWrite(string Name, bool IsDefault, AgentSpec Spec);
