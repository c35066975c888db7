using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.Journal;
using Switchboard.Limits;

namespace Switchboard.IntegrationTests.Limits;

/// <summary>
/// Issue 21, part 5: a WebSocket protocol violation on a carrier stream or a session socket gets its RFC 6455 close code
/// (1002 a continuation frame first, 1007 invalid UTF-8 in a text message, 1009 a message over the limit, 1008 a frame
/// that never completes), then the TCP connection ends with a FIN, not a reset; the call ends with a clear reason and
/// its concurrency slot is freed.
/// </summary>
public class ProtocolViolationTests
{
    /// <summary>
    /// The client answers the close this late (well inside the gateway's idle window): a gateway that ends the connection
    /// without lingering, or takes a disposed socket's state for a completed handshake, then resets it every time.
    /// </summary>
    private static readonly TimeSpan AnswerDelay = TimeSpan.FromMilliseconds(200);

    private static Dictionary<string, string?> Settings()
    {
        var settings = SessionApi.Settings();
        settings["Switchboard:Bridge:MediaTimeoutSeconds"] = "1";
        settings["Switchboard:Limits:IdleWarningSeconds"] = "0";
        settings["Switchboard:Limits:IdleTimeoutSeconds"] = "0";
        return settings;
    }

    public static TheoryData<string, int, string> CarrierViolations => new()
    {
        { "continuation first", 1002, CallEndReason.CarrierProtocolError },
        { "invalid UTF-8", 1007, CallEndReason.CarrierProtocolError },
        { "message too big", 1009, CallEndReason.CarrierProtocolError },
        { "frame never completes", 1008, CallEndReason.MediaTimeout },
    };

    [Theory]
    [MemberData(nameof(CarrierViolations))]
    public async Task TwilioStream_Violation_ClosesWithItsCode_ThenFin_CallEnds_SlotFreed(string violation, int code, string endReason)
    {
        await using var gateway = await GatewayFixture.StartAsync(Settings());
        var endpoint = SessionApi.DefaultEndpoint(gateway);
        var token = await CarrierBinding.TokenAsync(gateway, endpoint.Id);
        await using var socket = await RawFrameSocket.ConnectAsync(gateway.WebSocketUrl("/twilio"));
        await socket.SendTextAsync("""{"event":"connected","protocol":"Call","version":"1.0.0"}""");
        await socket.SendTextAsync("""
            {"event":"start","sequenceNumber":"1","streamSid":"MZ1","start":{"streamSid":"MZ1","accountSid":"AC0","callSid":"CA1","tracks":["inbound"],
             "customParameters":{"endpointId":"@id@","endpointToken":"@token@"},"mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1}}}
            """.Replace("@id@", endpoint.Id.ToString("D"), StringComparison.Ordinal).Replace("@token@", token, StringComparison.Ordinal));
        await WaitAsync(() => gateway.Calls.Count == 1, "the call to start");

        await SendViolationAsync(socket, violation);

        var (closeCode, reason, reset) = await socket.ReadCloseAsync(TimeSpan.FromSeconds(15), AnswerDelay);
        Assert.Equal(code, closeCode);
        Assert.False(reset, $"the connection was reset after the close ({closeCode} '{reason}'): {socket.LastEnd}");
        var events = await gateway.WaitForEndedCallAsync(timeout: TimeSpan.FromSeconds(15));
        Assert.Equal(endReason, events.Last().Reason);
        await AssertSlotsFreedAsync(gateway);
    }

    [Theory]
    [InlineData("continuation first", 1002)]
    [InlineData("invalid UTF-8", 1007)]
    public async Task SessionSocket_Violation_ClosesWithItsCode_ThenFin_CallEnds(string violation, int code)
    {
        await using var gateway = await GatewayFixture.StartAsync(Settings());
        var key = await SessionApi.CreateKeyAsync(gateway);
        var session = await SessionApi.CreateSessionAsync(gateway, key);
        await using var socket = await RawFrameSocket.ConnectAsync(session.WsUrl);
        await WaitAsync(() => gateway.Calls.Count == 1, "the session's call to start");

        await SendViolationAsync(socket, violation);

        var (closeCode, reason, reset) = await socket.ReadCloseAsync(TimeSpan.FromSeconds(15), AnswerDelay);
        Assert.Equal(code, closeCode);
        Assert.False(reset, $"the connection was reset after the close ({closeCode} '{reason}'): {socket.LastEnd}");
        var events = await gateway.WaitForEndedCallAsync(timeout: TimeSpan.FromSeconds(15));
        Assert.Equal(CallEndReason.CarrierProtocolError, events.Last().Reason);
        await AssertSlotsFreedAsync(gateway);
    }

    private static async Task SendViolationAsync(RawFrameSocket socket, string violation)
    {
        switch (violation)
        {
            case "continuation first":
                await socket.SendFrameAsync(0x0, true, Encoding.UTF8.GetBytes("""{"event":"media"}"""));
                break;
            case "invalid UTF-8":
                await socket.SendFrameAsync(0x1, true, [(byte)'{', (byte)'"', 0xFF, 0xFE, (byte)'"', (byte)'}']);
                break;
            case "message too big":
                await socket.SendFrameAsync(0x1, true, Encoding.UTF8.GetBytes("{\"event\":\"media\",\"x\":\"" + new string('a', 70 * 1024) + "\"}"));
                break;
            default:
                // Announces 10 MB, sends 1 KB, then nothing.
                await socket.SendFrameAsync(0x1, true, Encoding.UTF8.GetBytes(new string(' ', 1024)), announced: 10 * 1024 * 1024);
                break;
        }
    }

    private static async Task AssertSlotsFreedAsync(GatewayFixture gateway)
    {
        var slots = gateway.App.Services.GetRequiredService<ConcurrencySlots>();
        await WaitAsync(() => gateway.Calls.Count == 0 && slots.Total == 0, "the call and its slot to be released");
    }

    private static async Task WaitAsync(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out waiting for " + what);
            await Task.Delay(20);
        }
    }
}
