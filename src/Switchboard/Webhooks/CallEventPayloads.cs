using System.Text.Json;
using Switchboard.Agents;
using Switchboard.Artifacts;
using Switchboard.Journal;

namespace Switchboard.Webhooks;

/// <summary>Bodies of <c>call.artifact</c>, <c>handoff.hot</c> and <c>tool.failed</c> (shapes in docs/webhooks.md).</summary>
internal static class CallEventPayloads
{
    /// <summary><c>call.artifact</c>: <c>data</c> is the artifact exactly as <c>GET /api/v1/calls/{id}/artifact</c> serves it.</summary>
    public static string CallArtifact(CallArtifact artifact, DateTimeOffset at)
    {
        using var doc = JsonDocument.Parse(CallArtifactJsonContext.Serialize(artifact));
        return WebhookPayloads.Envelope(WebhookEventTypes.CallArtifact, at, doc.RootElement);
    }

    /// <summary>
    /// <c>handoff.hot</c>: the call's context (numbers redacted per the endpoint's privacy), its metadata, the tool's arguments
    /// and the transcript up to the hand-off (from <paramref name="events"/>, the call's stored events).
    /// </summary>
    public static string HandoffHot(CallEvent? started, CallEvent handoff, IReadOnlyList<CallEvent> events) =>
        WebhookPayloads.Envelope(WebhookEventTypes.HandoffHot, handoff.At, w =>
        {
            WriteContext(w, started, handoff);
            w.WriteString("from", NumberRedaction.Apply(Data(started, CallEventKeys.From), Data(started, CallArtifactFacts.CallerNumberPolicy) ?? NumberRedaction.Last4));
            w.WriteString("to", NumberRedaction.Apply(Data(started, CallEventKeys.To), Data(started, CallArtifactFacts.CalleeNumberPolicy) ?? NumberRedaction.Full));
            w.WriteString("at", WebhookPayloads.Time(handoff.At));
            w.WriteString("toolCallId", Data(handoff, "call_id"));
            w.WriteString("reason", handoff.Text);
            CallMetadata.Write(w, CallMetadata.Of(started));
            var arguments = CallArtifactBuilder.JsonOrString(Data(handoff, "arguments"));
            w.WritePropertyName("data");
            if (arguments is { ValueKind: JsonValueKind.Object } args && args.TryGetProperty("data", out var data))
            {
                data.WriteTo(w);
            }
            else
            {
                w.WriteNullValue();
            }

            WriteJson(w, "arguments", arguments);
            w.WriteStartArray("transcript");
            foreach (var turn in CallTranscript.Build(events.Where(e => e.Sequence < handoff.Sequence).ToList()))
            {
                w.WriteStartObject();
                w.WriteString("role", turn.Role);
                w.WriteString("text", turn.Text);
                w.WriteString("at", WebhookPayloads.Time(turn.At));
                w.WriteEndObject();
            }

            w.WriteEndArray();
        });

    /// <summary><c>tool.failed</c>: a tool call whose outcome was not <c>ok</c>, with its arguments and the error the model got.</summary>
    public static string ToolFailed(CallEvent? started, CallEvent toolCall) =>
        WebhookPayloads.Envelope(WebhookEventTypes.ToolFailed, toolCall.At, w =>
        {
            WriteContext(w, started, toolCall);
            w.WriteString("at", WebhookPayloads.Time(toolCall.At));
            w.WriteString("toolCallId", Data(toolCall, "call_id"));
            w.WriteString("name", toolCall.Text);
            w.WriteString("kind", Data(toolCall, "kind"));
            w.WriteString("outcome", toolCall.Reason);
            WriteJson(w, "arguments", CallArtifactBuilder.JsonOrString(Data(toolCall, "arguments")));
            WriteJson(w, "output", CallArtifactBuilder.JsonOrString(toolCall.Detail));
        });

    private static void WriteContext(Utf8JsonWriter w, CallEvent? started, CallEvent e)
    {
        w.WriteString("callId", e.CallId);
        w.WriteString("teamId", Data(started, CallEventKeys.TeamId));
        w.WriteString("endpointId", Data(started, CallEventKeys.EndpointId));
        w.WriteString("endpoint", Data(started, "endpoint"));
        w.WriteString("carrier", Data(started, CallEventKeys.Carrier));
        w.WriteString("carrierCallId", Data(started, CallEventKeys.CarrierCallId));
        w.WriteString("sessionId", Data(started, CallEventKeys.SessionId));
    }

    private static void WriteJson(Utf8JsonWriter w, string name, JsonElement? value)
    {
        w.WritePropertyName(name);
        if (value is { } v)
        {
            v.WriteTo(w);
        }
        else
        {
            w.WriteNullValue();
        }
    }

    private static string? Data(CallEvent? e, string key) => e?.Data is { } data && data.TryGetValue(key, out var value) ? value : null;
}
