using System.Net.WebSockets;
using System.Text.Json;
using Switchboard.Agents;
using Switchboard.Agents.Tools;
using Switchboard.Calls;
using Switchboard.Configuration;
using Switchboard.Journal;
using Switchboard.Tests.Calls.Harness;

namespace Switchboard.Tests.Calls;

/// <summary>
/// A backend session that drops mid-call is regained and the conversation replayed into the new one, on fake time:
/// the replay's order and shapes, nothing of the old session named on the new one, caller audio of the gap dropped
/// and none outside it lost, the budget, and the session-age recycle.
/// </summary>
public class CallBridgeReconnectTests
{
    private const string CallerWords = "What time do you open on Saturday?";
    private const string AgentWords = "We open at nine on Saturdays.";

    private static SwitchboardOptions Options(double budgetSeconds = 5, double maxAgeMinutes = 0) => new()
    {
        Backend = new BackendOptions { ReconnectBudgetSeconds = budgetSeconds, SessionMaxAgeMinutes = maxAgeMinutes },
    };

    /// <summary>One spoken exchange on the current session: the caller's transcribed turn and the agent's answer, audio included.</summary>
    private static async Task ExchangeAsync(BridgeHarness h, string callerItem, string callerText, string response, string agentItem, string agentText)
    {
        await h.Backend.InputTranscriptAsync(callerItem, callerText);
        await h.Backend.ResponseCreatedAsync(response);
        await h.Backend.AudioDeltaAsync(response, agentItem, ms: 100);
        await h.Backend.AudioTranscriptDoneAsync(response, agentItem, agentText);
        await h.Backend.AudioDoneAsync(response, agentItem);
        await h.Backend.ResponseDoneAsync(response);
        await h.SyncAsync();
    }

    /// <summary>
    /// Moves fake time in 50 ms steps until <paramref name="done"/>: the bridge's backoff timer may be registered just
    /// after a single advance, and would then never fire.
    /// </summary>
    private static async Task AdvanceUntilAsync(BridgeHarness h, Func<bool> done)
    {
        for (var i = 0; i < 400 && !done(); i++)
        {
            h.Advance(TimeSpan.FromMilliseconds(50));
            await Task.Delay(1);
        }

        await h.WaitUntilAsync(done, "the reconnect after the backoff");
    }

    private static (string Role, string ContentType, string Text)? Message(ClientEvent e)
    {
        if (e.Type != "conversation.item.create" || e.Str("item", "type") != "message")
        {
            return null;
        }

        var content = e.Root.GetProperty("item").GetProperty("content")[0];
        return (e.Str("item", "role")!, content.GetProperty("type").GetString()!, content.GetProperty("text").GetString()!);
    }

    [Fact]
    public async Task Drop_WithoutCloseFrame_ReplaysTheConversationIntoANewSession_ThenTheNextTurnIsAnsweredThere()
    {
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone(), new AgentSpec { Instructions = "You are the bakery's phone agent." }, Options());
        await ExchangeAsync(h, "item_c1", CallerWords, "resp_1", "item_a1", AgentWords);
        h.Leg.PlayAll();
        var first = h.Sessions[0];

        first.Abort();
        await h.WaitUntilAsync(() => h.Journal.OfType(CallEventType.BackendReconnected).Count == 1, "BackendReconnected");
        await h.SyncAsync();

        Assert.Equal(2, h.Sessions.Count);
        var fresh = h.Backend;
        var control = fresh.Control;
        // The same instructions first, then the turns as journalled, then the note — in this order, and nothing else yet.
        Assert.Equal("session.update", control[0].Type);
        Assert.Equal(first.OfType("session.update")[0].Json, control[0].Json);
        Assert.Equal(("user", "input_text", CallerWords), Message(control[1]));
        Assert.Equal(("assistant", "output_text", AgentWords), Message(control[2]));
        Assert.Equal(("system", "input_text", CallBridge.InterruptionNote), Message(control[3]));
        Assert.Equal(4, control.Count);
        // Nothing on the new session names an item of the old one (no ids at all on the replayed items).
        Assert.All(control, e => Assert.Null(e.Str("item", "id")));
        Assert.All(fresh.Received, e => Assert.DoesNotContain("item_a1", e.Json, StringComparison.Ordinal));
        Assert.All(fresh.Received, e => Assert.DoesNotContain("item_c1", e.Json, StringComparison.Ordinal));

