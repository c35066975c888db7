using System.Net;
using System.Net.WebSockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Switchboard.Cli.Simulation;
using Switchboard.Journal;
using Switchboard.Testing.Realtime;

namespace Switchboard.IntegrationTests.Gateway;

/// <summary>The OpenAI and Azure agent legs against a local stand-in that speaks the GA protocol, and backend failures.</summary>
public class BackendTests
{
    [Fact]
    public async Task OpenAIBackend_DropsMidCall_WithReconnectingOff_CallerLegEndsCleanlyWithLoggedReason()
    {
        await using var backend = await FakeRealtimeBackend.StartAsync();
        backend.DropAfter = TimeSpan.FromMilliseconds(600);
        await using var gateway = await GatewayFixture.StartAsync(new Dictionary<string, string?>
        {
            // Reconnecting is covered in Faults/BackendReconnectTests; here a drop ends the call.
            ["Switchboard:Backend:ReconnectBudgetSeconds"] = "0",
            ["Switchboard:Backend:Kind"] = "OpenAI",
            ["Switchboard:OpenAI:ApiKey"] = "sk-test-key",
            ["Switchboard:OpenAI:RealtimeUrl"] = backend.RealtimeUrl,
        });

        var result = await CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WebSocketUrl("/twilio"),
            CallerAudio = CallTestAudio.Speech(3000),
            TailSeconds = 2,
        });

        Assert.True(result.GatewayClosedFirst);
        Assert.Equal(WebSocketCloseStatus.InternalServerError, result.CloseStatus);
        Assert.Equal("agent backend disconnected", result.CloseDescription);
        Assert.True(result.DurationMs < 3000, $"call lasted {result.DurationMs} ms; the gateway should end it when the backend drops");
        var events = await gateway.WaitForEndedCallAsync();
        Assert.Equal(CallEndReason.BackendDisconnected, events.Last().Reason);
        Assert.Equal(0, gateway.Calls.Count);

        // What the OpenAI leg sent: GA URL with the model, Bearer key, no beta header, a GA session.update.
        var request = Assert.Single(backend.Requests);
        Assert.Equal("/v1/realtime?model=gpt-realtime", request.PathAndQuery);
        Assert.Equal("Bearer sk-test-key", request.Headers["Authorization"]);
        Assert.False(request.Headers.ContainsKey("OpenAI-Beta"));
        var update = backend.Received.First(e => (string?)e["type"] == "session.update");
        Assert.Equal("realtime", (string?)update["session"]!["type"]);
        Assert.Equal("audio/pcmu", (string?)update["session"]!["audio"]!["input"]!["format"]!["type"]);
    }

    [Fact]
    public async Task AzureBackend_UsesV1PathDeploymentAndApiKeyHeader()
    {
        await using var backend = await FakeRealtimeBackend.StartAsync();
        backend.DropAfter = TimeSpan.FromMilliseconds(300);
        await using var gateway = await GatewayFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Switchboard:Backend:ReconnectBudgetSeconds"] = "0",
            ["Switchboard:Backend:Kind"] = "Azure",
            ["Switchboard:Azure:Endpoint"] = backend.BaseUrl,
            ["Switchboard:Azure:ApiKey"] = "az-key",
            ["Switchboard:Azure:Deployment"] = "my-realtime",
        });

        await CallSimulator.RunAsync(new SimulationOptions { Url = gateway.WebSocketUrl("/twilio"), CallerAudio = CallTestAudio.Speech(600), TailSeconds = 1 });

        var request = Assert.Single(backend.Requests);
        Assert.Equal("/openai/v1/realtime?model=my-realtime", request.PathAndQuery);
        Assert.Equal("az-key", request.Headers["api-key"]);
        Assert.False(request.Headers.ContainsKey("Authorization"));
    }

    [Fact]
    public async Task BackendUnreachable_CallerClosedWith1011AndReason()
    {
        await using var gateway = await GatewayFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Switchboard:Backend:Kind"] = "OpenAI",
            ["Switchboard:OpenAI:ApiKey"] = "sk-x",
            ["Switchboard:OpenAI:RealtimeUrl"] = "ws://127.0.0.1:9/v1/realtime",
            ["Switchboard:Backend:ConnectTimeoutSeconds"] = "2",
        });
        var result = await CallSimulator.RunAsync(new SimulationOptions { Url = gateway.WebSocketUrl("/twilio"), CallerAudio = CallTestAudio.Speech(600), TailSeconds = 1 });
        Assert.Equal(WebSocketCloseStatus.InternalServerError, result.CloseStatus);
        Assert.Equal("agent backend unavailable", result.CloseDescription);
        var events = await gateway.WaitForEndedCallAsync();
        Assert.Equal(CallEndReason.BackendUnavailable, events.Last().Reason);
    }

    [Fact]
    public async Task Health_ReportsBackendJournalAndActiveCalls()
    {
        await using var gateway = await GatewayFixture.StartAsync();
        using var http = new HttpClient();
        foreach (var path in new[] { "/healthz", "/health" })
        {
            using var response = await http.GetAsync(gateway.BaseUrl + path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var json = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.Equal("ok", (string?)json["status"]);
            Assert.Equal(0, (int?)json["activeCalls"]);
            Assert.Equal("local", (string?)json["dependencies"]!["backend"]!["kind"]);
            Assert.Equal("ok", (string?)json["dependencies"]!["backend"]!["state"]);
            Assert.Equal("ok", (string?)json["dependencies"]!["journal"]!["state"]);
        }

        // During a call the count goes up.
        var call = CallSimulator.RunAsync(new SimulationOptions { Url = gateway.WebSocketUrl("/twilio"), CallerAudio = CallTestAudio.Speech(500), TailSeconds = 1.5 });
        await Task.Delay(900);
        var during = JsonNode.Parse(await http.GetStringAsync(gateway.BaseUrl + "/healthz"))!;
        Assert.Equal(1, (int?)during["activeCalls"]);
        await call;
    }

    [Fact]
    public async Task InvalidConfiguration_StartupFailsListingEveryBadKey()
    {
        var ex = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Switchboard:Backend:Kind"] = "OpenAI",
            ["Switchboard:Agent:AudioFormat"] = "mp3",
            ["Switchboard:Bridge:MarkIntervalMs"] = "1",
        }));
        Assert.Contains(ex.Failures, f => f.Contains("Switchboard:OpenAI:ApiKey", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.Contains("Switchboard:Agent:AudioFormat", StringComparison.Ordinal));
        Assert.Contains(ex.Failures, f => f.Contains("Switchboard:Bridge:MarkIntervalMs", StringComparison.Ordinal));
    }
}
