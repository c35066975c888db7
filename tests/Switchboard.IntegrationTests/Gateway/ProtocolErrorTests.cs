using System.Net.WebSockets;
using System.Text;
using Switchboard.Cli.Simulation;
using Switchboard.Journal;

namespace Switchboard.IntegrationTests.Gateway;

/// <summary>Hostile or broken carrier input ends that one stream with a precise close code while another call carries on.</summary>
public class ProtocolErrorTests
{
    private static async Task<GatewayClose> SendAndWaitForCloseAsync(GatewayFixture gateway, Func<SimulatedCarrierConnection, Task> misbehave)
    {
        await using var connection = await SimulatedCarrierConnection.ConnectAsync(gateway.WebSocketUrl("/twilio"), new TwilioCallerProtocol(CallIdentity.NewTwilio()));
        await misbehave(connection);
        return await connection.WaitForCloseAsync(TimeSpan.FromSeconds(5));
    }

    private static async Task StartAsync(SimulatedCarrierConnection c)
    {
        await c.SendConnectedAsync();
        await c.SendStartAsync();
    }

    public static TheoryData<string, int, string> Cases => new()
    {
        { "malformed-json", (int)WebSocketCloseStatus.InvalidPayloadData, "malformed JSON" },
        { "invalid-base64", (int)WebSocketCloseStatus.InvalidPayloadData, "base64" },
        { "media-before-start", (int)WebSocketCloseStatus.ProtocolError, "before 'start'" },
        { "oversized", (int)WebSocketCloseStatus.MessageTooBig, "exceeds" },
        { "binary", (int)WebSocketCloseStatus.InvalidMessageType, "binary" },
        { "no-event", (int)WebSocketCloseStatus.InvalidPayloadData, "event" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BadFrame_ClosesThatStreamWithPreciseCode_ConcurrentCallUnaffected(string kind, int expectedCode, string reasonFragment)
    {
        await using var gateway = await GatewayFixture.StartAsync();
        var goodCall = CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WebSocketUrl("/twilio"),
            CallerAudio = CallTestAudio.Speech(),
            TailSeconds = 3,
        });

        await Task.Delay(700);
        var close = await SendAndWaitForCloseAsync(gateway, kind switch
        {
            "malformed-json" => async c => { await StartAsync(c); await c.SendRawAsync("{\"event\":\"media\",\"media\":{\"payload\":"); },
            "invalid-base64" => async c => { await StartAsync(c); await c.SendRawAsync("{\"event\":\"media\",\"streamSid\":\"MZ1\",\"media\":{\"payload\":\"@@not base64@@\"}}"); },
            "media-before-start" => async c => { await c.SendConnectedAsync(); await c.SendMediaAsync(new byte[160]); },
            "oversized" => async c => { await StartAsync(c); await c.SendRawAsync(new string('x', 70 * 1024)); },
            "binary" => async c => { await StartAsync(c); await c.SendRawAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary); },
            "no-event" => async c => { await StartAsync(c); await c.SendRawAsync("{\"media\":{}}"); },
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        });

        Assert.False(close.TimedOut, "the gateway did not close the bad stream");
        Assert.Equal(expectedCode, (int?)close.Status);
        Assert.Contains(reasonFragment, close.Description, StringComparison.OrdinalIgnoreCase);

        var good = await goodCall;
        Assert.InRange(CallTestAudio.LoudMs(good.AgentAudio), 1000, 2200);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, good.CloseStatus);
        var calls = await gateway.AllCallsAsync();
        Assert.Contains(calls.Values, events => events.Any(e => e.Type == CallEventType.CallEnded && e.Reason == CallEndReason.CallerHangup)
                                              && events.Any(e => e.Type == CallEventType.AgentTurn));
    }

    [Fact]
    public async Task UnknownEvent_IgnoredByDefault_CallContinues()
    {
        await using var gateway = await GatewayFixture.StartAsync();
        await using var c = await SimulatedCarrierConnection.ConnectAsync(gateway.WebSocketUrl("/twilio"), new TwilioCallerProtocol(CallIdentity.NewTwilio()));
        await StartAsync(c);
        await c.SendRawAsync("{\"event\":\"brand_new_twilio_event\",\"streamSid\":\"x\"}");
        await c.SendMediaAsync(new byte[160].Select(_ => (byte)0xFF).ToArray());
        await c.SendStopAsync();
        var close = await c.WaitForCloseAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(WebSocketCloseStatus.NormalClosure, close.Status);
        var events = await gateway.WaitForEndedCallAsync();
        Assert.Equal(CallEndReason.CallerHangup, events.Last().Reason);
    }

    [Fact]
    public async Task UnknownEvent_WithClosePolicy_ClosesWithReason()
    {
        await using var gateway = await GatewayFixture.StartAsync(new Dictionary<string, string?> { ["Switchboard:Bridge:UnknownCarrierEvents"] = "close" });
        var close = await SendAndWaitForCloseAsync(gateway, async c => { await StartAsync(c); await c.SendRawAsync("{\"event\":\"brand_new_twilio_event\"}"); });
        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, close.Status);
        Assert.Contains("brand_new_twilio_event", close.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NoStart_WithinTimeout_ClosesWithPolicyViolation()
    {
        await using var gateway = await GatewayFixture.StartAsync(new Dictionary<string, string?> { ["Switchboard:Bridge:StartTimeoutSeconds"] = "1" });
        var close = await SendAndWaitForCloseAsync(gateway, c => c.SendConnectedAsync());
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, close.Status);
        Assert.Contains("no start", close.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EscapedBase64Payload_IsAcceptedAndForwarded()
    {
        await using var gateway = await GatewayFixture.StartAsync();
        await using var c = await SimulatedCarrierConnection.ConnectAsync(gateway.WebSocketUrl("/twilio"), new TwilioCallerProtocol(CallIdentity.NewTwilio()));
        await StartAsync(c);
        // Some JSON encoders escape '/' and '+'; the payload is still valid base64 once unescaped.
        var payload = Convert.ToBase64String(Enumerable.Repeat((byte)0xFF, 159).Append((byte)0xFE).ToArray()).Replace("/", "\\/", StringComparison.Ordinal);
        await c.SendRawAsync("{\"event\":\"media\",\"media\":{\"payload\":\"" + payload + "\"}}");
        await c.SendStopAsync();
        var close = await c.WaitForCloseAsync(TimeSpan.FromSeconds(5));
        Assert.Equal(WebSocketCloseStatus.NormalClosure, close.Status);
        _ = Encoding.UTF8;
    }
}
