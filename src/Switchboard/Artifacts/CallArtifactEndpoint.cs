namespace Switchboard.Artifacts;

/// <summary>The agent endpoint that took the call (name null for WebSocket sessions).</summary>
internal sealed record CallArtifactEndpoint(Guid? Id, string? Name);
