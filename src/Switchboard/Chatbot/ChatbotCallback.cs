using System.Text.Json;

namespace Switchboard.Chatbot;

/// <summary>
/// The body of a chatbot callback: <c>conversation.identifier.id</c> (required), <c>messages</c> (optional; each a string or
/// an object whose <c>text</c> is what the agent says or shows — other messages are kept in the stream only) and
/// <c>metadata</c> (optional object, kept in the stream).
/// </summary>
internal sealed record ChatbotCallback(string ConversationId, IReadOnlyList<string> Texts)
{
    /// <summary>Longest conversation id accepted.</summary>
    public const int MaxIdLength = 128;

    /// <summary>Reads a checked JSON object (the API's body reader ran first); on failure names the field and what is wrong.</summary>
    public static bool TryParse(JsonElement body, out ChatbotCallback? callback, out string? field, out string? error)
    {
        callback = null;
        field = "conversation.identifier.id";
        if (!body.TryGetProperty("conversation", out var conversation) || conversation.ValueKind != JsonValueKind.Object
            || !conversation.TryGetProperty("identifier", out var identifier) || identifier.ValueKind != JsonValueKind.Object
            || !identifier.TryGetProperty("id", out var idJson) || idJson.ValueKind == JsonValueKind.Null)
        {
            error = "conversation.identifier.id is required";
            return false;
        }

        if (idJson.ValueKind != JsonValueKind.String || idJson.GetString() is not { Length: > 0 and <= MaxIdLength } id)
        {
            error = $"conversation.identifier.id must be a string of 1-{MaxIdLength} characters";
            return false;
        }

        var texts = new List<string>();
        if (body.TryGetProperty("messages", out var messages) && messages.ValueKind != JsonValueKind.Null)
        {
            field = "messages";
            if (messages.ValueKind != JsonValueKind.Array)
            {
                error = "messages must be an array";
                return false;
            }

            foreach (var message in messages.EnumerateArray())
            {
                var text = message.ValueKind switch
                {
                    JsonValueKind.String => message.GetString(),
                    JsonValueKind.Object when message.TryGetProperty("text", out var t) && t.ValueKind == JsonValueKind.String => t.GetString(),
                    _ => null,
                };
                if (!string.IsNullOrWhiteSpace(text))
                {
                    texts.Add(text);
                }
            }
        }

        if (body.TryGetProperty("metadata", out var metadata) && metadata.ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
        {
            field = "metadata";
            error = "metadata must be an object";
            return false;
        }

        callback = new ChatbotCallback(id, texts);
        field = error = null;
        return true;
    }
}
