using System.Net;
using System.Text;
using System.Text.Json;
using Switchboard.Agents;
using Switchboard.Audio;
using Switchboard.Cli.Simulation;
using Switchboard.Control;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.IntegrationTests.Tools;
using Switchboard.IntegrationTests.Webhooks;
using Switchboard.Journal;
using static Switchboard.IntegrationTests.Webhooks.WebhookTestKit;

namespace Switchboard.IntegrationTests.Artifacts;

/// <summary>
/// The post-call artifact over real calls: the API and the signed <c>call.artifact</c> webhook agree and have the documented
/// shape; summaries; <c>hot_handoff</c> delivered while the call runs; <c>tool.failed</c>; tenant isolation; a restart with the
/// artifact delivery still pending.
/// </summary>
public class ArtifactTests
{
    private const string Scenario = """
        {
          "name": "artifact",
          "greeting": { "text": "Hello, this is the test agent.", "audio": "tone" },
          "turns": [
            {
              "text": "Let me pass that on.",
              "function_call": { "name": "hot_handoff", "arguments": { "reason": "qualified lead", "data": { "budget": 5000 } } },
              "then": {
                "text": "Checking your order.",
                "function_call": { "name": "lookup_order", "arguments": { "order_id": "A-1042" } },
                "then": {
                  "text": "Noting it in the CRM.",
                  "function_call": { "name": "crm_note", "arguments": { "note": "called about A-1042" } },
                  "then": { "text": "Order A-1042 ships tomorrow.", "audio": "tone" }
                }
              }
            }
          ],
          "after_last_turn": "echo"
        }
        """;

    private static JsonElement Payload(JsonElement m) => m.GetProperty("payload");

    private static async Task<JsonElement> GetJsonAsync(GatewayFixture gateway, string key, string path, HttpStatusCode expected = HttpStatusCode.OK)
    {
        using var http = Client(gateway, key);
        using var response = await http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    private static async Task<string> GetTextAsync(GatewayFixture gateway, string key, string path)
    {
        using var http = Client(gateway, key);
        using var response = await http.GetAsync(path);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return text;
    }

    private static async Task SetSpecAsync(GatewayFixture gateway, Func<AgentSpec, AgentSpec> change)
    {
        var endpoint = (await gateway.Store.GetDefaultEndpointAsync(SessionApi.DefaultTeam(gateway).Id, CancellationToken.None))!;
        await gateway.Store.UpdateEndpointAsync(endpoint with { Spec = change(endpoint.Spec) }, CancellationToken.None);
    }

    /// <summary>A text session that says hello, gets the answer and hangs up; returns its call id.</summary>
    private static async Task<string> TalkAsync(GatewayFixture gateway, Func<string, Task>? whileRunning = null)
    {
        var created = await SessionApi.CreateSessionAsync(gateway, await SessionApi.CreateKeyAsync(gateway));
        await using var client = await SessionTestClient.ConnectAsync(created.WsUrl);
        var callId = Payload(await client.WaitForTypeAsync("status")).GetProperty("callId").GetString()!;
        await client.SendTextAsync("hello");
        await client.WaitForTypeAsync("transcript", m => Payload(m).GetProperty("role").GetString() == "agent" && Payload(m).GetProperty("final").GetBoolean());
        if (whileRunning is not null)
        {
            await whileRunning(callId);
        }

        await client.SendAsync("""{"type":"hangup"}""");
        Assert.Equal(1000, await client.WaitForCloseAsync());
        return callId;
    }

    [Fact]
    public async Task ScriptedPhoneCall_ArtifactFromTheApiAndTheSignedWebhookAgree_WithHandoffAndFailedToolDeliveredMidCall()
    {
        await using var tools = await ToolTestServer.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var scenario = Path.Combine(Path.GetTempPath(), "switchboard-tests", "artifact-" + Guid.NewGuid().ToString("N") + ".json");
        Directory.CreateDirectory(Path.GetDirectoryName(scenario)!);
        await File.WriteAllTextAsync(scenario, Scenario);
        await using var gateway = await GatewayFixture.StartAsync(Settings(new()
        {
            ["Switchboard:Local:Mode"] = "Scripted",
            ["Switchboard:Local:ScenarioPath"] = scenario,
            ["Switchboard:Local:PaceFactor"] = "1",
            ["Switchboard:Tools:AllowPrivateNetworks"] = "true",
        }));
        await SetSpecAsync(gateway, spec => spec with
        {
            Tools =
            [
                new ToolSpec { Name = "hot_handoff" },
                new ToolSpec { Name = "lookup_order", Description = "Look an order up", Http = new HttpToolSpec { Url = tools.BaseUrl + "/orders/lookup" } },
                new ToolSpec { Name = "crm_note", Description = "Add a CRM note", Http = new HttpToolSpec { Url = tools.BaseUrl + "/fail" } },
            ],
            Summary = new SummarySpec { Enabled = true },
        });
        var manage = await SessionApi.CreateKeyAsync(gateway, ApiScopes.ManageEndpoints);
        var (_, secret) = await SubscribeAsync(gateway, manage, receiver.Url, ["call.artifact", "handoff.hot", "tool.failed", "call.ended"]);

        var speech = CallTestAudio.Speech(800).Samples;
        var audio = new short[speech.Length + (8000 * 3)];
        speech.CopyTo(audio, 0);
        await CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WebSocketUrl("/twilio"),
            CallerAudio = new WavAudio(audio, 8000),
            TailSeconds = 4,
            Parameters = [new("From", "+15550100001"), new("To", "+15550100002")],
        });
        var events = await gateway.WaitForEndedCallAsync();
        var callId = events[0].CallId;
        var endedAt = events.Single(e => e.Type == CallEventType.CallEnded).At;

