using System.Globalization;
using System.Text.Json;
using Switchboard.Agents;
using Switchboard.Journal;
using static Switchboard.IntegrationTests.Sessions.VoiceSession;

namespace Switchboard.IntegrationTests.Sessions;

/// <summary>
/// Barge-in in <c>voice_conversation</c>, exactly as docs/sessions.md §3a describes it, against a hand-driven backend:
/// the user speaks over the agent → <c>interrupt</c> to the client and <c>response.cancel</c> to the backend at once,
/// the rest of the response dropped, and the item truncated where the client says it stopped playing (clamped to what
/// was generated), or at the gateway's estimate when the client does not answer; no barge-in when everything was
/// heard; and the client stopping the agent itself.
/// </summary>
public class VoiceBargeInTests
{
    private const string Response = "resp_1";
    private const string Item = "item_a";

    /// <summary>The agent starts answering: one response with <paramref name="pieces"/> × 100 ms of audio for <see cref="Item"/>, all forwarded.</summary>
    private static async Task AgentSpeaksAsync(VoiceSession voice, int pieces = 10)
    {
        await voice.Backend.ResponseCreatedAsync(Response);
        await voice.Backend.TranscriptDeltaAsync(Response, Item, "Let me tell you ");
        for (var i = 0; i < pieces; i++)
        {
            await voice.Backend.AudioDeltaAsync(Response, Item, 100);
        }

        for (var i = 0; i < pieces; i++)
        {
            var audio = await voice.Client.WaitForTypeAsync("audio");
            Assert.Equal(Item, Payload(audio).GetProperty("itemId").GetString());
        }
    }

    private static string Playback(string itemId, long playedMs, bool interrupted) =>
        JsonSerializer.Serialize(new { type = "playback", payload = new { itemId, playedMs, interrupted } });

    [Fact]
    public async Task UserSpeechOverTheAgent_InterruptsCancelsAndTruncatesAtThePositionTheClientReports()
    {
        await using var voice = await VoiceSession.StartAsync(InteractionModes.VoiceConversation);
        await AgentSpeaksAsync(voice);

        await voice.Backend.SpeechStartedAsync(1200);

        var listening = await voice.Client.WaitForTypeAsync("status", m => IsStatus(m, "listening"));
        var interrupt = await voice.Client.WaitForTypeAsync("interrupt");
        Assert.Equal(Item, Payload(interrupt).GetProperty("itemId").GetString());
        Assert.Equal("user_speech", Payload(interrupt).GetProperty("reason").GetString());
        Assert.True(Seq(listening) < Seq(interrupt));
        var cancel = await voice.Backend.WaitForAsync("response.cancel");

        // Audio and text of the cancelled response that were already on their way: none of it may reach the client.
        await voice.Backend.AudioDeltaAsync(Response, Item, 100);
        await voice.Backend.TranscriptDeltaAsync(Response, Item, "about ");
        await voice.Backend.AudioDeltaAsync(Response, Item, 100);

        await voice.Client.SendAsync(Playback(Item, 640, interrupted: true));
        var truncate = await voice.Backend.WaitForAsync("conversation.item.truncate");
        Assert.Equal(Item, (string?)truncate["item_id"]);
        Assert.Equal(0, (int)truncate["content_index"]!);
        Assert.Equal(640, (long)truncate["audio_end_ms"]!);
        Assert.True(voice.Backend.IndexOf(cancel) < voice.Backend.IndexOf(truncate));

        await voice.Backend.TranscriptDoneAsync(Response, Item, "Let me tell you about");
        await voice.Backend.ResponseDoneAsync(Response, "cancelled");
        var final = await voice.Client.WaitForTypeAsync("transcript", IsAgentFinal);
        Assert.Equal("Let me tell you about", Payload(final).GetProperty("text").GetString());
        Assert.True(Payload(final).GetProperty("interrupted").GetBoolean());
        Assert.Equal(640, Payload(final).GetProperty("heardMs").GetInt64());
        // The user is still talking: the cancelled response does not flip the state to idle; the end of their speech moves it on.
        await voice.Backend.SpeechStoppedAsync(2400);
        var thinking = await voice.Client.WaitForTypeAsync("status", m => IsStatus(m, "thinking") && Seq(m) > Seq(final));
        Assert.DoesNotContain(voice.Client.Received, m => IsStatus(m, "idle") && Seq(m) > Seq(listening) && Seq(m) < Seq(thinking));

        var afterInterrupt = voice.Client.Received.Where(m => Seq(m) > Seq(interrupt)).ToList();
        Assert.DoesNotContain(afterInterrupt, m => Type(m) == "audio");
        Assert.DoesNotContain(afterInterrupt, m => Type(m) == "audio_done");
        Assert.DoesNotContain(afterInterrupt, m => Type(m) == "transcript" && !Payload(m).GetProperty("final").GetBoolean());
        Assert.Equal(10, voice.Client.Received.Count(m => Type(m) == "audio"));

        var events = await voice.HangUpAsync();
        var bargeIn = Assert.Single(events, e => e.Type == CallEventType.BargeIn);
        Assert.Equal(Item, bargeIn.ItemId);
        Assert.Equal(640, bargeIn.HeardMs);
        Assert.Equal(1000, bargeIn.GeneratedMs);
        Assert.Equal("user_speech", bargeIn.Reason);
        Assert.Equal("client", bargeIn.Data!["position_from"]);
        var turn = Assert.Single(events, e => e.Type == CallEventType.AgentTurn);
        Assert.Equal("Let me tell you about", turn.Text);
        Assert.True(turn.Interrupted);
        Assert.Equal(640, turn.HeardMs);
        Assert.Contains(events, e => e.Type == CallEventType.CallerSpeechStarted);
    }

