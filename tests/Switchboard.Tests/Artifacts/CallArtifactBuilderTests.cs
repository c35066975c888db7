using System.Text.Json;
using Switchboard.Artifacts;
using Switchboard.Configuration;
using Switchboard.Journal;

namespace Switchboard.Tests.Artifacts;

public class CallArtifactBuilderTests
{
    private static readonly Guid Team = Guid.Parse("0b5e4a8e-5d53-4c41-a4a5-5c3e3f8a9d10");
    private static readonly Guid Endpoint = Guid.Parse("3f0c1d2e-9a8b-4c7d-8e6f-5a4b3c2d1e0f");
    private static readonly DateTimeOffset T0 = new(2026, 11, 23, 1, 27, 20, 101, TimeSpan.Zero);

    private static CallEvent E(long seq, CallEventType type, string? text = null, string? item = null, string? reason = null, string? detail = null,
        bool? interrupted = null, long? heard = null, Dictionary<string, string>? data = null) => new()
    {
        CallId = "call_1",
        Sequence = seq,
        At = T0.AddSeconds(seq),
        Type = type,
        Text = text,
        ItemId = item,
        Reason = reason,
        Detail = detail,
        Interrupted = interrupted,
        HeardMs = heard,
        Data = data,
    };

    private static CallEvent Started(string? callerPolicy = "last4", string? calleePolicy = "full", string model = "gpt-realtime")
    {
        var data = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["carrier"] = "twilio",
            ["carrier_call_id"] = "CA123",
            ["stream_id"] = "MZ456",
            ["from"] = "+15550001111",
            ["to"] = "+15550002222",
            ["team_id"] = Team.ToString("D"),
            ["endpoint_id"] = Endpoint.ToString("D"),
            ["endpoint"] = "support",
            ["model"] = model,
        };
        if (callerPolicy is not null)
        {
            data[CallArtifactFacts.CallerNumberPolicy] = callerPolicy;
        }

        if (calleePolicy is not null)
        {
            data[CallArtifactFacts.CalleeNumberPolicy] = calleePolicy;
        }

