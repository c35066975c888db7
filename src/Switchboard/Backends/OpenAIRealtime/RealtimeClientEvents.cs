using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using Switchboard.Audio;

namespace Switchboard.Backends.OpenAIRealtime;

/// <summary>
/// Writes GA client events. The audio append is built by hand from UTF-8 literals because it runs
/// 50 times a second per call and base64 text needs no JSON escaping; the rest use <see cref="Utf8JsonWriter"/>.
/// </summary>
internal static class RealtimeClientEvents
{
    private static ReadOnlySpan<byte> AppendPrefix => "{\"type\":\"input_audio_buffer.append\",\"audio\":\""u8;

    private static ReadOnlySpan<byte> AppendSuffix => "\"}"u8;

    /// <summary>Writes an append whose audio is already base64 (the μ-law passthrough: the carrier's payload, untouched).</summary>
    public static void WriteAppendBase64(IBufferWriter<byte> output, ReadOnlySpan<byte> base64Audio)
    {
        var span = output.GetSpan(AppendPrefix.Length + base64Audio.Length + AppendSuffix.Length);
        AppendPrefix.CopyTo(span);
        base64Audio.CopyTo(span[AppendPrefix.Length..]);
        AppendSuffix.CopyTo(span[(AppendPrefix.Length + base64Audio.Length)..]);
        output.Advance(AppendPrefix.Length + base64Audio.Length + AppendSuffix.Length);
    }

    /// <summary>Writes an append from raw audio bytes, base64-encoding them straight into the output.</summary>
    public static void WriteAppend(IBufferWriter<byte> output, ReadOnlySpan<byte> audio)
    {
        var encodedLength = Base64.GetMaxEncodedToUtf8Length(audio.Length);
        var span = output.GetSpan(AppendPrefix.Length + encodedLength + AppendSuffix.Length);
        AppendPrefix.CopyTo(span);
        Base64.EncodeToUtf8(audio, span[AppendPrefix.Length..], out _, out var written);
        AppendSuffix.CopyTo(span[(AppendPrefix.Length + written)..]);
        output.Advance(AppendPrefix.Length + written + AppendSuffix.Length);
    }

    public static void WriteSessionUpdate(IBufferWriter<byte> output, RealtimeSessionSettings s)
    {
        using var w = new Utf8JsonWriter(output);
        w.WriteStartObject();
        w.WriteString("type"u8, "session.update"u8);
        w.WritePropertyName("session"u8);
        WriteSessionObject(w, s, voiceAtTopLevel: false);
        w.WriteEndObject();
    }

    /// <summary>
    /// Writes the GA session object alone: the body of a SIP connector's <c>accept</c>. With <paramref name="voiceAtTopLevel"/>
    /// the voice goes in the older top-level <c>voice</c> field instead of <c>audio.output.voice</c> (for a backend that
    /// refuses the GA field with <c>unknown_parameter</c>).
    /// </summary>
    public static void WriteSession(IBufferWriter<byte> output, RealtimeSessionSettings s, bool voiceAtTopLevel = false)
    {
        using var w = new Utf8JsonWriter(output);
        WriteSessionObject(w, s, voiceAtTopLevel);
    }

    private static void WriteSessionObject(Utf8JsonWriter w, RealtimeSessionSettings s, bool voiceAtTopLevel)
    {
        w.WriteStartObject();
        w.WriteString("type"u8, "realtime"u8);
        w.WriteString("model"u8, s.Model);
        w.WriteStartArray("output_modalities"u8);
        w.WriteStringValue(s.OutputModality);
        w.WriteEndArray();
        w.WriteString("instructions"u8, s.Instructions);
        if (s.OutputModality == "text")
        {
            // A text-only session sends no audio and hears none: leave the audio block at the server's defaults.
            WriteTools(w, s.Tools);
            w.WriteEndObject();
            return;
        }

        if (voiceAtTopLevel)
        {
            w.WriteString("voice"u8, s.Voice);
        }

        w.WriteStartObject("audio"u8);
        w.WriteStartObject("input"u8);
        if (!s.NegotiatedFormats)
        {
            w.WritePropertyName("format"u8);
            RealtimeAudioFormats.Write(w, s.InputFormat);
        }

        if (string.IsNullOrEmpty(s.TranscriptionModel))
        {
            w.WriteNull("transcription"u8);
        }
        else
        {
            w.WriteStartObject("transcription"u8);
            w.WriteString("model"u8, s.TranscriptionModel);
            if (!string.IsNullOrEmpty(s.TranscriptionLanguage))
            {
                w.WriteString("language"u8, s.TranscriptionLanguage);
            }

            w.WriteEndObject();
        }

        if (s.TurnDetection == "none")
        {
            w.WriteNull("turn_detection"u8);
        }
        else if (s.TurnDetection == "semantic_vad")
        {
            w.WriteStartObject("turn_detection"u8);
            w.WriteString("type"u8, "semantic_vad"u8);
            w.WriteBoolean("create_response"u8, true);
            w.WriteBoolean("interrupt_response"u8, true);
            w.WriteEndObject();
        }
        else
        {
            w.WriteStartObject("turn_detection"u8);
            w.WriteString("type"u8, "server_vad"u8);
            w.WriteNumber("threshold"u8, s.VadThreshold);
            w.WriteNumber("prefix_padding_ms"u8, s.PrefixPaddingMs);
            w.WriteNumber("silence_duration_ms"u8, s.SilenceDurationMs);
            w.WriteBoolean("create_response"u8, true);
            w.WriteBoolean("interrupt_response"u8, true);
            w.WriteEndObject();
        }

        w.WriteEndObject(); // input
        w.WriteStartObject("output"u8);
        if (!s.NegotiatedFormats)
        {
            w.WritePropertyName("format"u8);
            RealtimeAudioFormats.Write(w, s.OutputFormat);
        }

        if (!voiceAtTopLevel)
        {
            w.WriteString("voice"u8, s.Voice);
        }

        w.WriteEndObject(); // output
        w.WriteEndObject(); // audio
        WriteTools(w, s.Tools);
        w.WriteEndObject();
    }

