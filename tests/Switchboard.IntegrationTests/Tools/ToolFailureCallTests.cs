using System.Text.Json;
using Switchboard.Agents;
using Switchboard.Agents.Tools;
using Switchboard.Audio;
using Switchboard.Cli.Simulation;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.Journal;

namespace Switchboard.IntegrationTests.Tools;

/// <summary>
/// Tool failures over a real scripted phone call: arguments that break the tool's schema never reach the tool, a tool
/// that outlives its timeout is abandoned, and in both cases the model is told and the call goes on.
/// </summary>
public class ToolFailureCallTests
{
    private const string Scenario = """
        {
          "name": "tool-failures",
          "turns": [
            { "function_call": { "name": "lookup_order", "arguments": { "order_id": 1042 } },
              "then": { "text": "That order number did not work.", "audio": "tone" } },
            { "function_call": { "name": "check_stock", "arguments": { "sku": "X-1" } },
              "then": { "text": "The stock system is slow today.", "audio": "tone" } }
          ],
          "after_last_turn": "silence"
        }
        """;

    [Fact]
    public async Task SchemaInvalidArguments_AndATimedOutTool_AreStructuredErrorsAndTheCallGoesOn()
    {
        await using var server = await ToolTestServer.StartAsync();
        var scenario = Path.Combine(Path.GetTempPath(), "switchboard-tests", "tool-failures-" + Guid.NewGuid().ToString("N") + ".json");
        Directory.CreateDirectory(Path.GetDirectoryName(scenario)!);
        await File.WriteAllTextAsync(scenario, Scenario);
        await using var gateway = await GatewayFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Switchboard:Local:Mode"] = "Scripted",
            ["Switchboard:Local:ScenarioPath"] = scenario,
            ["Switchboard:Tools:AllowPrivateNetworks"] = "true",
        });
        using var schema = JsonDocument.Parse("""{"type":"object","properties":{"order_id":{"type":"string"}},"required":["order_id"]}""");
        var teams = await gateway.Store.ListTeamsAsync(CancellationToken.None);
        var endpoint = (await gateway.Store.GetDefaultEndpointAsync(teams[0].Id, CancellationToken.None))!;
        await gateway.Store.UpdateEndpointAsync(endpoint with
        {
            Spec = endpoint.Spec with
            {
                Tools =
                [
                    new ToolSpec { Name = "lookup_order", Parameters = schema.RootElement.Clone(), Http = new HttpToolSpec { Url = server.BaseUrl + "/orders/lookup" } },
                    new ToolSpec { Name = "check_stock", TimeoutSeconds = 1, Http = new HttpToolSpec { Url = server.BaseUrl + "/slow" } },
                ],
            },
        }, CancellationToken.None);

        var speech = CallTestAudio.Speech(800).Samples;
        var audio = new short[(speech.Length * 2) + (8000 * 5)];
        speech.CopyTo(audio, 0);
        speech.CopyTo(audio, audio.Length - speech.Length);
        var result = await CallSimulator.RunAsync(new SimulationOptions { Url = gateway.WebSocketUrl("/twilio"), CallerAudio = new WavAudio(audio, 8000), TailSeconds = 5 });

        Assert.False(result.GatewayClosedFirst, $"the gateway closed the call: {result.CloseStatus} {result.CloseDescription}");
        var events = await gateway.WaitForEndedCallAsync();
        var calls = events.Where(e => e.Type == CallEventType.ToolCall).ToList();
        Assert.Equal([ToolOutcome.InvalidArguments, ToolOutcome.Timeout], calls.Select(c => c.Reason));
        Assert.Contains("$.order_id: expected string, got number", calls[0].Detail, StringComparison.Ordinal);
        // The schema stopped the first call before it reached the app; the second reached it and was abandoned.
        var request = Assert.Single(server.Requests);
        Assert.Equal("/slow", request.PathAndQuery);
        Assert.Contains(events, e => e.Type == CallEventType.AgentTurn && e.Text == "That order number did not work.");
        Assert.Contains(events, e => e.Type == CallEventType.AgentTurn && e.Text == "The stock system is slow today.");
        Assert.Equal(CallEndReason.CallerHangup, events[^1].Reason);
    }
}
