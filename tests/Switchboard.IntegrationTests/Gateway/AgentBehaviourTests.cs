using System.Diagnostics;
using System.Net.WebSockets;
using Switchboard.Audio;
using Switchboard.Cli.Simulation;
using Switchboard.Journal;

namespace Switchboard.IntegrationTests.Gateway;

/// <summary>Greeting, forced transcoding, call limits and function calls through the whole gateway.</summary>
public class AgentBehaviourTests
{
    private static string RepoFile(string relative) => RepoPaths.File(relative);

    [Fact]
    public async Task Greeting_Configured_AgentSpeaksBeforeTheCaller()
    {
        await using var gateway = await GatewayFixture.StartAsync(new Dictionary<string, string?> { ["Switchboard:Agent:Greeting"] = "Hello, thanks for calling." });
        var result = await CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WebSocketUrl("/twilio"),
            CallerAudio = CallTestAudio.Speech(500),
            LeadInSeconds = 2,
            TailSeconds = 2,
        });

        Assert.NotNull(result.FirstAgentAudioPlayedMs);
        Assert.True(result.FirstAgentAudioPlayedMs < 2000, $"first agent audio at {result.FirstAgentAudioPlayedMs} ms, the caller spoke at 2000 ms");
        var events = await gateway.WaitForEndedCallAsync();
        Assert.Contains(events, e => e.Type == CallEventType.AgentTurn && e.Text == "(chime)");
    }

    [Fact]
    public async Task ForcedPcm24Backend_TwilioCall_TranscodesBothWaysAndBargeInStillTruncates()
    {
        await using var gateway = await GatewayFixture.StartAsync(new Dictionary<string, string?> { ["Switchboard:Agent:AudioFormat"] = "pcm24" });
        var result = await CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WebSocketUrl("/twilio"),
            CallerAudio = CallTestAudio.Speech(2000),
            BargeInAudio = CallTestAudio.Speech(600),
            BargeInAtSeconds = [3.6],
            TailSeconds = 2,
        });

        Assert.Equal(0, result.StaleMediaCount);
        var interrupted = Assert.Single(result.Turns, t => t.Interrupted);
        Assert.InRange(interrupted.PlayedMs, 300, 2100);
        var events = await gateway.WaitForEndedCallAsync();
        Assert.Equal("pcm16le/24000", events.First(e => e.Type == CallEventType.CallStarted).Data!["backend_format"]);
        var bargeIn = Assert.Single(events, e => e.Type == CallEventType.BargeIn);
        Assert.InRange(bargeIn.HeardMs!.Value, interrupted.PlayedMs - 20, interrupted.PlayedMs + 20);
        Assert.DoesNotContain(events, e => e.Type == CallEventType.BackendError);
    }

    [Fact]
    public async Task MaxCallSeconds_Reached_StreamClosedNormallyWithReason()
    {
        await using var gateway = await GatewayFixture.StartAsync(new Dictionary<string, string?> { ["Switchboard:Bridge:MaxCallSeconds"] = "1" });
        var result = await CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WebSocketUrl("/twilio"),
            CallerAudio = CallTestAudio.Speech(3000),
            TailSeconds = 1,
        });

        Assert.True(result.GatewayClosedFirst);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, result.CloseStatus);
        Assert.Equal("maximum call duration reached", result.CloseDescription);
        var events = await gateway.WaitForEndedCallAsync();
        Assert.Equal(CallEndReason.MaxDuration, events.Last().Reason);
    }

    [Fact]
    public async Task ScriptedFunctionCall_ToolNotDeclared_ModelGetsUnknownToolErrorAndTheScriptContinues()
    {
        await using var gateway = await GatewayFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Switchboard:Local:Mode"] = "Scripted",
            ["Switchboard:Local:ScenarioPath"] = RepoFile("samples/scenarios/order-status.json"),
        });

        // Two caller turns: the first gets the echo, the second the scripted lookup_order call.
        var speech = CallTestAudio.Speech(800).Samples;
        var twoTurns = new short[speech.Length * 2 + 8000 * 5 / 2];
        speech.CopyTo(twoTurns, 0);
        speech.CopyTo(twoTurns, twoTurns.Length - speech.Length);
        await CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WebSocketUrl("/twilio"),
            CallerAudio = new WavAudio(twoTurns, 8000),
            TailSeconds = 4,
        });

        var events = await gateway.WaitForEndedCallAsync();
        var tool = Assert.Single(events, e => e.Type == CallEventType.ToolCall);
        Assert.Equal("lookup_order", tool.Text);
        Assert.Contains("A-1042", tool.Data!["arguments"], StringComparison.Ordinal);
        Assert.Contains("unknown_tool", tool.Detail, StringComparison.Ordinal);
        Assert.Equal("unknown_tool", tool.Reason);
        Assert.Contains(events, e => e.Type == CallEventType.AgentTurn && e.Text == "Order A-1042 ships tomorrow.");
    }

    [Fact]
    public async Task GatewayShutdown_DuringACall_CallerGets1001WithReasonAndTheJournalSaysWhy()
    {
        await using var gateway = await GatewayFixture.StartAsync();
        var call = CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WebSocketUrl("/twilio"),
            CallerAudio = CallTestAudio.Speech(4000),
            TailSeconds = 2,
        });
        await Task.Delay(1500);
        var stopping = Stopwatch.StartNew();
        await gateway.App.StopAsync();
        stopping.Stop();

        var result = await call;
        Assert.True(result.GatewayClosedFirst);
        Assert.Equal(WebSocketCloseStatus.EndpointUnavailable, result.CloseStatus);
        Assert.Equal("gateway shutting down", result.CloseDescription);
        Assert.True(stopping.Elapsed < TimeSpan.FromSeconds(10), $"shutdown took {stopping.Elapsed}");
        var events = await gateway.WaitForEndedCallAsync();
        Assert.Equal(CallEndReason.GatewayShutdown, events.Last().Reason);
    }
}
