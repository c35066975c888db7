using System.IO.Pipelines;
using System.Net.WebSockets;
using Switchboard.Agents.Tools;
using Switchboard.Artifacts;
using Switchboard.Journal;

namespace Switchboard.Tests.Calls.Harness;

/// <summary>
/// Two real <see cref="WebSocket"/>s (<see cref="WebSocket.CreateFromStream(Stream, WebSocketCreationOptions)"/>: the
/// framework's own framing, masking and close handshake) joined by in-memory pipes instead of TCP.
/// </summary>
internal static class InMemoryWebSocketPair
{
    public static (WebSocket Client, WebSocket Server) Create()
    {
        // No back-pressure: a test never drains a socket it is not looking at.
        var options = new PipeOptions(pauseWriterThreshold: 0, resumeWriterThreshold: 0, useSynchronizationContext: false);
        var toServer = new Pipe(options);
        var toClient = new Pipe(options);
        var client = WebSocket.CreateFromStream(new DuplexPipeStream(toClient.Reader, toServer.Writer),
            new WebSocketCreationOptions { IsServer = false, KeepAliveInterval = TimeSpan.Zero });
        var server = WebSocket.CreateFromStream(new DuplexPipeStream(toServer.Reader, toClient.Writer),
            new WebSocketCreationOptions { IsServer = true, KeepAliveInterval = TimeSpan.Zero });
        return (client, server);
    }
}
