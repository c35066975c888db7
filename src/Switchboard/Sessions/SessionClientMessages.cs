using System.Text.Json;

namespace Switchboard.Sessions;

/// <summary>
/// Parses client messages: <c>{ "type": "text", "payload": { "text": "…" } }</c>, <c>hangup</c>, <c>ping</c>, <c>playback</c>,
/// <c>interrupt</c> and <c>action_result</c> (<c>audio</c> goes through <see cref="SessionAudioScanner"/> first).
/// Other envelope fields (<c>sessionId</c>, <c>seq</c>, <c>timestamp</c>) are optional and ignored. Never throws:
/// a bad message is answered with an <c>error</c>, not a close.
/// </summary>
internal static class SessionClientMessages
{
    public static bool TryParse(ReadOnlyMemory<byte> json, out SessionClientMessage message, out SessionError? error)
    {
        message = default;
        error = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            error = new SessionError(SessionErrorCodes.InvalidJson, "the message is not valid JSON");
            return false;
        }

        using (document)
        {
            try
            {
                return TryRead(document.RootElement, out message, out error);
            }
            catch (InvalidOperationException)
            {
                // Well-formed JSON whose strings are not text (invalid UTF-8, a lone surrogate escape); found by fuzzing.
                message = default;
                error = new SessionError(SessionErrorCodes.InvalidJson, "the message holds a string that is not valid text (invalid UTF-8 or a lone surrogate)");
                return false;
            }
        }
    }

    private static bool TryRead(JsonElement root, out SessionClientMessage message, out SessionError? error)
    {
        message = default;
        error = null;
        {
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = new SessionError(SessionErrorCodes.InvalidMessage, "a message is a JSON object with a \"type\"");
                return false;
            }

            if (!root.TryGetProperty("type", out var typeJson) || typeJson.ValueKind != JsonValueKind.String)
            {
                error = new SessionError(SessionErrorCodes.InvalidMessage, "\"type\" is missing or not a string");
                return false;
            }

            var payload = default(JsonElement);
            if (root.TryGetProperty("payload", out var payloadJson) && payloadJson.ValueKind != JsonValueKind.Null)
            {
                if (payloadJson.ValueKind != JsonValueKind.Object)
                {
                    error = new SessionError(SessionErrorCodes.InvalidMessage, "\"payload\" must be an object");
                    return false;
                }

                payload = payloadJson;
            }

            var type = typeJson.GetString();
            switch (type)
            {
                case "text" or "user_message":
                    if (payload.ValueKind != JsonValueKind.Object
                        || !payload.TryGetProperty("text", out var textJson)
                        || textJson.ValueKind != JsonValueKind.String
                        || string.IsNullOrWhiteSpace(textJson.GetString()))
                    {
                        error = new SessionError(SessionErrorCodes.InvalidText, "payload.text must be a non-empty string");
                        return false;
                    }

                    message = new SessionClientMessage(SessionClientMessageKind.Text, textJson.GetString());
                    return true;
                case "hangup":
                    message = new SessionClientMessage(SessionClientMessageKind.Hangup, null);
                    return true;
                case "ping":
                    message = new SessionClientMessage(SessionClientMessageKind.Ping, null);
                    return true;
                case "playback":
                    return TryParsePosition(payload, SessionClientMessageKind.Playback, itemRequired: true, out message, out error);
                case "interrupt":
                    return TryParsePosition(payload, SessionClientMessageKind.Interrupt, itemRequired: false, out message, out error);
                case "action_result":
                    return TryParseActionResult(payload, out message, out error);
                case "audio":
                    // Only reached when the fast scanner could not read it (e.g. a non-object payload).
                    error = new SessionError(SessionErrorCodes.InvalidAudio, "an audio message needs payload.audio (base64 PCM16 little-endian)");
                    return false;
                default:
                    error = new SessionError(SessionErrorCodes.UnknownType,
                        $"unknown message type '{Truncate(type)}'; expected text, audio, playback, interrupt, action_result, hangup or ping");
                    return false;
            }
        }
    }

    /// <summary><c>playback</c> and <c>interrupt</c>: <c>{ itemId, playedMs, interrupted? }</c>.</summary>
    private static bool TryParsePosition(JsonElement payload, SessionClientMessageKind kind, bool itemRequired, out SessionClientMessage message, out SessionError? error)
    {
        message = default;
        error = null;
        string? itemId = null;
        long playedMs = -1;
        var interrupted = false;
        if (payload.ValueKind == JsonValueKind.Object)
        {
            if (payload.TryGetProperty("itemId", out var item) && item.ValueKind != JsonValueKind.Null)
            {
                if (item.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(item.GetString()))
                {
                    error = new SessionError(SessionErrorCodes.InvalidPlayback, "payload.itemId must be a non-empty string");
                    return false;
                }

                itemId = item.GetString();
            }

            if (payload.TryGetProperty("playedMs", out var played) && played.ValueKind != JsonValueKind.Null)
            {
                // Fractional milliseconds are fine (a sample count divided by the rate); negative or absurd values are not.
                if (played.ValueKind != JsonValueKind.Number || !played.TryGetDouble(out var value) || value < 0 || value > 24 * 3600 * 1000.0)
                {
                    error = new SessionError(SessionErrorCodes.InvalidPlayback, "payload.playedMs must be a number of milliseconds >= 0");
                    return false;
                }

                playedMs = (long)value;
            }

            if (payload.TryGetProperty("interrupted", out var flag))
            {
                interrupted = flag.ValueKind == JsonValueKind.True;
            }
        }

        if (itemRequired && (itemId is null || playedMs < 0))
        {
            error = new SessionError(SessionErrorCodes.InvalidPlayback, "playback needs payload.itemId and payload.playedMs");
            return false;
        }

        message = new SessionClientMessage(kind, null) { ItemId = itemId, PlayedMs = playedMs, Interrupted = interrupted };
        return true;
    }

    /// <summary><c>action_result</c>: <c>{ actionId, ok, result? }</c> or <c>{ actionId, ok: false, error }</c>.</summary>
    private static bool TryParseActionResult(JsonElement payload, out SessionClientMessage message, out SessionError? error)
    {
        message = default;
        error = null;
        if (payload.ValueKind != JsonValueKind.Object
            || !payload.TryGetProperty("actionId", out var id) || id.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(id.GetString())
            || !payload.TryGetProperty("ok", out var ok) || ok.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
        {
            error = new SessionError(SessionErrorCodes.InvalidActionResult, "action_result needs payload.actionId (string) and payload.ok (boolean)");
            return false;
        }

        string? text = null;
        string? result = null;
        if (payload.TryGetProperty("result", out var resultJson) && resultJson.ValueKind != JsonValueKind.Undefined)
        {
            result = resultJson.GetRawText();
        }

        if (payload.TryGetProperty("error", out var errorJson))
        {
            text = errorJson.ValueKind == JsonValueKind.String ? errorJson.GetString() : errorJson.GetRawText();
        }

        message = new SessionClientMessage(SessionClientMessageKind.ActionResult, text)
        {
            ActionId = id.GetString(),
            Ok = ok.ValueKind == JsonValueKind.True,
            ResultJson = result,
        };
        return true;
    }

    private static string Truncate(string? value) => value is { Length: > 40 } ? value[..40] + "…" : value ?? "";
}
