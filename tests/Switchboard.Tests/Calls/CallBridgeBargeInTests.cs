using Switchboard.Agents;
using Switchboard.Agents.Tools;
using Switchboard.Artifacts;
using Switchboard.Calls;
using Switchboard.Journal;
using Switchboard.Tests.Calls.Harness;

namespace Switchboard.Tests.Calls;

/// <summary>Barge-in on the one call engine, hermetically: the caller talks over the agent.</summary>
public class CallBridgeBargeInTests
{
    [Fact]
    public async Task BargeIn_CallerSpeaksOverAgent_ClearsCancelsAndTruncatesAtHeard()
    {
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone());
        await h.Backend.ResponseCreatedAsync("resp_1");
        await h.Backend.AudioDeltaAsync("resp_1", "item_1", ms: 100);
        await h.Backend.AudioDeltaAsync("resp_1", "item_1", ms: 100);
        await h.Backend.AudioTranscriptDeltaAsync("resp_1", "item_1", "Our opening hours are");
        await h.WaitUntilAsync(() => h.Leg.SentMs("item_1") == 200, "200 ms of agent audio at the leg");
        h.Leg.Heard("item_1", 120);

        await h.Backend.SpeechStartedAsync();
        var truncate = await h.Backend.WaitForAsync("conversation.item.truncate");

        Assert.Equal("item_1", truncate.Str("item_id"));
        Assert.Equal(0, truncate.Long("content_index"));
        Assert.Equal(120, truncate.Long("audio_end_ms"));
        var clear = Assert.Single(h.Leg.Clears);
        Assert.Equal(new FakeCallerLeg.Cleared("item_1", "user_speech", -1), clear);
        Assert.Single(h.Backend.OfType("response.cancel"));
        var control = h.Backend.Control.Select(e => e.Type).ToList();
        Assert.True(control.IndexOf("response.cancel") < control.IndexOf("conversation.item.truncate"), string.Join(", ", control));
        await h.WaitUntilAsync(() => h.Journal.OfType(CallEventType.BargeIn).Count == 1, "the barge-in in the journal");
        var bargeIn = Assert.Single(h.Journal.OfType(CallEventType.BargeIn));
        Assert.Equal("item_1", bargeIn.ItemId);
        Assert.Equal(120, bargeIn.HeardMs);
        Assert.Equal(200, bargeIn.GeneratedMs);
        Assert.Equal("user_speech", bargeIn.Reason);

        // The backend had more of the item in flight: none of it may reach the caller after the stop.
        await h.Backend.AudioDeltaAsync("resp_1", "item_1", ms: 100);
        await h.Backend.AudioTranscriptDeltaAsync("resp_1", "item_1", " nine to five.");
        await h.Backend.ResponseDoneAsync("resp_1", "cancelled", "turn_detected");
        await h.SyncAsync();