    private static void WriteTools(Utf8JsonWriter w, IReadOnlyList<RealtimeToolDefinition> tools)
    {
        w.WriteStartArray("tools"u8);
        foreach (var tool in tools)
        {
            w.WriteStartObject();
            w.WriteString("type"u8, "function"u8);
            w.WriteString("name"u8, tool.Name);
            w.WriteString("description"u8, tool.Description);
            w.WritePropertyName("parameters"u8);
            tool.Parameters.WriteTo(w);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteString("tool_choice"u8, "auto"u8);
    }

    public static void WriteTruncate(IBufferWriter<byte> output, string itemId, int contentIndex, long audioEndMs)
    {
        using var w = new Utf8JsonWriter(output);
        w.WriteStartObject();
        w.WriteString("type"u8, "conversation.item.truncate"u8);
        w.WriteString("item_id"u8, itemId);
        w.WriteNumber("content_index"u8, contentIndex);
        w.WriteNumber("audio_end_ms"u8, audioEndMs);
        w.WriteEndObject();
    }

    /// <summary>Writes a <c>function_call</c> item (a replayed tool call: the model's own call, re-created without an item id).</summary>
    public static void WriteFunctionCall(IBufferWriter<byte> output, string callId, string name, string argumentsJson)
    {
        using var w = new Utf8JsonWriter(output);
        w.WriteStartObject();
        w.WriteString("type"u8, "conversation.item.create"u8);
        w.WriteStartObject("item"u8);
        w.WriteString("type"u8, "function_call"u8);
        w.WriteString("call_id"u8, callId);
        w.WriteString("name"u8, name);
        w.WriteString("arguments"u8, argumentsJson);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    public static void WriteFunctionCallOutput(IBufferWriter<byte> output, string callId, string outputJson)
    {
        using var w = new Utf8JsonWriter(output);
        w.WriteStartObject();
        w.WriteString("type"u8, "conversation.item.create"u8);
        w.WriteStartObject("item"u8);
        w.WriteString("type"u8, "function_call_output"u8);
        w.WriteString("call_id"u8, callId);
        w.WriteString("output"u8, outputJson);
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>
    /// Writes a user text message (<c>input_text</c>). <paramref name="itemId"/> names the item (the server
    /// generates one when null); <paramref name="eventId"/> is echoed back in an <c>error</c> about this event.
    /// </summary>
    public static void WriteUserText(IBufferWriter<byte> output, string text, string? itemId = null, string? eventId = null) =>
        WriteTextMessage(output, "user"u8, "input_text"u8, text, itemId, eventId);

    /// <summary>
    /// Writes an assistant text message (<c>output_text</c>) into the conversation, e.g. a greeting the client
    /// has already shown, so the model knows it was said. Assistant <em>audio</em> cannot be created this way.
    /// </summary>
    public static void WriteAssistantText(IBufferWriter<byte> output, string text, string? itemId = null, string? eventId = null) =>
        WriteTextMessage(output, "assistant"u8, "output_text"u8, text, itemId, eventId);

    /// <summary>Writes a system message (<c>input_text</c>): something the gateway tells the model, e.g. that a transfer failed.</summary>
    public static void WriteSystemText(IBufferWriter<byte> output, string text, string? itemId = null, string? eventId = null) =>
        WriteTextMessage(output, "system"u8, "input_text"u8, text, itemId, eventId);

    private static void WriteTextMessage(IBufferWriter<byte> output, ReadOnlySpan<byte> role, ReadOnlySpan<byte> contentType, string text, string? itemId, string? eventId)
    {
        using var w = new Utf8JsonWriter(output);
        w.WriteStartObject();
        w.WriteString("type"u8, "conversation.item.create"u8);
        if (eventId is not null)
        {
            w.WriteString("event_id"u8, eventId);
        }

        w.WriteStartObject("item"u8);
        if (itemId is not null)
        {
            w.WriteString("id"u8, itemId);
        }

        w.WriteString("type"u8, "message"u8);
        w.WriteString("role"u8, role);
        w.WriteStartArray("content"u8);
        w.WriteStartObject();
        w.WriteString("type"u8, contentType);
        w.WriteString("text"u8, text);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>
    /// Writes <c>response.create</c>; <paramref name="instructions"/> overrides the session's for this response only,
    /// and <paramref name="eventId"/> lets the caller match an <c>error</c> to this request.
    /// </summary>
    public static void WriteResponseCreate(IBufferWriter<byte> output, string? instructions = null, string? eventId = null)
    {
        using var w = new Utf8JsonWriter(output);
        w.WriteStartObject();
        w.WriteString("type"u8, "response.create"u8);
        if (eventId is not null)
        {
            w.WriteString("event_id"u8, eventId);
        }

        if (instructions is not null)
        {
            w.WriteStartObject("response"u8);
            w.WriteString("instructions"u8, instructions);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    public static void WriteResponseCancel(IBufferWriter<byte> output, string? responseId = null)
    {
        using var w = new Utf8JsonWriter(output);
        w.WriteStartObject();
        w.WriteString("type"u8, "response.cancel"u8);
        if (responseId is not null)
        {
            w.WriteString("response_id"u8, responseId);
        }

        w.WriteEndObject();
    }
}
