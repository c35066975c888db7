using System.Text.Json;

namespace Switchboard.Sessions;

/// <summary>
/// Parses client messages: <c>{ "type": "text", "payload": { "text": "…" } }</c>, <c>hangup</c>, <c>ping</c>.
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
            var root = document.RootElement;
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
                default:
                    error = new SessionError(SessionErrorCodes.UnknownType, $"unknown message type '{Truncate(type)}'; expected text, hangup or ping");
                    return false;
            }
        }
    }

    private static string Truncate(string? value) => value is { Length: > 40 } ? value[..40] + "…" : value ?? "";
}
