using System.Text;
using System.Text.Json;

namespace Switchboard.Backends.OpenAIRealtime;

/// <summary>
/// One pass over a server event's top level: finds <c>type</c>, <c>item_id</c>, <c>response_id</c> and
/// <c>delta</c> without allocating. Never throws on hostile input; a malformed message gives false.
/// </summary>
internal static class RealtimeEventScanner
{
    private static readonly Dictionary<string, RealtimeServerEventType> Types = new(StringComparer.Ordinal)
    {
        ["error"] = RealtimeServerEventType.Error,
        ["session.created"] = RealtimeServerEventType.SessionCreated,
        ["session.updated"] = RealtimeServerEventType.SessionUpdated,
        ["input_audio_buffer.speech_started"] = RealtimeServerEventType.SpeechStarted,
        ["input_audio_buffer.speech_stopped"] = RealtimeServerEventType.SpeechStopped,
        ["input_audio_buffer.committed"] = RealtimeServerEventType.InputAudioCommitted,
        ["input_audio_buffer.cleared"] = RealtimeServerEventType.InputAudioCleared,
        ["input_audio_buffer.timeout_triggered"] = RealtimeServerEventType.InputAudioTimeoutTriggered,
        ["conversation.item.input_audio_transcription.delta"] = RealtimeServerEventType.InputTranscriptionDelta,
        ["conversation.item.input_audio_transcription.completed"] = RealtimeServerEventType.InputTranscriptionCompleted,
        ["conversation.item.input_audio_transcription.failed"] = RealtimeServerEventType.InputTranscriptionFailed,
        ["conversation.item.added"] = RealtimeServerEventType.ConversationItemAdded,
        ["conversation.item.done"] = RealtimeServerEventType.ConversationItemDone,
        ["conversation.item.created"] = RealtimeServerEventType.ConversationItemCreated,
        ["conversation.item.truncated"] = RealtimeServerEventType.ConversationItemTruncated,
        ["response.created"] = RealtimeServerEventType.ResponseCreated,
        ["response.done"] = RealtimeServerEventType.ResponseDone,
        ["response.output_item.added"] = RealtimeServerEventType.OutputItemAdded,
        ["response.output_item.done"] = RealtimeServerEventType.OutputItemDone,
        ["response.content_part.added"] = RealtimeServerEventType.ContentPartAdded,
        ["response.content_part.done"] = RealtimeServerEventType.ContentPartDone,
        ["response.output_audio.delta"] = RealtimeServerEventType.OutputAudioDelta,
        ["response.output_audio.done"] = RealtimeServerEventType.OutputAudioDone,
        ["response.output_audio_transcript.delta"] = RealtimeServerEventType.OutputAudioTranscriptDelta,
        ["response.output_audio_transcript.done"] = RealtimeServerEventType.OutputAudioTranscriptDone,
        ["response.output_text.delta"] = RealtimeServerEventType.OutputTextDelta,
        ["response.output_text.done"] = RealtimeServerEventType.OutputTextDone,
        ["response.function_call_arguments.delta"] = RealtimeServerEventType.FunctionCallArgumentsDelta,
        ["response.function_call_arguments.done"] = RealtimeServerEventType.FunctionCallArgumentsDone,
        ["rate_limits.updated"] = RealtimeServerEventType.RateLimitsUpdated,
        ["output_audio_buffer.started"] = RealtimeServerEventType.OutputAudioBufferStarted,
        ["output_audio_buffer.stopped"] = RealtimeServerEventType.OutputAudioBufferStopped,
        ["output_audio_buffer.cleared"] = RealtimeServerEventType.OutputAudioBufferCleared,
        ["input_audio_buffer.dtmf_event_received"] = RealtimeServerEventType.DtmfReceived,
    };

    private static readonly Dictionary<string, RealtimeServerEventType>.AlternateLookup<ReadOnlySpan<char>> TypeLookup =
        Types.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Maps a type name to its enum value (unknown names give <see cref="RealtimeServerEventType.Unknown"/>).</summary>
    public static RealtimeServerEventType Classify(ReadOnlySpan<byte> typeUtf8)
    {
        // The audio delta dominates traffic: test it before the general lookup.
        if (typeUtf8.SequenceEqual("response.output_audio.delta"u8))
        {
            return RealtimeServerEventType.OutputAudioDelta;
        }

        if (typeUtf8.Length > 96)
        {
            return RealtimeServerEventType.Unknown;
        }

        Span<char> chars = stackalloc char[96];
        if (!Ascii.ToUtf16(typeUtf8, chars, out var written).Equals(System.Buffers.OperationStatus.Done))
        {
            return RealtimeServerEventType.Unknown;
        }

        return TypeLookup.TryGetValue(chars[..written], out var type) ? type : RealtimeServerEventType.Unknown;
    }

    public static bool TryScan(ReadOnlySpan<byte> json, out RealtimeEventHeader header)
    {
        header = default;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
        var sawType = false;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    return sawType;
                }

                if (reader.TokenType != JsonTokenType.PropertyName)
                {
                    return false;
                }

                var name = reader.ValueSpan;
                if (!reader.Read())
                {
                    return false;
                }

                if (reader.TokenType == JsonTokenType.String)
                {
                    if (name.SequenceEqual("type"u8))
                    {
                        header.Type = Classify(reader.ValueSpan);
                        sawType = true;
                    }
                    else if (name.SequenceEqual("delta"u8))
                    {
                        header.Delta = reader.ValueSpan;
                        header.DeltaEscaped = reader.ValueIsEscaped;
                    }
                    else if (name.SequenceEqual("item_id"u8))
                    {
                        header.ItemId = reader.ValueSpan;
                    }
                    else if (name.SequenceEqual("response_id"u8))
                    {
                        header.ResponseId = reader.ValueSpan;
                    }
                }
                else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray)
                {
                    reader.Skip();
                }
            }
        }
        catch (JsonException)
        {
            return false;
        }

        return false;
    }
}
