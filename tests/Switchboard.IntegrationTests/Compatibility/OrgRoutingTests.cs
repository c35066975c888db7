using System.Net;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Switchboard.Control;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.Journal;
using static Switchboard.IntegrationTests.Webhooks.WebhookTestKit;

namespace Switchboard.IntegrationTests.Compatibility;

/// <summary>
/// Multi-tenant Twilio voice servers route by org: <c>POST /twiml/start?orgId=</c> and <c>WS /ws/twilio?orgId&amp;callSid&amp;from</c>,
/// an org being an endpoint's <c>externalId</c> (unique per team) in the default team.
/// </summary>
public class OrgRoutingTests
{
    private static async Task<Guid> CreateOrgEndpointAsync(HttpClient http, string name, string externalId, HttpStatusCode expected = HttpStatusCode.Created)
    {
        using var response = await http.PostAsync("/api/v1/endpoints", Json($$"""{"name":"{{name}}","externalId":"{{externalId}}","instructions":"Org {{name}}."}"""));
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {text}");
        return expected == HttpStatusCode.Created ? JsonDocument.Parse(text).RootElement.GetProperty("id").GetGuid() : Guid.Empty;
    }

    [Fact]
    public async Task TwimlStart_ByOrgId_ConnectsToThatOrgsEndpoint_AndExternalIdsAreUniquePerTeam()
    {
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings());
        using var http = Client(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.ManageEndpoints));
        var org = await CreateOrgEndpointAsync(http, "acme", "org-7");

        // The same external id again in the team is a conflict naming it; another team may use it.
        using (var clash = await http.PostAsync("/api/v1/endpoints", Json("""{"name":"acme-2","externalId":"org-7"}""")))
        {
            Assert.Equal(HttpStatusCode.Conflict, clash.StatusCode);
            Assert.Contains("externalId 'org-7'", await clash.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var other = await SessionApi.CreateTeamAsync(gateway);
        using var otherHttp = Client(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.ManageEndpoints, other.Id));
        await CreateOrgEndpointAsync(otherHttp, "elsewhere", "org-8");
        using (var bad = await http.PostAsync("/api/v1/endpoints", Json("""{"name":"bad","externalId":"has space"}""")))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("externalId", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        }

        var read = JsonDocument.Parse(await http.GetStringAsync($"/api/v1/endpoints/{org}")).RootElement;
        Assert.Equal("org-7", read.GetProperty("externalId").GetString());

        using var twilio = new HttpClient { BaseAddress = new Uri(gateway.BaseUrl) };
        var form = new FormUrlEncodedContent([new("CallSid", "CA0001"), new("From", "+15550100001"), new("To", "+15550100002")]);
        using var answer = await twilio.PostAsync("/twiml/start?orgId=org-7", form);
        var twiml = await answer.Content.ReadAsStringAsync();
        Assert.Equal(HttpStatusCode.OK, answer.StatusCode);
        Assert.Contains($"<Parameter name=\"endpointId\" value=\"{org:D}\"/>", twiml, StringComparison.Ordinal);
        Assert.Contains("<Parameter name=\"orgId\" value=\"org-7\"/>", twiml, StringComparison.Ordinal);
        Assert.Contains("<Parameter name=\"endpointToken\"", twiml, StringComparison.Ordinal);

        // Only the default team's orgs: another team's external id, or none at all, is not found.
        using var foreign = await twilio.PostAsync("/twiml/start?orgId=org-8", new FormUrlEncodedContent([new("CallSid", "CA0002")]));
        Assert.Equal(HttpStatusCode.NotFound, foreign.StatusCode);
        using var unknown = await twilio.PostAsync("/twiml/start?orgId=nope", new FormUrlEncodedContent([new("CallSid", "CA0003")]));
        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    [Fact]
    public async Task WsTwilio_ByOrgId_RunsTheCallOnThatEndpoint_WithCallSidAndFromFromTheQuery()
    {
        await using var gateway = await GatewayFixture.StartAsync(SessionApi.Settings());
        using var http = Client(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.ManageEndpoints));
        var org = await CreateOrgEndpointAsync(http, "acme", "org-7");

        var refused = await Assert.ThrowsAnyAsync<WebSocketException>(async () =>
        {
            using var socket = new ClientWebSocket();
            await socket.ConnectAsync(new Uri(gateway.WebSocketUrl("/ws/twilio?orgId=nope")), CancellationToken.None);
        });
        Assert.Contains("404", refused.Message, StringComparison.Ordinal);

        using (var socket = new ClientWebSocket())
        {
            await socket.ConnectAsync(new Uri(gateway.WebSocketUrl("/ws/twilio?orgId=org-7&callSid=CA77&from=%2B15550100001")), CancellationToken.None);
            await SendAsync(socket, """{"event":"connected","protocol":"Call","version":"1.0.0"}""");
            await SendAsync(socket, """
                {"event":"start","sequenceNumber":"1","streamSid":"MZ77","start":{"streamSid":"MZ77","accountSid":"AC1","tracks":["inbound"],
                 "mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1},"customParameters":{}}}
                """);
            await SendAsync(socket, """{"event":"stop","sequenceNumber":"2","streamSid":"MZ77","stop":{"callSid":"CA77"}}""");
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
            var buffer = new byte[4096];
            while (socket.State is WebSocketState.Open or WebSocketState.CloseSent)
            {
                if ((await socket.ReceiveAsync(buffer, CancellationToken.None)).MessageType == WebSocketMessageType.Close)
                {
                    break;
                }
            }
        }

        var events = await gateway.WaitForEndedCallAsync();
        var started = Assert.Single(events, e => e.Type == CallEventType.CallStarted);
        Assert.Equal((org.ToString("D"), "CA77", "+15550100001"), (started.Data![CallEventKeys.EndpointId], started.Data[CallEventKeys.CarrierCallId], started.Data[CallEventKeys.From]));
        Assert.Equal(new Dictionary<string, string> { ["orgId"] = "org-7" }, CallMetadata.Parse(CallMetadata.Of(started)));
    }

    private static Task SendAsync(ClientWebSocket socket, string json) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(json), WebSocketMessageType.Text, true, CancellationToken.None);
}
