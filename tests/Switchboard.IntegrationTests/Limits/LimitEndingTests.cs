using System.Net;
using Switchboard.Agents;
using Switchboard.Cli.Simulation;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.IntegrationTests.Sessions;
using Switchboard.Journal;

namespace Switchboard.IntegrationTests.Limits;

/// <summary>
/// Limits ending real calls on each channel, through Kestrel and the local backend: the agent's goodbye reaches the
/// caller before the line closes, the end reason is the limit's, and nothing is billed past the limit plus the goodbye bound.
/// </summary>
public class LimitEndingTests
{
    private const int GoodbyeSeconds = 5;

    private static Dictionary<string, string?> Settings()
    {
        var settings = SessionApi.Settings();
        settings["Switchboard:Telnyx:StreamToken"] = "tel-secret";
        settings["Switchboard:Limits:GoodbyeSeconds"] = GoodbyeSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return settings;
    }

    private static long DurationMs(CallEvent ended) => long.Parse(ended.Data![CallEventKeys.DurationMs], System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public async Task Twilio_MaxDuration_WarningThenGoodbyeHeardInFullThenEnd()
    {
        await using var gateway = await GatewayFixture.StartAsync(Settings());
        var endpoint = await SessionApi.CreateEndpointAsync(gateway, new AgentSpec
        {
            Limits = new LimitsSpec { MaxCallSeconds = 3, CallWarningSeconds = 1, IdleWarningSeconds = 0, IdleTimeoutSeconds = 0 },
        });

        var result = await CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WebSocketUrl("/twilio"),
            Carrier = CarrierKind.Twilio,
            Parameters = await CarrierBinding.ParametersAsync(gateway, endpoint.Id),
            TailSeconds = 30,
        });

