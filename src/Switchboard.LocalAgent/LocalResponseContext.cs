using System.Text.Json;
using Switchboard.Audio;
using Switchboard.LocalAgent.Protocol;
using Switchboard.LocalAgent.Replies;

namespace Switchboard.LocalAgent;

/// <summary>
/// One response from creation to <c>response.done</c>: its plan, the settings captured when it was created
/// (later session updates do not change a response in flight), its output items and its cancellation.
/// </summary>
internal sealed class LocalResponseContext : IDisposable
{
    private readonly CancellationTokenSource _cancel = new();
    private string? _cancelReason;

    public LocalResponseContext(string id, LocalReplyPlan plan, bool textOutput, AudioFormat outputFormat, string voiceJson, bool outOfBand, string? metadataJson, string? conversationId)
    {
        Id = id;
        Plan = plan;
        TextOutput = textOutput;
        OutputFormat = outputFormat;
        VoiceJson = voiceJson;
        OutOfBand = outOfBand;
        MetadataJson = metadataJson;
        ConversationId = conversationId;
    }

    public string Id { get; }

    public LocalReplyPlan Plan { get; }

    public bool TextOutput { get; }

    public AudioFormat OutputFormat { get; }

    public string VoiceJson { get; }

    /// <summary>Created with <c>conversation: "none"</c>: its items stay out of the conversation.</summary>
    public bool OutOfBand { get; }

    public string? MetadataJson { get; }

    public string? ConversationId { get; }

    public List<LocalItem> Output { get; } = [];

    /// <summary>Fires when the response is cancelled; used for pacing delays only, never for sends.</summary>
    public CancellationToken CancellationToken => _cancel.Token;

    /// <summary><c>turn_detected</c> or <c>client_cancelled</c> once cancelled; null otherwise.</summary>
    public string? CancelReason => Volatile.Read(ref _cancelReason);

    public bool IsCancelled => CancelReason is not null;

    /// <summary>Cancels with a reason; the first reason wins. Returns false when already cancelled.</summary>
    public bool TryCancel(string reason)
    {
        if (Interlocked.CompareExchange(ref _cancelReason, reason, null) is not null)
        {
            return false;
        }

        try
        {
            _cancel.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // The response finished while we were cancelling it.
        }

        return true;
    }

    /// <summary>Writes the GA <c>RealtimeResponse</c> object.</summary>
    public void WriteTo(Utf8JsonWriter writer, bool done)
    {
        writer.WriteStartObject();
        writer.WriteString("object"u8, "realtime.response"u8);
        writer.WriteString("id"u8, Id);
        var reason = CancelReason;
        if (!done)
        {
            writer.WriteString("status"u8, "in_progress"u8);
            writer.WriteNull("status_details"u8);
        }
        else if (reason is null)
        {
            writer.WriteString("status"u8, "completed"u8);
            writer.WriteNull("status_details"u8);
        }
        else
        {
            writer.WriteString("status"u8, "cancelled"u8);
            writer.WriteStartObject("status_details"u8);
            writer.WriteString("type"u8, "cancelled"u8);
            writer.WriteString("reason"u8, reason);
            writer.WriteEndObject();
        }

        writer.WriteStartArray("output"u8);
        if (done)
        {
            foreach (var item in Output)
            {
                item.WriteTo(writer);
            }
        }

        writer.WriteEndArray();
        if (ConversationId is null)
        {
            writer.WriteNull("conversation_id"u8);
        }
        else
        {
            writer.WriteString("conversation_id"u8, ConversationId);
        }

        writer.WriteStartArray("output_modalities"u8);
        writer.WriteStringValue(TextOutput ? "text"u8 : "audio"u8);
        writer.WriteEndArray();
        writer.WriteString("max_output_tokens"u8, "inf"u8);
        writer.WriteStartObject("audio"u8);
        writer.WriteStartObject("output"u8);
        writer.WritePropertyName("format"u8);
        RealtimeAudioFormats.Write(writer, OutputFormat);
        writer.WritePropertyName("voice"u8);
        writer.WriteRawValue(VoiceJson, skipInputValidation: true);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WritePropertyName("usage"u8);
        if (done)
        {
            WriteZeroUsage(writer);
        }
        else
        {
            writer.WriteNullValue();
        }

        writer.WritePropertyName("metadata"u8);
        if (MetadataJson is null)
        {
            writer.WriteNullValue();
        }
        else
        {
            writer.WriteRawValue(MetadataJson, skipInputValidation: true);
        }

        writer.WriteEndObject();
    }

    public void Dispose() => _cancel.Dispose();

    // The local agent runs no model, so it spends no tokens: usage is reported, in the real shape, as zeros.
    private static void WriteZeroUsage(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteNumber("total_tokens"u8, 0);
        writer.WriteNumber("input_tokens"u8, 0);
        writer.WriteNumber("output_tokens"u8, 0);
        writer.WriteStartObject("input_token_details"u8);
        writer.WriteNumber("text_tokens"u8, 0);
        writer.WriteNumber("audio_tokens"u8, 0);
        writer.WriteNumber("image_tokens"u8, 0);
        writer.WriteNumber("cached_tokens"u8, 0);
        writer.WriteStartObject("cached_tokens_details"u8);
        writer.WriteNumber("text_tokens"u8, 0);
        writer.WriteNumber("audio_tokens"u8, 0);
        writer.WriteNumber("image_tokens"u8, 0);
        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteStartObject("output_token_details"u8);
        writer.WriteNumber("text_tokens"u8, 0);
        writer.WriteNumber("audio_tokens"u8, 0);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
