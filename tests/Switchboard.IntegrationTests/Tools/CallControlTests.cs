using System.Diagnostics;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Switchboard.Agents;
using Switchboard.Audio;
using Switchboard.Calls;
using Switchboard.Cli.Simulation;
using Switchboard.IntegrationTests.Gateway;
using Switchboard.Journal;

namespace Switchboard.IntegrationTests.Tools;

/// <summary>
/// The built-in end_call and transfer_call tools on real phone calls: scripted local-backend calls through the real
/// bridge, against local fakes of the Twilio REST API and Telnyx call control that check the exact request shape.
/// </summary>
public class CallControlTests
{
    private const string TwilioToken = "twilio-auth-token-for-tests";
    private const string TelnyxKey = "KEY-telnyx-test";
    private const string TelnyxStreamToken = "telnyx-stream-token";
    private static readonly string ConfiguredAccount = "AC" + new string('1', 32);

    private static readonly TransferSpec Targets = new()
    {
        Targets =
        [
            new TransferTargetSpec { Name = "billing", To = "+15551234567", Description = "Invoices and payments" },
            new TransferTargetSpec { Name = "desk", To = "sip:desk@pbx.example.com" },
        ],
        CallerId = "+15550001111",
    };

    [Fact]
    public async Task EndCall_Twilio_GoodbyePlaysOutThenTheCallIsHungUpOverRestAndTheStreamCloses()
    {
        await using var api = await CarrierApiFake.StartAsync();
        await using var gateway = await StartGatewayAsync("goodbye.json", api, twilio: true);
        await DeclareAsync(gateway, [new ToolSpec { Name = "end_call" }]);
        var identity = CallIdentity.NewTwilio();
        long lastEcho = 0;

        var result = await CallSimulator.RunAsync(new SimulationOptions
        {
            Url = gateway.WebSocketUrl("/twilio"),
            AuthToken = TwilioToken,
            Identity = identity,
            CallerAudio = CallTestAudio.Speech(800),
            TailSeconds = 10,
            OnTimeline = e =>
            {
                if (e.Kind == TimelineKind.MarkEchoed)
                {
                    Interlocked.Exchange(ref lastEcho, Stopwatch.GetTimestamp());
                }
            },
        });

        // The gateway hung up, after the whole goodbye played: every mark echoed, the last turn completed.
        Assert.True(result.GatewayClosedFirst);
        Assert.Equal(WebSocketCloseStatus.NormalClosure, result.CloseStatus);
        Assert.Equal("agent ended the call", result.CloseDescription);
        Assert.NotEmpty(result.Marks);
        Assert.All(result.Marks, m => Assert.NotNull(m.EchoedMs));
        var goodbye = result.Turns[^1];
        Assert.Equal(AgentTurnEnd.Completed, goodbye.End);
        Assert.InRange(goodbye.PlayedMs, 1400, 2200);

        // Exactly one REST hang-up, after the last mark echoed, in Twilio's shape.
        var request = Assert.Single(api.Requests);
        Assert.True(request.ArrivedAt > Interlocked.Read(ref lastEcho), "the hang-up reached Twilio before the goodbye finished playing");
        Assert.Equal("POST", request.Method);
        Assert.Equal($"/2010-04-01/Accounts/{identity.AccountId}/Calls/{identity.CallId}.json", request.Path);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ConfiguredAccount}:{TwilioToken}")), request.Headers["Authorization"]);
        Assert.StartsWith("application/x-www-form-urlencoded", request.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Equal("Status=completed", request.Body);

        var events = await gateway.WaitForEndedCallAsync();
        var tool = Assert.Single(events, e => e.Type == CallEventType.ToolCall);
        Assert.Equal("end_call", tool.Text);
        Assert.Equal("ok", tool.Reason);
        Assert.Contains(events, e => e.Type == CallEventType.AgentTurn && e.Text == "Thanks for calling. Goodbye!");
        var ended = events[^1];
        Assert.Equal(CallEndReason.AgentEnded, ended.Reason);
        Assert.Contains("the caller is done", ended.Detail, StringComparison.Ordinal);
        Assert.Contains("accepted", ended.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EndCall_Telnyx_HangupActionWithBearerKey()
    {
        await using var api = await CarrierApiFake.StartAsync();
        await using var gateway = await StartGatewayAsync("goodbye.json", api, telnyx: true);
        await DeclareAsync(gateway, [new ToolSpec { Name = "end_call" }]);
        var identity = CallIdentity.NewTelnyx();

        var result = await CallSimulator.RunAsync(TelnyxCall(gateway, identity));

        Assert.True(result.GatewayClosedFirst);
        Assert.Equal("agent ended the call", result.CloseDescription);
        var request = Assert.Single(api.Requests);
        Assert.Equal($"/v2/calls/{identity.CallId}/actions/hangup", request.Path);
        Assert.Equal("Bearer " + TelnyxKey, request.Headers["Authorization"]);
        Assert.StartsWith("application/json", request.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Equal("{}", request.Body);
        var events = await gateway.WaitForEndedCallAsync();
        Assert.Equal(CallEndReason.AgentEnded, events[^1].Reason);
    }

    [Fact]
    public async Task EndCall_NoRestCredentials_StillClosesTheStreamAfterTheGoodbye()
    {
        await using var api = await CarrierApiFake.StartAsync();
        await using var gateway = await StartGatewayAsync("goodbye.json", api);
        await DeclareAsync(gateway, [new ToolSpec { Name = "end_call" }]);

        var result = await CallSimulator.RunAsync(TwilioCall(gateway, CallIdentity.NewTwilio(), signed: false));

        Assert.True(result.GatewayClosedFirst);
        Assert.Equal("agent ended the call", result.CloseDescription);
        Assert.Equal(AgentTurnEnd.Completed, result.Turns[^1].End);
        Assert.Empty(api.Requests);
        var events = await gateway.WaitForEndedCallAsync();
        Assert.Equal(CallEndReason.AgentEnded, events[^1].Reason);
        Assert.Contains("not_configured", events[^1].Detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Transfer_Twilio_Accepted_DialTwimlAfterTheAnnouncementAndTheCallEndsTransferred()
    {
        await using var api = await CarrierApiFake.StartAsync();
        await using var gateway = await StartGatewayAsync("transfer.json", api, twilio: true);
        await DeclareAsync(gateway, [new ToolSpec { Name = "transfer_call" }], Targets);
        var identity = CallIdentity.NewTwilio();

        var result = await CallSimulator.RunAsync(TwilioCall(gateway, identity));

        Assert.True(result.GatewayClosedFirst);
        Assert.Equal("call transferred", result.CloseDescription);
        Assert.Equal(AgentTurnEnd.Completed, result.Turns[^1].End);
        var request = Assert.Single(api.Requests);
        Assert.Equal($"/2010-04-01/Accounts/{identity.AccountId}/Calls/{identity.CallId}.json", request.Path);
        Assert.Equal("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes($"{ConfiguredAccount}:{TwilioToken}")), request.Headers["Authorization"]);
        var form = ParseForm(request.Body);
        Assert.Equal("""<Response><Dial callerId="+15550001111">+15551234567</Dial></Response>""", Assert.Single(form).Value);
        Assert.Equal("Twiml", form.Single().Key);

        var events = await gateway.WaitForEndedCallAsync();
        Assert.Contains(events, e => e.Type == CallEventType.AgentTurn && e.Text == "Transferring you to billing now.");
        var transfer = Assert.Single(events, e => e.Type == CallEventType.Transfer);
        Assert.Equal("accepted", transfer.Reason);
        Assert.Equal("billing", transfer.Data!["target"]);
        Assert.Equal("+15551234567", transfer.Data["to"]);
        Assert.Equal("accepted", transfer.Data["status"]);
        Assert.Equal("200", transfer.Data["http_status"]);
        Assert.Equal(CallEndReason.Transferred, events[^1].Reason);
    }

    [Fact]
    public async Task Transfer_Telnyx_Accepted_TransferActionWithToAndFrom()
    {
        await using var api = await CarrierApiFake.StartAsync();
        await using var gateway = await StartGatewayAsync("transfer.json", api, telnyx: true);
        await DeclareAsync(gateway, [new ToolSpec { Name = "transfer_call" }], Targets);
        var identity = CallIdentity.NewTelnyx();

        var result = await CallSimulator.RunAsync(TelnyxCall(gateway, identity));

        Assert.Equal("call transferred", result.CloseDescription);
        var request = Assert.Single(api.Requests);
        Assert.Equal($"/v2/calls/{identity.CallId}/actions/transfer", request.Path);
        Assert.Equal("Bearer " + TelnyxKey, request.Headers["Authorization"]);
        Assert.StartsWith("application/json", request.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.Equal("""{"to":"+15551234567","from":"+15550001111"}""", request.Body);
        var events = await gateway.WaitForEndedCallAsync();
        Assert.Equal("accepted", Assert.Single(events, e => e.Type == CallEventType.Transfer).Reason);
        Assert.Equal(CallEndReason.Transferred, events[^1].Reason);
    }

    [Fact]
    public async Task Transfer_CarrierFails_EventFailedAndTheModelIsToldAndSpeaksAgain()
    {
        await using var api = await CarrierApiFake.StartAsync();
        api.Status = 500;
        api.Body = """{"code":20500,"message":"Internal Server Error","status":500}""";
        await using var gateway = await StartGatewayAsync("transfer.json", api, twilio: true);
        await DeclareAsync(gateway, [new ToolSpec { Name = "transfer_call" }], Targets);

        var result = await CallSimulator.RunAsync(TwilioCall(gateway, CallIdentity.NewTwilio(), tailSeconds: 8));

        // The call goes on: the caller hangs up at the end, having heard the announcement and then the apology.
        Assert.False(result.GatewayClosedFirst, $"the gateway closed the stream: {result.CloseStatus} {result.CloseDescription}");
        Assert.Single(api.Requests);
        var events = await gateway.WaitForEndedCallAsync();
        var transfer = Assert.Single(events, e => e.Type == CallEventType.Transfer);
        Assert.Equal("failed", transfer.Reason);
        Assert.Equal("refused", transfer.Data!["status"]);
        Assert.Equal("500", transfer.Data["http_status"]);
        Assert.Contains("Internal Server Error", transfer.Detail, StringComparison.Ordinal);
        var apology = Assert.Single(events, e => e.Type == CallEventType.AgentTurn && e.Text!.StartsWith("Sorry", StringComparison.Ordinal));
        Assert.True(apology.Sequence > transfer.Sequence);
        Assert.Equal(CallEndReason.CallerHangup, events[^1].Reason);
    }

    [Fact]
    public async Task Transfer_NoCredentials_FailsWithoutSendingAndTheModelGetsASystemMessage()
    {
        await using var api = await CarrierApiFake.StartAsync();
        await using var backend = await ScriptedRealtimeBackend.StartAsync();
        backend.Script = [.. ScriptedRealtimeBackend.FunctionCallResponse("resp_1", "fc_1", "transfer_call", """{"target":"desk"}""")];
        await using var gateway = await StartWithBackendAsync(backend, api, twilio: false);
        await DeclareAsync(gateway, [new ToolSpec { Name = "transfer_call" }], Targets);

        var result = await CallSimulator.RunAsync(TwilioCall(gateway, CallIdentity.NewTwilio(), signed: false, tailSeconds: 2));

        Assert.False(result.GatewayClosedFirst);
        Assert.Empty(api.Requests);
        var events = await gateway.WaitForEndedCallAsync();
        var transfer = Assert.Single(events, e => e.Type == CallEventType.Transfer);
        Assert.Equal("failed", transfer.Reason);
        Assert.Equal("not_configured", transfer.Data!["status"]);
        Assert.Equal("sip:desk@pbx.example.com", transfer.Data["to"]);
        // After the tool output and its response: the system message, then one more response.create.
        var sent = backend.Received.ToList();
        var system = sent.FindIndex(e => (string?)e["item"]?["role"] == "system");
        Assert.True(system > 0, "no system message reached the model");
        var content = sent[system]["item"]!["content"]![0]!;
        var text = (string?)content["text"];
        Assert.StartsWith("The transfer to desk failed: ", text, StringComparison.Ordinal);
        Assert.Contains("tell the caller", text, StringComparison.OrdinalIgnoreCase);
        Assert.Equal("input_text", (string?)content["type"]);

        Assert.Contains(sent.Skip(system + 1), e => (string?)e["type"] == "response.create");
    }

    [Fact]
    public async Task CancelledResponse_FunctionCallNeverActs_AndTheSameCallIdNeverTransfersTwice()
    {
        await using var api = await CarrierApiFake.StartAsync();
        api.Status = 500;
        await using var backend = await ScriptedRealtimeBackend.StartAsync();
        backend.Script =
        [
            .. ScriptedRealtimeBackend.FunctionCallResponse("resp_1", "fc_cancelled", "end_call", "{}", status: "cancelled"),
            .. ScriptedRealtimeBackend.FunctionCallResponse("resp_2", "fc_twice", "transfer_call", """{"target":"billing"}"""),
            .. ScriptedRealtimeBackend.FunctionCallResponse("resp_3", "fc_twice", "transfer_call", """{"target":"billing"}"""),
        ];
        await using var gateway = await StartWithBackendAsync(backend, api, twilio: true);
        await DeclareAsync(gateway, [new ToolSpec { Name = "transfer_call" }, new ToolSpec { Name = "end_call" }], Targets);

        var result = await CallSimulator.RunAsync(TwilioCall(gateway, CallIdentity.NewTwilio(), tailSeconds: 3));

        // The cancelled end_call never ran (the call was not ended), and fc_twice transferred once (it failed: the call goes on).
        Assert.False(result.GatewayClosedFirst);
        Assert.Single(api.Requests);
        var events = await gateway.WaitForEndedCallAsync();
        Assert.DoesNotContain(events, e => e.Type == CallEventType.ToolCall && e.Data!["call_id"] == "fc_cancelled");
        Assert.Single(events, e => e.Type == CallEventType.Transfer);
        Assert.Equal(CallEndReason.CallerHangup, events[^1].Reason);
    }

    private static SimulationOptions TwilioCall(GatewayFixture gateway, CallIdentity identity, bool signed = true, double tailSeconds = 10) => new()
    {
        Url = gateway.WebSocketUrl("/twilio"),
        AuthToken = signed ? TwilioToken : null,
        Identity = identity,
        CallerAudio = CallTestAudio.Speech(800),
        TailSeconds = tailSeconds,
    };

    private static SimulationOptions TelnyxCall(GatewayFixture gateway, CallIdentity identity) => new()
    {
        Url = gateway.WebSocketUrl("/telnyx"),
        Carrier = CarrierKind.Telnyx,
        Token = TelnyxStreamToken,
        Identity = identity,
        CallerAudio = CallTestAudio.Speech(800),
        TailSeconds = 10,
    };

    private static Task<GatewayFixture> StartGatewayAsync(string scenario, CarrierApiFake api, bool twilio = false, bool telnyx = false)
    {
        var settings = CarrierSettings(api, twilio, telnyx);
        settings["Switchboard:Local:Mode"] = "Scripted";
        settings["Switchboard:Local:ScenarioPath"] = RepoFile("samples/scenarios/" + scenario);
        return GatewayFixture.StartAsync(settings);
    }

    private static Task<GatewayFixture> StartWithBackendAsync(ScriptedRealtimeBackend backend, CarrierApiFake api, bool twilio)
    {
        var settings = CarrierSettings(api, twilio, telnyx: false);
        settings["Switchboard:Backend:Kind"] = "OpenAI";
        settings["Switchboard:OpenAI:ApiKey"] = "sk-test-key";
        settings["Switchboard:OpenAI:RealtimeUrl"] = backend.RealtimeUrl;
        return GatewayFixture.StartAsync(settings);
    }

    private static Dictionary<string, string?> CarrierSettings(CarrierApiFake api, bool twilio, bool telnyx)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Switchboard:Twilio:ApiBaseUrl"] = api.BaseUrl,
            ["Switchboard:Telnyx:ApiBaseUrl"] = api.BaseUrl,
            ["Switchboard:Telnyx:StreamToken"] = TelnyxStreamToken,
        };
        if (twilio)
        {
            settings["Switchboard:Twilio:AuthToken"] = TwilioToken;
            settings["Switchboard:Twilio:AccountSid"] = ConfiguredAccount;
        }

        if (telnyx)
        {
            settings["Switchboard:Telnyx:ApiKey"] = TelnyxKey;
        }

        return settings;
    }

    private static async Task DeclareAsync(GatewayFixture gateway, IReadOnlyList<ToolSpec> tools, TransferSpec? transfer = null)
    {
        var teams = await gateway.Store.ListTeamsAsync(CancellationToken.None);
        var endpoint = (await gateway.Store.GetDefaultEndpointAsync(teams[0].Id, CancellationToken.None))!;
        await gateway.Store.UpdateEndpointAsync(endpoint with { Spec = endpoint.Spec with { Tools = tools, Transfer = transfer ?? new TransferSpec() } }, CancellationToken.None);
    }

    private static List<KeyValuePair<string, string>> ParseForm(string body) =>
        body.Split('&').Select(p => p.Split('=', 2)).Select(p => new KeyValuePair<string, string>(
            Uri.UnescapeDataString(p[0].Replace('+', ' ')), Uri.UnescapeDataString(p[1].Replace('+', ' ')))).ToList();

    private static string RepoFile(string relative) => RepoPaths.File(relative);
}
