using System.Diagnostics;
using System.Text.Json.Nodes;
using Switchboard.Agents;
using Switchboard.Artifacts;
using Switchboard.IntegrationTests.Tools;
using Switchboard.Journal;
using Switchboard.Testing.Realtime;
using Switchboard.Testing.Sip;

namespace Switchboard.IntegrationTests.SipConnector;

/// <summary>
/// Calls through the OpenAI Realtime SIP connector, end to end on a real gateway against a fake of the connector (REST and
/// sideband in their wire shapes): signed webhook → admission → accept (checked field by field) → greeting on the
/// sideband → tools → transfer by REFER, end_call and limits by hang-up after the goodbye's audio.
/// </summary>
public class SipConnectorCallTests
{
    private static readonly TransferSpec Targets = new()
    {
        Targets =
        [
            new TransferTargetSpec { Name = "billing", To = "+15551234567", Description = "Invoices and payments" },
            new TransferTargetSpec { Name = "desk", To = "sip:desk@pbx.example.com" },
        ],
    };

    [Fact]
    public async Task SignedWebhook_AcceptWithTheEndpointSession_Greeting_ToolOnce_TransferByRefer_EndsTransferred()
    {
        await using var fake = await FakeSipConnector.StartAsync();
        await using var tools = await ToolTestServer.StartAsync();
        await using var gateway = await SipGateway.StartAsync(fake);
        await SipGateway.SetSpecAsync(gateway, s => s with
        {
            Instructions = "You are Acme's phone agent.",
            Voice = "cedar",
            TurnDetection = new TurnDetectionSpec { Type = "semantic_vad" },
            Transcription = new TranscriptionSpec { Model = "gpt-realtime-whisper", Language = "en" },
            Transfer = Targets,
            Tools =
            [
                new ToolSpec { Name = "lookup_order", Description = "Looks up an order", Http = new HttpToolSpec { Url = tools.BaseUrl + "/orders/lookup" } },
                new ToolSpec { Name = "transfer_call" },
            ],
        });

        Assert.Equal(200, await SipGateway.PostCallAsync(gateway, "rtc_full", query: ""));

        // The accept: POST …/realtime/calls/rtc_full/accept with the Bearer key and the endpoint's spec as a GA session.
        var accept = await fake.WaitForAsync("accept", "rtc_full");
        Assert.Equal("openai", accept.Flavour);
        Assert.Equal("Bearer " + SipGateway.OpenAIKey, accept.Headers["Authorization"]);
        Assert.StartsWith("application/json", accept.Headers["Content-Type"], StringComparison.Ordinal);
        var session = accept.Body!.AsObject();
        Assert.Equal("realtime", (string?)session["type"]);
        Assert.Equal("gpt-realtime", (string?)session["model"]);
        Assert.Equal("You are Acme's phone agent.", (string?)session["instructions"]);
        Assert.Equal("audio", (string?)session["output_modalities"]![0]);
        Assert.Equal("cedar", (string?)session["audio"]!["output"]!["voice"]);
        Assert.Null(session["audio"]!["output"]!["format"]);
        Assert.Null(session["audio"]!["input"]!["format"]);
        Assert.Equal("semantic_vad", (string?)session["audio"]!["input"]!["turn_detection"]!["type"]);
        Assert.True((bool)session["audio"]!["input"]!["turn_detection"]!["interrupt_response"]!);
        Assert.Equal("gpt-realtime-whisper", (string?)session["audio"]!["input"]!["transcription"]!["model"]);
        Assert.Equal("en", (string?)session["audio"]!["input"]!["transcription"]!["language"]);
        Assert.Equal("auto", (string?)session["tool_choice"]);
        var toolNames = session["tools"]!.AsArray().Select(t => (string?)t!["name"]).ToList();
        Assert.Contains("lookup_order", toolNames);
        Assert.Contains("transfer_call", toolNames);
        Assert.All(session["tools"]!.AsArray(), t => Assert.Equal("function", (string?)t!["type"]));
        Assert.Null(session["voice"]);

        // The sideband: attached after the accept with the same key and no model; the greeting first, no session.update.
        var connection = await fake.Sideband.ConnectionAsync();
        var upgrade = fake.Sideband.Requests.Single(r => r.Headers.ContainsKey("Upgrade"));
        Assert.Equal("/v1/realtime?call_id=rtc_full", upgrade.PathAndQuery);
        Assert.Equal("Bearer " + SipGateway.OpenAIKey, upgrade.Authorization);
        var greeting = await SipGateway.AnswerGreetingAsync(fake);
        Assert.Contains(SipGateway.Greeting, (string?)greeting["response"]!["instructions"], StringComparison.Ordinal);
        Assert.DoesNotContain(fake.Sideband.Received, e => (string?)e["type"] == "session.update");

        // The caller asks; the model calls the HTTP tool; it runs once and is answered once.
        await SipGateway.CallerSaysAsync(fake, "item_c1", "Where is my order A-1042?");
        await SipGateway.CallToolAsync(fake, "resp_1", "call_lookup", "lookup_order", """{"order_id":"A-1042"}""");
        var output = await fake.Sideband.WaitForAsync("conversation.item.create", e => (string?)e["item"]?["type"] == "function_call_output");
        Assert.Equal("call_lookup", (string?)output["item"]!["call_id"]);
        Assert.Contains("ships tomorrow", (string?)output["item"]!["output"], StringComparison.Ordinal);
        await fake.Sideband.WaitForAsync("response.create");
        await SipGateway.SpeakAsync(fake, "resp_2", "item_a2", "Order A-1042 ships tomorrow.", audioTokens: 30);
        Assert.Single(tools.Requests);

        // The caller wants billing: transfer_call → the announcement → its audio → REFER tel:+15551234567.
        await SipGateway.CallerSaysAsync(fake, "item_c2", "Put me through to billing.");
        await SipGateway.CallToolAsync(fake, "resp_3", "call_transfer", "transfer_call", """{"target":"billing","reason":"invoice question"}""");
        var armed = await fake.Sideband.WaitForAsync("conversation.item.create", e => (string?)e["item"]?["call_id"] == "call_transfer");
        Assert.Contains("\"ok\":true", (string?)armed["item"]!["output"], StringComparison.Ordinal);
        await fake.Sideband.WaitForAsync("response.create");
        var announced = Stopwatch.GetTimestamp();
        await SipGateway.SpeakAsync(fake, "resp_4", "item_a4", "Transferring you to billing now.", audioTokens: 16);
        var refer = await fake.WaitForAsync("refer", "rtc_full");
        Assert.True(Stopwatch.GetElapsedTime(announced) >= TimeSpan.FromMilliseconds(700), "the REFER came before the announcement's 800 ms of audio had played");
        Assert.Equal(new JsonObject { ["target_uri"] = "tel:+15551234567" }.ToJsonString(), refer.Body!.ToJsonString());
        Assert.Equal("Bearer " + SipGateway.OpenAIKey, refer.Headers["Authorization"]);

        var events = await gateway.WaitForEndedCallAsync();
        Assert.Empty(fake.Of("hangup"));
        Assert.Single(fake.Of("accept"));
        var started = events.Single(e => e.Type == CallEventType.CallStarted);
        Assert.Equal("sip", started.Data![CallEventKeys.Carrier]);
        Assert.Equal("rtc_full", started.Data[CallEventKeys.CarrierCallId]);
        Assert.Equal("+15550001111", started.Data[CallEventKeys.From]);
        Assert.Equal("+15550002222", started.Data[CallEventKeys.To]);
        Assert.Equal("sipcall-rtc_full@carrier.example.com", started.Data["sip_call_id"]);
        Assert.Equal("openai", started.Data["backend"]);
        var transfer = events.Single(e => e.Type == CallEventType.Transfer);
        Assert.Equal("accepted", transfer.Reason);
        Assert.Contains("no outcome", transfer.Detail, StringComparison.Ordinal);
        Assert.Equal(CallEndReason.Transferred, events[^1].Reason);

        // The artifact reads like any phone call's: transcript, tools, transfer, usage; numbers per the endpoint's privacy.
        var artifact = CallArtifactBuilder.Build(events, CallPricing.Default);
        Assert.Equal("sip", artifact.Carrier.Name);
        Assert.Equal("rtc_full", artifact.Carrier.CallId);
        Assert.Equal("+*******1111", artifact.From);
        Assert.Contains(artifact.Transcript, t => t.Role == "agent" && t.Text == SipGateway.Greeting);
        Assert.Contains(artifact.Transcript, t => t.Role == "caller" && t.Text == "Put me through to billing.");
        Assert.Contains(artifact.Transcript, t => t.Role == "agent" && t.Text == "Order A-1042 ships tomorrow.");
        Assert.Equal(["lookup_order", "transfer_call"], artifact.ToolCalls.Select(t => t.Name).ToArray());
        Assert.Equal("accepted", artifact.Transfer!.Outcome);
        Assert.Equal("billing", artifact.Transfer.Target);
        Assert.True(artifact.Usage.Responses >= 4);
        Assert.True(artifact.Usage.OutputAudioTokens >= 86);
        Assert.Equal("gpt-realtime", artifact.Usage.Model);

        // calls list shows the channel.
        var call = Assert.Single((await gateway.Store.ListCallsAsync(null, 0, 10, CancellationToken.None)).Items);
        Assert.Equal("sip", call.Channel);
    }

