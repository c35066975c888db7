using System.Text.Json;

namespace Switchboard.LocalAgent;

/// <summary>
/// A conversation item as the local agent remembers it. Audio content itself is not kept: only how much
/// was generated, which is what <c>conversation.item.truncate</c> is checked against.
/// </summary>
internal sealed class LocalItem(string id, LocalItemKind kind)
{
    public string Id { get; } = id;

    public LocalItemKind Kind { get; } = kind;

    public string Status { get; set; } = "completed";

    public string Role { get; init; } = "user";

    /// <summary>Transcript (audio content) or text (text content).</summary>
    public string? Text { get; set; }

    /// <summary>True when the assistant content is <c>output_audio</c> rather than <c>output_text</c>.</summary>
    public bool AudioContent { get; init; }

    public string? CallId { get; init; }

    public string? Name { get; init; }

    public string? Arguments { get; set; }

    public string? Output { get; init; }

    /// <summary>For client-created messages: the content array as sent, echoed back verbatim.</summary>
    public string? ContentJson { get; init; }

    /// <summary>Milliseconds of assistant audio sent in deltas so far.</summary>
    public double AudioMsGenerated { get; set; }

    /// <summary>Set by <c>conversation.item.truncate</c>: audio after this point is neither sent nor kept.</summary>
    public int? TruncatedAtMs { get; set; }

    /// <summary>Writes the GA item object. <paramref name="contentEmpty"/> writes <c>content: []</c> (item just added).</summary>
    public void WriteTo(Utf8JsonWriter writer, bool contentEmpty = false)
    {
        writer.WriteStartObject();
        writer.WriteString("id", Id);
        writer.WriteString("object", "realtime.item");
        switch (Kind)
        {
            case LocalItemKind.FunctionCall:
                writer.WriteString("type", "function_call");
                writer.WriteString("status", Status);
                writer.WriteString("call_id", CallId);
                writer.WriteString("name", Name);
                writer.WriteString("arguments", contentEmpty ? "" : Arguments ?? "");
                break;
            case LocalItemKind.FunctionCallOutput:
                writer.WriteString("type", "function_call_output");
                writer.WriteString("status", Status);
                writer.WriteString("call_id", CallId);
                writer.WriteString("output", Output);
                break;
            default:
                writer.WriteString("type", "message");
                writer.WriteString("status", Status);
                writer.WriteString("role", Role);
                writer.WritePropertyName("content");
                WriteContent(writer, contentEmpty);
                break;
        }

        writer.WriteEndObject();
    }

    private void WriteContent(Utf8JsonWriter writer, bool contentEmpty)
    {
        if (ContentJson is not null)
        {
            writer.WriteRawValue(ContentJson, skipInputValidation: true);
            return;
        }

        writer.WriteStartArray();
        if (!contentEmpty)
        {
            writer.WriteStartObject();
            if (Kind == LocalItemKind.UserAudio)
            {
                writer.WriteString("type", "input_audio");
                if (Text is null)
                {
                    writer.WriteNull("transcript");
                }
                else
                {
                    writer.WriteString("transcript", Text);
                }
            }
            else if (AudioContent)
            {
                writer.WriteString("type", "output_audio");
                writer.WriteString("transcript", Text ?? "");
            }
            else
            {
                writer.WriteString("type", "output_text");
                writer.WriteString("text", Text ?? "");
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
    }
}
