using System.Net.WebSockets;
using Switchboard.Calls;
using Switchboard.Cli.Simulation;
using Switchboard.Journal;

namespace Switchboard.IntegrationTests.Gateway;

/// <summary>Whole calls through real Kestrel and the local echo backend over loopback sockets.</summary>
public class CarrierCallTests
{
    [Fact]
    public async Task TwilioCall_EchoAgent_SpeechInAudioBackTranscriptRecordedStopEndsCleanly()
    {
        await using var gateway = await GatewayFixture.StartAsync();

        var result = await CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WebSocketUrl("/twilio"),
            Carrier = CarrierKind.Twilio,
            CallerAudio = CallTestAudio.Speech(),
            TailSeconds = 3,
        });

        // The echo: about as much loud audio came back as the caller spoke.
        var loudMs = CallTestAudio.LoudMs(result.AgentAudio);
        Assert.InRange(loudMs, 1000, 2200);
        Assert.NotNull(result.TimeToFirstAgentAudioMs);
        Assert.InRange(result.TimeToFirstAgentAudioMs!.Value, 100, 2000);
        Assert.Empty(result.ProtocolViolations);
        Assert.Equal(0, result.StaleMediaCount);
        Assert.False(result.ConnectionLost);

        var events = await gateway.WaitForEndedCallAsync();
        var started = Assert.Single(events, e => e.Type == CallEventType.CallStarted);
        Assert.Equal("twilio", started.Data!["carrier"]);
        Assert.Equal(result.Identity.CallId, started.Data["carrier_call_id"]);
        Assert.Equal("pcmu/8000", started.Data["backend_format"]);
        var callerTurn = Assert.Single(events, e => e.Type == CallEventType.CallerTurn);
        Assert.Matches(@"^\(\d+\.\d s of speech\)$", callerTurn.Text);
        var agentTurn = Assert.Single(events, e => e.Type == CallEventType.AgentTurn);
        Assert.Equal("(echo)", agentTurn.Text);
        Assert.False(agentTurn.Interrupted);
        Assert.Equal(CallEndReason.CallerHangup, events.Last().Reason);
        Assert.Equal(0, gateway.Calls.Count);
    }

    [Fact]
    public async Task TwilioCall_CallerHangsUpWhileTheAgentSpeaks_TurnIsJournalledAsInterruptedAtWhatWasHeard()
    {
        // The caller leaves 1.5 s after speaking: the echo (about as long as the speech) is still playing. That turn
        // was cut off like a barge-in, so the journal, the transcript and the artifact must keep it, marked.
        await using var gateway = await GatewayFixture.StartAsync();

        var result = await CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WebSocketUrl("/twilio"),
            Carrier = CarrierKind.Twilio,
            CallerAudio = CallTestAudio.Speech(),
            TailSeconds = 1.5,
        });

        var cut = Assert.Single(result.Turns);
        Assert.Equal(AgentTurnEnd.CallEnded, cut.End);
        var events = await gateway.WaitForEndedCallAsync();
        Assert.Equal(CallEndReason.CallerHangup, events.Last().Reason);
        var transcript = CallTranscript.Build(events);
        var agent = Assert.Single(transcript, t => t.Role == "agent");
        Assert.True(agent.Interrupted);
        // What the gateway says was heard is what the caller's playout really played, within the ledger's precision.
        Assert.InRange(agent.HeardMs!.Value, (long)cut.PlayedMs - 150, (long)cut.PlayedMs + 150);
    }

    [Fact]
    public async Task TwilioCall_InlineIo_EchoBargeInAndJournalWorkOnTheSocketThreads()
    {
        // Performance:InlineIo runs Kestrel's I/O and the relay inline; a whole call, with a barge-in and the
        // journal's database writes, must behave exactly as with thread-pool scheduling.
        // The gateway also sets the runtime's inline-completions variable for its process; keep it out of this one.
        const string inlineVariable = "DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS";
        var previous = Environment.GetEnvironmentVariable(inlineVariable);
        await using var gateway = await GatewayFixture.StartAsync(new Dictionary<string, string?> { ["Switchboard:Performance:InlineIo"] = "true" });
        Assert.Equal("1", Environment.GetEnvironmentVariable(inlineVariable));
        Environment.SetEnvironmentVariable(inlineVariable, previous);

        var result = await CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WebSocketUrl("/twilio"),
            Carrier = CarrierKind.Twilio,
            CallerAudio = CallTestAudio.Speech(),
            TailSeconds = 3,
        });

        Assert.InRange(CallTestAudio.LoudMs(result.AgentAudio), 1000, 2200);
        Assert.Empty(result.ProtocolViolations);
        Assert.False(result.ConnectionLost);
        var events = await gateway.WaitForEndedCallAsync();
        Assert.Contains(events, e => e.Type == CallEventType.CallerTurn);
        Assert.Contains(events, e => e.Type == CallEventType.AgentTurn && e.Text == "(echo)");
        Assert.Equal(CallEndReason.CallerHangup, events.Last().Reason);
    }

    [Theory]
    [InlineData("Pcmu", 8000, "pcmu/8000")]
    [InlineData("Pcma", 8000, "pcma/8000")]
    [InlineData("L16", 16000, "pcm16le/24000")]
    public async Task TelnyxCall_EachCodec_EchoComesBackInTheStreamFormat(string codec, int rate, string backendFormat)
    {
        await using var gateway = await GatewayFixture.StartAsync(new Dictionary<string, string?> { ["Switchboard:Telnyx:StreamToken"] = "tel-secret" });

        var result = await CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WebSocketUrl("/telnyx"),
            Carrier = CarrierKind.Telnyx,
            Codec = Enum.Parse<MediaCodec>(codec),
            SampleRate = rate,
            Token = "tel-secret",
            CallerAudio = CallTestAudio.Speech(),
            TailSeconds = 3,
            Parameters = [new("tenant", "acme")],
        });

        Assert.InRange(CallTestAudio.LoudMs(result.AgentAudio), 1000, 2200);
        Assert.Empty(result.ProtocolViolations);
        var events = await gateway.WaitForEndedCallAsync();
        var started = Assert.Single(events, e => e.Type == CallEventType.CallStarted);
        Assert.Equal(("telnyx", backendFormat), (started.Data!["carrier"], started.Data["backend_format"]));
        Assert.Equal(result.Identity.CallId, started.Data["carrier_call_id"]);
        Assert.Contains(events, e => e.Type == CallEventType.CallerTurn);
        Assert.Contains(events, e => e.Type == CallEventType.AgentTurn && e.Text == "(echo)");
        Assert.Equal(CallEndReason.CallerHangup, events.Last().Reason);
    }

    [Fact]
    public async Task Dtmf_FromCaller_IsJournaled()
    {
        await using var gateway = await GatewayFixture.StartAsync();
        await CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WebSocketUrl("/twilio"),
            CallerAudio = CallTestAudio.Speech(300),
            TailSeconds = 1,
            Dtmf = [new DtmfPress('7', 400)],
        });
        var events = await gateway.WaitForEndedCallAsync();
        Assert.Equal("7", Assert.Single(events, e => e.Type == CallEventType.Dtmf).Digit);
    }
}