    [Fact]
    public async Task EndCall_HangsUpOnlyAfterTheGoodbyesAudioDuration()
    {
        await using var fake = await FakeSipConnector.StartAsync();
        await using var gateway = await SipGateway.StartAsync(fake);
        await SipGateway.SetSpecAsync(gateway, s => s with { Tools = [new ToolSpec { Name = "end_call" }] });

        Assert.Equal(200, await SipGateway.PostCallAsync(gateway, "rtc_end"));
        await SipGateway.AnswerGreetingAsync(fake);
        await SipGateway.CallToolAsync(fake, "resp_1", "call_end", "end_call", """{"reason":"the caller is done"}""");
        await fake.Sideband.WaitForAsync("response.create");
        var goodbyeDone = Stopwatch.GetTimestamp();
        // 30 audio tokens: 1.5 s of goodbye.
        await SipGateway.SpeakAsync(fake, "resp_2", "item_bye", "Thanks for calling. Goodbye!", audioTokens: 30);

        var hangup = await fake.WaitForAsync("hangup", "rtc_end");
        var waited = Stopwatch.GetElapsedTime(goodbyeDone);
        Assert.True(waited >= TimeSpan.FromMilliseconds(1350), $"hung up {waited.TotalMilliseconds:0} ms after the goodbye began, before its 1.5 s of audio");
        Assert.True(waited < TimeSpan.FromSeconds(5), $"hung up {waited.TotalMilliseconds:0} ms after the goodbye began");
        Assert.Equal("Bearer " + SipGateway.OpenAIKey, hangup.Headers["Authorization"]);

        var events = await gateway.WaitForEndedCallAsync();
        Assert.Equal(CallEndReason.AgentEnded, events[^1].Reason);
        Assert.Contains("accepted", events[^1].Detail, StringComparison.Ordinal);
        Assert.Single(fake.Of("hangup"));
        Assert.Empty(fake.Of("reject"));
    }

