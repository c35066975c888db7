namespace Switchboard.Artifacts;

/// <summary>The channel and its ids: <c>twilio</c>/<c>telnyx</c> calls have a carrier call id and stream id, <c>websocket</c> sessions a session id.</summary>
internal sealed record CallArtifactCarrier(string? Name, string? CallId, string? StreamId, string? SessionId);