        Assert.Equal(200, h.Leg.SentMs("item_1"));
        Assert.DoesNotContain(h.Leg.Transcripts, t => t.Text.Contains("nine", StringComparison.Ordinal));
        var turn = Assert.Single(h.Journal.OfType(CallEventType.AgentTurn));
        Assert.Equal("item_1", turn.ItemId);
        Assert.True(turn.Interrupted);
        Assert.Equal(120, turn.HeardMs);
        Assert.Equal("Our opening hours are", turn.Text);
        Assert.False(h.HasEnded);
    }

    [Fact]
    public async Task BargeIn_HeardPastGenerated_TruncatesAtGenerated()
    {
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone());
        await h.Backend.ResponseCreatedAsync("resp_1");
        await h.Backend.AudioDeltaAsync("resp_1", "item_1", ms: 240);
        await h.WaitUntilAsync(() => h.Leg.SentMs("item_1") == 240, "the agent audio at the leg");
        h.Leg.Heard("item_1", 100);
        h.Leg.DeferClearAnswers = true;

        await h.Backend.SpeechStartedAsync();
        await h.WaitUntilAsync(() => h.Leg.ClearIsWaiting, "the clear to wait for the client's position");
        // The client reports more than was generated (its clock ran ahead): truncating past the generated audio would be
        // refused by the backend.
        h.Leg.AnswerClear(900);
        var truncate = await h.Backend.WaitForAsync("conversation.item.truncate");

        Assert.Equal(240, truncate.Long("audio_end_ms"));
        await h.WaitUntilAsync(() => h.Journal.OfType(CallEventType.BargeIn).Count == 1, "the barge-in in the journal");
        var bargeIn = Assert.Single(h.Journal.OfType(CallEventType.BargeIn));
        Assert.Equal(240, bargeIn.HeardMs);
        Assert.Equal(240, bargeIn.GeneratedMs);
    }

    [Fact]
    public async Task BargeIn_NothingUnplayedNoResponse_NoClearNoCancel()
    {
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone());
        await h.Backend.ResponseCreatedAsync("resp_1");
        await h.Backend.AudioDeltaAsync("resp_1", "item_1", ms: 100);
        await h.Backend.AudioDoneAsync("resp_1", "item_1");
        await h.Backend.AudioTranscriptDoneAsync("resp_1", "item_1", "Hello!");
        await h.Backend.ResponseDoneAsync("resp_1");
        await h.WaitUntilAsync(() => h.Leg.AudioDone.Count == 1, "the item's end at the leg");
        h.Leg.PlayAll();

        await h.Backend.SpeechStartedAsync("item_caller_2");
        await h.SyncAsync();

        Assert.Empty(h.Leg.Clears);
        Assert.Empty(h.Backend.OfType("response.cancel"));
        Assert.Empty(h.Backend.OfType("conversation.item.truncate"));
        Assert.Empty(h.Journal.OfType(CallEventType.BargeIn));
        Assert.Equal("item_caller_2", Assert.Single(h.Journal.OfType(CallEventType.CallerSpeechStarted)).ItemId);
        Assert.Equal(("item_1", 100L), Assert.Single(h.Leg.AudioDone));
        var turn = Assert.Single(h.Journal.OfType(CallEventType.AgentTurn));
        Assert.False(turn.Interrupted);
    }

    [Fact]
    public async Task BargeIn_ResponseDoneAudioStillPlaying_ClearsAndTruncatesWithoutCancel()
    {
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone());
        await h.Backend.ResponseCreatedAsync("resp_1");
        await h.Backend.AudioDeltaAsync("resp_1", "item_1", ms: 400);
        await h.Backend.AudioDoneAsync("resp_1", "item_1");
        await h.Backend.ResponseDoneAsync("resp_1");
        await h.WaitUntilAsync(() => h.Leg.AudioDone.Count == 1, "the item's end at the leg");
        h.Leg.Heard("item_1", 250);

        await h.Backend.SpeechStartedAsync();
        var truncate = await h.Backend.WaitForAsync("conversation.item.truncate");
        await h.SyncAsync();

        Assert.Equal(250, truncate.Long("audio_end_ms"));
        Assert.Equal("item_1", Assert.Single(h.Leg.Clears).ItemId);
        // The response is over: cancelling it would only earn a response_cancel_not_active error.
        Assert.Empty(h.Backend.OfType("response.cancel"));
    }

    [Fact]
    public async Task Interrupt_ClientReportsLater_TruncatesWhenThePositionArrives()
    {
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Browser(InteractionModes.VoiceConversation));
        h.Leg.DeferClearAnswers = true;
        await h.Backend.ResponseCreatedAsync("resp_1");
        await h.Backend.AudioDeltaAsync("resp_1", "item_1", ms: 300);
        await h.WaitUntilAsync(() => h.Leg.SentMs("item_1") == 300, "the agent audio at the leg");

        h.Leg.Interrupt();
        await h.WaitUntilAsync(() => h.Leg.ClearIsWaiting, "the interrupt to wait for the client's position");
        await h.Backend.WaitForAsync("response.cancel");
        await h.SyncAsync();
        Assert.Empty(h.Backend.OfType("conversation.item.truncate"));

        h.Advance(TimeSpan.FromMilliseconds(35));
        h.Leg.AnswerClear(180);
        var truncate = await h.Backend.WaitForAsync("conversation.item.truncate");

        Assert.Equal(180, truncate.Long("audio_end_ms"));
        Assert.Equal("client", Assert.Single(h.Leg.Clears).Reason);
        await h.WaitUntilAsync(() => h.Journal.OfType(CallEventType.BargeIn).Count == 1, "the barge-in in the journal");
        var bargeIn = Assert.Single(h.Journal.OfType(CallEventType.BargeIn));
        Assert.Equal(180, bargeIn.HeardMs);
        Assert.Equal(300, bargeIn.GeneratedMs);
        Assert.Equal("client", bargeIn.Data!["position_from"]);
        Assert.Equal("35", bargeIn.Data["wait_ms"]);
    }
}
