using System.Net.WebSockets;
using Switchboard.Agents;
using Switchboard.Agents.Tools;
using Switchboard.Journal;
using Switchboard.Tests.Calls.Harness;

namespace Switchboard.Tests.Calls;

/// <summary>
/// The engine's rules for a leg whose media the backend holds (the SIP connector), hermetically: the leg answers with the
/// session and names the agent leg, nothing configures the session again, playout comes from the backend (with fake time),
/// and the agent leg closing is the end of the call.
/// </summary>
public class CallBridgeRemoteMediaTests
{
    private static FakeRemoteLeg Remote() => new(FakeCallerLeg.Phone());

    [Fact]
    public async Task Start_LegAnswersWithTheSession_TheBridgeAttachesToItsAgentLeg_GreetsWithoutASessionUpdate()
    {
        var remote = Remote();
        var spec = new AgentSpec { Voice = "cedar", Greeting = "Hello from Acme.", Tools = [new ToolSpec { Name = BuiltInTools.EndCall }] };
        await using var h = await BridgeHarness.StartRemoteAsync(remote, spec);

        var session = Assert.Single(remote.Answers);
        Assert.True(session.NegotiatedFormats);
        Assert.Equal("", session.Model);
        Assert.Equal("cedar", session.Voice);
        Assert.Equal("audio", session.OutputModality);
        Assert.Contains(session.Tools, t => t.Name == BuiltInTools.EndCall);
        Assert.Equal(FakeRemoteLeg.Sideband.Url, h.Connector.Endpoint!.Url);
        Assert.Empty(h.Backend.OfType("session.update"));
        Assert.Contains("Hello from Acme.", (await h.Backend.WaitForAsync("response.create")).Str("response", "instructions"), StringComparison.Ordinal);
        var started = Assert.Single(h.Journal.OfType(CallEventType.CallStarted));
        Assert.Equal("openai", started.Data!["backend"]);
        Assert.Equal("gpt-realtime", started.Data["model"]);
        Assert.False(started.Data.ContainsKey("backend_format"));
    }

    [Fact]
    public async Task EndCall_WaitsForTheGoodbyesAudioDuration_NotTheLegsPlayout()
    {
        var remote = Remote();
        await using var h = await BridgeHarness.StartRemoteAsync(remote, new AgentSpec { Tools = [new ToolSpec { Name = BuiltInTools.EndCall }] });

        await h.Backend.ResponseCreatedAsync("resp_1");
        await h.Backend.FunctionCallArgumentsDoneAsync("resp_1", "item_fc", "call_end", BuiltInTools.EndCall, "{}");
        await h.Backend.ResponseDoneAsync("resp_1");
        await h.Backend.WaitForAsync("response.create");
        await h.Backend.ResponseCreatedAsync("resp_2");
        await h.Backend.AudioTranscriptDoneAsync("resp_2", "item_2", "Goodbye!");
        // 40 output tokens, 30 of them audio: 1.5 s of goodbye.
        await h.Backend.ResponseDoneAsync("resp_2", outputTokens: 40);
        await h.SyncAsync();

        h.Advance(TimeSpan.FromMilliseconds(1400));
        await h.SyncAsync();
        Assert.Equal(0, h.Leg.HangUps);
        Assert.False(h.HasEnded);

        h.Advance(TimeSpan.FromMilliseconds(200));
        var ended = await h.EndedAsync();
        Assert.Equal(CallEndReason.AgentEnded, ended.Reason);
        Assert.Equal(1, h.Leg.HangUps);
        Assert.Equal(0, h.Leg.PlayoutWaits);
    }

    [Fact]
    public async Task AgentLegDropsWithoutACloseFrame_TheCallerHungUp()
    {
        await using var h = await BridgeHarness.StartRemoteAsync(Remote());

        h.Backend.Abort();
        var ended = await h.EndedAsync();

        Assert.Equal(CallEndReason.CallerHangup, ended.Reason);
        Assert.Equal(new FakeCallerLeg.Closed(FakeCallerLeg.CloseCodeFor(CallEndReason.CallerHangup), "caller hung up"), h.Leg.Close);
    }

    [Fact]
    public async Task AgentLegClosedWithACloseFrame_TheConnectorEndedTheCall()
    {
        await using var h = await BridgeHarness.StartRemoteAsync(Remote());

        await h.Backend.CloseAsync(WebSocketCloseStatus.NormalClosure, "call over");
        var ended = await h.EndedAsync();

        Assert.Equal(CallEndReason.CarrierClosed, ended.Reason);
        Assert.Contains("call over", ended.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnswerRefused_AsAlreadyEnded_EndsAsTheCallersHangUp_WithoutConnecting()
    {
        var remote = Remote();
        remote.AnswerResult = new(Switchboard.Calls.CallControlStatus.AlreadyEnded, "openai answered 404 to the accept", 404);
        var harness = await BridgeHarness.StartRemoteAsync(remote);
        await using (harness)
        {
            var ended = await harness.EndedAsync();
            Assert.Equal(CallEndReason.CallerHangup, ended.Reason);
            Assert.Null(harness.Connector.Endpoint);
            Assert.Single(harness.Journal.OfType(CallEventType.CallStarted));
        }
    }

    [Fact]
    public async Task SpeechStarted_NoBargeInOfItsOwn_TheBackendStopsItsAudio()
    {
        await using var h = await BridgeHarness.StartRemoteAsync(Remote());

        await h.Backend.ResponseCreatedAsync("resp_1");
        await h.Backend.AudioTranscriptDeltaAsync("resp_1", "item_1", "Let me");
        await h.Backend.SpeechStartedAsync();
        await h.SyncAsync();

        Assert.Empty(h.Leg.Clears);
        Assert.Empty(h.Backend.OfType("response.cancel"));
        Assert.Empty(h.Backend.OfType("conversation.item.truncate"));
    }
}