    [Fact]
    public async Task EndCall_BackendReportsPlayback_HangsUpAtItsStoppedEvent()
    {
        await using var fake = await FakeSipConnector.StartAsync();
        await using var gateway = await SipGateway.StartAsync(fake);
        await SipGateway.SetSpecAsync(gateway, s => s with { Tools = [new ToolSpec { Name = "end_call" }] });

        Assert.Equal(200, await SipGateway.PostCallAsync(gateway, "rtc_stopped"));
        await SipGateway.AnswerGreetingAsync(fake);
        await SipGateway.CallToolAsync(fake, "resp_1", "call_end", "end_call", "{}");
        await fake.Sideband.WaitForAsync("response.create");
        await fake.Sideband.SendAsync(ServerEvents.ResponseCreated("resp_2"));
        await fake.Sideband.SendAsync(ServerEvents.OutputAudioBuffer("started", "resp_2"));
        // Usage says 6 s of audio, but the connector reports the playback over after 600 ms (the caller interrupted, say).
        await fake.Sideband.SendAsync(ServerEvents.ResponseDoneWithAudio("resp_2", 120));
        await Task.Delay(600);
        Assert.Empty(fake.Of("hangup"));
        var stopped = Stopwatch.GetTimestamp();
        await fake.Sideband.SendAsync(ServerEvents.OutputAudioBuffer("stopped", "resp_2"));

        await fake.WaitForAsync("hangup", "rtc_stopped");
        Assert.True(Stopwatch.GetElapsedTime(stopped) < TimeSpan.FromSeconds(2));
        var events = await gateway.WaitForEndedCallAsync();
        Assert.Equal(CallEndReason.AgentEnded, events[^1].Reason);
    }

