using System.Net;
using System.Text.Json;
using Switchboard.Agents;
using Switchboard.Cli.Simulation;
using Switchboard.Control;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Limits;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.IntegrationTests.Tools;
using Switchboard.IntegrationTests.Webhooks;
using Switchboard.Journal;
using Switchboard.Testing.Realtime;

namespace Switchboard.IntegrationTests.Telemetry;

/// <summary>
/// <c>/metrics</c> on a real gateway: each metric moves when its event happens (a Twilio call with a barge-in and an HTTP
/// tool call, a webhook, a refused call, a rate-limited request), promtool accepts the output scraped while a call is live,
/// and the endpoint answers loopback only unless configured otherwise.
/// </summary>
public class MetricsTests
{
    private const string Channel = "switchboard_channel";

    /// <summary>The scripted local agent (echo, then the lookup_order tool), loopback tools and webhooks, one session per key.</summary>
    internal static Dictionary<string, string?> Settings()
    {
        var settings = WebhookTestKit.Settings();
        settings.Remove("Switchboard:Local:PaceFactor");
        settings["Switchboard:Local:Mode"] = "Scripted";
        settings["Switchboard:Local:ScenarioPath"] = RepoPaths.File("samples/scenarios/order-status.json");
        settings["Switchboard:Tools:AllowPrivateNetworks"] = "true";
        settings["Switchboard:RateLimits:SessionsPerKey:TokenLimit"] = "1";
        settings["Switchboard:RateLimits:SessionsPerKey:TokensPerPeriod"] = "1";
        settings["Switchboard:RateLimits:SessionsPerKey:ReplenishmentPeriodSeconds"] = "600";
        return settings;
    }

    /// <summary>Gives the default endpoint the HTTP tool lookup_order, answered by <paramref name="tools"/>.</summary>
    internal static async Task AddLookupToolAsync(GatewayFixture gateway, ToolTestServer tools)
    {
        var teams = await gateway.Store.ListTeamsAsync(CancellationToken.None);
        var endpoint = (await gateway.Store.GetDefaultEndpointAsync(teams[0].Id, CancellationToken.None))!;
        using var schema = JsonDocument.Parse("""{"type":"object","properties":{"order_id":{"type":"string"}},"required":["order_id"]}""");
        await gateway.Store.UpdateEndpointAsync(endpoint with
        {
            Spec = endpoint.Spec with
            {
                Tools = [new ToolSpec { Name = "lookup_order", Description = "Look an order up", Parameters = schema.RootElement.Clone(), Http = new HttpToolSpec { Url = tools.BaseUrl + "/orders/lookup" } }],
            },
        }, CancellationToken.None);
    }

    /// <summary>A Twilio call: the caller asks (2 s), interrupts the echo at 3.6 s, which asks for lookup_order, and listens to the answer.</summary>
    internal static Task<SimulationResult> CallWithBargeInAndToolAsync(GatewayFixture gateway) => CallSimulator.RunAsync(new SimulationOptions
    {
        Url = gateway.WebSocketUrl("/twilio"),
        CallerAudio = CallTestAudio.Speech(2000),
        BargeInAudio = CallTestAudio.Speech(800),
        BargeInAtSeconds = [3.6],
        TailSeconds = 5,
    });

