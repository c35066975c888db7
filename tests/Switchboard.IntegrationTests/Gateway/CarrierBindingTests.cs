using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using Switchboard.Agents;
using Switchboard.Cli.Simulation;
using Switchboard.Control;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.Journal;

namespace Switchboard.IntegrationTests.Gateway;

/// <summary>
/// A carrier stream the carrier did not sign may only name an endpoint with its gateway-issued token, so one tenant's
/// callers can never be routed to (and billed to) another tenant's agent by writing its id into a start message.
/// </summary>
public partial class CarrierBindingTests
{
    private static Dictionary<string, string?> Settings(string? twilioAuthToken = null)
    {
        var settings = SessionApi.Settings();
        settings["Switchboard:Telnyx:StreamToken"] = "tel-secret";
        settings["Switchboard:Twilio:AuthToken"] = twilioAuthToken;
        return settings;
    }

    private static Task<SimulationResult> CallAsync(GatewayFixture gateway, CarrierKind carrier, IReadOnlyList<KeyValuePair<string, string>> parameters, string? authToken = null) =>
        CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WebSocketUrl(carrier == CarrierKind.Twilio ? "/twilio" : "/telnyx"),
            Carrier = carrier,
            Token = carrier == CarrierKind.Telnyx ? "tel-secret" : null,
            AuthToken = authToken,
            CallerAudio = CallTestAudio.Speech(300),
            TailSeconds = 1,
            Parameters = parameters,
        });

    [Theory]
    [InlineData("twilio")]
    [InlineData("telnyx")]
    public async Task UnsignedStream_AnotherTeamsEndpointIdWithoutToken_Refused1008AndJournalled(string channel)
    {
        var carrier = channel == "twilio" ? CarrierKind.Twilio : CarrierKind.Telnyx;
        await using var gateway = await GatewayFixture.StartAsync(Settings());
        var victim = await SessionApi.CreateTeamAsync(gateway);
        var theirs = await SessionApi.CreateEndpointAsync(gateway, new AgentSpec(), victim.Id);

        var result = await CallAsync(gateway, carrier, [new("endpointId", theirs.Id.ToString("D"))]);

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, result.CloseStatus);
        Assert.StartsWith("endpointId is not bound to this stream", result.CloseDescription, StringComparison.Ordinal);
        await gateway.Journal.FlushAsync(CancellationToken.None);
        var records = (await gateway.Store.ListCallsAsync(null, 0, 10, CancellationToken.None)).Items;
        var refused = Assert.Single(records);
        Assert.True(refused.Refused);
        Assert.Equal(CallEndReason.EndpointRejected, refused.EndReason);
        // Nothing ran on, or was billed to, the other team.
        Assert.Empty((await gateway.Store.ListCallsAsync(victim.Id, 0, 10, CancellationToken.None)).Items);
    }

    [Fact]
    public async Task UnsignedStream_TokenOfAnotherEndpoint_Refused()
    {
        await using var gateway = await GatewayFixture.StartAsync(Settings());
        var mine = await SessionApi.CreateEndpointAsync(gateway, new AgentSpec());
        var victim = await SessionApi.CreateTeamAsync(gateway);
        var theirs = await SessionApi.CreateEndpointAsync(gateway, new AgentSpec(), victim.Id);

        var result = await CallAsync(gateway, CarrierKind.Twilio,
            [new("endpointId", theirs.Id.ToString("D")), new("endpointToken", await CarrierBinding.TokenAsync(gateway, mine.Id))]);

        Assert.Equal(WebSocketCloseStatus.PolicyViolation, result.CloseStatus);
        Assert.Equal(0, gateway.Calls.Count);
    }

    [Fact]
    public async Task UnsignedStream_WithTheTokenFromTheApi_RunsOnThatEndpoint_AnotherTeamGets404()
    {
        await using var gateway = await GatewayFixture.StartAsync(Settings());
        var endpoint = await SessionApi.CreateEndpointAsync(gateway, new AgentSpec());
        var key = await SessionApi.CreateKeyAsync(gateway, ApiScopes.ReadTeamApps);
        var other = await SessionApi.CreateTeamAsync(gateway);
        var otherKey = await SessionApi.CreateKeyAsync(gateway, ApiScopes.ReadTeamApps, other.Id);
        using var http = new HttpClient();

        using var request = new HttpRequestMessage(HttpMethod.Get, $"{gateway.BaseUrl}/api/v1/endpoints/{endpoint.Id}/stream-parameters");
        request.Headers.Add("X-API-Key", key);
        using var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var token = body.GetProperty("endpointToken").GetString()!;
        Assert.Contains(token, body.GetProperty("twimlParameters").GetString(), StringComparison.Ordinal);
        var clientState = JsonDocument.Parse(Convert.FromBase64String(body.GetProperty("telnyxClientState").GetString()!)).RootElement;
        Assert.Equal(token, clientState.GetProperty("endpointToken").GetString());

        using var foreign = new HttpRequestMessage(HttpMethod.Get, $"{gateway.BaseUrl}/api/v1/endpoints/{endpoint.Id}/stream-parameters");
        foreign.Headers.Add("X-API-Key", otherKey);
        using var notFound = await http.SendAsync(foreign);
        Assert.Equal(HttpStatusCode.NotFound, notFound.StatusCode);

        var result = await CallAsync(gateway, CarrierKind.Telnyx, [new("endpointId", endpoint.Id.ToString("D")), new("endpointToken", token)]);
        Assert.Null(result.CloseStatus is WebSocketCloseStatus.PolicyViolation ? result.CloseDescription : null);
        var events = await gateway.WaitForEndedCallAsync();
        Assert.Equal(endpoint.Id.ToString("D"), Assert.Single(events, e => e.Type == CallEventType.CallStarted).Data![CallEventKeys.EndpointId]);
    }

    [Fact]
    public async Task UnsignedTwiml_EndpointIdWithoutItsToken_403_NoTokenOracle()
    {
        await using var gateway = await GatewayFixture.StartAsync(Settings());
        var victim = await SessionApi.CreateTeamAsync(gateway);
        var theirs = await SessionApi.CreateEndpointAsync(gateway, new AgentSpec(), victim.Id);
        using var http = new HttpClient();

        using var response = await http.PostAsync($"{gateway.BaseUrl}/twilio/twiml?endpointId={theirs.Id}", new FormUrlEncodedContent([new("CallSid", "CA1")]));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.DoesNotContain("endpointToken\" value", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Twiml_WithTheApisWebhookUrl_PassesTheToken_AndAStreamWithTheTwimlsParametersRuns()
    {
        await using var gateway = await GatewayFixture.StartAsync(Settings());
        var endpoint = await SessionApi.CreateEndpointAsync(gateway, new AgentSpec());
        var key = await SessionApi.CreateKeyAsync(gateway, ApiScopes.ReadTeamApps);
        using var http = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"{gateway.BaseUrl}/api/v1/endpoints/{endpoint.Id}/stream-parameters");
        request.Headers.Add("X-API-Key", key);
        var webhookUrl = JsonDocument.Parse(await (await http.SendAsync(request)).Content.ReadAsStringAsync()).RootElement.GetProperty("twimlWebhookUrl").GetString()!;
        Assert.StartsWith(gateway.BaseUrl + "/twilio/twiml?endpointId=", webhookUrl, StringComparison.Ordinal);
        var twiml = await (await http.PostAsync(webhookUrl, new FormUrlEncodedContent([new("CallSid", "CA1")]))).Content.ReadAsStringAsync();
        var parameters = ParameterElement().Matches(twiml).Select(m => new KeyValuePair<string, string>(m.Groups[1].Value, m.Groups[2].Value)).ToList();
        Assert.Contains(parameters, p => p.Key == "endpointToken");

        await CallAsync(gateway, CarrierKind.Twilio, parameters);

        var events = await gateway.WaitForEndedCallAsync();
        Assert.Equal(endpoint.Id.ToString("D"), Assert.Single(events, e => e.Type == CallEventType.CallStarted).Data![CallEventKeys.EndpointId]);
    }

    [Fact]
    public async Task SignedTwilioStream_EndpointIdWithoutToken_Trusted()
    {
        // Twilio signed the upgrade with the account's auth token, so the parameters are those of the gateway's own TwiML
        // (or the operator's): existing TwiML that names only endpointId keeps working.
        await using var gateway = await GatewayFixture.StartAsync(Settings(twilioAuthToken: "twilio-secret"));
        var endpoint = await SessionApi.CreateEndpointAsync(gateway, new AgentSpec());

        await CallAsync(gateway, CarrierKind.Twilio, [new("endpointId", endpoint.Id.ToString("D"))], authToken: "twilio-secret");

        var events = await gateway.WaitForEndedCallAsync();
        Assert.Equal(endpoint.Id.ToString("D"), Assert.Single(events, e => e.Type == CallEventType.CallStarted).Data![CallEventKeys.EndpointId]);
    }

    [GeneratedRegex("<Parameter name=\"([^\"]+)\" value=\"([^\"]*)\"/>")]
    private static partial Regex ParameterElement();
}
