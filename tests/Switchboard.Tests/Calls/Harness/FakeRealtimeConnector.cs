using System.Net.WebSockets;
using Switchboard.Agents.Tools;
using Switchboard.Artifacts;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Journal;

namespace Switchboard.Tests.Calls.Harness;

/// <summary>Hands the bridge the client end of the in-memory socket pair (or fails like an unreachable backend when <see cref="Fail"/>).</summary>
internal sealed class FakeRealtimeConnector(WebSocket client, int maxMessageBytes) : IRealtimeConnector
{
    public RealtimeEndpoint? Endpoint { get; private set; }

    /// <summary>The agent leg handed to the bridge (the harness sends its barrier markers through it, after the bridge's own sends).</summary>
    public RealtimeConnection? Connection { get; private set; }

    public bool Fail { get; set; }

    public Task<RealtimeConnection> ConnectAsync(RealtimeEndpoint endpoint, CancellationToken cancellationToken)
    {
        Endpoint = endpoint;
        if (Fail)
        {
            throw new WebSocketException(WebSocketError.Faulted, "harness: the backend refused the connection");
        }

        Connection = RealtimeConnection.Over(client, maxMessageBytes);
        return Task.FromResult(Connection);
    }
}