    [Fact]
    public async Task MaxCallSeconds_GoodbyeThenHangup_EndsMaxDuration_AndDtmfIsJournalled()
    {
        await using var fake = await FakeSipConnector.StartAsync();
        await using var gateway = await SipGateway.StartAsync(fake);
        await SipGateway.SetSpecAsync(gateway, s => s with { Limits = s.Limits with { MaxCallSeconds = 2, CallWarningSeconds = 0, IdleWarningSeconds = 0, IdleTimeoutSeconds = 0 } });

        Assert.Equal(200, await SipGateway.PostCallAsync(gateway, "rtc_limit"));
        await SipGateway.AnswerGreetingAsync(fake);
        await fake.Sideband.SendAsync(ServerEvents.DtmfReceived("7"));

        // At the cap the agent is asked for a goodbye; its audio plays, then the call is hung up.
        var goodbye = await fake.Sideband.WaitForAsync("response.create", e => ((string?)e["response"]?["instructions"])?.Contains("time limit", StringComparison.Ordinal) == true,
            TimeSpan.FromSeconds(10));
        Assert.NotNull(goodbye);
        await SipGateway.SpeakAsync(fake, "resp_bye", "item_bye", "We are out of time. Goodbye!", audioTokens: 10);
        await fake.WaitForAsync("hangup", "rtc_limit");

        var events = await gateway.WaitForEndedCallAsync();
        Assert.Equal(CallEndReason.MaxDuration, events[^1].Reason);
        Assert.Contains(events, e => e.Type == CallEventType.Dtmf && e.Digit == "7");
        Assert.Single(fake.Of("hangup"));
    }

    [Fact]
    public async Task EndpointNamedOnTheSignedWebhookUrl_AcceptedOnThatEndpoint_WithoutAnEndpointToken()
    {
        await using var fake = await FakeSipConnector.StartAsync();
        await using var gateway = await SipGateway.StartAsync(fake);
        await SipGateway.SetSpecAsync(gateway);
        var named = await Sessions.SessionApi.CreateEndpointAsync(gateway, new Switchboard.Agents.AgentSpec());

        Assert.Equal(200, await SipGateway.PostCallAsync(gateway, "rtc_named", query: "?endpointId=" + named.Id.ToString("D")));
        await fake.WaitForAsync("accept", "rtc_named");
        (await fake.Sideband.ConnectionAsync()).Abort();

        var events = await gateway.WaitForEndedCallAsync();
        Assert.Equal(named.Id.ToString("D"), Assert.Single(events, e => e.Type == CallEventType.CallStarted).Data![CallEventKeys.EndpointId]);
        Assert.Empty(fake.Of("reject"));
    }