    [Fact]
    public async Task Scrape_DuringAndAfterCalls_EveryMetricMovesWithItsEvent_AndPromtoolAcceptsIt()
    {
        await using var tools = await ToolTestServer.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var gateway = await GatewayFixture.StartAsync(Settings());
        await AddLookupToolAsync(gateway, tools);
        var manageKey = await SessionApi.CreateKeyAsync(gateway, ApiScopes.ManageEndpoints);
        await WebhookTestKit.SubscribeAsync(gateway, manageKey, receiver.Url, ["call.ended"]);
        var metricsUrl = gateway.BaseUrl + "/metrics";
        var before = await PrometheusText.ScrapeAsync(metricsUrl);
        Assert.Equal(0, before.Value("switchboard_calls_active", (Channel, "twilio")));

        var call = CallWithBargeInAndToolAsync(gateway);

        // While the call is live: it is counted as active, and promtool accepts the whole exposition.
        PrometheusText live;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        do
        {
            await Task.Delay(100);
            live = await PrometheusText.ScrapeAsync(metricsUrl);
        }
        while (live.Value("switchboard_calls_active", (Channel, "twilio")) < 1 && DateTime.UtcNow < deadline);
        Assert.Equal(1, live.Value("switchboard_calls_active", (Channel, "twilio")));
        Assert.Equal(1, live.Value("switchboard_calls_started_total", (Channel, "twilio")));
        var (exit, output) = await Promtool.RunAsync(live.Text, "check", "metrics");
        Assert.True(exit == 0, $"promtool check metrics exited {exit}:\n{output}");

        var result = await call;
        Assert.Single(result.BargeIns);
        var events = await gateway.WaitForEndedCallAsync();
        var ended = Assert.Single(events, e => e.Type == CallEventType.CallEnded);
        Assert.Single(events, e => e.Type == CallEventType.ToolCall && e.Reason == "ok");
        await receiver.WaitForAsync(r => r.Count >= 1);

        // A refused call (an endpoint that does not exist) and a rate-limited session request.
        await using (var refused = await RawCall.CarrierAsync("twilio", gateway.WebSocketUrl("/twilio"), Guid.NewGuid(), "not-a-token"))
        {
            await refused.WaitClosedAsync(TimeSpan.FromSeconds(10));
        }

        var sessionKey = await SessionApi.CreateKeyAsync(gateway);
        using (var first = await SessionApi.PostAsync(gateway, sessionKey, SessionApi.DefaultEndpoint(gateway).Id))
        using (var second = await SessionApi.PostAsync(gateway, sessionKey, SessionApi.DefaultEndpoint(gateway).Id))
        {
            Assert.Equal(HttpStatusCode.TooManyRequests, second.StatusCode);
        }

        PrometheusText after = null!;
        deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        do
        {
            await Task.Delay(100);
            after = await PrometheusText.ScrapeAsync(metricsUrl);
        }
        while ((after.Value("switchboard_webhook_deliveries_total") < 1 || after.Value("switchboard_calls_refused_total") < 1) && DateTime.UtcNow < deadline);

        var reason = ended.Reason!;
        Assert.Equal(0, after.Value("switchboard_calls_active", (Channel, "twilio")));
        Assert.Equal(1, after.Value("switchboard_calls_ended_total", (Channel, "twilio"), ("switchboard_call_end_reason", reason)));
        Assert.Equal(1, after.Value("switchboard_call_duration_seconds_count", (Channel, "twilio"), ("switchboard_call_end_reason", reason)));
        Assert.Equal(1, after.Value("switchboard_calls_refused_total", (Channel, "twilio"), ("switchboard_refusal_reason", "endpoint_rejected")));
        Assert.Equal(1, after.Value("switchboard_barge_in_latency_seconds_count", (Channel, "twilio")));
        Assert.True(after.Value("switchboard_gateway_added_latency_seconds_count", (Channel, "twilio"), ("switchboard_direction", "outbound")) >= 2);
        Assert.True(after.Value("switchboard_gateway_added_latency_seconds_count", (Channel, "twilio"), ("switchboard_direction", "inbound")) >= 1);
        Assert.Equal(1, after.Value("switchboard_agent_time_to_first_audio_seconds_count", (Channel, "twilio")));
        Assert.True(after.Value("switchboard_agent_response_latency_seconds_count", (Channel, "twilio")) >= 1);
        Assert.Equal(1, after.Value("switchboard_backend_connect_duration_seconds_count", ("gen_ai_provider_name", "switchboard.local"), ("switchboard_outcome", "ok")));
        Assert.Equal(1, after.Value("switchboard_tool_calls_total", ("switchboard_tool_kind", "tool"), ("switchboard_outcome", "ok")));
        Assert.Equal(1, after.Value("gen_ai_execute_tool_duration_seconds_count", ("switchboard_tool_kind", "tool"), ("switchboard_outcome", "ok")));
        Assert.True(after.Value("gen_ai_client_operation_duration_seconds_count", ("gen_ai_operation_name", "realtime_inference")) >= 3);
        Assert.True(after.Value("gen_ai_invoke_agent_duration_seconds_count", ("gen_ai_agent_invocation_end_reason", "interrupted")) >= 1);
        Assert.True(after.Value("switchboard_webhook_deliveries_total", ("switchboard_outcome", "delivered")) >= 1);
        Assert.True(after.Value("switchboard_webhook_delivery_duration_seconds_count", ("switchboard_outcome", "delivered")) >= 1);
        Assert.True(after.Has("switchboard_webhook_queue_depth"));
        Assert.Equal(1, after.Value("switchboard_rate_limit_refusals_total", ("switchboard_rate_limit", "SessionsPerKey")));
        // Runtime and process metrics, and ASP.NET Core's own.
        Assert.True(after.Has("process_cpu_time_seconds_total") || after.Has("process_cpu_time_seconds"), "no process metrics");
        Assert.Contains(after.Samples, s => s.Name.StartsWith("dotnet_gc_", StringComparison.Ordinal));
        Assert.Contains(after.Samples, s => s.Name.StartsWith("http_server_request_duration_seconds", StringComparison.Ordinal));
        // Bounded labels: no call id, no number, no transcript anywhere in the exposition.
        Assert.DoesNotContain(ended.CallId, after.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("call_", string.Concat(after.Samples.SelectMany(s => s.Labels.Values)), StringComparison.Ordinal);
        (exit, output) = await Promtool.RunAsync(after.Text, "check", "metrics");
        Assert.True(exit == 0, $"promtool check metrics exited {exit}:\n{output}");
    }

    [Fact]
    public async Task Scrape_AfterACallWhoseBackendReportsUsage_TokensByModelAndModality_AndItsCost()
    {
        await using var backend = await ScriptedRealtimeBackend.StartAsync();
        backend.Script = [ServerEvents.ResponseCreated("resp_1"), ServerEvents.ResponseDoneWithAudio("resp_1", outputAudioTokens: 200, inputTokens: 100)];
        await using var gateway = await GatewayFixture.StartAsync(new Dictionary<string, string?>
        {
            ["Switchboard:Backend:Kind"] = "OpenAI",
            ["Switchboard:OpenAI:ApiKey"] = "sk-test-key",
            ["Switchboard:OpenAI:RealtimeUrl"] = backend.RealtimeUrl,
        });

        await CallSimulator.RunAsync(new SimulationOptions { Url = gateway.WebSocketUrl("/twilio"), TailSeconds = 1 });
        var ended = Assert.Single(await gateway.WaitForEndedCallAsync(), e => e.Type == CallEventType.CallEnded);
        var after = await PrometheusText.ScrapeAsync(gateway.BaseUrl + "/metrics");

        static (string, string) Model(string model) => ("gen_ai_request_model", model);
        var openai = ("gen_ai_provider_name", "openai");
        Assert.Equal(100, after.Value("gen_ai_client_inference_usage_input_tokens_total", Model("gpt-realtime"), openai, ("gen_ai_token_modality", "text")));
        Assert.Equal(200, after.Value("gen_ai_client_inference_usage_output_tokens_total", Model("gpt-realtime"), openai, ("gen_ai_token_modality", "audio")));
        Assert.Equal(10, after.Value("gen_ai_client_inference_usage_output_tokens_total", Model("gpt-realtime"), ("gen_ai_token_modality", "text")));
        Assert.Equal(1, after.Value("gen_ai_client_token_usage_count", Model("gpt-realtime"), ("gen_ai_token_type", "input")));
        Assert.Equal(210, after.Value("gen_ai_client_token_usage_sum", Model("gpt-realtime"), ("gen_ai_token_type", "output")));
        Assert.Equal(1, after.Value("gen_ai_client_operation_duration_seconds_count", Model("gpt-realtime"), ("gen_ai_operation_name", "realtime_inference")));
        Assert.Equal(1, after.Value("switchboard_backend_connect_duration_seconds_count", openai, ("switchboard_outcome", "ok")));
        var cost = double.Parse(ended.Data![CallEventKeys.CostUsd], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(cost > 0);
        Assert.Equal(cost, after.Value("switchboard_gen_ai_cost_usd_total", Model("gpt-realtime")), 6);
    }

    [Theory]
    [InlineData("127.0.0.1", false, null, null, 200)]
    [InlineData("10.1.2.3", false, null, null, 403)]
    [InlineData("10.1.2.3", true, "Bearer 0123456789abcdef0123456789", null, 200)]
    [InlineData("10.1.2.3", true, "Bearer wrong", null, 401)]
    [InlineData("10.1.2.3", true, null, null, 401)]
    public void Check_RemoteCallers_NeedAllowRemoteAndTheKey(string remote, bool allowRemote, string? authorization, int? port, int expected)
    {
        var options = new Switchboard.Configuration.MetricsOptions { AllowRemote = allowRemote, ApiKey = allowRemote ? "0123456789abcdef0123456789" : null, Port = port ?? 0 };
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse(remote);
        context.Connection.LocalPort = 5050;

        Assert.Equal(expected, Switchboard.Server.Telemetry.MetricsEndpoint.Check(context.Connection, authorization ?? "", options));
    }

    [Fact]
    public void Check_MetricsPort_OtherPortsAreNotFound_AndRemoteCallersOnItNeedNoKey()
    {
        var options = new Switchboard.Configuration.MetricsOptions { AllowRemote = true, Port = 9464 };
        var context = new Microsoft.AspNetCore.Http.DefaultHttpContext();
        context.Connection.RemoteIpAddress = IPAddress.Parse("10.1.2.3");
        context.Connection.LocalPort = 5050;
        Assert.Equal(404, Switchboard.Server.Telemetry.MetricsEndpoint.Check(context.Connection, "", options));
        context.Connection.LocalPort = 9464;
        Assert.Equal(200, Switchboard.Server.Telemetry.MetricsEndpoint.Check(context.Connection, "", options));
    }

    [Fact]
    public async Task Start_RemoteMetricsWithoutKeyOrPort_IsRefusedNamingTheKeys()
    {
        var settings = new Dictionary<string, string?> { ["Switchboard:Metrics:AllowRemote"] = "true" };
        var error = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => GatewayFixture.StartAsync(settings));
        Assert.Contains("Switchboard:Metrics:AllowRemote", error.Message, StringComparison.Ordinal);
        Assert.Contains("Switchboard:Metrics:ApiKey", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Disabled_NoMetricsRoute()
    {
        await using var gateway = await GatewayFixture.StartAsync(new Dictionary<string, string?> { ["Switchboard:Metrics:Enabled"] = "false" });
        using var http = new HttpClient();
        using var response = await http.GetAsync(gateway.BaseUrl + "/metrics");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}