        return E(1, CallEventType.CallStarted, data: data);
    }

    private static CallEvent Usage(long seq, int input, int inputAudio, int output, int outputAudio) =>
        E(seq, CallEventType.Usage, reason: "completed", data: new(StringComparer.Ordinal)
        {
            ["response_id"] = "resp_" + seq,
            ["total_tokens"] = (input + output).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["input_tokens"] = input.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["output_tokens"] = output.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["input_audio_tokens"] = inputAudio.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["output_audio_tokens"] = outputAudio.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

    private static List<CallEvent> WholeCall() =>
    [
        Started(),
        E(2, CallEventType.AgentTurn, "Hello, how can I help?", "item_a1"),
        E(3, CallEventType.CallerTurn, "Where is my order?", "item_u1"),
        E(4, CallEventType.AgentTurn, "Let me look that up for you right now.", "item_a2"),
        E(5, CallEventType.BargeIn, item: "item_a2", heard: 840),
        E(6, CallEventType.ToolCall, "lookup_order", reason: "ok", detail: """{"status":"ships tomorrow"}""",
            data: new(StringComparer.Ordinal) { ["call_id"] = "fc_1", ["arguments"] = """{"order_id":"A-1042"}""", ["kind"] = "tool" }),
        E(7, CallEventType.ToolCall, "crm_note", reason: "tool_timeout", detail: "not json",
            data: new(StringComparer.Ordinal) { ["call_id"] = "fc_2", ["arguments"] = "{}", ["kind"] = "tool" }),
        E(8, CallEventType.HandoffHot, "qualified lead", data: new(StringComparer.Ordinal)
        {
            ["call_id"] = "fc_3",
            ["arguments"] = """{"reason":"qualified lead","data":{"budget":5000}}""",
        }),
        Usage(9, input: 1000, inputAudio: 600, output: 500, outputAudio: 300),
        Usage(10, input: 2000, inputAudio: 1400, output: 700, outputAudio: 500),
        E(11, CallEventType.Summary, "The caller asked about order A-1042; it ships tomorrow."),
        E(12, CallEventType.CallEnded, reason: "caller_hangup", detail: "carrier sent stop", data: new(StringComparer.Ordinal) { ["duration_ms"] = "11000" }),
    ];

    [Fact]
    public void Build_WholeCall_FillsEveryField()
    {
        var a = CallArtifactBuilder.Build(WholeCall(), CallPricing.Default);

        Assert.Equal(1, a.Version);
        Assert.True(a.Final);
        Assert.Equal("call_1", a.CallId);
        Assert.Equal(Team, a.TeamId);
        Assert.Equal(new CallArtifactEndpoint(Endpoint, "support"), a.Endpoint);
        Assert.Equal(new CallArtifactCarrier("twilio", "CA123", "MZ456", null), a.Carrier);
        Assert.Equal("+*******1111", a.From);
        Assert.Equal("+15550002222", a.To);
        Assert.Equal(T0.AddSeconds(1), a.StartedAt);
        Assert.Equal(T0.AddSeconds(12), a.EndedAt);
        Assert.Equal(11000, a.DurationMs);
        Assert.Equal("caller_hangup", a.EndReason);
        Assert.Equal("carrier sent stop", a.EndDetail);
        Assert.Equal("The caller asked about order A-1042; it ships tomorrow.", a.Summary);
        Assert.Null(a.Transfer);

        Assert.Equal(["agent", "caller", "agent"], a.Transcript.Select(t => t.Role));
        Assert.False(a.Transcript[0].Interrupted);
        Assert.Null(a.Transcript[0].HeardMs);
        Assert.True(a.Transcript[2].Interrupted);
        Assert.Equal(840, a.Transcript[2].HeardMs);
        Assert.Equal(T0.AddSeconds(3), a.Transcript[1].At);

        Assert.Equal(2, a.ToolCalls.Count);
        var ok = a.ToolCalls[0];
        Assert.Equal(("lookup_order", "fc_1", "tool", "ok"), (ok.Name, ok.CallId, ok.Kind, ok.Outcome));
        Assert.Equal("A-1042", ok.Arguments!.Value.GetProperty("order_id").GetString());
        Assert.Equal("ships tomorrow", ok.Output!.Value.GetProperty("status").GetString());
        var failed = a.ToolCalls[1];
        Assert.Equal("tool_timeout", failed.Outcome);
        Assert.Equal(JsonValueKind.String, failed.Output!.Value.ValueKind);
        Assert.Equal("not json", failed.Output.Value.GetString());

        var handoff = Assert.Single(a.HotHandoffs);
        Assert.Equal(("fc_3", "qualified lead"), (handoff.ToolCallId, handoff.Reason));
        Assert.Equal(5000, handoff.Data!.Value.GetProperty("budget").GetInt32());
    }

    [Fact]
    public void Build_Usage_IsSummedByKind_AndPricedPerMillion()
    {
        var a = CallArtifactBuilder.Build(WholeCall(), CallPricing.Default);

        Assert.Equal(new CallArtifactUsage("gpt-realtime", 2, InputTextTokens: 1000, InputAudioTokens: 2000, OutputTextTokens: 400, OutputAudioTokens: 800, TotalTokens: 4200), a.Usage);
        // 1000 × $4 + 2000 × $32 + 400 × $16 + 800 × $64, per million tokens.
        Assert.Equal(new CallArtifactCost("USD", 0.1256), a.Cost);
    }

    [Fact]
    public void Build_ConfiguredPrice_ReplacesTheBuiltIn_AndAnUnpricedModelHasNoCost()
    {
        var pricing = new CallPricing(new Dictionary<string, ModelPriceOptions>(StringComparer.OrdinalIgnoreCase)
        {
            ["GPT-REALTIME"] = new() { InputTextPerMillion = 1, InputAudioPerMillion = 1, OutputTextPerMillion = 1, OutputAudioPerMillion = 1 },
        });

        Assert.Equal(0.0042, CallArtifactBuilder.Build(WholeCall(), pricing).Cost!.Amount);
        var events = WholeCall();
        events[0] = Started(model: "my-azure-deployment");
        var unpriced = CallArtifactBuilder.Build(events, pricing);
        Assert.Null(unpriced.Cost);
        Assert.Equal("my-azure-deployment", unpriced.Usage.Model);
    }

    [Fact]
    public void Build_ZeroTokens_CostsZero()
    {
        var a = CallArtifactBuilder.Build([Started(), Usage(2, 0, 0, 0, 0), E(3, CallEventType.CallEnded, reason: "caller_hangup")], CallPricing.Default);

        Assert.Equal(1, a.Usage.Responses);
        Assert.Equal(0, a.Usage.TotalTokens);
        Assert.Equal(0, a.Cost!.Amount);
    }

    [Theory]
    [InlineData("full", "+15550001111")]
    [InlineData("last4", "+*******1111")]
    [InlineData("none", null)]
    [InlineData(null, "+*******1111")]
    public void Build_CallerNumber_IsRedactedPerThePolicy(string? policy, string? expected)
    {
        var events = WholeCall();
        events[0] = Started(callerPolicy: policy, calleePolicy: "none");

        var a = CallArtifactBuilder.Build(events, CallPricing.Default);

        Assert.Equal(expected, a.From);
        Assert.Null(a.To);
    }

    [Fact]
    public void Build_RunningCall_IsNotFinal()
    {
        var a = CallArtifactBuilder.Build(WholeCall().Take(5).ToList(), CallPricing.Default);

        Assert.False(a.Final);
        Assert.Null(a.EndedAt);
        Assert.Null(a.DurationMs);
        Assert.Null(a.EndReason);
        Assert.Null(a.Summary);
        Assert.Empty(a.ToolCalls);
        Assert.Null(a.Cost is { Amount: > 0 } ? a.Cost : null);
    }

    [Fact]
    public void Build_TransferEvent_WhenThisVersionKnowsIt_IsTheTransferOutcome()
    {
        // The Transfer event comes with the call-control tools; the builder reads it by its type name.
        if (!Enum.TryParse<CallEventType>(CallArtifactBuilder.TransferEventType, out var transfer))
        {
            return;
        }

        var events = WholeCall();
        events.Insert(11, E(11, transfer, reason: "failed", detail: "carrier said 404", data: new(StringComparer.Ordinal) { ["target"] = "billing", ["to"] = "+15550003333" }));

        var a = CallArtifactBuilder.Build(events, CallPricing.Default);

        Assert.Equal(new CallArtifactTransfer("failed", "billing", "+15550003333", "carrier said 404", T0.AddSeconds(11)), a.Transfer);
    }

    [Fact]
    public void Serialize_WritesTheDocumentedShape()
    {
        var json = JsonDocument.Parse(CallArtifactJsonContext.Serialize(CallArtifactBuilder.Build(WholeCall(), CallPricing.Default))).RootElement;

        Assert.Equal(
            ["version", "final", "callId", "teamId", "endpoint", "carrier", "from", "to", "startedAt", "endedAt", "durationMs", "endReason", "endDetail",
             "transcript", "toolCalls", "transfer", "usage", "cost", "summary", "hotHandoffs", "metadata"],
            json.EnumerateObject().Select(p => p.Name));
        Assert.Equal("2026-11-23T01:27:21.101Z", json.GetProperty("startedAt").GetString());
        Assert.Equal(["id", "name"], json.GetProperty("endpoint").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["name", "callId", "streamId", "sessionId"], json.GetProperty("carrier").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["role", "text", "at", "interrupted", "heardMs"], json.GetProperty("transcript")[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal("2026-11-23T01:27:22.101Z", json.GetProperty("transcript")[0].GetProperty("at").GetString());
        Assert.Equal(["name", "callId", "kind", "outcome", "arguments", "output", "at"], json.GetProperty("toolCalls")[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(["model", "responses", "inputTextTokens", "inputAudioTokens", "outputTextTokens", "outputAudioTokens", "totalTokens"],
            json.GetProperty("usage").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["currency", "amount"], json.GetProperty("cost").EnumerateObject().Select(p => p.Name));
        Assert.Equal(["at", "toolCallId", "reason", "data"], json.GetProperty("hotHandoffs")[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal(JsonValueKind.Null, json.GetProperty("transfer").ValueKind);
    }
}
