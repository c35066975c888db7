using System.Net.WebSockets;

namespace Switchboard.Cli.Simulation;

/// <summary>
/// How the gateway ended the WebSocket: its close status and description, or <paramref name="ConnectionLost"/>
/// when the connection dropped without a close handshake, or <paramref name="TimedOut"/> when it did not close in time.
/// <paramref name="Messages"/> holds what the gateway sent while we waited.
/// </summary>
internal sealed record GatewayClose(
    WebSocketCloseStatus? Status, string? Description, bool ConnectionLost, bool TimedOut, IReadOnlyList<GatewayMessage> Messages);
