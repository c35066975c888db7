namespace Switchboard.Backends.OpenAIRealtime;

/// <summary>
/// Opens a call's agent leg: a GA realtime session at an endpoint. The gateway uses <see cref="WebSocketRealtimeConnector"/>;
/// the hermetic bridge tests put an in-memory backend here (<see cref="RealtimeConnection.Over"/>).
/// </summary>
internal interface IRealtimeConnector
{
    /// <summary>Connects to <paramref name="endpoint"/>; throws (WebSocket, IO, timeout) when it cannot be reached.</summary>
    Task<RealtimeConnection> ConnectAsync(RealtimeEndpoint endpoint, CancellationToken cancellationToken);
}
