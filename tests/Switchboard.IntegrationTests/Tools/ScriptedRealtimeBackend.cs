using System.Text.Json.Nodes;
using Switchboard.Testing.Realtime;

namespace Switchboard.IntegrationTests.Tools;

/// <summary>
/// A <see cref="FakeRealtimeBackend"/> that plays exact server events: after the gateway's <c>session.update</c> it sends
/// <see cref="Script"/> in order, and answers every <c>response.create</c> with an empty completed response. For races
/// the local backend cannot stage (a cancelled response's function call, the same <c>call_id</c> delivered twice).
/// </summary>
internal sealed class ScriptedRealtimeBackend : IAsyncDisposable
{
    private readonly FakeRealtimeBackend _backend;
    private int _responses;

    private ScriptedRealtimeBackend(FakeRealtimeBackend backend)
    {
        _backend = backend;
        backend.OnClientEvent = ReplyAsync;
    }

    public string RealtimeUrl => _backend.RealtimeUrl;

    public IReadOnlyList<JsonNode> Script { get; set; } = [];

    /// <summary>Every client event received, in order.</summary>
    public IReadOnlyList<JsonNode> Received => _backend.Received;

    public static async Task<ScriptedRealtimeBackend> StartAsync() => new(await FakeRealtimeBackend.StartAsync());

    /// <summary>A response that makes one function call and ends with <paramref name="status"/>.</summary>
    public static IEnumerable<JsonNode> FunctionCallResponse(string responseId, string callId, string name, string argumentsJson, string status = "completed") =>
    [
        ServerEvents.ResponseCreated(responseId),
        ServerEvents.FunctionCallArgumentsDone(responseId, callId, name, argumentsJson),
        ServerEvents.ResponseDone(responseId, status),
    ];

    public ValueTask DisposeAsync() => _backend.DisposeAsync();

    private async Task ReplyAsync(FakeRealtimeConnection connection, JsonNode clientEvent)
    {
        switch ((string?)clientEvent["type"])
        {
            case "session.update":
                foreach (var serverEvent in Script)
                {
                    await connection.SendAsync(serverEvent);
                }

                break;
            case "response.create":
                var id = "resp_auto_" + Interlocked.Increment(ref _responses);
                await connection.SendAsync(ServerEvents.ResponseCreated(id));
                await connection.SendAsync(ServerEvents.ResponseDone(id));
                break;
        }
    }
}