        var received = await receiver.WaitForAsync(r => r.Any(x => x.Type == "call.artifact"));
        Assert.All(received, r => Assert.True(r.SignatureIsValid(secret)));
        var handoff = Assert.Single(received, r => r.Type == "handoff.hot");
        Assert.True(handoff.At < endedAt, $"handoff.hot arrived at {handoff.At:O}, the call ended at {endedAt:O}");
        var handoffData = handoff.Json.GetProperty("data");
        Assert.Equal(["callId", "teamId", "endpointId", "endpoint", "carrier", "carrierCallId", "sessionId", "from", "to", "at", "toolCallId", "reason", "metadata", "data", "arguments", "transcript"],
            handoffData.EnumerateObject().Select(p => p.Name));
        Assert.Equal((callId, "twilio", "default"), (handoffData.GetProperty("callId").GetString(), handoffData.GetProperty("carrier").GetString(), handoffData.GetProperty("endpoint").GetString()));
        Assert.Equal("+*******0001", handoffData.GetProperty("from").GetString());
        Assert.Equal("qualified lead", handoffData.GetProperty("reason").GetString());
        Assert.Equal(5000, handoffData.GetProperty("data").GetProperty("budget").GetInt32());

        var failed = Assert.Single(received, r => r.Type == "tool.failed");
        Assert.True(failed.At < endedAt);
        var failedData = failed.Json.GetProperty("data");
        Assert.Equal(["callId", "teamId", "endpointId", "endpoint", "carrier", "carrierCallId", "sessionId", "at", "toolCallId", "name", "kind", "outcome", "arguments", "output"],
            failedData.EnumerateObject().Select(p => p.Name));
        Assert.Equal(("crm_note", "http_error"), (failedData.GetProperty("name").GetString(), failedData.GetProperty("outcome").GetString()));
        Assert.Equal(500, failedData.GetProperty("output").GetProperty("status").GetInt32());

