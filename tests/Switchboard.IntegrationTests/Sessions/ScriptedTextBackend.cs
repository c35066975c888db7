using System.Text.Json.Nodes;
using Switchboard.Testing;
using Switchboard.Testing.Realtime;

namespace Switchboard.IntegrationTests.Sessions;

/// <summary>
/// A <see cref="FakeRealtimeBackend"/> in text mode: records what the gateway sends and answers each
/// <c>response.create</c> with GA text events (two deltas, a done, a completed <c>response.done</c>), or with an
/// <c>error</c> echoing the request's <c>event_id</c>, or by dropping the connection.
/// </summary>
internal sealed class ScriptedTextBackend : IAsyncDisposable
{
    public const string Answer = "Fake answer.";

    private readonly FakeRealtimeBackend _backend;
    private int _failNext;
    private int _responses;

    private ScriptedTextBackend(FakeRealtimeBackend backend)
    {
        _backend = backend;
        backend.OnClientEvent = ReplyAsync;
    }

    public string RealtimeUrl => _backend.RealtimeUrl;

    /// <summary>The WebSocket upgrades, in order.</summary>
    public IReadOnlyCollection<RecordedRequest> Requests => _backend.Requests;

    /// <summary>Every client event received, in order.</summary>
    public IReadOnlyList<JsonNode> Received => _backend.Received;

    /// <summary>When set, the next response.create is answered by dropping the socket.</summary>
    public bool DropOnResponse { get; set; }

    /// <summary>The next <paramref name="count"/> response.create events get an error instead of a response.</summary>
    public void FailNextResponses(int count) => Interlocked.Exchange(ref _failNext, count);

    public static async Task<ScriptedTextBackend> StartAsync() => new(await FakeRealtimeBackend.StartAsync());

    public ValueTask DisposeAsync() => _backend.DisposeAsync();

    private async Task ReplyAsync(FakeRealtimeConnection connection, JsonNode clientEvent)
    {
        if ((string?)clientEvent["type"] != "response.create")
        {
            return;
        }

        if (DropOnResponse)
        {
            connection.Abort();
            return;
        }

        if (Interlocked.Decrement(ref _failNext) >= 0)
        {
            await connection.SendAsync(ServerEvents.Error("invalid_request_error", "rate_limit_exceeded", "Slow down.", (string?)clientEvent["event_id"]));
            return;
        }

        Interlocked.Exchange(ref _failNext, 0);
        var n = Interlocked.Increment(ref _responses);
        var responseId = "resp_" + n;
        var itemId = "item_answer_" + n;
        await connection.SendAsync(ServerEvents.ResponseCreated(responseId));
        await connection.SendAsync(ServerEvents.OutputTextDelta(responseId, itemId, "Fake "));
        await connection.SendAsync(ServerEvents.OutputTextDelta(responseId, itemId, "answer."));
        await connection.SendAsync(ServerEvents.OutputTextDone(responseId, itemId, Answer));
        await connection.SendAsync(ServerEvents.ResponseDone(responseId, usage: (8, 4)));
    }
}
