using Switchboard.Cli.Simulation;
using Switchboard.Journal;

namespace Switchboard.IntegrationTests.Gateway;

/// <summary>Barge-in against the local echo agent, with a carrier that buffers and plays out late.</summary>
public class BargeInTests
{
    [Theory]
    [InlineData(60)]
    [InlineData(300)]
    public async Task BargeIn_WhileAgentSpeaks_ClearSentTruncateMatchesWhatWasHeardNoStaleMedia(double playoutDelayMs)
    {
        await using var gateway = await GatewayFixture.StartAsync();

        // Caller speaks 0.5–2.5 s; the echo starts ~0.5 s after and lasts ~2 s; the caller interrupts at 3.6 s.
        var result = await CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WebSocketUrl("/twilio"),
            CallerAudio = CallTestAudio.Speech(2000),
            BargeInAudio = CallTestAudio.Speech(800),
            BargeInAtSeconds = [3.6],
            PlayoutDelayMs = playoutDelayMs,
            TailSeconds = 2,
        });

        var bargeIn = Assert.Single(result.BargeIns);
        Assert.NotNull(bargeIn.ClearAfterMs);
        Assert.InRange(bargeIn.ClearAfterMs!.Value, 0, 400);
        Assert.NotEmpty(result.Clears);
        Assert.Equal(0, result.StaleMediaCount);
        Assert.Empty(result.ProtocolViolations);

        var interrupted = Assert.Single(result.Turns, t => t.Interrupted);
        var events = await gateway.WaitForEndedCallAsync();
        var recorded = Assert.Single(events, e => e.Type == CallEventType.BargeIn);
        // The truncation point is what the caller actually heard (the simulated carrier's playout), within 20 ms.
        Assert.InRange(recorded.HeardMs!.Value, interrupted.PlayedMs - 20, interrupted.PlayedMs + 20);
        Assert.True(recorded.HeardMs <= recorded.GeneratedMs);
        // The gateway's own barge-in latency (speech_started received → clear sent) is journaled with it.
        Assert.InRange(long.Parse(recorded.Data!["clear_us"], System.Globalization.CultureInfo.InvariantCulture), 0, 200_000);
        Assert.DoesNotContain(events, e => e.Type == CallEventType.BackendError);
        var agentTurns = events.Where(e => e.Type == CallEventType.AgentTurn).ToList();
        Assert.Contains(agentTurns, t => t.ItemId == recorded.ItemId);

        // The transcript view marks the interrupted agent turn, with what the caller heard of it.
        var transcript = CallTranscript.Build(events);
        var cut = Assert.Single(transcript, t => t.Role == "agent" && t.Interrupted);
        Assert.Equal(recorded.HeardMs, cut.HeardMs);
        Assert.Contains(transcript, t => t.Role == "caller");
    }
}
