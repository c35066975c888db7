using System.Text;
using System.Text.Json;
using Switchboard.LocalAgent.Protocol;

namespace Switchboard.LocalAgent;

/// <summary>Conversation items: create, delete, retrieve, truncate.</summary>
internal sealed partial class LocalRealtimeSession
{
    private async ValueTask<LocalProtocolError?> HandleItemCreateAsync(JsonElement root)
    {
        if (!root.TryGetProperty("item", out var itemJson) || itemJson.ValueKind != JsonValueKind.Object)
        {
            return LocalProtocolError.MissingParameter("item");
        }

        var id = itemJson.TryGetProperty("id", out var idJson) && idJson.ValueKind == JsonValueKind.String ? idJson.GetString()! : LocalIds.Item();
        var type = itemJson.TryGetProperty("type", out var typeJson) && typeJson.ValueKind == JsonValueKind.String ? typeJson.GetString() : null;
        LocalItem item;
        string? userText = null;
        string? outputCallId = null;
        switch (type)
        {
            case "message":
                var role = itemJson.TryGetProperty("role", out var roleJson) && roleJson.ValueKind == JsonValueKind.String ? roleJson.GetString() : null;
                if (role is not ("user" or "system" or "assistant"))
                {
                    return role is null
                        ? LocalProtocolError.MissingParameter("item.role")
                        : LocalProtocolError.InvalidValue("item.role", $"Invalid value: '{role}'. Supported values are: 'user', 'system', and 'assistant'.");
                }

                if (!itemJson.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Array)
                {
                    return LocalProtocolError.MissingParameter("item.content");
                }

                var text = new StringBuilder();
                foreach (var part in content.EnumerateArray())
                {
                    var partType = part.TryGetProperty("type", out var partTypeJson) && partTypeJson.ValueKind == JsonValueKind.String ? partTypeJson.GetString() : null;
                    if (role == "assistant" && partType is "output_audio" or "audio")
                    {
                        return LocalProtocolError.InvalidValue("item.content", "Assistant audio messages cannot be created; use output_text content.");
                    }

                    if (part.TryGetProperty("text", out var textJson) && textJson.ValueKind == JsonValueKind.String)
                    {
                        text.Append(textJson.GetString());
                    }
                }

                item = new LocalItem(id, LocalItemKind.ClientMessage) { Role = role, ContentJson = content.GetRawText(), Text = text.ToString() };
                if (role == "user" && text.Length > 0)
                {
                    userText = text.ToString();
                }

                break;
            case "function_call_output":
                if (!itemJson.TryGetProperty("call_id", out var callIdJson) || callIdJson.ValueKind != JsonValueKind.String)
                {
                    return LocalProtocolError.MissingParameter("item.call_id");
                }

                if (!itemJson.TryGetProperty("output", out var outputJson) || outputJson.ValueKind != JsonValueKind.String)
                {
                    return LocalProtocolError.MissingParameter("item.output");
                }

                outputCallId = callIdJson.GetString()!;
                item = new LocalItem(id, LocalItemKind.FunctionCallOutput) { CallId = outputCallId, Output = outputJson.GetString() };
                break;
            case "function_call":
                if (!itemJson.TryGetProperty("name", out var nameJson) || nameJson.ValueKind != JsonValueKind.String)
                {
                    return LocalProtocolError.MissingParameter("item.name");
                }

                item = new LocalItem(id, LocalItemKind.FunctionCall)
                {
                    Name = nameJson.GetString(),
                    CallId = itemJson.TryGetProperty("call_id", out var fcCallId) && fcCallId.ValueKind == JsonValueKind.String ? fcCallId.GetString() : LocalIds.Call(),
                    Arguments = itemJson.TryGetProperty("arguments", out var args) && args.ValueKind == JsonValueKind.String ? args.GetString() : "",
                };
                break;
            case null:
                return LocalProtocolError.MissingParameter("item.type");
            default:
                return LocalProtocolError.InvalidValue("item.type", $"Invalid value: '{type}'. Supported values are: 'message', 'function_call', and 'function_call_output'.");
        }

        string? previous;
        lock (_gate)
        {
            if (_items.ContainsKey(id))
            {
                return LocalProtocolError.InvalidValue("item.id", $"Item with id '{id}' already exists.");
            }

            previous = root.TryGetProperty("previous_item_id", out var previousJson) && previousJson.ValueKind == JsonValueKind.String
                ? previousJson.GetString()
                : _lastItemId;
            if (previous == "root")
            {
                previous = null;
            }

            _items[id] = item;
            _lastItemId = id;
            if (userText is not null)
            {
                _planner.OnUserText(userText);
            }

            if (outputCallId is not null)
            {
                _planner.OnFunctionCallOutput(outputCallId);
            }
        }

        await SendItemEventAsync(LocalServerEventTypes.ItemAdded, item, previous).ConfigureAwait(false);
        await SendItemEventAsync(LocalServerEventTypes.ItemDone, item, previous).ConfigureAwait(false);
        return null;
    }

