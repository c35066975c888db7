using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Switchboard.Control;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.IntegrationTests.Webhooks;
using Switchboard.Journal;
using static Switchboard.IntegrationTests.Webhooks.WebhookTestKit;

namespace Switchboard.IntegrationTests.Compatibility;

/// <summary>
/// Telnyx-fronted apps start streams with a flat <c>start</c> and put their own ids in <c>client_state</c>; those ids are the
/// call's metadata in its record, artifact and webhooks.
/// </summary>
public class CallMetadataTests
{
    private const string ClientState = """{"touch_run_id":"run-77","lead_id":"lead-5","account_id":"acct-9","source":"dialer"}""";

    [Fact]
    public async Task TelnyxFlatStart_IsAcceptedAndClientStateIsTheCallMetadataEverywhere()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var gateway = await GatewayFixture.StartAsync(Settings(new() { ["Switchboard:Telnyx:StreamToken"] = "tel-secret" }));
        var (_, _) = await SubscribeAsync(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.ManageEndpoints), receiver.Url,
            ["call.started", "call.ended", "call.artifact"]);

        using (var socket = new ClientWebSocket())
        {
            await socket.ConnectAsync(new Uri(gateway.WebSocketUrl("/telnyx?token=tel-secret")), CancellationToken.None);
            var state = Convert.ToBase64String(Encoding.UTF8.GetBytes(ClientState));
            await SendAsync(socket, $$"""{"event":"start","stream_id":"s1","call_control_id":"cc1","client_state":"{{state}}"}""");
            var silence = Convert.ToBase64String(Enumerable.Repeat((byte)0xFF, 160).ToArray());
            for (var i = 0; i < 10; i++)
            {
                await SendAsync(socket, $$$"""{"event":"media","stream_id":"s1","media":{"track":"inbound","payload":"{{{silence}}}"}}""");
            }

            await SendAsync(socket, """{"event":"stop","stream_id":"s1"}""");
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
            await DrainAsync(socket);
        }

        var events = await gateway.WaitForEndedCallAsync();
        var started = Assert.Single(events, e => e.Type == CallEventType.CallStarted);
        Assert.Equal(("telnyx", "cc1", "s1"), (started.Data!["carrier"], started.Data["carrier_call_id"], started.Data["stream_id"]));
        Assert.Equal(CallEndReason.CallerHangup, events.Last().Reason);

        var expected = JsonDocument.Parse(ClientState).RootElement.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());
        using var http = Client(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.ReadCalls));
        var detail = JsonDocument.Parse(await http.GetStringAsync($"/api/v1/calls/{started.CallId}")).RootElement;
        Assert.Equal(expected, Entries(detail.GetProperty("metadata")));
        Assert.Equal(expected, Entries(detail.GetProperty("artifact").GetProperty("metadata")));
        var list = JsonDocument.Parse(await http.GetStringAsync("/api/v1/calls")).RootElement;
        Assert.Equal(expected, Entries(list.GetProperty("calls")[0].GetProperty("metadata")));

        var received = await receiver.WaitForAsync(r => r.Count == 3);
        Assert.Equal(["call.artifact", "call.ended", "call.started"], received.Select(r => r.Type).Order());
        Assert.All(received, r => Assert.True(expected.OrderBy(p => p.Key).SequenceEqual(Entries(r.Json.GetProperty("data").GetProperty("metadata")).OrderBy(p => p.Key)), r.Type));
    }

    [Fact]
    public async Task TwilioCustomParameters_AreMetadataButRoutingParametersAreNot()
    {
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings());
        var endpoint = SessionApi.DefaultEndpoint(gateway);
        var token = await CarrierBinding.TokenAsync(gateway, endpoint.Id);
        using (var socket = new ClientWebSocket())
        {
            await socket.ConnectAsync(new Uri(gateway.WebSocketUrl("/twilio")), CancellationToken.None);
            await SendAsync(socket, """{"event":"connected","protocol":"Call","version":"1.0.0"}""");
            await SendAsync(socket, $$$$"""
                {"event":"start","sequenceNumber":"1","streamSid":"MZ1","start":{"streamSid":"MZ1","callSid":"CA1","accountSid":"AC1","tracks":["inbound"],
                 "mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1},
                 "customParameters":{"endpointId":"{{{{endpoint.Id}}}}","endpointToken":"{{{{token}}}}","lead_id":"lead-1","campaign":"spring"}}}
                """);
            await SendAsync(socket, """{"event":"stop","sequenceNumber":"2","streamSid":"MZ1","stop":{"callSid":"CA1"}}""");
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
            await DrainAsync(socket);
        }

        var events = await gateway.WaitForEndedCallAsync();
        var started = Assert.Single(events, e => e.Type == CallEventType.CallStarted);
        Assert.Equal(endpoint.Id.ToString("D"), started.Data![CallEventKeys.EndpointId]);
        var record = await gateway.Store.GetCallAsync(null, started.CallId, CancellationToken.None);
        Assert.Equal(new Dictionary<string, string> { ["campaign"] = "spring", ["lead_id"] = "lead-1" }, CallMetadata.Parse(record!.Metadata));
    }

    private static Dictionary<string, string?> Entries(JsonElement metadata) =>
        metadata.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString());

    /// <summary>Reads until the gateway closes (its side of the close handshake), so the call has ended before the socket goes.</summary>
    private static async Task DrainAsync(ClientWebSocket socket)
    {
        var buffer = new byte[16 * 1024];
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
        {
            var result = await socket.ReceiveAsync(buffer, timeout.Token);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                Console.WriteLine($"closed {socket.CloseStatus} {socket.CloseStatusDescription}");
                return;
            }
        }
    }

    private static Task SendAsync(ClientWebSocket socket, string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);
}
