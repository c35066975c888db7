using System.Text.Json;

namespace Switchboard.Backends.OpenAIRealtime;

/// <summary>
/// Parses a whole server event into its typed record. Used for every event except the audio delta on
/// the bridge's hot path (see <see cref="RealtimeEventScanner"/>). Missing fields become empty values
/// rather than exceptions: a backend that omits a field must not take a call down.
/// </summary>
internal static class RealtimeEventParser
{
    public static RealtimeServerEvent? Parse(ReadOnlySpan<byte> json)
    {
        JsonDocument doc;
        try
        {
            var reader = new Utf8JsonReader(json);
            if (!JsonDocument.TryParseValue(ref reader, out var parsed))
            {
                return null;
            }

            doc = parsed;
        }
        catch (JsonException)
        {
            return null;
        }

        using (doc)
        {
            try
            {
                return Read(doc.RootElement);
            }
            catch (InvalidOperationException)
            {
                // Well-formed JSON whose strings are not text (invalid UTF-8, a lone surrogate escape): unparseable, like bad JSON.
                return null;
            }
        }
    }

    private static RealtimeServerEvent? Read(JsonElement root)
    {
        {
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out var typeElement) || typeElement.ValueKind != JsonValueKind.String)
            {
                return null;
            }

            var typeName = typeElement.GetString()!;
            var type = RealtimeEventScanner.Classify(System.Text.Encoding.UTF8.GetBytes(typeName));
            var eventId = Str(root, "event_id");
            return type switch
            {
                RealtimeServerEventType.SessionCreated or RealtimeServerEventType.SessionUpdated => ParseSession(type, typeName, eventId, root),
                RealtimeServerEventType.SpeechStarted => new SpeechStartedEvent(eventId, Long(root, "audio_start_ms"), Str(root, "item_id") ?? ""),
                RealtimeServerEventType.SpeechStopped => new SpeechStoppedEvent(eventId, Long(root, "audio_end_ms"), Str(root, "item_id") ?? ""),
                RealtimeServerEventType.InputTranscriptionCompleted => new InputTranscriptionCompletedEvent(eventId, Str(root, "item_id") ?? "", Str(root, "transcript") ?? ""),
                RealtimeServerEventType.InputTranscriptionFailed => new InputTranscriptionFailedEvent(eventId, Str(root, "item_id") ?? "",
                    root.TryGetProperty("error", out var te) ? Str(te, "message") : null),
                RealtimeServerEventType.ResponseCreated => new ResponseCreatedEvent(eventId, ResponseId(root)) { Metadata = ResponseMetadata(root) },
                RealtimeServerEventType.ResponseDone => ParseResponseDone(eventId, root),
                RealtimeServerEventType.OutputItemAdded or RealtimeServerEventType.OutputItemDone => ParseOutputItem(type, typeName, eventId, root),
                RealtimeServerEventType.OutputAudioDelta => new OutputAudioDeltaEvent(eventId, Str(root, "response_id") ?? "", Str(root, "item_id") ?? "", Str(root, "delta") ?? ""),
                RealtimeServerEventType.OutputAudioDone => new OutputAudioDoneEvent(eventId, Str(root, "response_id") ?? "", Str(root, "item_id") ?? ""),
                RealtimeServerEventType.OutputAudioTranscriptDelta or RealtimeServerEventType.OutputTextDelta =>
                    new OutputTextEvent(type, typeName, eventId, Str(root, "response_id") ?? "", Str(root, "item_id") ?? "", Str(root, "delta") ?? ""),
                RealtimeServerEventType.OutputAudioTranscriptDone =>
                    new OutputTextEvent(type, typeName, eventId, Str(root, "response_id") ?? "", Str(root, "item_id") ?? "", Str(root, "transcript") ?? ""),
                RealtimeServerEventType.OutputTextDone =>
                    new OutputTextEvent(type, typeName, eventId, Str(root, "response_id") ?? "", Str(root, "item_id") ?? "", Str(root, "text") ?? ""),
                RealtimeServerEventType.FunctionCallArgumentsDone => new FunctionCallArgumentsDoneEvent(eventId, Str(root, "response_id") ?? "",
                    Str(root, "item_id") ?? "", Str(root, "call_id") ?? "", Str(root, "name") ?? "", Str(root, "arguments") ?? ""),
                RealtimeServerEventType.ConversationItemTruncated => new ItemTruncatedEvent(eventId, Str(root, "item_id") ?? "",
                    (int)Long(root, "content_index"), Long(root, "audio_end_ms")),
                RealtimeServerEventType.Error => ParseError(eventId, root),
                RealtimeServerEventType.OutputAudioBufferStarted or RealtimeServerEventType.OutputAudioBufferStopped or RealtimeServerEventType.OutputAudioBufferCleared =>
                    new OutputAudioBufferEvent(type, typeName, eventId, Str(root, "response_id") ?? ""),
                RealtimeServerEventType.DtmfReceived => new DtmfReceivedEvent(eventId, Str(root, "event") ?? ""),
                _ => new RealtimeServerEvent(type, typeName, eventId),
            };
        }
    }

    private static string ResponseId(JsonElement root) =>
        root.TryGetProperty("response", out var r) && r.ValueKind == JsonValueKind.Object ? Str(r, "id") ?? "" : "";

    private static SessionEvent ParseSession(RealtimeServerEventType type, string typeName, string? eventId, JsonElement root)
    {
        if (!root.TryGetProperty("session", out var s) || s.ValueKind != JsonValueKind.Object)
        {
            return new SessionEvent(type, typeName, eventId, null, null, null, null, null, null);
        }

        DateTimeOffset? expires = s.TryGetProperty("expires_at", out var e) && e.TryGetInt64(out var unix) ? DateTimeOffset.FromUnixTimeSeconds(unix) : null;
        Audio.AudioFormat? input = null, output = null;
        string? voice = null;
        if (s.TryGetProperty("audio", out var audio) && audio.ValueKind == JsonValueKind.Object)
        {
            if (audio.TryGetProperty("input", out var i) && i.ValueKind == JsonValueKind.Object && i.TryGetProperty("format", out var f))
            {
                input = RealtimeAudioFormats.Read(f);
            }

            if (audio.TryGetProperty("output", out var o) && o.ValueKind == JsonValueKind.Object)
            {
                if (o.TryGetProperty("format", out var of))
                {
                    output = RealtimeAudioFormats.Read(of);
                }

                voice = Str(o, "voice");
            }
        }

        return new SessionEvent(type, typeName, eventId, Str(s, "id"), Str(s, "model"), expires, input, output, voice);
    }

    /// <summary><c>response.metadata</c>'s string values; null when absent or empty.</summary>
    private static Dictionary<string, string>? ResponseMetadata(JsonElement root)
    {
        if (!root.TryGetProperty("response", out var r) || r.ValueKind != JsonValueKind.Object
            || !r.TryGetProperty("metadata", out var m) || m.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        Dictionary<string, string>? result = null;
        foreach (var property in m.EnumerateObject())
        {
            if (property.Value.ValueKind == JsonValueKind.String)
            {
                (result ??= new Dictionary<string, string>(StringComparer.Ordinal))[property.Name] = property.Value.GetString()!;
            }
        }

        return result;
    }

    private static ResponseDoneEvent ParseResponseDone(string? eventId, JsonElement root)
    {
        if (!root.TryGetProperty("response", out var r) || r.ValueKind != JsonValueKind.Object)
        {
            return new ResponseDoneEvent(eventId, "", "unknown", null, null);
        }

        string? reason = null;
        if (r.TryGetProperty("status_details", out var sd) && sd.ValueKind == JsonValueKind.Object)
        {
            reason = Str(sd, "reason");
            if (reason is null && sd.TryGetProperty("error", out var err) && err.ValueKind == JsonValueKind.Object)
            {
                reason = Str(err, "code") ?? Str(err, "type");
            }
        }

        RealtimeUsage? usage = null;
        if (r.TryGetProperty("usage", out var u) && u.ValueKind == JsonValueKind.Object)
        {
            var inDetails = u.TryGetProperty("input_token_details", out var idt) && idt.ValueKind == JsonValueKind.Object ? idt : default;
            var outDetails = u.TryGetProperty("output_token_details", out var odt) && odt.ValueKind == JsonValueKind.Object ? odt : default;
            usage = new RealtimeUsage(Int(u, "total_tokens"), Int(u, "input_tokens"), Int(u, "output_tokens"),
                Int(inDetails, "text_tokens"), Int(inDetails, "audio_tokens"), Int(inDetails, "cached_tokens"),
                Int(outDetails, "text_tokens"), Int(outDetails, "audio_tokens"));
        }

        return new ResponseDoneEvent(eventId, Str(r, "id") ?? "", Str(r, "status") ?? "unknown", reason, usage) { Metadata = ResponseMetadata(root) };
    }

    private static OutputItemEvent ParseOutputItem(RealtimeServerEventType type, string typeName, string? eventId, JsonElement root)
    {
        var item = root.TryGetProperty("item", out var i) && i.ValueKind == JsonValueKind.Object ? i : default;
        return new OutputItemEvent(type, typeName, eventId, Str(root, "response_id"), Str(item, "id") ?? "", Str(item, "type") ?? "", Str(item, "role"));
    }

    private static RealtimeErrorEvent ParseError(string? eventId, JsonElement root)
    {
        var e = root.TryGetProperty("error", out var err) && err.ValueKind == JsonValueKind.Object ? err : default;
        return new RealtimeErrorEvent(eventId, Str(e, "type") ?? "unknown", Str(e, "code"), Str(e, "message") ?? "", Str(e, "param"), Str(e, "event_id"));
    }

    private static string? Str(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long Long(JsonElement e, string name) =>
        e.ValueKind == JsonValueKind.Object && e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var l) ? l : 0;

    private static int Int(JsonElement e, string name) => (int)Math.Clamp(Long(e, name), int.MinValue, int.MaxValue);
}