    [Fact]
    public async Task ClientClaimsMoreThanWasGenerated_TruncationIsClampedAndTheShownFinalIsMarkedAgain()
    {
        await using var voice = await VoiceSession.StartAsync(InteractionModes.VoiceConversation);
        await AgentSpeaksAsync(voice);
        await voice.Backend.SpeechStartedAsync(1200);
        await voice.Client.WaitForTypeAsync("interrupt");
        await voice.Backend.WaitForAsync("response.cancel");

        // This time the whole transcript arrives before the client answers: the final is shown unmarked first…
        await voice.Backend.TranscriptDoneAsync(Response, Item, "Let me tell you");
        await voice.Backend.ResponseDoneAsync(Response, "cancelled");
        var first = await voice.Client.WaitForTypeAsync("transcript", IsAgentFinal);
        Assert.False(Payload(first).TryGetProperty("interrupted", out _));

        await voice.Client.SendAsync(Playback(Item, 5000, interrupted: true));

        var truncate = await voice.Backend.WaitForAsync("conversation.item.truncate");
        Assert.Equal(1000, (long)truncate["audio_end_ms"]!);
        // …and again, marked, once the truncation is known.
        var marked = await voice.Client.WaitForTypeAsync("transcript", IsAgentFinal);
        Assert.Equal(Item, Payload(marked).GetProperty("itemId").GetString());
        Assert.Equal("Let me tell you", Payload(marked).GetProperty("text").GetString());
        Assert.True(Payload(marked).GetProperty("interrupted").GetBoolean());
        Assert.Equal(1000, Payload(marked).GetProperty("heardMs").GetInt64());

        var events = await voice.HangUpAsync();
        var bargeIn = Assert.Single(events, e => e.Type == CallEventType.BargeIn);
        Assert.Equal(1000, bargeIn.HeardMs);
        Assert.Equal(1000, bargeIn.GeneratedMs);
        // The turn was journalled before the barge-in was known; the call's transcript still shows it cut off.
        var turn = Assert.Single(CallTranscript.Build(events), t => t.Role == "agent");
        Assert.True(turn.Interrupted);
        Assert.Equal(1000, turn.HeardMs);
    }