    private async ValueTask<LocalProtocolError?> HandleItemDeleteAsync(JsonElement root)
    {
        if (!TryGetItemId(root, out var itemId, out var error))
        {
            return error;
        }

        lock (_gate)
        {
            if (!_items.Remove(itemId))
            {
                return ItemNotFound(itemId);
            }
        }

        await _sender.SendAsync(LocalServerEventTypes.ItemDeleted, itemId, static (w, id) => w.WriteString("item_id"u8, id), _sessionToken).ConfigureAwait(false);
        return null;
    }

    private async ValueTask<LocalProtocolError?> HandleItemRetrieveAsync(JsonElement root)
    {
        if (!TryGetItemId(root, out var itemId, out var error))
        {
            return error;
        }

        LocalItem? item;
        lock (_gate)
        {
            _items.TryGetValue(itemId, out item);
        }

        if (item is null)
        {
            return ItemNotFound(itemId);
        }

        await _sender.SendAsync(LocalServerEventTypes.ItemRetrieved, item, static (w, i) =>
        {
            w.WritePropertyName("item"u8);
            i.WriteTo(w);
        }, _sessionToken).ConfigureAwait(false);
        return null;
    }

    /// <summary>
    /// Like the real service: only assistant audio can be truncated, at no more than the audio generated so
    /// far. Accepted truncations stop further audio for the item and drop its server-side transcript.
    /// </summary>
    private async ValueTask<LocalProtocolError?> HandleTruncateAsync(JsonElement root)
    {
        if (!TryGetItemId(root, out var itemId, out var error))
        {
            return error;
        }

        if (!root.TryGetProperty("content_index", out var indexJson) || !indexJson.TryGetInt32(out var contentIndex))
        {
            return LocalProtocolError.MissingParameter("content_index");
        }

        if (!root.TryGetProperty("audio_end_ms", out var endJson) || endJson.ValueKind != JsonValueKind.Number)
        {
            return LocalProtocolError.MissingParameter("audio_end_ms");
        }

        if (!endJson.TryGetInt32(out var audioEndMs) || audioEndMs < 0)
        {
            return LocalProtocolError.InvalidValue("audio_end_ms", "Invalid value: audio_end_ms must be a non-negative integer.");
        }

        lock (_gate)
        {
            if (!_items.TryGetValue(itemId, out var item))
            {
                return ItemNotFound(itemId);
            }

            if (item.Kind != LocalItemKind.AssistantMessage || !item.AudioContent)
            {
                return new LocalProtocolError("unsupported_content_type", "Only model output audio messages can be truncated", "item_id");
            }

            if (contentIndex != 0)
            {
                return LocalProtocolError.InvalidValue("content_index", $"Invalid value: {contentIndex}. The item has one content part (index 0).");
            }

            var generatedMs = (int)Math.Floor(item.AudioMsGenerated);
            if (audioEndMs > generatedMs)
            {
                return LocalProtocolError.InvalidValue("audio_end_ms", $"Audio content of {generatedMs}ms is already shorter than {audioEndMs}ms");
            }

            item.TruncatedAtMs = audioEndMs;
            item.Text = "";
            _truncations.Add(new LocalTruncation(itemId, contentIndex, audioEndMs, item.AudioMsGenerated));
        }

        _logger.Truncated(SessionId, itemId, audioEndMs);
        await _sender.SendAsync(LocalServerEventTypes.ItemTruncated, (itemId, contentIndex, audioEndMs), static (w, s) =>
        {
            w.WriteString("item_id"u8, s.itemId);
            w.WriteNumber("content_index"u8, s.contentIndex);
            w.WriteNumber("audio_end_ms"u8, s.audioEndMs);
        }, _sessionToken).ConfigureAwait(false);
        return null;
    }

    private static bool TryGetItemId(JsonElement root, out string itemId, out LocalProtocolError? error)
    {
        error = null;
        if (root.TryGetProperty("item_id", out var idJson) && idJson.ValueKind == JsonValueKind.String)
        {
            itemId = idJson.GetString()!;
            return true;
        }

        itemId = "";
        error = LocalProtocolError.MissingParameter("item_id");
        return false;
    }

    private static LocalProtocolError ItemNotFound(string itemId) =>
        new("item_not_found", $"Item with item_id '{itemId}' not found.", "item_id");

    private ValueTask<bool> SendItemEventAsync(System.Text.Json.JsonEncodedText type, LocalItem item, string? previousItemId, bool contentEmpty = false) =>
        _sender.SendAsync(type, (item, previousItemId, contentEmpty), static (w, s) =>
        {
            WriteNullableString(w, "previous_item_id"u8, s.previousItemId);
            w.WritePropertyName("item"u8);
            s.item.WriteTo(w, s.contentEmpty);
        }, _sessionToken);

    private static void WriteNullableString(Utf8JsonWriter writer, ReadOnlySpan<byte> name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }
}
