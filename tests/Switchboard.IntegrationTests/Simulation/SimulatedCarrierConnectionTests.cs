using System.Net.WebSockets;
using Switchboard.Cli.Simulation;

namespace Switchboard.IntegrationTests.Simulation;

public sealed class SimulatedCarrierConnectionTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Connection_StepByStep_SendsProtocolAndRawFramesAndSeesTheClose()
    {
        // The fake closes with 1007 on the first message that is not JSON, as a strict gateway should.
        await using var gateway = await FakeGateway.StartAsync(async (s, ct) =>
        {
            while (await s.ReceiveAsync(ct) is { } message)
            {
                if (message.Json is null)
                {
                    await s.SendMarkAsync("late", streamSid: null);
                    await s.CloseAsync(WebSocketCloseStatus.InvalidPayloadData, "malformed JSON", ct);
                    await s.DrainAsync(ct);
                    return;
                }
            }
        });

        var protocol = new TwilioCallerProtocol(CallIdentity.NewTwilio());
        await using var connection = await SimulatedCarrierConnection.ConnectAsync(
            gateway.WsUrl("/twilio"), protocol, headers: [new("X-Test", "1")], timeout: Timeout);
        await connection.SendMediaAsync(new byte[160]); // media before start: allowed on the wire, the gateway decides
        await connection.SendConnectedAsync();
        await connection.SendStartAsync([new("tenant", "acme")]);
        await connection.SendMediaAsync(Enumerable.Repeat((byte)0xFF, 160).ToArray());
        await connection.SendDtmfAsync('7');
        await connection.SendRawAsync("""{"event":"media","streamSid":"x","media":{"payload":"***"}}""");
        await connection.SendRawAsync("{not json");

        var close = await connection.WaitForCloseAsync(Timeout);
        Assert.Equal(WebSocketCloseStatus.InvalidPayloadData, close.Status);
        Assert.Equal("malformed JSON", close.Description);
        Assert.False(close.TimedOut);
        var late = Assert.Single(close.Messages);
        Assert.Equal(GatewayMessageKind.Invalid, late.Kind); // Twilio requires streamSid on the mark
        await connection.CloseOutputAsync();

        var session = await gateway.FinishedSessionAsync(Timeout);
        Assert.Equal("1", session.Headers["X-Test"]);
        var texts = session.Received.Select(m => m.Event ?? m.Text).ToList();
        Assert.Equal(["media", "connected", "start", "media", "dtmf", "media", "{not json"], texts);
        Assert.Equal("2", session.Received[3].Root.GetProperty("media").GetProperty("chunk").GetString());
        Assert.Equal("20", session.Received[3].Root.GetProperty("media").GetProperty("timestamp").GetString());
        Assert.Equal(2, connection.MediaFramesSent);
    }

    [Fact]
    public async Task Connection_BadUrl_IsRejectedBeforeConnecting()
    {
        var error = await Assert.ThrowsAsync<SimulationException>(() =>
            SimulatedCarrierConnection.ConnectAsync("http://127.0.0.1:1/twilio", new TwilioCallerProtocol(CallIdentity.NewTwilio())));
        Assert.Contains("not a WebSocket URL", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Connection_Telnyx401_ReportsRejectedToken()
    {
        await using var gateway = await FakeGateway.StartAsync((s, ct) => s.DrainAsync(ct), reject: _ => 401);
        var protocol = new TelnyxCallerProtocol(CallIdentity.NewTelnyx(), new StreamFormat(MediaCodec.Pcmu, 8000));
        var error = await Assert.ThrowsAsync<SimulationException>(() =>
            SimulatedCarrierConnection.ConnectAsync(gateway.WsUrl("/telnyx"), protocol, token: "nope", timeout: Timeout));
        Assert.Contains("gateway rejected the token", error.Message, StringComparison.Ordinal);
    }
}
