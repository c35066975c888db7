using Switchboard.Agents;
using Switchboard.Agents.Tools;
using Switchboard.Artifacts;
using Switchboard.Calls;
using Switchboard.Journal;
using Switchboard.Tests.Calls.Harness;

namespace Switchboard.Tests.Calls;

/// <summary>Typed turns on the one call engine, hermetically (a browser-like leg): answered one at a time.</summary>
public class CallBridgeTypedTurnTests
{
    private static bool IsUserText(ClientEvent e, string text) =>
        e.Str("item", "role") == "user" && e.At("item", "content") is { } content && content[0].GetProperty("text").GetString() == text;

    [Fact]
    public async Task TypedTurn_SecondWhileFirstRuns_WaitsForResponseDone()
    {
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Browser(InteractionModes.Text));
        var update = Assert.Single(h.Backend.OfType("session.update"));
        Assert.Equal("text", update.At("session", "output_modalities")!.Value[0].GetString());
        Assert.Null(update.At("session", "audio"));

        h.Leg.Type("What are your hours?");
        var first = await h.Backend.WaitForAsync("conversation.item.create");
        var create = await h.Backend.WaitForAsync("response.create");

        Assert.True(IsUserText(first, "What are your hours?"));
        Assert.Equal("message", first.Str("item", "type"));
        Assert.Equal("input_text", first.At("item", "content")!.Value[0].GetProperty("type").GetString());
        Assert.Equal("sb_turn_1", create.Str("event_id"));

        h.Leg.Type("And on Sundays?");
        await h.SyncAsync();
        Assert.Single(h.Backend.OfType("conversation.item.create"));
        Assert.Single(h.Backend.OfType("response.create"));
        // Both turns are shown and journalled at once; only the agent waits.
        Assert.Equal(2, h.Journal.OfType(CallEventType.CallerTurn).Count);
        Assert.Equal(2, h.Leg.Transcripts.Count(t => t.Role == "user" && t.Final));

        await h.Backend.ResponseCreatedAsync("resp_1");
        await h.Backend.TextDeltaAsync("resp_1", "item_a1", "Nine to ");
        await h.Backend.TextDeltaAsync("resp_1", "item_a1", "five.");
        await h.SyncAsync();
        Assert.Single(h.Backend.OfType("response.create"));
        await h.Backend.TextDoneAsync("resp_1", "item_a1", "Nine to five.");
        await h.Backend.ResponseDoneAsync("resp_1");
        var second = await h.Backend.WaitForAsync("conversation.item.create", e => IsUserText(e, "And on Sundays?"));
        var secondCreate = await h.Backend.WaitForAsync("response.create", count: 2);

