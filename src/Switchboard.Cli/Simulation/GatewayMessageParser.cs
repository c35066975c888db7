using System.Text.Json;

namespace Switchboard.Cli.Simulation;

/// <summary>
/// Reads gateway → carrier messages (<c>media</c>, <c>mark</c>, <c>clear</c>) the way a strict carrier would.
/// The two carriers differ only in the stream identifier: Twilio requires <c>streamSid</c> on every message;
/// Telnyx messages carry none, so a <c>stream_id</c> is optional but must match when present.
/// </summary>
internal static class GatewayMessageParser
{
    /// <summary>Parses <paramref name="text"/>; never throws.</summary>
    public static GatewayMessage Parse(string text, StreamFormat format, string streamId, string streamIdProperty, bool streamIdRequired)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(text);
        }
        catch (JsonException ex)
        {
            return new GatewayMessage(GatewayMessageKind.Invalid, text, Problem: $"not JSON: {ex.Message}");
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return new GatewayMessage(GatewayMessageKind.Invalid, text, Problem: "not a JSON object");
            }

            if (!root.TryGetProperty("event", out var eventElement) || eventElement.ValueKind != JsonValueKind.String)
            {
                return new GatewayMessage(GatewayMessageKind.Invalid, text, Problem: "no \"event\" string");
            }

            var eventName = eventElement.GetString()!;
            if (eventName is not ("media" or "mark" or "clear"))
            {
                return new GatewayMessage(GatewayMessageKind.Unknown, text, eventName, Problem: $"unknown event \"{eventName}\"");
            }

            var idProblem = CheckStreamId(root, streamId, streamIdProperty, streamIdRequired);
            if (idProblem is not null)
            {
                return new GatewayMessage(GatewayMessageKind.Invalid, text, eventName, Problem: idProblem);
            }

            return eventName switch
            {
                "media" => ParseMedia(root, text, format),
                "mark" => ParseMark(root, text),
                _ => new GatewayMessage(GatewayMessageKind.Clear, text, eventName),
            };
        }
    }

    private static string? CheckStreamId(JsonElement root, string streamId, string property, bool required)
    {
        if (!root.TryGetProperty(property, out var id))
        {
            return required ? $"missing \"{property}\"" : null;
        }

        if (id.ValueKind != JsonValueKind.String)
        {
            return $"\"{property}\" is not a string";
        }

        return id.ValueEquals(streamId) ? null : $"\"{property}\" is \"{id.GetString()}\", not this stream's \"{streamId}\"";
    }

    private static GatewayMessage ParseMedia(JsonElement root, string text, StreamFormat format)
    {
        if (!root.TryGetProperty("media", out var media) || media.ValueKind != JsonValueKind.Object
            || !media.TryGetProperty("payload", out var payload) || payload.ValueKind != JsonValueKind.String)
        {
            return new GatewayMessage(GatewayMessageKind.Invalid, text, "media", Problem: "no \"media.payload\" string");
        }

        if (!payload.TryGetBytesFromBase64(out var bytes))
        {
            return new GatewayMessage(GatewayMessageKind.Invalid, text, "media", Problem: "\"media.payload\" is not valid base64");
        }

        if (bytes.Length == 0)
        {
            return new GatewayMessage(GatewayMessageKind.Invalid, text, "media", Problem: "empty \"media.payload\"");
        }

        if (bytes.Length % format.BytesPerSample != 0)
        {
            return new GatewayMessage(GatewayMessageKind.Invalid, text, "media", Problem: $"payload of {bytes.Length} bytes is not whole 16-bit samples");
        }

        return new GatewayMessage(GatewayMessageKind.Media, text, "media", Payload: bytes);
    }

    private static GatewayMessage ParseMark(JsonElement root, string text)
    {
        if (!root.TryGetProperty("mark", out var mark) || mark.ValueKind != JsonValueKind.Object
            || !mark.TryGetProperty("name", out var name) || name.ValueKind != JsonValueKind.String)
        {
            return new GatewayMessage(GatewayMessageKind.Invalid, text, "mark", Problem: "no \"mark.name\" string");
        }

        return new GatewayMessage(GatewayMessageKind.Mark, text, "mark", MarkName: name.GetString());
    }
}