        var webhook = Assert.Single(received, r => r.Type == "call.artifact");
        Assert.Equal(["type", "timestamp", "data"], webhook.Json.EnumerateObject().Select(p => p.Name));
        var apiText = await GetTextAsync(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.ReadCalls), $"/api/v1/calls/{callId}/artifact");
        var data = webhook.Json.GetProperty("data");
        // The webhook's data is the API's artifact, field for field and value for value.
        Assert.Equal(JsonDocument.Parse(apiText).RootElement.GetRawText(), data.GetRawText());

        Assert.Equal(["version", "final", "callId", "teamId", "endpoint", "carrier", "from", "to", "startedAt", "endedAt", "durationMs", "endReason", "endDetail",
            "transcript", "toolCalls", "transfer", "usage", "cost", "summary", "hotHandoffs", "metadata"], data.EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, data.GetProperty("version").GetInt32());
        Assert.True(data.GetProperty("final").GetBoolean());
        Assert.Equal(callId, data.GetProperty("callId").GetString());
        Assert.Equal("default", data.GetProperty("endpoint").GetProperty("name").GetString());
        Assert.Equal("twilio", data.GetProperty("carrier").GetProperty("name").GetString());
        Assert.StartsWith("CA", data.GetProperty("carrier").GetProperty("callId").GetString(), StringComparison.Ordinal);
        Assert.StartsWith("MZ", data.GetProperty("carrier").GetProperty("streamId").GetString(), StringComparison.Ordinal);
        Assert.Equal("+*******0001", data.GetProperty("from").GetString());
        Assert.Equal("+15550100002", data.GetProperty("to").GetString());
        Assert.Equal(CallEndReason.CallerHangup, data.GetProperty("endReason").GetString());
        Assert.True(data.GetProperty("durationMs").GetInt64() > 0);
        Assert.Equal(webhook.Json.GetProperty("timestamp").GetString(), data.GetProperty("endedAt").GetString());
        Assert.Contains(data.GetProperty("transcript").EnumerateArray(), t => t.GetProperty("role").GetString() == "agent" && t.GetProperty("text").GetString() == "Order A-1042 ships tomorrow.");
        Assert.Equal(["hot_handoff:ok", "lookup_order:ok", "crm_note:http_error"],
            data.GetProperty("toolCalls").EnumerateArray().Select(t => t.GetProperty("name").GetString() + ":" + t.GetProperty("outcome").GetString()));
        Assert.Equal("ships tomorrow", data.GetProperty("toolCalls")[1].GetProperty("output").GetProperty("status").GetString());
        Assert.Equal("A-1042", data.GetProperty("toolCalls")[1].GetProperty("arguments").GetProperty("order_id").GetString());
        Assert.Equal("qualified lead", Assert.Single(data.GetProperty("hotHandoffs").EnumerateArray()).GetProperty("reason").GetString());
        Assert.Equal("(out-of-band response)", data.GetProperty("summary").GetString());
        Assert.Equal(JsonValueKind.Null, data.GetProperty("transfer").ValueKind);
        Assert.Equal("gpt-realtime", data.GetProperty("usage").GetProperty("model").GetString());
        Assert.True(data.GetProperty("usage").GetProperty("responses").GetInt32() >= 4);
        Assert.Equal("USD", data.GetProperty("cost").GetProperty("currency").GetString());

        // The summary is not a turn of the conversation.
        Assert.DoesNotContain(events, e => e.Type == CallEventType.AgentTurn && e.Text == "(out-of-band response)");
        var detail = await GetJsonAsync(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.ReadCalls), $"/api/v1/calls/{callId}");
        Assert.Equal(data.GetRawText(), detail.GetProperty("artifact").GetRawText());
    }

    [Fact]
    public async Task Session_SummaryOnlyWhenEnabled_AndARunningCallHasAPartialArtifact()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var gateway = await GatewayFixture.StartAsync(Settings());
        var read = await SessionApi.CreateKeyAsync(gateway, ApiScopes.ReadCalls);
        var (_, secret) = await SubscribeAsync(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.ManageEndpoints), receiver.Url, ["call.artifact"]);

        JsonElement running = default;
        var plain = await TalkAsync(gateway, async id =>
        {
            await gateway.Journal.FlushAsync(CancellationToken.None);
            running = await GetJsonAsync(gateway, read, $"/api/v1/calls/{id}/artifact");
        });
        await SetSpecAsync(gateway, spec => spec with { Summary = new SummarySpec { Enabled = true, Instructions = "One sentence." } });
        var summarized = await TalkAsync(gateway);

        Assert.False(running.GetProperty("final").GetBoolean());
        Assert.Equal(JsonValueKind.Null, running.GetProperty("endedAt").ValueKind);
        Assert.Contains(running.GetProperty("transcript").EnumerateArray(), t => t.GetProperty("role").GetString() == "caller");

        var received = await receiver.WaitForAsync(r => r.Count(x => x.Type == "call.artifact") == 2);
        Assert.All(received, r => Assert.True(r.SignatureIsValid(secret)));
        var byCall = received.ToDictionary(r => r.Json.GetProperty("data").GetProperty("callId").GetString()!, r => r.Json.GetProperty("data"));
        Assert.Equal(JsonValueKind.Null, byCall[plain].GetProperty("summary").ValueKind);
        Assert.Equal("(out-of-band response)", byCall[summarized].GetProperty("summary").GetString());
        Assert.Equal("websocket", byCall[summarized].GetProperty("carrier").GetProperty("name").GetString());
        Assert.NotNull(byCall[summarized].GetProperty("carrier").GetProperty("sessionId").GetString());
        // One engine journals the same start facts on every channel: a session's artifact names its endpoint too.
        Assert.False(string.IsNullOrEmpty(byCall[summarized].GetProperty("endpoint").GetProperty("name").GetString()));
        Assert.True(byCall[summarized].GetProperty("usage").GetProperty("responses").GetInt32() > byCall[plain].GetProperty("usage").GetProperty("responses").GetInt32());
        var transcript = byCall[summarized].GetProperty("transcript").EnumerateArray().Select(t => t.GetProperty("text").GetString()).ToList();
        Assert.DoesNotContain("(out-of-band response)", transcript);
    }

    [Fact]
    public async Task AnotherTeam_NeitherReadsTheArtifactNorReceivesIt()
    {
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var other = await WebhookReceiver.StartAsync();
        await using var gateway = await GatewayFixture.StartAsync(Settings());
        var team = await SessionApi.CreateTeamAsync(gateway);
        await SubscribeAsync(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.ManageEndpoints), receiver.Url, ["call.artifact"]);
        await SubscribeAsync(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.ManageEndpoints, team.Id), other.Url, ["call.artifact"]);

        var callId = await TalkAsync(gateway);

        await receiver.WaitForAsync(r => r.Any(x => x.Type == "call.artifact"));
        var problem = await GetJsonAsync(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.ReadCalls, team.Id), $"/api/v1/calls/{callId}/artifact", HttpStatusCode.NotFound);
        Assert.Equal(404, problem.GetProperty("status").GetInt32());
        await GetJsonAsync(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.CreateCallToken), $"/api/v1/calls/{callId}/artifact", HttpStatusCode.Forbidden);
        await GetJsonAsync(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.ReadCalls), "/api/v1/calls/call_unknown/artifact", HttpStatusCode.NotFound);
        await Task.Delay(500);
        Assert.Empty(other.Received);
    }

    [Fact]
    public async Task GatewayStopped_WithTheArtifactDeliveryPending_TheRestartedGatewayDeliversItOnce()
    {
        var dir = Path.Combine(Path.GetTempPath(), "switchboard-tests", "artifact-restart-" + Guid.NewGuid().ToString("N"));
        var path = Path.Combine(dir, "switchboard.db");
        await using var receiver = await WebhookReceiver.StartAsync();
        try
        {
            string callId, secret, pendingId;
            // The first gateway stops sending right away: the call ends, its artifact waits in the outbox, the gateway goes away.
            await using (var first = await GatewayFixture.StartAsync(Settings(new() { ["Switchboard:Storage:SqlitePath"] = path, ["Switchboard:Webhooks:DispatcherEnabled"] = "false" })))
            {
                var manage = await SessionApi.CreateKeyAsync(first, ApiScopes.ManageEndpoints);
                (_, secret) = await SubscribeAsync(first, manage, receiver.Url, ["call.artifact"]);
                callId = await TalkAsync(first);
                var pending = await WaitForDeliveriesAsync(first, manage, d => d.Any(x => x.GetProperty("eventType").GetString() == "call.artifact"));
                var artifact = Assert.Single(pending, x => x.GetProperty("eventType").GetString() == "call.artifact");
                Assert.Equal("pending", artifact.GetProperty("status").GetString());
                pendingId = artifact.GetProperty("id").GetString()!;
            }

            Assert.Empty(receiver.Received);
            await using var second = await GatewayFixture.StartAsync(Settings(new() { ["Switchboard:Storage:SqlitePath"] = path }));
            var key = await SessionApi.CreateKeyAsync(second, ApiScopes.ManageEndpoints | ApiScopes.ReadCalls);
            await WaitForDeliveriesAsync(second, key, d => d.Single(x => x.GetProperty("id").GetString() == pendingId).GetProperty("status").GetString() == "delivered");
            await Task.Delay(300);

            var got = Assert.Single(receiver.Received);
            Assert.Equal(pendingId, got.Id);
            Assert.True(got.SignatureIsValid(secret));
            Assert.Equal(callId, got.Json.GetProperty("data").GetProperty("callId").GetString());
            Assert.Equal(JsonDocument.Parse(await GetTextAsync(second, key, $"/api/v1/calls/{callId}/artifact")).RootElement.GetRawText(), got.Json.GetProperty("data").GetRawText());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            try
            {
                Directory.Delete(dir, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