        Assert.Equal("sb_turn_2", secondCreate.Str("event_id"));
        var order = h.Backend.Control.ToList();
        Assert.True(order.IndexOf(second) < order.IndexOf(secondCreate));
        var answer = Assert.Single(h.Journal.OfType(CallEventType.AgentTurn));
        Assert.Equal("Nine to five.", answer.Text);
        Assert.Contains(h.Leg.Transcripts, t => t is { Role: "agent", Final: true, Text: "Nine to five." });
        Assert.Contains(CallerStates.Thinking, h.Leg.States);
    }

    [Fact]
    public async Task TypedTurn_WhileVoiceResponseRuns_WaitsForItsResponseDone()
    {
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Browser(InteractionModes.VoiceConversation));
        // The backend answers the caller's voice by itself (server VAD): a response is running.
        await h.Backend.ResponseCreatedAsync("resp_vad");
        await h.Backend.AudioDeltaAsync("resp_vad", "item_v1", ms: 100);
        await h.SyncAsync();

        h.Leg.Type("Actually, one more thing");
        await h.SyncAsync();
        Assert.Empty(h.Backend.OfType("conversation.item.create"));
        Assert.Empty(h.Backend.OfType("response.create"));

        await h.Backend.AudioDoneAsync("resp_vad", "item_v1");
        await h.Backend.AudioTranscriptDoneAsync("resp_vad", "item_v1", "Sure.");
        await h.Backend.ResponseDoneAsync("resp_vad");
        var typed = await h.Backend.WaitForAsync("conversation.item.create");
        await h.Backend.WaitForAsync("response.create");

        Assert.True(IsUserText(typed, "Actually, one more thing"));
    }

    [Fact]
    public async Task TypedTurn_WhileToolRuns_WaitsForTheToolsAnswer()
    {
        var spec = new AgentSpec { Tools = [new ToolSpec { Name = "lookup_order", Description = "Finds an order." }] };
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Browser(InteractionModes.VoiceConversation), spec);
        var release = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        h.Tools.Handler = (_, _) => release.Task;
        // The backend answered the caller's voice by itself (server VAD) with a function call.
        await h.Backend.ResponseCreatedAsync("resp_1");
        await h.Backend.FunctionCallArgumentsDoneAsync("resp_1", "item_fc", "call_1", "lookup_order", "{}");
        await h.Backend.ResponseDoneAsync("resp_1");
        await h.WaitUntilAsync(() => h.Tools.Calls.Count == 1, "the tool to run");

        h.Leg.Type("Are you still there?");
        await h.SyncAsync();
        // A response.create now would race the tool's own (the backend refuses a second active response).
        Assert.Empty(h.Backend.OfType("conversation.item.create"));
        Assert.Empty(h.Backend.OfType("response.create"));

        release.SetResult("""{"status":"shipped"}""");
        await h.Backend.WaitForAsync("response.create");
        await h.SyncAsync();
        Assert.Single(h.Backend.OfType("conversation.item.create"));
        Assert.Single(h.Backend.OfType("response.create"));

        await h.Backend.ResponseCreatedAsync("resp_2");
        await h.Backend.AudioTranscriptDoneAsync("resp_2", "item_2", "It has shipped.");
        await h.Backend.ResponseDoneAsync("resp_2");
        var typed = await h.Backend.WaitForAsync("conversation.item.create", e => IsUserText(e, "Are you still there?"));
        var create = await h.Backend.WaitForAsync("response.create", count: 2);

        var order = h.Backend.Control.ToList();
        Assert.True(order.IndexOf(typed) < order.IndexOf(create));
    }

    [Fact]
    public async Task TypedTurn_ResponseRefused_NextTurnStarts()
    {
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Browser(InteractionModes.Text));

        h.Leg.Type("first");
        h.Leg.Type("second");
        var create = await h.Backend.WaitForAsync("response.create");
        // The backend refuses the response.create: no response.done will come for it.
        await h.Backend.ErrorAsync("conversation_already_has_active_response", "busy", clientEventId: create.Str("event_id"));
        await h.Backend.WaitForAsync("response.create", count: 2);

        Assert.Contains(h.Backend.OfType("conversation.item.create"), e => IsUserText(e, "second"));
        var shown = Assert.Single(h.Leg.Errors);
        Assert.Equal("conversation_already_has_active_response", shown.BackendCode);
        Assert.Single(h.Journal.OfType(CallEventType.BackendError));
    }

    [Fact]
    public async Task Greeting_TextLeg_ShownAndAddedAsAssistantMessage()
    {
        var spec = new AgentSpec { Greeting = "Hi, how can I help?" };
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Browser(InteractionModes.Text), spec);

        var greeting = Assert.Single(h.Backend.OfType("conversation.item.create"));
        Assert.Equal("assistant", greeting.Str("item", "role"));
        Assert.Equal("output_text", greeting.At("item", "content")!.Value[0].GetProperty("type").GetString());
        Assert.Empty(h.Backend.OfType("response.create"));
        Assert.Contains(h.Leg.Transcripts, t => t is { Role: "agent", Final: true, Text: "Hi, how can I help?" });
    }

    [Fact]
    public async Task Greeting_SpeakingLeg_AskedForAndTypedTurnWaits()
    {
        var spec = new AgentSpec { Greeting = "Hi, how can I help?" };
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Browser(InteractionModes.AudioPlayback), spec);

        var greeting = Assert.Single(h.Backend.OfType("response.create"));
        Assert.Equal("sb_greeting", greeting.Str("event_id"));
        Assert.Contains("Hi, how can I help?", greeting.Str("response", "instructions"), StringComparison.Ordinal);

        h.Leg.Type("hello");
        await h.SyncAsync();
        Assert.Single(h.Backend.OfType("response.create"));

        await h.Backend.ResponseCreatedAsync("resp_g");
        await h.Backend.AudioDeltaAsync("resp_g", "item_g", ms: 50);
        await h.Backend.AudioTranscriptDoneAsync("resp_g", "item_g", "Hi, how can I help?");
        await h.Backend.ResponseDoneAsync("resp_g");
        await h.Backend.WaitForAsync("response.create", count: 2);

        Assert.Contains(h.Backend.OfType("conversation.item.create"), e => IsUserText(e, "hello"));
    }
}