    [Fact]
    public async Task ClientNeverAnswersTheInterrupt_TruncatesAfterTheReplyTimeoutAtAnEstimate()
    {
        await using var voice = await VoiceSession.StartAsync(InteractionModes.VoiceConversation,
            settings: new() { ["Switchboard:Sessions:InterruptReplyTimeoutMs"] = "100" });
        await AgentSpeaksAsync(voice);
        // The client played 300 ms and said so, then went quiet.
        await voice.Client.SendAsync(Playback(Item, 300, interrupted: false));
        await voice.SyncClientAsync();

        await voice.Backend.SpeechStartedAsync(1200);
        await voice.Client.WaitForTypeAsync("interrupt");
        await voice.Backend.WaitForAsync("response.cancel");

        var truncate = await voice.Backend.WaitForAsync("conversation.item.truncate");
        Assert.Equal(Item, (string?)truncate["item_id"]);
        // The last report plus the time since, never more than was generated.
        Assert.InRange((long)truncate["audio_end_ms"]!, 300, 1000);

        var bargeIn = Assert.Single(await voice.HangUpAsync(), e => e.Type == CallEventType.BargeIn);
        Assert.Equal("estimate", bargeIn.Data!["position_from"]);
        Assert.Equal((long)truncate["audio_end_ms"]!, bargeIn.HeardMs);
        // It waited the configured 100 ms (timers may fire a few ms early); the upper bound is only a generous sanity limit.
        Assert.InRange(long.Parse(bargeIn.Data["wait_ms"], CultureInfo.InvariantCulture), 80, 5000);
    }

    [Theory]
    [InlineData(200, false)]
    [InlineData(500, false)]
    [InlineData(100, true)]
    public async Task UserSpeaksAfterTheAgentFinished_InterruptsOnlyIfAudioIsStillUnplayed(long playedMs, bool interrupts)
    {
        await using var voice = await VoiceSession.StartAsync(InteractionModes.VoiceConversation);
        await AgentSpeaksAsync(voice, pieces: 2);
        await voice.Backend.AudioDoneAsync(Response, Item);
        await voice.Backend.TranscriptDoneAsync(Response, Item, "Let me tell you");
        await voice.Backend.ResponseDoneAsync(Response);
        var done = await voice.Client.WaitForTypeAsync("audio_done");
        Assert.Equal(200, Payload(done).GetProperty("durationMs").GetInt64());
        await voice.Client.WaitForTypeAsync("status", m => IsStatus(m, "idle") && Seq(m) > Seq(done));
        await voice.Client.SendAsync(Playback(Item, playedMs, interrupted: false));
        await voice.SyncClientAsync();

        await voice.Backend.SpeechStartedAsync(2000);
        await voice.Backend.SpeechStoppedAsync(2600);

        var listening = await voice.Client.WaitForTypeAsync("status", m => IsStatus(m, "listening"));
        var thinking = await voice.Client.WaitForTypeAsync("status", m => IsStatus(m, "thinking") && Seq(m) > Seq(listening));
        await voice.SyncBackendAsync();
        var interrupt = voice.Client.Received.Where(m => Type(m) == "interrupt").ToList();
        // The response is over either way, so there is nothing to cancel.
        Assert.DoesNotContain(voice.Backend.Received, e => (string?)e["type"] == "response.cancel");
        if (interrupts)
        {
            var only = Assert.Single(interrupt);
            Assert.Equal(Item, Payload(only).GetProperty("itemId").GetString());
            Assert.True(Seq(listening) < Seq(only) && Seq(only) < Seq(thinking));
        }
        else
        {
            Assert.Empty(interrupt);
            Assert.DoesNotContain(voice.Backend.Received, e => (string?)e["type"] == "conversation.item.truncate");
        }
    }

