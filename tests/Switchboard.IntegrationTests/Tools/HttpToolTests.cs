using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Switchboard.Agents;
using Switchboard.Agents.Tools;
using Switchboard.Audio;
using Switchboard.Cli.Simulation;
using Switchboard.Configuration;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.Journal;
using Switchboard.Network;
using Switchboard.Testing;

namespace Switchboard.IntegrationTests.Tools;

/// <summary>HTTP tools against a real local server: request shape, secrets, answers, errors, network policy, and a whole scripted call.</summary>
public class HttpToolTests
{
    private static readonly Guid Team = Guid.Parse("11111111-1111-1111-1111-111111111111");
    private static readonly Guid Endpoint = Guid.Parse("22222222-2222-2222-2222-222222222222");

    // allowPrivate goes through the legacy switch, so these tests also hold that Switchboard:Tools:AllowPrivateNetworks keeps working.
    private static ToolRunner Runner(ToolSpec tool, bool allowPrivate = true, Dictionary<string, string>? secrets = null)
    {
        var options = new ToolOptions { AllowPrivateNetworks = allowPrivate, Secrets = secrets ?? new(StringComparer.Ordinal) };
        return new([tool], new HttpToolInvoker(options, OutboundPolicy.From(new SwitchboardOptions { Tools = options }), new NoToolsInvoker(), NullLogger.Instance),
            TimeProvider.System, NullLogger.Instance, new ToolCallContext(Team, Endpoint, "twilio", "+15551230000"));
    }

    private static ToolSpec Tool(string url, string method = "POST", int timeoutSeconds = 0, bool includeCaller = false, int maxBytes = 16384, params HttpToolHeader[] headers) => new()
    {
        Name = "lookup_order",
        TimeoutSeconds = timeoutSeconds,
        Http = new HttpToolSpec { Url = url, Method = method, Headers = headers, IncludeCaller = includeCaller, MaxResponseBytes = maxBytes },
    };

    [Fact]
    public async Task Post_SendsArgumentsContextAndSecretHeader_AndHandsTheJsonAnswerToTheModel()
    {
        await using var server = await ToolTestServer.StartAsync();
        var tool = Tool(server.BaseUrl + "/orders/lookup", includeCaller: true, headers:
        [
            new HttpToolHeader { Name = "Authorization", Secret = "crm", Format = "Bearer {secret}" },
            new HttpToolHeader { Name = "X-Source", Value = "switchboard" },
        ]);

        var outcome = await Runner(tool, secrets: new(StringComparer.Ordinal) { ["crm"] = "s3cr3t" })
            .RunAsync("call_abc", "fc_1", "lookup_order", """{"order_id":"A-1042"}""", CancellationToken.None);

        Assert.Equal(ToolOutcome.Ok, outcome.Status);
        Assert.Equal("""{"order_id":"A-1042","status":"ships tomorrow"}""", outcome.OutputJson);
        var request = Assert.Single(server.Requests);
        Assert.Equal("POST", request.Method);
        Assert.Equal("Bearer s3cr3t", request.Headers["Authorization"]);
        Assert.Equal("switchboard", request.Headers["X-Source"]);
        Assert.Equal("call_abc", request.Headers["X-Switchboard-Call-Id"]);
        Assert.StartsWith("application/json", request.Headers["Content-Type"], StringComparison.Ordinal);
        using var body = JsonDocument.Parse(request.Body);
        Assert.Equal("lookup_order", body.RootElement.GetProperty("tool").GetString());
        Assert.Equal("fc_1", body.RootElement.GetProperty("toolCallId").GetString());
        Assert.Equal("A-1042", body.RootElement.GetProperty("arguments").GetProperty("order_id").GetString());
        var call = body.RootElement.GetProperty("call");
        Assert.Equal("call_abc", call.GetProperty("id").GetString());
        Assert.Equal(Team.ToString("D"), call.GetProperty("teamId").GetString());
        Assert.Equal(Endpoint.ToString("D"), call.GetProperty("endpointId").GetString());
        Assert.Equal("twilio", call.GetProperty("carrier").GetString());
        Assert.Equal("+15551230000", call.GetProperty("from").GetString());
    }