        Assert.True(result.GatewayClosedFirst);
        Assert.InRange(result.DurationMs, 3000, (3 + GoodbyeSeconds + 3) * 1000);
        var events = await gateway.WaitForEndedCallAsync();
        var ended = events.Last();
        Assert.Equal(CallEndReason.MaxDuration, ended.Reason);
        Assert.InRange(DurationMs(ended), 3000, (3 + GoodbyeSeconds) * 1000);
        var warnings = events.Where(e => e.Type == CallEventType.LimitWarning).ToList();
        Assert.Equal(["call_warning", "goodbye"], warnings.Select(w => w.Reason));
        // The goodbye was spoken after the limit and heard to its end before the line closed.
        var goodbyeTurn = Assert.Single(events, e => e.Type == CallEventType.AgentTurn && e.Sequence > warnings[1].Sequence);
        Assert.NotEqual(true, goodbyeTurn.Interrupted);
        var last = result.Turns[^1];
        Assert.Equal(AgentTurnEnd.Completed, last.End);
        Assert.True(last.PlayedMs > 0);
    }

    [Fact]
    public async Task Telnyx_Idle_AskedThenGoodbyeThenIdleTimeout()
    {
        await using var gateway = await GatewayFixture.StartAsync(Settings());
        var endpoint = await SessionApi.CreateEndpointAsync(gateway, new AgentSpec
        {
            Limits = new LimitsSpec { IdleWarningSeconds = 1, IdleTimeoutSeconds = 3 },
        });

        var result = await CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WebSocketUrl("/telnyx"),
            Token = "tel-secret",
            Carrier = CarrierKind.Telnyx,
            Parameters = await CarrierBinding.ParametersAsync(gateway, endpoint.Id),
            TailSeconds = 30,
        });

        Assert.True(result.GatewayClosedFirst);
        var events = await gateway.WaitForEndedCallAsync();
        var ended = events.Last();
        Assert.Equal(CallEndReason.IdleTimeout, ended.Reason);
        Assert.InRange(DurationMs(ended), 3000, (3 + GoodbyeSeconds + 2) * 1000);
        Assert.Equal(["idle_warning", "goodbye"], events.Where(e => e.Type == CallEventType.LimitWarning).Select(w => w.Reason));
        Assert.Equal(AgentTurnEnd.Completed, result.Turns[^1].End);
        Assert.True(result.Turns.Count >= 2, "the idle question and the goodbye are both heard");
    }

    [Fact]
    public async Task Session_MaxDuration_GoodbyeShownThenNormalClose()
    {
        await using var gateway = await GatewayFixture.StartAsync(Settings());
        var endpoint = await SessionApi.CreateEndpointAsync(gateway, new AgentSpec
        {
            Limits = new LimitsSpec { MaxCallSeconds = 2, CallWarningSeconds = 0, IdleWarningSeconds = 0, IdleTimeoutSeconds = 0 },
        });
        var key = await SessionApi.CreateKeyAsync(gateway);
        var session = await SessionApi.CreateSessionAsync(gateway, key, endpoint.Id);

        await using var client = await SessionTestClient.ConnectAsync(session.WsUrl);
        var code = await client.WaitForCloseAsync(TimeSpan.FromSeconds(2 + GoodbyeSeconds + 5));

        Assert.Equal(1000, code);
        Assert.Equal("maximum conversation duration reached", client.CloseDescription);
        Assert.Contains(client.Received, m => m.GetProperty("type").GetString() == "transcript"
            && m.GetProperty("payload").GetProperty("role").GetString() == "agent");
        var events = await gateway.WaitForEndedCallAsync();
        Assert.Equal(CallEndReason.MaxDuration, events.Last().Reason);
    }

    [Fact]
    public async Task Session_CallCostBudget_FromUsageEvents_WarnsThenEndsBudgetExhausted()
    {
        // An OpenAI-shaped backend that reports usage (8 input, 4 output text tokens per answer), priced so one answer
        // costs $1.20: the second answer passes 80 % of the call's $2.90 budget (a warning), the third passes the budget.
        await using var backend = await ScriptedTextBackend.StartAsync();
        var settings = Settings();
        settings["Switchboard:Backend:Kind"] = "OpenAI";
        settings["Switchboard:OpenAI:ApiKey"] = "sk-test-key";
        settings["Switchboard:OpenAI:RealtimeUrl"] = backend.RealtimeUrl;
        settings["Switchboard:Pricing:gpt-realtime:InputTextPerMillion"] = "100000";
        settings["Switchboard:Pricing:gpt-realtime:OutputTextPerMillion"] = "100000";
        await using var gateway = await GatewayFixture.StartAsync(settings);
        var endpoint = await SessionApi.CreateEndpointAsync(gateway, new AgentSpec
        {
            Limits = new LimitsSpec { MaxCallCostUsd = 2.9, IdleWarningSeconds = 0, IdleTimeoutSeconds = 0 },
        });
        var key = await SessionApi.CreateKeyAsync(gateway);
        var session = await SessionApi.CreateSessionAsync(gateway, key, endpoint.Id);
        await using var client = await SessionTestClient.ConnectAsync(session.WsUrl);

        foreach (var text in new[] { "first", "second" })
        {
            await client.SendTextAsync(text);
            await client.WaitForTypeAsync("transcript", m => m.GetProperty("payload").GetProperty("role").GetString() == "agent"
                && m.GetProperty("payload").GetProperty("final").GetBoolean());
        }

        await client.SendTextAsync("third");
        var code = await client.WaitForCloseAsync(TimeSpan.FromSeconds(GoodbyeSeconds + 10));

        Assert.Equal(1000, code);
        Assert.Equal("conversation ended: usage limit reached", client.CloseDescription);
        var events = await gateway.WaitForEndedCallAsync();
        var ended = events.Last();
        Assert.Equal(CallEndReason.BudgetExhausted, ended.Reason);
        Assert.Equal(["cost_warning", "goodbye"], events.Where(e => e.Type == CallEventType.LimitWarning).Select(w => w.Reason));
        // Three answers and the goodbye: $4.80, journalled with the call and kept in its record for usage.
        Assert.Equal("4.8", ended.Data![CallEventKeys.CostUsd]);
        var record = await gateway.Store.GetCallAsync(null, ended.CallId, CancellationToken.None);
        Assert.Equal(4.8, record!.CostUsd!.Value, 6);
        Assert.Equal(4, backend.Received.Count(e => (string?)e["type"] == "response.create"));
    }

    [Fact]
    public async Task Twilio_TwimlWebhook_BudgetUsedUp_SaysBusyAndHangsUp_RefusalJournalled()
    {
        await using var gateway = await GatewayFixture.StartAsync(Settings());
        var endpoint = await SessionApi.CreateEndpointAsync(gateway, new AgentSpec { Limits = new LimitsSpec { MaxDailyCostUsd = 0.5 } });
        // A call earlier today used up the endpoint's cost budget.
        await gateway.Store.AppendEventsAsync(
        [
            new CallEvent
            {
                CallId = "call_earlier", Sequence = 1, At = DateTimeOffset.UtcNow.AddMinutes(-1), Type = CallEventType.CallStarted,
                Data = new Dictionary<string, string>
                {
                    [CallEventKeys.Carrier] = "twilio", [CallEventKeys.TeamId] = endpoint.TeamId.ToString("D"), [CallEventKeys.EndpointId] = endpoint.Id.ToString("D"),
                },
            },
            new CallEvent
            {
                CallId = "call_earlier", Sequence = 2, At = DateTimeOffset.UtcNow, Type = CallEventType.CallEnded, Reason = CallEndReason.CallerHangup,
                Data = new Dictionary<string, string> { [CallEventKeys.DurationMs] = "60000", [CallEventKeys.CostUsd] = "0.61" },
            },
        ], CancellationToken.None);

        using var http = new HttpClient();
        using var response = await http.PostAsync(gateway.BaseUrl + "/twilio/twiml?endpointId=" + endpoint.Id + "&endpointToken=" + await CarrierBinding.TokenAsync(gateway, endpoint.Id),
            new FormUrlEncodedContent(new Dictionary<string, string> { ["CallSid"] = "CA123", ["From"] = "+15550001111", ["To"] = "+15550002222" }));
        var twiml = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("<Say>Sorry, we cannot take your call right now.", twiml, StringComparison.Ordinal);
        Assert.Contains("<Hangup/>", twiml, StringComparison.Ordinal);
        Assert.DoesNotContain("<Connect>", twiml, StringComparison.Ordinal);
        await gateway.Journal.FlushAsync(CancellationToken.None);
        var refused = Assert.Single((await gateway.Store.ListCallsAsync(null, 0, 10, CancellationToken.None)).Items, r => r.Refused);
        Assert.Equal("budget_exhausted", refused.EndReason);
        Assert.Equal(endpoint.Id, refused.EndpointId);
        Assert.Equal("CA123", refused.CarrierCallId);
    }

    [Fact]
    public async Task Twilio_TwimlWebhook_RejectConfigured_AnswersRejectBusy()
    {
        var settings = Settings();
        settings["Switchboard:Twilio:RefuseWith"] = "reject";
        settings["Switchboard:Limits:MaxConcurrentCalls"] = "1";
        await using var gateway = await GatewayFixture.StartAsync(settings);
        var endpoint = SessionApi.DefaultEndpoint(gateway);
        await using var live = await RawCall.CarrierAsync("twilio", gateway.WebSocketUrl("/twilio"), endpoint.Id, await CarrierBinding.TokenAsync(gateway, endpoint.Id));
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (gateway.Calls.Count == 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        using var http = new HttpClient();
        using var response = await http.PostAsync(gateway.BaseUrl + "/twilio/twiml", new FormUrlEncodedContent(new Dictionary<string, string> { ["CallSid"] = "CA9" }));

        Assert.Equal("<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Reject reason=\"busy\"/></Response>", await response.Content.ReadAsStringAsync());
    }
}
