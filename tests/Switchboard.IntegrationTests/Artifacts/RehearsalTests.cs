using System.Net;
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

namespace Switchboard.IntegrationTests.Artifacts;

/// <summary>
/// Issue 5's rehearsal, offline and in one call: an order looked up over HTTP, a transfer the carrier refuses (the agent
/// apologises), a goodbye that hangs up after it played — and the signed artifact that tells all of it to a local receiver.
/// </summary>
public class RehearsalTests
{
    [Fact]
    public async Task OrderLookupTransferAndGoodbye_OneCall_ArtifactArrivesSignedWithEveryStep()
    {
        await using var crm = await ToolTestServer.StartAsync();
        await using var twilioApi = await CarrierApiFake.StartAsync();
        twilioApi.Status = 500;
        twilioApi.Body = """{"code":20500,"message":"Internal Server Error","status":500}""";
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var gateway = await GatewayFixture.StartAsync(WebhookTestKit.Settings(new()
        {
            ["Switchboard:Local:Mode"] = "Scripted",
            ["Switchboard:Local:ScenarioPath"] = RepoFile("samples/scenarios/rehearsal.json"),
            ["Switchboard:Tools:AllowPrivateNetworks"] = "true",
            ["Switchboard:Twilio:ApiBaseUrl"] = twilioApi.BaseUrl,
            ["Switchboard:Twilio:AuthToken"] = "twilio-auth-token-for-tests",
            ["Switchboard:Twilio:AccountSid"] = "AC" + new string('2', 32),
        }));
        var teams = await gateway.Store.ListTeamsAsync(CancellationToken.None);
        var endpoint = (await gateway.Store.GetDefaultEndpointAsync(teams[0].Id, CancellationToken.None))!;
        await gateway.Store.UpdateEndpointAsync(endpoint with
        {
            Spec = endpoint.Spec with
            {
                Tools =
                [
                    new ToolSpec { Name = "lookup_order", Description = "Look an order up", Http = new HttpToolSpec { Url = crm.BaseUrl + "/orders/lookup" } },
                    new ToolSpec { Name = "transfer_call" },
                    new ToolSpec { Name = "end_call" },
                ],
                Transfer = new TransferSpec { Targets = [new TransferTargetSpec { Name = "billing", To = "+15551234567" }] },
            },
        }, CancellationToken.None);
        var (_, secret) = await WebhookTestKit.SubscribeAsync(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.ManageEndpoints), receiver.Url, ["call.artifact"]);

        // Three caller turns, far enough apart for each answer (and the refused transfer's apology) to play out.
        var speech = CallTestAudio.Speech(800).Samples;
        var gap = 8000 * 7;
        var audio = new short[(3 * speech.Length) + (2 * gap)];
        for (var i = 0; i < 3; i++)
        {
            speech.CopyTo(audio, i * (speech.Length + gap));
        }

        var result = await CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WebSocketUrl("/twilio"),
            AuthToken = "twilio-auth-token-for-tests",
            CallerAudio = new WavAudio(audio, 8000),
            TailSeconds = 12,
            Parameters = [new("From", "+15550100001"), new("To", "+15550100002")],
        });

        // The agent hung up, after its goodbye played.
        Assert.True(result.GatewayClosedFirst, $"the caller hung up first; gateway close: {result.CloseStatus} {result.CloseDescription}");
        Assert.Equal("agent ended the call", result.CloseDescription);
        Assert.Equal(AgentTurnEnd.Completed, result.Turns[^1].End);
        Assert.Single(crm.Requests);
        var transferRequest = Assert.Single(twilioApi.Requests, r => r.Body.StartsWith("Twiml=", StringComparison.Ordinal));
        Assert.Contains("%2B15551234567", transferRequest.Body, StringComparison.Ordinal);

        var received = await receiver.WaitForAsync(r => r.Any(x => x.Type == "call.artifact"), TimeSpan.FromSeconds(15));
        var webhook = Assert.Single(received, r => r.Type == "call.artifact");
        Assert.True(webhook.SignatureIsValid(secret));
        var artifact = webhook.Json.GetProperty("data");
        Assert.True(artifact.GetProperty("final").GetBoolean());
        Assert.Equal(CallEndReason.AgentEnded, artifact.GetProperty("endReason").GetString());
        Assert.Equal("+*******0001", artifact.GetProperty("from").GetString());
        Assert.Equal(["lookup_order:ok", "transfer_call:ok", "end_call:ok"],
            artifact.GetProperty("toolCalls").EnumerateArray().Select(t => t.GetProperty("name").GetString() + ":" + t.GetProperty("outcome").GetString()));
        Assert.Equal("ships tomorrow", artifact.GetProperty("toolCalls")[0].GetProperty("output").GetProperty("status").GetString());
        var transfer = artifact.GetProperty("transfer");
        Assert.Equal(JsonValueKind.Object, transfer.ValueKind);
        Assert.Contains("failed", transfer.GetRawText(), StringComparison.Ordinal);
        var agentSaid = artifact.GetProperty("transcript").EnumerateArray()
            .Where(t => t.GetProperty("role").GetString() == "agent").Select(t => t.GetProperty("text").GetString()).ToList();
        Assert.Contains("Order A-1042 ships tomorrow.", agentSaid);
        Assert.Contains("Transferring you to billing now.", agentSaid);
        Assert.Contains("Sorry, the transfer did not go through. Is there anything else?", agentSaid);
        Assert.Equal("Thanks for calling. Goodbye!", agentSaid[^1]);

        // The API serves the same artifact the receiver got.
        using var http = WebhookTestKit.Client(gateway, await SessionApi.CreateKeyAsync(gateway, ApiScopes.ReadCalls));
        using var response = await http.GetAsync($"/api/v1/calls/{artifact.GetProperty("callId").GetString()}/artifact");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(artifact.GetRawText(), JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetRawText());
    }

    private static string RepoFile(string relative) => RepoPaths.File(relative);
}
