using System.Diagnostics;
using Switchboard.Cli.Simulation;
using Switchboard.Control;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.IntegrationTests.Tools;
using Switchboard.IntegrationTests.Webhooks;
using Switchboard.Journal;

namespace Switchboard.IntegrationTests.Telemetry;

/// <summary>
/// Traces over OTLP/HTTP from a real gateway to an in-test receiver: the span tree of a Twilio call with a barge-in and an
/// HTTP tool call, the trace continued from the carrier's request, and <c>traceparent</c> on the tool's request and the webhook.
/// </summary>
public class TracingTests
{
    [Fact]
    public async Task Otlp_CallWithBargeInAndTool_SpanTree_AndTraceparentOnToolRequestAndWebhook()
    {
        await using var otlp = await OtlpReceiver.StartAsync();
        await using var tools = await ToolTestServer.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        var settings = MetricsTests.Settings();
        settings["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp.BaseUrl;
        settings["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        settings["OTEL_BSP_SCHEDULE_DELAY"] = "100";
        settings["OTEL_SERVICE_NAME"] = "switchboard-test";
        await using var gateway = await GatewayFixture.StartAsync(settings);
        await MetricsTests.AddLookupToolAsync(gateway, tools);
        var manageKey = await SessionApi.CreateKeyAsync(gateway, ApiScopes.ManageEndpoints);
        await WebhookTestKit.SubscribeAsync(gateway, manageKey, receiver.Url, ["call.ended"]);

        // The carrier's request carries a traceparent (the simulator runs in this process, under an activity of the test's,
        // and its WebSocket handshake carries that activity's trace): the call continues that trace.
        var caller = new Activity("test caller") { ActivityTraceFlags = ActivityTraceFlags.Recorded }.Start();
        var inboundTrace = caller.TraceId.ToHexString();
        var simulation = CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WebSocketUrl("/twilio"),
            CallerAudio = CallTestAudio.Speech(2000),
            BargeInAudio = CallTestAudio.Speech(800),
            BargeInAtSeconds = [3.6],
            TailSeconds = 5,
        });
        caller.Stop();
        var result = await simulation;
        Assert.Single(result.BargeIns);
        var events = await gateway.WaitForEndedCallAsync();
        var ended = Assert.Single(events, e => e.Type == CallEventType.CallEnded);
        var webhook = (await receiver.WaitForAsync(r => r.Count >= 1))[0];

        // The WebSocket request's own span ends last (after the connection's close), so it is waited for too.
        var spans = await otlp.WaitForAsync(s => s.Any(x => x.Name == "call twilio") && s.Any(x => x.Name == "webhook call.ended")
            && s.Count(x => x.Kind == OtlpSpan.KindClient && x.Name == "POST") >= 2
            && s.Any(x => x.Kind == OtlpSpan.KindServer && x["url.path"] as string == "/twilio"));
        Assert.Contains("application/x-protobuf", otlp.ContentTypes);

        var call = Assert.Single(spans, s => s.Name == "call twilio");
        Assert.Equal("Switchboard", call.Scope);
        Assert.Equal("switchboard-test", call.Resource["service.name"]);
        Assert.Equal(inboundTrace, call.TraceId);
        var inbound = Assert.Single(spans, s => s.SpanId == call.ParentSpanId);
        Assert.Equal(OtlpSpan.KindServer, inbound.Kind);
        Assert.Equal("/twilio", inbound["url.path"]);
        Assert.Equal(OtlpSpan.KindServer, call.Kind);
        Assert.Equal("twilio", call["switchboard.channel"]);
        Assert.Equal(ended.CallId, call["switchboard.call.id"]);
        Assert.Equal(ended.Reason, call["switchboard.call.end_reason"]);
        Assert.Equal(SessionApi.DefaultEndpoint(gateway).Id.ToString("D"), call["switchboard.endpoint.id"]);
        Assert.NotNull(call["switchboard.team.id"]);
        Assert.StartsWith("CA", (string)call["switchboard.carrier.call_id"]!, StringComparison.Ordinal);
        Assert.True((long)call["switchboard.call.duration_ms"]! > 3000);
        Assert.Equal("switchboard.local", call["gen_ai.provider.name"]);
        Assert.Contains(call.Events, e => e.Name == "barge_in" && e.Attributes["switchboard.barge_in.trigger"] as string == "user_speech");

        var children = spans.Where(s => s.ParentSpanId == call.SpanId).ToList();
        var connect = Assert.Single(children, s => s.Name == "connect switchboard.local");
        Assert.Equal(OtlpSpan.KindClient, connect.Kind);
        var turns = children.Where(s => s.Name.StartsWith("invoke_agent ", StringComparison.Ordinal)).ToList();
        Assert.True(turns.Count >= 3, "agent turns: " + turns.Count);
        Assert.All(turns, t => Assert.Equal("invoke_agent", t["gen_ai.operation.name"]));
        Assert.Contains(turns, t => (string?)t["gen_ai.agent.invocation.end_reason"] == "interrupted");
        Assert.Contains(turns, t => (string?)t["gen_ai.agent.invocation.end_reason"] == "completed");
        Assert.All(turns, t => Assert.NotNull(t["gen_ai.usage.output_tokens"]));
        Assert.True(children.Count(s => s.Name == "user_speech") >= 2);
        var tool = Assert.Single(children, s => s.Name == "execute_tool lookup_order");
        Assert.Equal("lookup_order", tool["gen_ai.tool.name"]);
        Assert.Equal("ok", tool["switchboard.outcome"]);
        Assert.All(children, c => Assert.Equal(call.TraceId, c.TraceId));

        // The tool's HTTP request: a client span under execute_tool, whose context the request carried.
        var toolHttp = Assert.Single(spans, s => s.ParentSpanId == tool.SpanId);
        Assert.Equal(OtlpSpan.KindClient, toolHttp.Kind);
        var toolRequest = Assert.Single(tools.Requests);
        Assert.StartsWith($"00-{call.TraceId}-{toolHttp.SpanId}-", toolRequest.Headers["traceparent"], StringComparison.Ordinal);

        // The webhook: its delivery span, the POST under it, and the traceparent the receiver got.
        var delivery = Assert.Single(spans, s => s.Name == "webhook call.ended");
        Assert.Equal("delivered", delivery["switchboard.outcome"]);
        var webhookHttp = Assert.Single(spans, s => s.ParentSpanId == delivery.SpanId && s.Kind == OtlpSpan.KindClient);
        Assert.StartsWith($"00-{delivery.TraceId}-{webhookHttp.SpanId}-", webhook.TraceParent, StringComparison.Ordinal);

        // The exporter's own requests are not traced (no feedback loop).
        Assert.DoesNotContain(spans, s => s["url.full"] is string url && url.Contains("/v1/traces", StringComparison.Ordinal));

        // No transcript text, no audio, no secret anywhere in the spans.
        var texts = spans.SelectMany(s => s.Attributes.Values.Concat(s.Events.SelectMany(e => e.Attributes.Values))).OfType<string>().ToList();
        foreach (var turn in events.Where(e => e.Type is CallEventType.CallerTurn or CallEventType.AgentTurn && e.Text is { Length: > 8 }))
        {
            Assert.DoesNotContain(texts, t => t.Contains(turn.Text!, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task Otlp_SessionCall_ContinuesTheTraceOfTheRequestThatCreatedTheSession()
    {
        await using var otlp = await OtlpReceiver.StartAsync();
        var settings = SessionApi.Settings();
        settings["OTEL_EXPORTER_OTLP_ENDPOINT"] = otlp.BaseUrl;
        settings["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf";
        settings["OTEL_BSP_SCHEDULE_DELAY"] = "100";
        await using var gateway = await GatewayFixture.StartAsync(settings);
        var key = await SessionApi.CreateKeyAsync(gateway);

        // The app that creates the session traces (its request carries the traceparent); the browser's socket does not.
        var app = new Activity("test app") { ActivityTraceFlags = ActivityTraceFlags.Recorded }.Start();
        var created = await SessionApi.CreateSessionAsync(gateway, key);
        app.Stop();
        await using (var session = await Switchboard.IntegrationTests.Limits.RawCall.SessionAsync(created.WsUrl))
        {
            for (var deadline = DateTime.UtcNow.AddSeconds(10); gateway.Calls.Count == 0 && DateTime.UtcNow < deadline;)
            {
                await Task.Delay(20);
            }

            await session.HangUpAsync();
        }

        var spans = await otlp.WaitForAsync(s => s.Any(x => x.Name == "call websocket"));
        var call = Assert.Single(spans, s => s.Name == "call websocket");
        Assert.Equal(app.TraceId.ToHexString(), call.TraceId);
        var creation = Assert.Single(spans, s => s.SpanId == call.ParentSpanId);
        Assert.Equal(OtlpSpan.KindServer, creation.Kind);
        Assert.Equal("/api/v1/sessions", creation["url.path"]);
        Assert.Equal(created.SessionId.ToString("D"), call["switchboard.session.id"]);
    }
}