        var reconnected = Assert.Single(h.Journal.OfType(CallEventType.BackendReconnected));
        Assert.Equal(ReconnectReasons.Dropped, reconnected.Reason);
        Assert.Contains("aborted", reconnected.Detail, StringComparison.Ordinal);
        Assert.True(long.TryParse(reconnected.Data!["gap_ms"], out var gap) && gap >= 0);
        Assert.Equal("1", reconnected.Data["attempts"]);
        Assert.Equal("3", reconnected.Data["replayed_items"]);

        // The caller's next turn is answered on the new session and journalled like any turn; the call goes on.
        await ExchangeAsync(h, "item_c2", "And on Sunday?", "resp_2", "item_a2", "Closed on Sundays.");
        Assert.False(h.HasEnded);
        var turns = CallTranscript.Build(h.Journal.Events);
        Assert.Equal([CallerWords, AgentWords, "And on Sunday?", "Closed on Sundays."], turns.Select(t => t.Text));
        Assert.Equal(100 * h.Leg.Format.BytesPerMs, h.Leg.AudioOf("item_a2").Length);
    }

    [Fact]
    public async Task Drop_WithCloseFrame_IsADropLikeAnyOther()
    {
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone(), options: Options());

        await h.Sessions[0].CloseAsync(WebSocketCloseStatus.InternalServerError, "upstream restart");
        await h.WaitUntilAsync(() => h.Journal.OfType(CallEventType.BackendReconnected).Count == 1, "BackendReconnected");

        var reconnected = Assert.Single(h.Journal.OfType(CallEventType.BackendReconnected));
        Assert.Contains("upstream restart", reconnected.Detail, StringComparison.Ordinal);
        Assert.False(h.HasEnded);
        Assert.Empty(h.Leg.Errors);
        Assert.Null(h.Leg.Close);
    }

    [Fact]
    public async Task CallerAudio_DuringTheGap_IsDropped_AndNoneOutsideItIsLost()
    {
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone(), options: Options());
        for (var i = 0; i < 5; i++)
        {
            h.Leg.SendAudioMs(20);
        }

        await h.SyncAsync();
        Assert.Equal(5, h.Sessions[0].OfType("input_audio_buffer.append").Count);

        // The first attempt fails: the bridge waits its first backoff (fake time) with the gap open.
        h.Connector.Fail = true;
        h.Sessions[0].Abort();
        await h.WaitUntilAsync(() => h.Connector.Attempts == 2, "the failed reconnect attempt");
        for (var i = 0; i < 3; i++)
        {
            h.Leg.SendAudioMs(20);
        }

        await h.WaitUntilAsync(() => h.Leg.IsIdle, "the gap's frames handled");
        h.Connector.Fail = false;
        await AdvanceUntilAsync(h, () => h.Journal.OfType(CallEventType.BackendReconnected).Count == 1);

        for (var i = 0; i < 4; i++)
        {
            h.Leg.SendAudioMs(20);
        }

        await h.SyncAsync();
        var reconnected = Assert.Single(h.Journal.OfType(CallEventType.BackendReconnected));
        Assert.Equal("3", reconnected.Data!["gap_frames"]);
        Assert.Equal("2", reconnected.Data["attempts"]);
        Assert.True(long.Parse(reconnected.Data["gap_ms"], System.Globalization.CultureInfo.InvariantCulture) >= 250, "the gap spans the first backoff");
        Assert.Empty(h.Sessions[0].OfType("input_audio_buffer.append").Skip(5));
        Assert.Equal(4, h.Backend.OfType("input_audio_buffer.append").Count);
        // The replay came before the caller's audio reached the new session.
        var received = h.Backend.Received.Select(e => e.Type).ToList();
        Assert.True(received.IndexOf("input_audio_buffer.append") > received.FindLastIndex(t => t == "conversation.item.create"));
    }

    [Fact]
    public async Task NoSessionWithinTheBudget_EndsBackendUnavailable()
    {
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone(), options: Options(budgetSeconds: 2));
        h.Connector.Fail = true;

        h.Sessions[0].Abort();
        for (var i = 0; i < 100 && !h.HasEnded; i++)
        {
            await h.WaitUntilAsync(() => h.Connector.Attempts > 1 || h.HasEnded, "a reconnect attempt");
            h.Advance(TimeSpan.FromMilliseconds(250));
            await Task.Delay(1);
        }

        var ended = await h.EndedAsync();
        Assert.Equal(CallEndReason.BackendUnavailable, ended.Reason);
        Assert.Contains("not regained within 2 s", ended.Detail, StringComparison.Ordinal);
        Assert.Empty(h.Journal.OfType(CallEventType.BackendReconnected));
        Assert.Equal(FakeCallerLeg.CloseCodeFor(CallEndReason.BackendUnavailable), h.Leg.Close!.Code);
        // Backoff 250, 500, 1000 ms, then the rest of the budget: five attempts, not a tight loop.
        Assert.InRange(h.Connector.Attempts - 1, 4, 5);
    }

    [Fact]
    public async Task BudgetZero_TurnsReconnectingOff()
    {
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone(), options: Options(budgetSeconds: 0));

        h.Sessions[0].Abort();
        var ended = await h.EndedAsync();

        Assert.Equal(CallEndReason.BackendDisconnected, ended.Reason);
        Assert.Equal(1, h.Connector.Attempts);
    }

    [Fact]
    public async Task AnAnswerCutOffByTheDrop_IsJournalledReplayedAndAskedForAgain()
    {
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone(), options: Options());
        await h.Backend.InputTranscriptAsync("item_c1", CallerWords);
        await h.Backend.ResponseCreatedAsync("resp_1");
        await h.Backend.AudioDeltaAsync("resp_1", "item_a1", ms: 200);
        await h.Backend.AudioTranscriptDeltaAsync("resp_1", "item_a1", "We open at");
        await h.SyncAsync();

        h.Sessions[0].Abort();
        await h.WaitUntilAsync(() => h.Journal.OfType(CallEventType.BackendReconnected).Count == 1, "BackendReconnected");
        await h.Backend.WaitForAsync("response.create");

        var control = h.Backend.Control;
        Assert.Equal(("assistant", "output_text", "We open at"), Message(control[2]));
        Assert.Equal(("system", "input_text", CallBridge.InterruptionNote), Message(control[3]));
        Assert.Equal("response.create", control[4].Type);

        // The caller talks over the old session's audio still playing: it is stopped at the leg, but the new session
        // hears of no item it never had (no truncate of item_a1, no cancel of the old response).
        await h.Backend.SpeechStartedAsync("item_c2");
        await h.SyncAsync();
        Assert.Contains(h.Leg.Clears, c => c.ItemId == "item_a1");
        Assert.Empty(h.Backend.OfType("conversation.item.truncate"));
        Assert.All(h.Backend.Received, e => Assert.DoesNotContain("item_a1", e.Json, StringComparison.Ordinal));
    }

    [Fact]
    public async Task ACompletedToolCall_IsReplayedAsItsCallAndOutput()
    {
        var spec = new AgentSpec
        {
            Tools = [new ToolSpec { Name = "lookup_order", Description = "Finds an order.", Parameters = JsonDocument.Parse("""{"type":"object"}""").RootElement.Clone() }],
        };
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone(), spec, Options());
        h.Tools.Handler = (_, _) => Task.FromResult("""{"status":"shipped"}""");
        await h.Backend.ResponseCreatedAsync("resp_1");
        await h.Backend.FunctionCallArgumentsDoneAsync("resp_1", "item_fc", "call_1", "lookup_order", """{"order":"42"}""");
        await h.Backend.ResponseDoneAsync("resp_1");
        await h.Backend.WaitForAsync("response.create");
        await h.SyncAsync();

        h.Sessions[0].Abort();
        await h.WaitUntilAsync(() => h.Journal.OfType(CallEventType.BackendReconnected).Count == 1, "BackendReconnected");
        await h.Backend.WaitForAsync("response.create");

        var items = h.Backend.OfType("conversation.item.create");
        Assert.Equal("function_call", items[0].Str("item", "type"));
        Assert.Equal("call_1", items[0].Str("item", "call_id"));
        Assert.Equal("lookup_order", items[0].Str("item", "name"));
        Assert.Equal("""{"order":"42"}""", items[0].Str("item", "arguments"));
        Assert.Equal("function_call_output", items[1].Str("item", "type"));
        Assert.Equal("""{"status":"shipped"}""", items[1].Str("item", "output"));
        Assert.Single(h.Tools.Calls);
    }

    [Fact]
    public async Task TypedTurnsDuringTheGap_WaitForTheReplay()
    {
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Browser(InteractionModes.Text), options: Options());
        h.Connector.Fail = true;
        h.Sessions[0].Abort();
        await h.WaitUntilAsync(() => h.Connector.Attempts == 2, "the failed reconnect attempt");

        h.Leg.Type("Are you still there?");
        await h.WaitUntilAsync(() => h.Leg.IsIdle, "the typed turn handled");
        h.Connector.Fail = false;
        await AdvanceUntilAsync(h, () => h.Sessions.Count == 2);
        await h.Backend.WaitForAsync("response.create");

        var control = h.Backend.Control;
        Assert.Equal(("system", "input_text", CallBridge.InterruptionNote), Message(control[^3]));
        Assert.Equal(("user", "input_text", "Are you still there?"), Message(control[^2]));
        Assert.Equal("response.create", control[^1].Type);
    }

    [Fact]
    public async Task SessionAge_RecyclesAtAQuietMoment_WithTheSameReplay()
    {
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone(), options: Options(maxAgeMinutes: 1));
        await ExchangeAsync(h, "item_c1", CallerWords, "resp_1", "item_a1", AgentWords);
        h.Leg.PlayAll();

        // A response is running when the age comes: the session is kept until it is done.
        await h.Backend.ResponseCreatedAsync("resp_2");
        await h.SyncAsync();
        h.Advance(TimeSpan.FromSeconds(61));
        h.Advance(TimeSpan.FromSeconds(1));
        await h.SyncAsync();
        Assert.Single(h.Sessions);
        Assert.False(h.Sessions[0].CloseReceived);

        await h.Backend.ResponseDoneAsync("resp_2");
        await h.SyncAsync();
        await AdvanceUntilAsync(h, () => h.Journal.OfType(CallEventType.BackendReconnected).Count == 1);
        await h.SyncAsync();

        Assert.True(h.Sessions[0].CloseReceived);
        Assert.Equal("session recycled", h.Sessions[0].CloseDescription);
        var recycled = Assert.Single(h.Journal.OfType(CallEventType.BackendReconnected));
        Assert.Equal(ReconnectReasons.SessionAge, recycled.Reason);
        var control = h.Backend.Control;
        Assert.Equal("session.update", control[0].Type);
        Assert.Equal(("user", "input_text", CallerWords), Message(control[1]));
        Assert.Equal(("assistant", "output_text", AgentWords), Message(control[2]));
        Assert.False(h.HasEnded);
    }
}
