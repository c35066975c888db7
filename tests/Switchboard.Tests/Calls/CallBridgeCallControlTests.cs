using Switchboard.Agents;
using Switchboard.Agents.Tools;
using Switchboard.Artifacts;
using Switchboard.Calls;
using Switchboard.Journal;
using Switchboard.Tests.Calls.Harness;

namespace Switchboard.Tests.Calls;

/// <summary>The built-in end_call and transfer_call on the one call engine, hermetically: armed, then run after the goodbye plays out.</summary>
public class CallBridgeCallControlTests
{
    private static readonly TransferSpec Targets = new()
    {
        Targets = [new TransferTargetSpec { Name = "billing", To = "+15551234567", Description = "Invoices" }],
        CallerId = "+15550009999",
    };

    /// <summary>The model calls a built-in; waits for the output and the response that answers it.</summary>
    private static async Task<ClientEvent> CallToolAsync(BridgeHarness h, string name, string arguments)
    {
        await h.Backend.ResponseCreatedAsync("resp_1");
        await h.Backend.FunctionCallArgumentsDoneAsync("resp_1", "item_fc", "call_ctl", name, arguments);
        await h.Backend.ResponseDoneAsync("resp_1");
        await h.Backend.WaitForAsync("response.create");
        return Assert.Single(h.Backend.OfType("conversation.item.create"), e => e.Str("item", "type") == "function_call_output");
    }

    /// <summary>The response that answers the tool output: spoken, then done; returns once the bridge has handled it.</summary>
    private static async Task SayAsync(BridgeHarness h, string text, int ms)
    {
        await h.Backend.ResponseCreatedAsync("resp_2");
        await h.Backend.AudioDeltaAsync("resp_2", "item_2", ms);
        await h.Backend.AudioDoneAsync("resp_2", "item_2");
        await h.Backend.AudioTranscriptDoneAsync("resp_2", "item_2", text);
        await h.Backend.ResponseDoneAsync("resp_2");
        await h.SyncAsync();
    }

    [Fact]
    public async Task EndCall_GoodbyePlayedOut_ClosesLegAgentEnded()
    {
        var spec = new AgentSpec { Tools = [new ToolSpec { Name = BuiltInTools.EndCall }] };
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone(), spec);

        var output = await CallToolAsync(h, BuiltInTools.EndCall, """{"reason":"caller said goodbye"}""");
        Assert.Contains("\"action\":\"end_call\"", output.Str("item", "output"), StringComparison.Ordinal);
        await SayAsync(h, "Goodbye!", ms: 300);
        await h.WaitUntilAsync(() => h.Leg.PlayoutWaits == 1, "the armed end to wait for the goodbye's playout");
        await h.SyncAsync();

        // The goodbye is still playing: the line stays up.
        Assert.Null(h.Leg.Close);
        Assert.False(h.HasEnded);
        Assert.Equal(0, h.Leg.HangUps);

        h.Leg.PlayAll();
        var ended = await h.EndedAsync();

