using System.Text;
using Switchboard.Agents;
using Switchboard.Agents.Tools;
using Switchboard.Artifacts;
using Switchboard.Calls;
using Switchboard.Journal;
using Switchboard.Tests.Calls.Harness;

namespace Switchboard.Tests.Calls;

/// <summary>How a call starts and ends on the one call engine, hermetically: admission, the agent leg, the caller leaving.</summary>
public class CallBridgeLifecycleTests
{
    [Fact]
    public async Task HangUp_AgentAudioUnplayed_JournalsCutOffTurnWithHeardPosition()
    {
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone());
        await h.Backend.ResponseCreatedAsync("resp_1");
        await h.Backend.AudioDeltaAsync("resp_1", "item_1", ms: 300);
        await h.Backend.AudioTranscriptDeltaAsync("resp_1", "item_1", "Let me read you the whole menu");
        await h.WaitUntilAsync(() => h.Leg.SentMs("item_1") == 300, "the agent audio at the leg");
        await h.SyncAsync();
        h.Leg.Heard("item_1", 100);

        h.Leg.HangUp();
        var ended = await h.EndedAsync();

        Assert.Equal(CallEndReason.CallerHangup, ended.Reason);
        var turn = Assert.Single(h.Journal.OfType(CallEventType.AgentTurn));
        Assert.Equal("item_1", turn.ItemId);
        Assert.Equal("Let me read you the whole menu", turn.Text);
        Assert.True(turn.Interrupted);
        Assert.Equal(100, turn.HeardMs);
        // The turn carries the cut; no separate barge-in.
        Assert.Empty(h.Journal.OfType(CallEventType.BargeIn));
        Assert.Equal(new FakeCallerLeg.Closed(1000, "caller hung up"), h.Leg.Close);
    }

    [Fact]
    public async Task HangUp_TranscriptAlreadyDone_JournalsBargeInCallEnded()
    {
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone());
        await h.Backend.ResponseCreatedAsync("resp_1");
        await h.Backend.AudioDeltaAsync("resp_1", "item_1", ms: 500);
        await h.Backend.AudioDoneAsync("resp_1", "item_1");
        await h.Backend.AudioTranscriptDoneAsync("resp_1", "item_1", "Here is a long answer.");
        await h.Backend.ResponseDoneAsync("resp_1");
        await h.WaitUntilAsync(() => h.Leg.AudioDone.Count == 1, "the item's end at the leg");
        await h.SyncAsync();
        h.Leg.Heard("item_1", 220);

        h.Leg.HangUp();
        await h.EndedAsync();

        var turn = Assert.Single(h.Journal.OfType(CallEventType.AgentTurn));
        Assert.False(turn.Interrupted);
        var cut = Assert.Single(h.Journal.OfType(CallEventType.BargeIn));
        Assert.Equal("call_ended", cut.Reason);
        Assert.Equal("item_1", cut.ItemId);
        Assert.Equal(220, cut.HeardMs);
        Assert.Equal(500, cut.GeneratedMs);
    }

    [Fact]
    public async Task HangUp_AllAudioHeard_NoCutOffTurn()
    {
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone());
        await h.Backend.ResponseCreatedAsync("resp_1");
        await h.Backend.AudioDeltaAsync("resp_1", "item_1", ms: 100);
        await h.Backend.AudioTranscriptDoneAsync("resp_1", "item_1", "Bye.");
        await h.Backend.ResponseDoneAsync("resp_1");
        await h.SyncAsync();
        h.Leg.PlayAll();

        h.Leg.HangUp();
        await h.EndedAsync();

        Assert.Empty(h.Journal.OfType(CallEventType.BargeIn));
        Assert.False(Assert.Single(h.Journal.OfType(CallEventType.AgentTurn)).Interrupted);
    }

    [Fact]
    public async Task HangUp_SummaryEnabled_AsksOutOfBandAndJournalsIt()
    {
        var spec = new AgentSpec { Summary = new SummarySpec { Enabled = true } };
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone(), spec);
        var tag = new Dictionary<string, string> { [CallSummarizer.MetadataKey] = CallSummarizer.MetadataValue };

        h.Leg.HangUp();
        var request = await h.Backend.WaitForAsync("response.create");
        Assert.Equal("none", request.Str("response", "conversation"));
        Assert.Equal(CallSummarizer.MetadataValue, request.Str("response", "metadata", CallSummarizer.MetadataKey));
        Assert.False(h.HasEnded);
        await h.Backend.ResponseCreatedAsync("resp_sum", tag);
        await h.Backend.TextDeltaAsync("resp_sum", "item_sum", "The caller asked ");
        await h.Backend.TextDoneAsync("resp_sum", "item_sum", "The caller asked about opening hours.");
        await h.Backend.ResponseDoneAsync("resp_sum", metadata: tag);
        var ended = await h.EndedAsync();

        Assert.Equal(CallEndReason.CallerHangup, ended.Reason);
        Assert.Equal("The caller asked about opening hours.", Assert.Single(h.Journal.OfType(CallEventType.Summary)).Text);
        Assert.Equal("resp_sum", Assert.Single(h.Journal.OfType(CallEventType.Usage)).Data!["response_id"]);
        // The summary is not a turn of the conversation.
        Assert.Empty(h.Journal.OfType(CallEventType.AgentTurn));
        Assert.DoesNotContain(h.Leg.Transcripts, t => t.ItemId == "item_sum");
    }

    [Fact]
    public async Task Start_PhoneLeg_ConfiguresAgentAndJournalsCallStarted()
    {
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone());

        var update = Assert.Single(h.Backend.OfType("session.update"));
        Assert.Equal("audio", update.At("session", "output_modalities")!.Value[0].GetString());
        Assert.Equal("audio/pcmu", update.Str("session", "audio", "input", "format", "type"));
        Assert.Equal("audio/pcmu", update.Str("session", "audio", "output", "format", "type"));
        Assert.Equal("server_vad", update.Str("session", "audio", "input", "turn_detection", "type"));
        var started = Assert.Single(h.Journal.OfType(CallEventType.CallStarted));
        Assert.Equal("twilio", started.Data![CallEventKeys.Carrier]);
        Assert.Equal(BridgeHarness.EndpointId.ToString("D"), started.Data[CallEventKeys.EndpointId]);
        Assert.Equal("fake_leg", started.Data["harness"]);
        Assert.Equal("openai", started.Data["backend"]);
        Assert.True(h.Leg.Admitted);
        Assert.True(h.Registry.TryGet(h.Bridge.CallId, out _));
        Assert.True(h.Registry.TryFindByStream("MZ_harness", out var byStream));
        Assert.Equal(h.Bridge.CallId, byStream);
    }

    [Fact]
    public async Task CallerAudio_SameFormat_AppendsTheBase64AsItCame()
    {
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone());
        var audio = ScriptedBackend.Audio(h.Leg.Format, 20);

        h.Leg.SendAudio(audio);
        h.Leg.PressDigit('7');
        var append = await h.Backend.WaitForAsync("input_audio_buffer.append");
        await h.SyncAsync();

        Assert.Equal(Convert.ToBase64String(audio), append.Str("audio"));
        Assert.Equal("7", Assert.Single(h.Journal.OfType(CallEventType.Dtmf)).Digit);
    }

    [Fact]
    public async Task AgentAudio_SameFormat_ReachesTheLegUndecoded()
    {
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone());
        var audio = ScriptedBackend.Audio(h.Leg.Format, 60);

        await h.Backend.ResponseCreatedAsync("resp_1");
        await h.Backend.AudioDeltaAsync("resp_1", "item_1", audio);
        await h.WaitUntilAsync(() => h.Leg.SentMs("item_1") == 60, "the agent audio at the leg");
        await h.SyncAsync();

        var sent = Assert.Single(h.Leg.Audio);
        Assert.True(sent.WasBase64);
        Assert.Equal(audio, sent.Bytes);
        Assert.Single(h.Journal.OfType(CallEventType.ResponseTiming));
    }

    [Fact]
    public async Task Start_EndpointRefused_EndsEndpointRejectedWithoutAgentLeg()
    {
        await using var h = BridgeHarness.Create(FakeCallerLeg.Phone());
        h.Resolver.Refusal = "unknown endpoint";

        await h.BeginAsync();
        await h.WaitUntilAsync(() => h.HasEnded, "the call to end");

        // A refused call is its own record: CallRefused, with neither a start nor an end.
        var refused = Assert.Single(h.Journal.OfType(CallEventType.CallRefused));
        Assert.Equal(CallEndReason.EndpointRejected, refused.Reason);
        Assert.Equal("unknown endpoint", refused.Detail);
        Assert.Equal(CallEndReason.EndpointRejected, h.Bridge.EndReason);
        Assert.Empty(h.Journal.OfType(CallEventType.CallStarted));
        Assert.Empty(h.Journal.OfType(CallEventType.CallEnded));
        Assert.Null(h.Connector.Endpoint);
        Assert.Equal(new FakeCallerLeg.Closed(FakeCallerLeg.CloseCodeFor(CallEndReason.EndpointRejected), "unknown endpoint"), h.Leg.Close);
        Assert.False(h.Leg.Admitted);
    }

    [Fact]
    public async Task Start_BackendUnreachable_EndsBackendUnavailableAndTellsTheCaller()
    {
        await using var h = BridgeHarness.Create(FakeCallerLeg.Browser());
        h.Connector.Fail = true;

        await h.BeginAsync();
        var ended = await h.EndedAsync();

        Assert.Equal(CallEndReason.BackendUnavailable, ended.Reason);
        Assert.Equal(CallerErrorCodes.BackendUnavailable, Assert.Single(h.Leg.Errors).Code);
        Assert.Equal(FakeCallerLeg.CloseCodeFor(CallEndReason.BackendUnavailable), h.Leg.Close!.Code);
        Assert.NotNull(h.Connector.Endpoint);
    }

    [Fact]
    public async Task Backend_ClosesMidCall_WithReconnectingOff_EndsBackendDisconnected()
    {
        // With reconnecting on (the default), the drop is survived: CallBridgeReconnectTests.
        var options = new Switchboard.Configuration.SwitchboardOptions { Backend = new Switchboard.Configuration.BackendOptions { ReconnectBudgetSeconds = 0 } };
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone(), options: options);

        await h.Backend.CloseAsync();
        var ended = await h.EndedAsync();

        Assert.Equal(CallEndReason.BackendDisconnected, ended.Reason);
        Assert.Contains("harness: backend closed", ended.Detail, StringComparison.Ordinal);
        Assert.Equal(FakeCallerLeg.CloseCodeFor(CallEndReason.BackendDisconnected), h.Leg.Close!.Code);
    }

    [Fact]
    public async Task Caller_ConnectionBreaks_EndsWithLostReason()
    {
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone());

        h.Leg.Vanish();
        var ended = await h.EndedAsync();

        Assert.Equal(CallEndReason.CarrierClosed, ended.Reason);
        Assert.Equal("connection lost", ended.Detail);
    }

    [Fact]
    public async Task Backend_UnparseableEvent_CallGoesOn()
    {
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone());

        await h.Backend.SendRawAsync(Encoding.UTF8.GetBytes("{\"type\":\"response.output_audio.delta\",\"delta\":"));
        await h.Backend.SendRawAsync(Encoding.UTF8.GetBytes("""{"type":"some.future_event","event_id":"e1"}"""));
        await h.SyncAsync();

        Assert.False(h.HasEnded);
        Assert.Contains(h.Logger.Entries, e => e.Message.Contains("unparseable backend event", StringComparison.Ordinal));
    }
}
