using System.Net.WebSockets;
using Switchboard.Agents.Tools;
using Switchboard.Artifacts;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Journal;

namespace Switchboard.Tests.Calls.Harness;

/// <summary>
/// Hands the bridge the client end of the in-memory socket pair (or fails like an unreachable backend when <see cref="Fail"/>).
/// A later connect (a reconnect after a drop, a recycled session) gets a fresh pair from <see cref="NextSession"/>.
/// </summary>
internal sealed class FakeRealtimeConnector(WebSocket client, int maxMessageBytes) : IRealtimeConnector
{
    private int _attempts;

    public RealtimeEndpoint? Endpoint { get; private set; }

    /// <summary>The agent leg handed to the bridge last (the harness sends its barrier markers through it, after the bridge's own sends).</summary>
    public RealtimeConnection? Connection { get; private set; }

    public bool Fail { get; set; }

    /// <summary>Every connect attempt so far, failed ones included.</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    /// <summary>Makes the client end of a new session for every connect after the first (the harness adds its backend).</summary>
    public Func<WebSocket>? NextSession { get; set; }

    /// <summary>Called on each attempt before it succeeds or fails (a test may flip <see cref="Fail"/> here).</summary>
    public Action<int>? OnAttempt { get; set; }

    public Task<RealtimeConnection> ConnectAsync(RealtimeEndpoint endpoint, CancellationToken cancellationToken)
    {
        Endpoint = endpoint;
        var attempt = Interlocked.Increment(ref _attempts);
        OnAttempt?.Invoke(attempt);
        if (Fail)
        {
            throw new WebSocketException(WebSocketError.Faulted, "harness: the backend refused the connection");
        }

        var socket = Connection is null ? client : (NextSession ?? throw new InvalidOperationException("harness: no second session"))();
        Connection = RealtimeConnection.Over(socket, maxMessageBytes);
        return Task.FromResult(Connection);
    }
}
