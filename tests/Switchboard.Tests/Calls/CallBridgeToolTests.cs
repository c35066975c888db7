using System.Text.Json;
using Switchboard.Agents;
using Switchboard.Agents.Tools;
using Switchboard.Artifacts;
using Switchboard.Calls;
using Switchboard.Journal;
using Switchboard.Tests.Calls.Harness;

namespace Switchboard.Tests.Calls;

/// <summary>Tool turns on the one call engine, hermetically: function calls run after their response, and only if it completed.</summary>
public class CallBridgeToolTests
{
    private static AgentSpec WithLookupTool() => new()
    {
        Tools =
        [
            new ToolSpec
            {
                Name = "lookup_order",
                Description = "Finds an order.",
                Parameters = JsonDocument.Parse("""{"type":"object","properties":{"order":{"type":"string"}},"required":["order"]}""").RootElement.Clone(),
            },
        ],
    };

    [Fact]
    public async Task ToolTurn_ResponseCompleted_RunsToolOnceAndAsksForTheAnswer()
    {
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone(), WithLookupTool());
        h.Tools.Handler = (_, _) => Task.FromResult("""{"status":"shipped"}""");

        await h.Backend.ResponseCreatedAsync("resp_1");
        await h.Backend.FunctionCallArgumentsDoneAsync("resp_1", "item_fc", "call_1", "lookup_order", """{"order":"42"}""");
        await h.Backend.ResponseDoneAsync("resp_1");
        await h.Backend.WaitForAsync("response.create");
        await h.SyncAsync();

        var call = Assert.Single(h.Tools.Calls);
        Assert.Equal("lookup_order", call.Name);
        Assert.Equal("call_1", call.ToolCallId);
        Assert.Equal("""{"order":"42"}""", call.ArgumentsJson);
        Assert.Equal(h.Bridge.CallId, call.CallId);
        Assert.Equal(new ToolCallContext(BridgeHarness.TeamId, BridgeHarness.EndpointId, "twilio", "+15550001111"), call.Context);
        var output = Assert.Single(h.Backend.OfType("conversation.item.create"));
        Assert.Equal("function_call_output", output.Str("item", "type"));
        Assert.Equal("call_1", output.Str("item", "call_id"));
        Assert.Equal("""{"status":"shipped"}""", output.Str("item", "output"));
        var control = h.Backend.Control.Select(e => e.Type).ToList();
        Assert.Equal(["session.update", "conversation.item.create", "response.create"], control);
        var journalled = Assert.Single(h.Journal.OfType(CallEventType.ToolCall));
        Assert.Equal("lookup_order", journalled.Text);
        Assert.Equal("ok", journalled.Reason);
        Assert.Equal("call_1", journalled.Data!["call_id"]);
    }

    [Fact]
    public async Task ToolTurn_ResponseCancelled_DoesNotRunItsCalls()
    {
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone(), WithLookupTool());

        await h.Backend.ResponseCreatedAsync("resp_1");
        await h.Backend.FunctionCallArgumentsDoneAsync("resp_1", "item_fc", "call_1", "lookup_order", """{"order":"42"}""");
        await h.Backend.ResponseDoneAsync("resp_1", "cancelled", "turn_detected");
        // A later completed response does not pick up the cancelled one's calls either.
        await h.Backend.ResponseCreatedAsync("resp_2");
        await h.Backend.AudioTranscriptDoneAsync("resp_2", "item_2", "Sorry, go ahead.");
        await h.Backend.ResponseDoneAsync("resp_2");
        await h.SyncAsync();

        Assert.Empty(h.Tools.Calls);
        Assert.Empty(h.Backend.OfType("conversation.item.create"));
        Assert.Empty(h.Backend.OfType("response.create"));
        Assert.Empty(h.Journal.OfType(CallEventType.ToolCall));
    }

    [Fact]
    public async Task ToolTurn_ArgumentsBreakSchema_ModelGetsInvalidArgumentsWithoutInvoking()
    {
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone(), WithLookupTool());

        await h.Backend.ResponseCreatedAsync("resp_1");
        await h.Backend.FunctionCallArgumentsDoneAsync("resp_1", "item_fc", "call_1", "lookup_order", """{"order":42}""");
        await h.Backend.ResponseDoneAsync("resp_1");
        await h.Backend.WaitForAsync("response.create");

        Assert.Empty(h.Tools.Calls);
        var output = Assert.Single(h.Backend.OfType("conversation.item.create"));
        Assert.Contains("invalid_arguments", output.Str("item", "output"), StringComparison.Ordinal);
        Assert.Equal("invalid_arguments", Assert.Single(h.Journal.OfType(CallEventType.ToolCall)).Reason);
    }

    [Fact]
    public async Task ToolTurn_UsageOfResponse_IsJournalled()
    {
        await using var h = await BridgeHarness.StartAsync(FakeCallerLeg.Phone());

        await h.Backend.ResponseCreatedAsync("resp_1");
        await h.Backend.ResponseDoneAsync("resp_1", inputTokens: 300, outputTokens: 40);
        await h.SyncAsync();

        var usage = Assert.Single(h.Journal.OfType(CallEventType.Usage));
        Assert.Equal("completed", usage.Reason);
        Assert.Equal("resp_1", usage.Data!["response_id"]);
        Assert.Equal("340", usage.Data["total_tokens"]);
        Assert.Equal("30", usage.Data["output_audio_tokens"]);
    }
}