    [Fact]
    public async Task SidebandDroppedWithoutCloseFrame_EndsAsTheCallerHangingUp_NothingMoreIsSent()
    {
        await using var fake = await FakeSipConnector.StartAsync();
        await using var gateway = await SipGateway.StartAsync(fake);
        await SipGateway.SetSpecAsync(gateway);

        Assert.Equal(200, await SipGateway.PostCallAsync(gateway, "rtc_drop"));
        await SipGateway.AnswerGreetingAsync(fake);
        (await fake.Sideband.ConnectionAsync()).Abort();

        var events = await gateway.WaitForEndedCallAsync();
        Assert.Equal(CallEndReason.CallerHangup, events[^1].Reason);
        Assert.Contains("without a close frame", events[^1].Detail, StringComparison.Ordinal);
        await Task.Delay(200);
        Assert.Empty(fake.Of("hangup"));
        Assert.Empty(fake.Of("reject"));
        Assert.Empty(gateway.Calls.Snapshot());
    }

    [Fact]
    public async Task Accept404_TheCallerHungUpFirst_JournalledAndNeverAttached()
    {
        await using var fake = await FakeSipConnector.StartAsync();
        fake.Answer = (action, _, _) => action == "accept" ? (404, """{"error":{"message":"Call not found","type":"invalid_request_error"}}""") : null;
        await using var gateway = await SipGateway.StartAsync(fake);
        await SipGateway.SetSpecAsync(gateway);

        Assert.Equal(200, await SipGateway.PostCallAsync(gateway, "rtc_gone"));

        var events = await gateway.WaitForEndedCallAsync();
        Assert.Equal(CallEndReason.CallerHangup, events[^1].Reason);
        Assert.Contains("Call not found", events[^1].Detail, StringComparison.Ordinal);
        Assert.Contains(events, e => e.Type == CallEventType.CallStarted);
        Assert.DoesNotContain(fake.Sideband.Requests, r => r.Headers.ContainsKey("Upgrade"));
        Assert.Empty(fake.Of("reject"));
        Assert.Empty(fake.Of("hangup"));
    }

    [Fact]
    public async Task TransferToSipTarget_RefersTheSipUri_AndAFailedReferIsToldToTheModel()
    {
        await using var fake = await FakeSipConnector.StartAsync();
        fake.Answer = (action, _, attempt) => action == "refer" && attempt == 1 ? (500, """{"error":{"message":"trunk refused"}}""") : null;
        await using var gateway = await SipGateway.StartAsync(fake);
        await SipGateway.SetSpecAsync(gateway, s => s with { Transfer = Targets, Tools = [new ToolSpec { Name = "transfer_call" }] });

        Assert.Equal(200, await SipGateway.PostCallAsync(gateway, "rtc_desk"));
        await SipGateway.AnswerGreetingAsync(fake);
        await SipGateway.CallToolAsync(fake, "resp_1", "call_t1", "transfer_call", """{"target":"desk"}""");
        await fake.Sideband.WaitForAsync("response.create");
        await SipGateway.SpeakAsync(fake, "resp_2", "item_a2", "Connecting you to the desk.", audioTokens: 4);

        // The first REFER fails: the model hears why and the caller stays on the line.
        var first = await fake.WaitForAsync("refer", "rtc_desk");
        Assert.Equal("sip:desk@pbx.example.com", (string?)first.Body!["target_uri"]);
        var told = await fake.Sideband.WaitForAsync("conversation.item.create", e => ((string?)e["item"]?["content"]?[0]?["text"])?.Contains("failed", StringComparison.Ordinal) == true);
        Assert.Contains("trunk refused", (string?)told["item"]!["content"]![0]!["text"], StringComparison.Ordinal);
        await fake.Sideband.WaitForAsync("response.create");
        await SipGateway.SpeakAsync(fake, "resp_3", "item_a3", "Sorry, the desk is not answering.", audioTokens: 4);

        // The caller hangs up (the sideband drops).
        (await fake.Sideband.ConnectionAsync()).Abort();
        var events = await gateway.WaitForEndedCallAsync();
        Assert.Equal(CallEndReason.CallerHangup, events[^1].Reason);
        Assert.Equal("failed", events.Single(e => e.Type == CallEventType.Transfer).Reason);
    }
}
