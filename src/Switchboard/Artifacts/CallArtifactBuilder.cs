using System.Globalization;
using System.Text.Json;
using Switchboard.Agents;
using Switchboard.Journal;

namespace Switchboard.Artifacts;

/// <summary>
/// Folds a call's journal into its <see cref="CallArtifact"/>. Pure: the same events and prices give the same artifact,
/// so the API and the webhook (built inside the journal's transaction) agree. Events are read generically where they
/// come from other features (a <c>Transfer</c> event is recognised by its type name).
/// </summary>
internal static class CallArtifactBuilder
{
    /// <summary>The journal's name of the built-in transfer tools' event.</summary>
    public const string TransferEventType = "Transfer";

    public static CallArtifact Build(IReadOnlyList<CallEvent> events, CallPricing pricing)
    {
        var ordered = events.OrderBy(e => e.Sequence).ToList();
        var started = ordered.FirstOrDefault(e => e.Type == CallEventType.CallStarted);
        var ended = ordered.LastOrDefault(e => e.Type == CallEventType.CallEnded);
        var callId = started?.CallId ?? ended?.CallId ?? ordered.FirstOrDefault()?.CallId ?? "";
        var model = Data(started, CallArtifactFacts.Model);

        var tokens = new CallTokenTotals();
        var toolCalls = new List<CallArtifactToolCall>();
        var handoffs = new List<CallArtifactHotHandoff>();
        CallArtifactTransfer? transfer = null;
        string? summary = null;
        foreach (var e in ordered)
        {
            switch (e.Type)
            {
                case CallEventType.Usage:
                    tokens.Add(Long(e, "input_tokens"), Long(e, "output_tokens"), Long(e, "input_audio_tokens"), Long(e, "output_audio_tokens"), Long(e, "total_tokens"));
                    break;
                case CallEventType.ToolCall:
                    toolCalls.Add(new CallArtifactToolCall(e.Text ?? "", Data(e, "call_id"), Data(e, "kind"), e.Reason,
                        JsonOrString(Data(e, "arguments")), JsonOrString(e.Detail), e.At));
                    break;
                case CallEventType.Summary:
                    summary = e.Text;
                    break;
                case CallEventType.HandoffHot:
                    handoffs.Add(new CallArtifactHotHandoff(e.At, Data(e, "call_id"), e.Text, HandoffData(Data(e, "arguments"))));
                    break;
                default:
                    if (string.Equals(e.Type.ToString(), TransferEventType, StringComparison.Ordinal))
                    {
                        transfer = new CallArtifactTransfer(e.Reason, Data(e, "target"), Data(e, "to"), e.Detail, e.At);
                    }

                    break;
            }
        }

        return new CallArtifact
        {
            Final = ended is not null,
            CallId = callId,
            TeamId = Guid.TryParse(Data(started, CallEventKeys.TeamId), out var team) ? team : null,
            Endpoint = new CallArtifactEndpoint(Guid.TryParse(Data(started, CallEventKeys.EndpointId), out var endpoint) ? endpoint : null, Data(started, "endpoint")),
            Carrier = new CallArtifactCarrier(Data(started, CallEventKeys.Carrier), Data(started, CallEventKeys.CarrierCallId),
                Data(started, CallEventKeys.StreamId), Data(started, CallEventKeys.SessionId)),
            From = NumberRedaction.Apply(Data(started, CallEventKeys.From), Data(started, CallArtifactFacts.CallerNumberPolicy) ?? NumberRedaction.Last4),
            To = NumberRedaction.Apply(Data(started, CallEventKeys.To), Data(started, CallArtifactFacts.CalleeNumberPolicy) ?? NumberRedaction.Full),
            StartedAt = started?.At,
            EndedAt = ended?.At,
            DurationMs = ended is null ? null : long.TryParse(Data(ended, "duration_ms"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var ms) ? ms : null,
            EndReason = ended?.Reason,
            EndDetail = ended?.Detail,
            Transcript = CallTranscript.Build(ordered).Select(t => new CallArtifactTurn(t.Role, t.Text, t.At, t.Interrupted, t.HeardMs)).ToList(),
            ToolCalls = toolCalls,
            Transfer = transfer,
            Usage = new CallArtifactUsage(model, tokens.Responses, tokens.InputText, tokens.InputAudio, tokens.OutputText, tokens.OutputAudio, tokens.Total),
            Cost = tokens.Cost(pricing, model) is { } dollars ? new CallArtifactCost("USD", dollars) : null,
            Summary = summary,
            HotHandoffs = handoffs,
            Metadata = CallMetadata.Parse(CallMetadata.Of(started)),
        };
    }

    /// <summary>The text as JSON when it is JSON, else as a JSON string; null stays null.</summary>
    internal static JsonElement? JsonOrString(string? text)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(text);
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            return JsonSerializer.SerializeToElement(text, CallArtifactJsonContext.Default.String);
        }
    }

    /// <summary>The <c>data</c> argument of a hot hand-off, when the agent gave one.</summary>
    private static JsonElement? HandoffData(string? arguments) =>
        JsonOrString(arguments) is { ValueKind: JsonValueKind.Object } args && args.TryGetProperty("data", out var data) ? data.Clone() : null;

    private static string? Data(CallEvent? e, string key) => e?.Data is { } data && data.TryGetValue(key, out var value) ? value : null;

    private static long Long(CallEvent e, string key) =>
        long.TryParse(Data(e, key), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) ? value : 0;
}
