using System.Net;
using System.Text.Json;
using Switchboard.Agents;
using Switchboard.Cli.Simulation;
using Switchboard.Control;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.IntegrationTests.Webhooks;
using Switchboard.Journal;
using static Switchboard.IntegrationTests.Webhooks.WebhookTestKit;

namespace Switchboard.IntegrationTests.Compatibility;

/// <summary>
/// A hot hand-off POSTed to an edge URL with a bearer token (the Telnyx-fronted gateways' SUPABASE_VOICE_HANDOFF_*), from the
/// durable outbox: retried, never blocking the call, with the call's ids, redacted caller, metadata, reason and transcript.
/// </summary>
public class HotHandoffEdgeTests
{
    private const string Scenario = """
        {
          "name": "handoff",
          "greeting": { "text": "Hello, this is the test agent.", "audio": "tone" },
          "turns": [
            {
              "text": "Passing you on.",
              "function_call": { "name": "hot_handoff", "arguments": { "reason": "wants a human", "data": { "priority": "high" } } },
              "then": { "text": "Someone will call you back.", "audio": "tone" }
            }
          ],
          "after_last_turn": "echo"
        }
        """;

    [Fact]
    public async Task HotHandoff_GoesToTheGatewayTarget_WithTheBearerToken_AndIsRetriedUntilTaken()
    {
        await using var edge = await WebhookReceiver.StartAsync();
        edge.Respond = (_, n) => Task.FromResult<int?>(n == 0 ? 503 : 200);
        var scenario = Path.Combine(Path.GetTempPath(), "switchboard-tests", "handoff-" + Guid.NewGuid().ToString("N") + ".json");
        Directory.CreateDirectory(Path.GetDirectoryName(scenario)!);
        await File.WriteAllTextAsync(scenario, Scenario);
        await using var gateway = await GatewayFixture.StartAsync(Settings(new()
        {
            ["Switchboard:Local:Mode"] = "Scripted",
            ["Switchboard:Local:ScenarioPath"] = scenario,
            ["Switchboard:Handoff:Url"] = edge.BaseUrl + "/functions/v1/voice-handoff",
            ["Switchboard:Handoff:Token"] = "edge-token-1",
        }));
        var endpoint = (await gateway.Store.GetDefaultEndpointAsync(SessionApi.DefaultTeam(gateway).Id, CancellationToken.None))!;
        await gateway.Store.UpdateEndpointAsync(endpoint with { Spec = endpoint.Spec with { Tools = [new ToolSpec { Name = "hot_handoff" }] } }, CancellationToken.None);
        var token = await CarrierBinding.TokenAsync(gateway, endpoint.Id);

        var speech = CallTestAudio.Speech(800).Samples;
        var audio = new short[speech.Length + (8000 * 3)];
        speech.CopyTo(audio, 0);
        await CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WebSocketUrl("/twilio"),
            CallerAudio = new Audio.WavAudio(audio, 8000),
            TailSeconds = 3,
            Parameters = [new("From", "+15550100001"), new("lead_id", "lead-42"), new("endpointId", endpoint.Id.ToString("D")), new("endpointToken", token)],
        });
        var events = await gateway.WaitForEndedCallAsync();
        var callId = events[0].CallId;
        Assert.Contains(events, e => e.Type == CallEventType.HandoffHot);

        // The first attempt was refused (503); the outbox tried again with the same id and the same body.
        var received = await edge.WaitForAsync(r => r.Count >= 2);
        Assert.Equal(2, received.Count);
        Assert.Equal(received[0].Id, received[1].Id);
        Assert.All(received, r => Assert.Equal(("Bearer edge-token-1", "/functions/v1/voice-handoff"), (r.Authorization, r.Path)));
        var data = received[1].Json.GetProperty("data");
        Assert.Equal("handoff.hot", received[1].Type);
        Assert.Equal((callId, "twilio", "wants a human"), (data.GetProperty("callId").GetString(), data.GetProperty("carrier").GetString(), data.GetProperty("reason").GetString()));
        Assert.Equal("+*******0001", data.GetProperty("from").GetString());
        Assert.Equal("lead-42", data.GetProperty("metadata").GetProperty("lead_id").GetString());
        Assert.False(data.GetProperty("metadata").TryGetProperty("endpointToken", out _));
        Assert.Equal("high", data.GetProperty("data").GetProperty("priority").GetString());
        var transcript = data.GetProperty("transcript").EnumerateArray().ToList();
        Assert.Contains(transcript, t => t.GetProperty("role").GetString() == "caller");
        Assert.DoesNotContain(transcript, t => t.GetProperty("text").GetString() == "Someone will call you back.");

        // The team sees the hand-off among its deliveries, but not as one of its webhook subscriptions.
        var key = await SessionApi.CreateKeyAsync(gateway, ApiScopes.ManageEndpoints);
        var delivered = await WaitForDeliveriesAsync(gateway, key, d => d.Any(x => x.GetProperty("status").GetString() == "delivered"));
        Assert.Equal("handoff.hot", Assert.Single(delivered).GetProperty("eventType").GetString());
        using var http = Client(gateway, key);
        var subscriptions = JsonDocument.Parse(await http.GetStringAsync("/api/v1/webhooks")).RootElement;
        Assert.Empty(subscriptions.GetProperty("webhooks").EnumerateArray());
        // The token reached the edge and nothing else: it is not in the journal.
        Assert.DoesNotContain(events, e => e.Data?.Values.Any(v => v.Contains("edge-token-1", StringComparison.Ordinal)) == true);
    }

    [Fact]
    public async Task EndpointHandoff_IsValidated_AndWinsOverTheGatewayTarget()
    {
        await using var edge = await WebhookReceiver.StartAsync();
        await using var gateway = await GatewayFixture.StartAsync(Settings(new()
        {
            ["Switchboard:Handoff:Url"] = edge.BaseUrl + "/gateway-target",
            ["Switchboard:Handoff:Token"] = "gw-token",
            ["Switchboard:Tools:Secrets:edge"] = "endpoint-token",
        }));
        var manage = await SessionApi.CreateKeyAsync(gateway, ApiScopes.ManageEndpoints);
        using var http = Client(gateway, manage);
        var bad = await http.PostAsync("/api/v1/endpoints", Json("""{"name":"bad","handoff":{"url":"ftp://x","secret":"has space"}}"""));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        var problem = await bad.Content.ReadAsStringAsync();
        Assert.Contains("handoff.url", problem, StringComparison.Ordinal);
        Assert.Contains("handoff.secret", problem, StringComparison.Ordinal);

        var spec = new AgentSpec { Handoff = new HandoffSpec { Url = edge.BaseUrl + "/endpoint-target", Secret = "edge" } };
        var data = new Dictionary<string, string>();
        HandoffTarget.AddTo(data, spec, new Configuration.HandoffOptions { Url = edge.BaseUrl + "/gateway-target", Token = "gw-token" });
        Assert.Equal((edge.BaseUrl + "/endpoint-target", "secret:edge"), (data[CallEventKeys.HandoffUrl], data[CallEventKeys.HandoffAuth]));
        var options = gateway.App.Services.GetService(typeof(Microsoft.Extensions.Options.IOptions<Configuration.SwitchboardOptions>)) as Microsoft.Extensions.Options.IOptions<Configuration.SwitchboardOptions>;
        Assert.Equal("endpoint-token", HandoffTarget.ResolveToken("secret:edge", options!.Value));
        Assert.Equal("gw-token", HandoffTarget.ResolveToken(HandoffTarget.GatewayToken, options.Value));
        Assert.Null(HandoffTarget.ResolveToken("secret:missing", options.Value));
    }
}