    [Fact]
    public async Task CallerNumber_IsLeftOutUnlessTheToolAsks()
    {
        await using var server = await ToolTestServer.StartAsync();

        await Runner(Tool(server.BaseUrl + "/orders/lookup")).RunAsync("c", "fc", "lookup_order", "{}", CancellationToken.None);

        using var body = JsonDocument.Parse(Assert.Single(server.Requests).Body);
        Assert.False(body.RootElement.GetProperty("call").TryGetProperty("from", out _));
    }

    [Fact]
    public async Task Get_PutsArgumentsInTheQuery()
    {
        await using var server = await ToolTestServer.StartAsync();

        var outcome = await Runner(Tool(server.BaseUrl + "/orders/lookup?v=1", method: "GET"))
            .RunAsync("c", "fc", "lookup_order", """{"order_id":"A 1042","qty":2}""", CancellationToken.None);

        Assert.Equal(ToolOutcome.Ok, outcome.Status);
        var request = Assert.Single(server.Requests);
        Assert.Equal("GET", request.Method);
        Assert.Equal("/orders/lookup?v=1&order_id=A%201042&qty=2", request.PathAndQuery);
    }

    [Fact]
    public async Task TextAnswer_IsWrapped_AndALongAnswerIsCutAndMarked()
    {
        await using var server = await ToolTestServer.StartAsync();

        var text = await Runner(Tool(server.BaseUrl + "/text")).RunAsync("c", "fc1", "lookup_order", "{}", CancellationToken.None);
        var big = await Runner(Tool(server.BaseUrl + "/big", maxBytes: 100)).RunAsync("c", "fc2", "lookup_order", "{}", CancellationToken.None);

        Assert.Equal("""{"result":"plain answer"}""", text.OutputJson);
        using var cut = JsonDocument.Parse(big.OutputJson);
        Assert.Equal(100, cut.RootElement.GetProperty("result").GetString()!.Length);
        Assert.True(cut.RootElement.GetProperty("truncated").GetBoolean());
    }

    /// <summary>Issue 21: a JSON answer the gateway could not read or write back (lone surrogate, null item) goes to the model as text.</summary>
    [Theory]
    [InlineData("""{"status":"\ud800"}""")]
    [InlineData("""{"items":[null],"n":1e400}""")]
    public async Task HostileJsonAnswer_IsWrappedAsText(string answer)
    {
        await using var server = await LoopbackServer.StartAsync(app => app.Run(async context =>
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(answer);
        }));

        var outcome = await Runner(Tool(server.BaseUrl + "/hostile")).RunAsync("c", "fc", "lookup_order", "{}", CancellationToken.None);