        Assert.Equal(CallEndReason.AgentEnded, ended.Reason);
        Assert.Contains("caller said goodbye", ended.Detail, StringComparison.Ordinal);
        Assert.Equal(1, h.Leg.HangUps);
        Assert.Equal(new FakeCallerLeg.Closed(FakeCallerLeg.CloseCodeFor(CallEndReason.AgentEnded), "agent ended the call"), h.Leg.Close);
        Assert.Equal(300, h.Leg.SentMs("item_2"));
        // A built-in never reaches the gateway's tool invoker.
        Assert.Empty(h.Tools.Calls);
        Assert.Equal("ok", Assert.Single(h.Journal.OfType(CallEventType.ToolCall)).Reason);
    }

    [Fact]
    public async Task EndCall_PlayoutNeverConfirmed_EndsAtThePlayoutCap()
    {
        var spec = new AgentSpec { Tools = [new ToolSpec { Name = BuiltInTools.EndCall }] };
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone(), spec);
        await CallToolAsync(h, BuiltInTools.EndCall, "{}");
        await SayAsync(h, "Bye.", ms: 200);
        await h.WaitUntilAsync(() => h.Leg.PlayoutWaits == 1, "the armed end to wait for playout");

        h.Advance(TimeSpan.FromSeconds(14));
        await h.SyncAsync();
        Assert.False(h.HasEnded);
        h.Advance(TimeSpan.FromSeconds(1));
        var ended = await h.EndedAsync();

        Assert.Equal(CallEndReason.AgentEnded, ended.Reason);
    }

    [Fact]
    public async Task EndCall_BackendNeverAnswers_EndsAfterTheResponseTimeout()
    {
        var spec = new AgentSpec { Tools = [new ToolSpec { Name = BuiltInTools.EndCall }] };
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone(), spec);
        await CallToolAsync(h, BuiltInTools.EndCall, "{}");
        // No response answers the tool output: the caller must not be left on a silent line.
        await h.SyncAsync();

        h.Advance(TimeSpan.FromSeconds(19));
        await h.SyncAsync();
        Assert.False(h.HasEnded);
        h.Advance(TimeSpan.FromSeconds(1));
        var ended = await h.EndedAsync();

        Assert.Equal(CallEndReason.AgentEnded, ended.Reason);
        Assert.Equal(1, h.Leg.PlayoutWaits);
    }

    [Fact]
    public async Task Transfer_LegWithoutTransfer_ModelToldNotSupported()
    {
        var spec = new AgentSpec { Tools = [new ToolSpec { Name = BuiltInTools.TransferCall }], Transfer = Targets };
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone(CallerLegCapabilities.CallerAudio | CallerLegCapabilities.AgentAudio), spec);

        var update = Assert.Single(h.Backend.OfType("session.update"));
        Assert.Equal(0, update.At("session", "tools")!.Value.GetArrayLength());
        var output = await CallToolAsync(h, BuiltInTools.TransferCall, """{"target":"billing"}""");
        await h.SyncAsync();

        Assert.Contains("transfer_not_supported", output.Str("item", "output"), StringComparison.Ordinal);
        Assert.Empty(h.Leg.Transfers);
        Assert.Equal("transfer_not_supported", Assert.Single(h.Journal.OfType(CallEventType.ToolCall)).Reason);
        Assert.False(h.HasEnded);
    }

    [Fact]
    public async Task Transfer_AllowedTarget_LegTransfersAfterAnnouncement()
    {
        var spec = new AgentSpec { Tools = [new ToolSpec { Name = BuiltInTools.TransferCall }], Transfer = Targets };
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone(), spec);

        var update = Assert.Single(h.Backend.OfType("session.update"));
        Assert.Equal(BuiltInTools.TransferCall, update.At("session", "tools")!.Value[0].GetProperty("name").GetString());
        var output = await CallToolAsync(h, BuiltInTools.TransferCall, """{"target":"billing","reason":"invoice question"}""");
        Assert.Contains("\"action\":\"transfer\"", output.Str("item", "output"), StringComparison.Ordinal);
        await SayAsync(h, "Transferring you to billing now.", ms: 200);
        await h.WaitUntilAsync(() => h.Leg.PlayoutWaits == 1, "the armed transfer to wait for playout");
        await h.SyncAsync();
        Assert.Empty(h.Leg.Transfers);

        h.Leg.PlayAll();
        var ended = await h.EndedAsync();

        Assert.Equal(new FakeCallerLeg.TransferRequest("+15551234567", "+15550009999"), Assert.Single(h.Leg.Transfers));
        var transfer = Assert.Single(h.Journal.OfType(CallEventType.Transfer));
        Assert.Equal("accepted", transfer.Reason);
        Assert.Equal("billing", transfer.Data!["target"]);
        Assert.Equal("invoice question", transfer.Data["reason"]);
        Assert.Equal(CallEndReason.Transferred, ended.Reason);
        Assert.Equal(FakeCallerLeg.CloseCodeFor(CallEndReason.Transferred), h.Leg.Close!.Code);
        Assert.Equal(0, h.Leg.HangUps);
    }

    [Fact]
    public async Task Transfer_TargetNotAllowed_ModelToldAndNothingArmed()
    {
        // Parameters without the default enum of targets, so the name reaches the built-in's allow-list check.
        var tool = new ToolSpec
        {
            Name = BuiltInTools.TransferCall,
            Description = "Transfer the call.",
            Parameters = System.Text.Json.JsonDocument.Parse("""{"type":"object","properties":{"target":{"type":"string"}}}""").RootElement.Clone(),
        };
        var spec = new AgentSpec { Tools = [tool], Transfer = Targets };
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone(), spec);

        var output = await CallToolAsync(h, BuiltInTools.TransferCall, """{"target":"+15550000000"}""");
        await SayAsync(h, "I can't do that.", ms: 100);
        h.Leg.PlayAll();
        await h.SyncAsync();

        Assert.Contains("target_not_allowed", output.Str("item", "output"), StringComparison.Ordinal);
        Assert.Equal("target_not_allowed", Assert.Single(h.Journal.OfType(CallEventType.ToolCall)).Reason);
        Assert.Empty(h.Leg.Transfers);
        Assert.Equal(0, h.Leg.PlayoutWaits);
        Assert.False(h.HasEnded);
    }

    [Fact]
    public async Task Transfer_CarrierRefuses_ModelToldAndCallGoesOn()
    {
        var spec = new AgentSpec { Tools = [new ToolSpec { Name = BuiltInTools.HandoffHuman }], Transfer = Targets };
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone(), spec);
        h.Leg.TransferResult = new CallControlResult(CallControlStatus.Refused, "harness: busy", 409);

        await CallToolAsync(h, BuiltInTools.HandoffHuman, "{}");
        await SayAsync(h, "Connecting you to a person.", ms: 100);
        h.Leg.PlayAll();
        var told = await h.Backend.WaitForAsync("conversation.item.create", e => e.Str("item", "role") == "system");
        await h.Backend.WaitForAsync("response.create", count: 2);
        await h.SyncAsync();

        Assert.Contains("failed", told.At("item", "content")!.Value[0].GetProperty("text").GetString(), StringComparison.Ordinal);
        Assert.Single(h.Leg.Transfers);
        var transfer = Assert.Single(h.Journal.OfType(CallEventType.Transfer));
        Assert.Equal("failed", transfer.Reason);
        Assert.Equal("409", transfer.Data!["http_status"]);
        Assert.False(h.HasEnded);
        Assert.Null(h.Leg.Close);
    }
}
