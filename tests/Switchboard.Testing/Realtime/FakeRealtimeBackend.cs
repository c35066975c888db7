using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Switchboard.Testing.Realtime;

/// <summary>
/// A stand-in for the OpenAI Realtime GA endpoint (this machine cannot reach OpenAI) on a <see cref="LoopbackServer"/>.
/// It accepts a WebSocket on any path (<see cref="RealtimeUrl"/> for OpenAI, <see cref="BaseUrl"/> for Azure), sends
/// <c>session.created</c>, and then only:
/// <list type="bullet">
/// <item>records every HTTP request (<see cref="Requests"/>) and every client event as a <see cref="JsonNode"/>
/// (<see cref="Received"/>, audio appends included; a message that is not a JSON object as <see cref="Unparseable"/>);</item>
/// <item>replies as the test scripts it: <see cref="OnClientEvent"/> runs for each client event in order, and
/// <see cref="SendAsync"/> sends on the latest connection whenever the test wants;</item>
/// <item>drops each connection <see cref="DropAfter"/> after it opened, when set.</item>
/// </list>
/// </summary>
public sealed class FakeRealtimeBackend : IAsyncDisposable
{
    /// <summary>How long waits last unless told otherwise.</summary>
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(10);

    /// <summary>The <c>type</c> recorded for a message from the client that is not a JSON object (its text is in <c>raw</c>).</summary>
    public const string Unparseable = "(not json)";

    private readonly Lock _gate = new();
    private readonly List<JsonNode> _received = [];
    private readonly HashSet<int> _taken = [];
    private readonly List<FakeRealtimeConnection> _connections = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource<FakeRealtimeConnection> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private LoopbackServer _server = null!;
    private int _events;

    private FakeRealtimeBackend()
    {
    }

    /// <summary><c>http://127.0.0.1:port</c>: what an Azure endpoint setting takes.</summary>
    public string BaseUrl => _server.BaseUrl;

    /// <summary><c>ws://127.0.0.1:port/v1/realtime</c>: what an OpenAI realtime URL setting takes.</summary>
    public string RealtimeUrl => _server.WsUrl("/v1/realtime");

    /// <summary>Every HTTP request (the WebSocket upgrades), in order.</summary>
    public IReadOnlyCollection<RecordedRequest> Requests => _server.Requests;

    /// <summary>When set, each connection is dropped (no close handshake) this long after it opened.</summary>
    public TimeSpan? DropAfter { get; set; }

    /// <summary>Runs for each client event once it is recorded, before the next one is read: the test's replies.</summary>
    public Func<FakeRealtimeConnection, JsonNode, Task>? OnClientEvent { get; set; }

    /// <summary>Every client event received so far, on every connection, in order.</summary>
    public IReadOnlyList<JsonNode> Received
    {
        get
        {
            lock (_gate)
            {
                return _received.ToList();
            }
        }
    }

    /// <summary>Starts the backend; <paramref name="routes"/> may map HTTP routes (a REST API beside the sockets) that run before it.</summary>
    public static async Task<FakeRealtimeBackend> StartAsync(Action<WebApplication>? routes = null)
    {
        var backend = new FakeRealtimeBackend();
        backend._server = await LoopbackServer.StartAsync(app =>
        {
            routes?.Invoke(app);
            app.Run(backend.AcceptAsync);
        });
        return backend;
    }

    /// <summary>The latest connection, once there is one.</summary>
    public Task<FakeRealtimeConnection> ConnectionAsync(TimeSpan? timeout = null) => _connected.Task.WaitAsync(timeout ?? DefaultTimeout);

    /// <summary>Sends one server event on the latest connection, waiting for a connection if needed (see <see cref="FakeRealtimeConnection.SendAsync"/>).</summary>
    public async Task SendAsync(object serverEvent) => await (await ConnectionAsync()).SendAsync(serverEvent);

    /// <summary>
    /// The first received event of <paramref name="type"/> (matching <paramref name="also"/>) that no earlier wait returned.
    /// </summary>
    public async Task<JsonNode> WaitForAsync(string type, Func<JsonNode, bool>? also = null, TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? DefaultTimeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                for (var i = 0; i < _received.Count; i++)
                {
                    if (!_taken.Contains(i) && (string?)_received[i]["type"] == type && (also?.Invoke(_received[i]) ?? true))
                    {
                        _taken.Add(i);
                        return _received[i];
                    }
                }

                changed = _changed.Task;
            }

            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"no '{type}' event from the client; received: {string.Join(" | ", Received.Select(Describe))}");
            }
        }
    }

    /// <summary>The index of <paramref name="clientEvent"/> among the received events (to compare orders).</summary>
    public int IndexOf(JsonNode clientEvent)
    {
        lock (_gate)
        {
            return _received.IndexOf(clientEvent);
        }
    }

    /// <summary>Drops the connections still open, then stops the server.</summary>
    public async ValueTask DisposeAsync()
    {
        lock (_gate)
        {
            foreach (var connection in _connections)
            {
                connection.Abort();
            }
        }

        await _server.DisposeAsync();
    }

    internal string NextEventId() => "event_" + Interlocked.Increment(ref _events);

    private async Task AcceptAsync(HttpContext context)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            return;
        }

        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var connection = new FakeRealtimeConnection(this, socket);
        using var open = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        try
        {
            await connection.SendAsync(ServerEvents.SessionCreated());
            Publish(connection);
            if (DropAfter is { } dropAfter)
            {
                open.CancelAfter(dropAfter);
            }

            await ReceiveAsync(connection, socket, open.Token);
        }
        catch (OperationCanceledException) when (!context.RequestAborted.IsCancellationRequested)
        {
            // DropAfter: the backend goes away mid-call, without a close handshake.
            socket.Abort();
        }
        catch (Exception ex) when (ex is OperationCanceledException or WebSocketException or IOException)
        {
            // The client went away.
        }
    }

    private async Task ReceiveAsync(FakeRealtimeConnection connection, WebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[64 * 1024];
        using var message = new MemoryStream();
        while (true)
        {
            message.SetLength(0);
            WebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer, cancellationToken);
                message.Write(buffer, 0, result.Count);
            }
            while (!result.EndOfMessage);

            if (result.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                return;
            }

            var clientEvent = Record(Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length));
            if (OnClientEvent is { } reply)
            {
                await reply(connection, clientEvent);
            }

            if (socket.State != WebSocketState.Open)
            {
                return;
            }
        }
    }

    private void Publish(FakeRealtimeConnection connection)
    {
        lock (_gate)
        {
            _connections.Add(connection);
            if (!_connected.TrySetResult(connection))
            {
                var next = new TaskCompletionSource<FakeRealtimeConnection>(TaskCreationOptions.RunContinuationsAsynchronously);
                next.SetResult(connection);
                _connected = next;
            }
        }
    }

    private JsonNode Record(string text)
    {
        JsonNode? clientEvent;
        try
        {
            clientEvent = JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
            clientEvent = null;
        }

        // A real backend would refuse it with invalid_json; a test can look for this.
        clientEvent ??= new JsonObject { ["type"] = Unparseable, ["raw"] = text };

        TaskCompletionSource changed;
        lock (_gate)
        {
            _received.Add(clientEvent);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
        return clientEvent;
    }

    // Appends are long; show their size only.
    private static string Describe(JsonNode e) =>
        (string?)e["type"] == "input_audio_buffer.append" ? "append(" + ((string?)e["audio"])?.Length + ")" : e.ToJsonString();
}