        Assert.Equal(ToolOutcome.Ok, outcome.Status);
        using var output = JsonDocument.Parse(outcome.OutputJson);
        Assert.Equal(answer, output.RootElement.GetProperty("result").GetString());
    }

    [Theory]
    [InlineData("/fail", 500, "database is down")]
    [InlineData("/redirect", 302, "")]
    public async Task ErrorStatus_AndRedirects_AreHttpErrorsForTheModel(string path, int status, string bodyExcerpt)
    {
        await using var server = await ToolTestServer.StartAsync();

        var outcome = await Runner(Tool(server.BaseUrl + path)).RunAsync("c", "fc", "lookup_order", "{}", CancellationToken.None);

        Assert.Equal("http_error", outcome.Status);
        using var output = JsonDocument.Parse(outcome.OutputJson);
        Assert.Equal(status, output.RootElement.GetProperty("status").GetInt32());
        Assert.Equal(bodyExcerpt, output.RootElement.GetProperty("body").GetString());
        Assert.Single(server.Requests);
    }

    [Fact]
    public async Task PrivateAddress_IsRefusedByDefault_WithoutConnecting()
    {
        await using var server = await ToolTestServer.StartAsync();

        var outcome = await Runner(Tool(server.BaseUrl + "/orders/lookup"), allowPrivate: false).RunAsync("c", "fc", "lookup_order", "{}", CancellationToken.None);

        Assert.Equal("tool_unreachable", outcome.Status);
        Assert.Contains("Switchboard:Network:AllowedPrivateNetworks", outcome.OutputJson, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Theory]
    [InlineData("127.0.0.1", true)]
    [InlineData("10.1.2.3", true)]
    [InlineData("172.16.0.1", true)]
    [InlineData("172.32.0.1", false)]
    [InlineData("192.168.1.1", true)]
    [InlineData("169.254.169.254", true)]
    [InlineData("100.64.0.1", true)]
    [InlineData("::1", true)]
    [InlineData("fd00::1", true)]
    [InlineData("fe80::1", true)]
    [InlineData("::ffff:10.0.0.1", true)]
    [InlineData("8.8.8.8", false)]
    [InlineData("2001:4860:4860::8888", false)]
    public void PrivateAddresses_AreRecognised(string address, bool isPrivate) =>
        Assert.Equal(isPrivate, !OutboundPolicy.Strict.IsAllowed(System.Net.IPAddress.Parse(address), out _));

    [Fact]
    public async Task MissingSecret_IsAConfigurationErrorAndNothingIsSent()
    {
        await using var server = await ToolTestServer.StartAsync();
        var tool = Tool(server.BaseUrl + "/orders/lookup", headers: new HttpToolHeader { Name = "Authorization", Secret = "absent" });

        var outcome = await Runner(tool).RunAsync("c", "fc", "lookup_order", "{}", CancellationToken.None);

        Assert.Equal("tool_misconfigured", outcome.Status);
        Assert.Contains("absent", outcome.OutputJson, StringComparison.Ordinal);
        Assert.Empty(server.Requests);
    }

    [Fact]
    public async Task SlowServer_TimesOutAtTheToolsTimeout()
    {
        await using var server = await ToolTestServer.StartAsync();

        var outcome = await Runner(Tool(server.BaseUrl + "/slow", timeoutSeconds: 1)).RunAsync("c", "fc", "lookup_order", "{}", CancellationToken.None);

        Assert.Equal(ToolOutcome.Timeout, outcome.Status);
        Assert.InRange(outcome.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(4));
    }

    [Fact]
    public async Task ScriptedCall_LooksTheOrderUpOverHttp_AndTheAgentSpeaksTheAnswer()
    {
        await using var server = await ToolTestServer.StartAsync();
        await using var gateway = await GatewayFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Switchboard:Local:Mode"] = "Scripted",
            ["Switchboard:Local:ScenarioPath"] = RepoFile("samples/scenarios/order-status.json"),
            ["Switchboard:Tools:AllowPrivateNetworks"] = "true",
            ["Switchboard:Tools:Secrets:crm"] = "s3cr3t",
        });
        var teams = await gateway.Store.ListTeamsAsync(CancellationToken.None);
        var endpoint = (await gateway.Store.GetDefaultEndpointAsync(teams[0].Id, CancellationToken.None))!;
        using var schema = JsonDocument.Parse("""{"type":"object","properties":{"order_id":{"type":"string","pattern":"^A-[0-9]+$"}},"required":["order_id"]}""");
        await gateway.Store.UpdateEndpointAsync(endpoint with
        {
            Spec = endpoint.Spec with
            {
                Tools = [Tool(server.BaseUrl + "/orders/lookup", headers: new HttpToolHeader { Name = "Authorization", Secret = "crm", Format = "Bearer {secret}" })
                    with { Parameters = schema.RootElement.Clone(), Description = "Look an order up" }],
            },
        }, CancellationToken.None);

        // Two caller turns: the first gets the echo, the second the scripted lookup_order call.
        var speech = CallTestAudio.Speech(800).Samples;
        var twoTurns = new short[(speech.Length * 2) + (8000 * 5 / 2)];
        speech.CopyTo(twoTurns, 0);
        speech.CopyTo(twoTurns, twoTurns.Length - speech.Length);
        await CallSimulator.RunAsync(new SimulationOptions { Url = gateway.WebSocketUrl("/twilio"), CallerAudio = new WavAudio(twoTurns, 8000), TailSeconds = 4 });

        var events = await gateway.WaitForEndedCallAsync();
        var tool = Assert.Single(events, e => e.Type == CallEventType.ToolCall);
        Assert.Equal(ToolOutcome.Ok, tool.Reason);
        Assert.Equal("""{"order_id":"A-1042","status":"ships tomorrow"}""", tool.Detail);
        var request = Assert.Single(server.Requests);
        Assert.Equal("Bearer s3cr3t", request.Headers["Authorization"]);
        Assert.Contains(events, e => e.Type == CallEventType.AgentTurn && e.Text == "Order A-1042 ships tomorrow.");
    }

    private static string RepoFile(string relative) => RepoPaths.File(relative);
}