    [Fact]
    public async Task ClientInterruptWithPosition_CancelsAndTruncatesThere()
    {
        await using var voice = await VoiceSession.StartAsync(InteractionModes.VoiceConversation);
        await AgentSpeaksAsync(voice);

        await voice.Client.SendAsync("""{"type":"interrupt","payload":{"itemId":"item_a","playedMs":420}}""");

        var interrupt = await voice.Client.WaitForTypeAsync("interrupt");
        Assert.Equal(Item, Payload(interrupt).GetProperty("itemId").GetString());
        Assert.Equal("client", Payload(interrupt).GetProperty("reason").GetString());
        var cancel = await voice.Backend.WaitForAsync("response.cancel");
        var truncate = await voice.Backend.WaitForAsync("conversation.item.truncate");
        Assert.Equal(420, (long)truncate["audio_end_ms"]!);
        Assert.True(voice.Backend.IndexOf(cancel) < voice.Backend.IndexOf(truncate));

        await voice.Backend.AudioDeltaAsync(Response, Item, 100);
        await voice.Backend.ResponseDoneAsync(Response, "cancelled");
        await voice.Client.WaitForTypeAsync("status", m => IsStatus(m, "idle") && Seq(m) > Seq(interrupt));
        Assert.DoesNotContain(voice.Client.Received, m => Type(m) == "audio" && Seq(m) > Seq(interrupt));

        var bargeIn = Assert.Single(await voice.HangUpAsync(), e => e.Type == CallEventType.BargeIn);
        Assert.Equal("client", bargeIn.Reason);
        Assert.Equal(420, bargeIn.HeardMs);
    }

    [Fact]
    public async Task ClientInterruptWithoutPosition_TruncatesAtTheLastPlaybackReport()
    {
        await using var voice = await VoiceSession.StartAsync(InteractionModes.VoiceConversation);
        await AgentSpeaksAsync(voice);
        await voice.Client.SendAsync(Playback(Item, 250, interrupted: false));

        await voice.Client.SendAsync("""{"type":"interrupt"}""");

        Assert.Equal(Item, Payload(await voice.Client.WaitForTypeAsync("interrupt")).GetProperty("itemId").GetString());
        await voice.Backend.WaitForAsync("response.cancel");
        var truncate = await voice.Backend.WaitForAsync("conversation.item.truncate");
        Assert.Equal(Item, (string?)truncate["item_id"]);
        Assert.Equal(250, (long)truncate["audio_end_ms"]!);
    }

    [Fact]
    public async Task UserSpeaksAgainBeforeTheNextAnswersAudio_CancelsThatAnswer_AndLeavesTheHeardItemAlone()
    {
        await using var voice = await VoiceSession.StartAsync(InteractionModes.VoiceConversation,
            settings: new() { ["Switchboard:Sessions:InterruptReplyTimeoutMs"] = "100" });
        // The first answer was spoken and heard to the end.
        await AgentSpeaksAsync(voice, pieces: 2);
        await voice.Backend.AudioDoneAsync(Response, Item);
        await voice.Backend.TranscriptDoneAsync(Response, Item, "Let me tell you");
        await voice.Backend.ResponseDoneAsync(Response);
        await voice.Client.WaitForTypeAsync("audio_done");
        await voice.Client.SendAsync(Playback(Item, 200, interrupted: false));
        await voice.SyncClientAsync();
        // The user answers, pauses long enough for the backend to start the next response, and goes on talking
        // before that response has produced any audio.
        await voice.Backend.SpeechStartedAsync(3000);
        await voice.Backend.SpeechStoppedAsync(3800);
        await voice.Backend.ResponseCreatedAsync("resp_2");
        await voice.Backend.SpeechStartedAsync(4400);

        var interrupt = Payload(await voice.Client.WaitForTypeAsync("interrupt"));
        Assert.Equal("user_speech", interrupt.GetProperty("reason").GetString());
        Assert.False(interrupt.TryGetProperty("itemId", out var itemId) && itemId.GetString() == Item, interrupt.GetRawText());
        await voice.Backend.WaitForAsync("response.cancel");
        await voice.Backend.ResponseDoneAsync("resp_2", "cancelled");
        // Whatever the client says now about the first item, it was not cut off.
        await voice.Client.SendAsync(Playback(Item, 200, interrupted: true));
        await voice.SyncBackendAsync();
        Assert.DoesNotContain(voice.Backend.Received, e => (string?)e["type"] == "conversation.item.truncate");

        var events = await voice.HangUpAsync();
        Assert.DoesNotContain(events, e => e.Type == CallEventType.BargeIn);
        Assert.False(Assert.Single(CallTranscript.Build(events), t => t.ItemId == Item).Interrupted);
    }
}
