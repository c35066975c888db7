using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Switchboard.Cli.Simulation;
using Switchboard.Diagnostics;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.RateLimiting;

namespace Switchboard.IntegrationTests.Compatibility;

/// <summary>The milestone lines operators' log alerts match: one INFO line each, with the call id, in the order they happen.</summary>
public class MilestoneLogTests
{
    [Theory]
    [InlineData("twilio", "TWILIO_START")]
    [InlineData("telnyx", "TELNYX_START")]
    public async Task Call_LogsItsMilestonesInOrder_WithTheCallId(string carrierName, string startName)
    {
        var carrier = carrierName == "twilio" ? CarrierKind.Twilio : CarrierKind.Telnyx;
        var logs = new LogCapture();
        var settings = new Dictionary<string, string?>
        {
            ["Switchboard:Telnyx:StreamToken"] = "tel-secret",
            ["Logging:LogLevel:Switchboard"] = "Information",
        };
        await using var gateway = await GatewayFixture.StartAsync(settings, builder => builder.Services.AddSingleton<ILoggerProvider>(logs));

        await CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WebSocketUrl(carrier == CarrierKind.Twilio ? "/twilio" : "/telnyx?token=tel-secret"),
            Carrier = carrier,
            CallerAudio = CallTestAudio.Speech(),
            TailSeconds = 2.5,
        });
        var events = await gateway.WaitForEndedCallAsync();
        var callId = events[0].CallId;

        int[] ids = [EventIds.MilestoneStart, EventIds.MilestoneBackendConnect, EventIds.MilestoneBackendReady, EventIds.MilestoneFirstAudioSent, EventIds.MilestoneEnd];
        var lines = logs.Lines.Where(l => ids.Contains(l.EventId)).Select(l => l.Text).ToList();
        Assert.Equal([startName, "OPENAI_CONNECT", "OPENAI_READY", "FIRST_AUDIO_SENT", "CALL_END"], lines.Select(l => l.Split(' ')[0]));
        Assert.All(lines, l => Assert.Contains("call=" + callId + " ", l + " ", StringComparison.Ordinal));
        Assert.Contains("reason=caller_hangup", lines[^1], StringComparison.Ordinal);
    }
}
