using System.Text;
using System.Text.Json;

namespace Switchboard.LocalAgent.Protocol;

/// <summary>
/// Reads the top level of a client event with <see cref="Utf8JsonReader"/>. This runs for every
/// <c>input_audio_buffer.append</c> (50 a second per call), so it allocates nothing: it records where the
/// interesting values are and skips the rest. Escaped base64 (some encoders write <c>\/</c> or <c>\u002B</c>)
/// is unescaped into a caller-provided scratch buffer.
/// </summary>
internal static class LocalClientEventReader
{
    /// <summary>Reads <paramref name="message"/>; throws <see cref="JsonException"/> when it is not a JSON object.</summary>
    /// <param name="message">The whole UTF-8 message.</param>
    /// <param name="scratch">Scratch space for an escaped audio string; grown when too small.</param>
    public static LocalClientEnvelope Read(ReadOnlySpan<byte> message, ref byte[] scratch)
    {
        var envelope = default(LocalClientEnvelope);
        var reader = new Utf8JsonReader(message, new JsonReaderOptions { MaxDepth = 64 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw new JsonException("A client event must be a JSON object.");
        }

        var typeSeen = false;
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.EndObject)
            {
                break;
            }

            // Property name, then its value.
            var isType = reader.ValueTextEquals("type"u8);
            var isEventId = !isType && reader.ValueTextEquals("event_id"u8);
            var isAudio = !isType && !isEventId && reader.ValueTextEquals("audio"u8);
            reader.Read();
            if (isType && reader.TokenType == JsonTokenType.String)
            {
                typeSeen = true;
                envelope.Kind = Classify(ref reader);
                envelope.TypeStart = (int)reader.TokenStartIndex + 1;
                envelope.TypeLength = reader.ValueSpan.Length;
                envelope.TypeEscaped = reader.ValueIsEscaped;
            }
            else if (isEventId && reader.TokenType == JsonTokenType.String)
            {
                envelope.EventIdStart = (int)reader.TokenStartIndex + 1;
                envelope.EventIdLength = reader.ValueSpan.Length;
                envelope.EventIdEscaped = reader.ValueIsEscaped;
            }
            else if (isAudio && reader.TokenType == JsonTokenType.String)
            {
                envelope.HasAudio = true;
                if (!reader.ValueIsEscaped)
                {
                    envelope.AudioStart = (int)reader.TokenStartIndex + 1;
                    envelope.AudioLength = reader.ValueSpan.Length;
                }
                else
                {
                    if (scratch.Length < reader.ValueSpan.Length)
                    {
                        scratch = new byte[Math.Max(reader.ValueSpan.Length, scratch.Length * 2)];
                    }

                    envelope.AudioLength = reader.CopyString(scratch);
                    envelope.AudioUnescaped = true;
                }
            }
            else
            {
                reader.Skip();
            }
        }

        if (!typeSeen)
        {
            envelope.Kind = LocalClientEventKind.Missing;
        }

        return envelope;
    }

    /// <summary>The client's <c>event_id</c>, or null (allocates: used only when replying with an error).</summary>
    public static string? EventId(ReadOnlySpan<byte> message, in LocalClientEnvelope envelope) =>
        envelope.EventIdLength == 0 ? null : Decode(message.Slice(envelope.EventIdStart, envelope.EventIdLength), envelope.EventIdEscaped);

    /// <summary>The event's <c>type</c> as a string (for error messages).</summary>
    public static string? Type(ReadOnlySpan<byte> message, in LocalClientEnvelope envelope) =>
        envelope.Kind == LocalClientEventKind.Missing ? null : Decode(message.Slice(envelope.TypeStart, envelope.TypeLength), envelope.TypeEscaped);

    private static string Decode(ReadOnlySpan<byte> raw, bool escaped)
    {
        if (!escaped)
        {
            return Encoding.UTF8.GetString(raw);
        }

        // Rare: re-read the quoted token to unescape it.
        var quoted = raw.Length + 2 <= 256 ? stackalloc byte[raw.Length + 2] : new byte[raw.Length + 2];
        quoted[0] = (byte)'"';
        raw.CopyTo(quoted[1..]);
        quoted[^1] = (byte)'"';
        var reader = new Utf8JsonReader(quoted);
        reader.Read();
        return reader.GetString() ?? "";
    }

    private static LocalClientEventKind Classify(ref Utf8JsonReader reader)
    {
        // Appends first: they are almost every message.
        if (reader.ValueTextEquals("input_audio_buffer.append"u8))
        {
            return LocalClientEventKind.InputAudioBufferAppend;
        }

        if (reader.ValueTextEquals("session.update"u8))
        {
            return LocalClientEventKind.SessionUpdate;
        }

        if (reader.ValueTextEquals("input_audio_buffer.commit"u8))
        {
            return LocalClientEventKind.InputAudioBufferCommit;
        }

        if (reader.ValueTextEquals("input_audio_buffer.clear"u8))
        {
            return LocalClientEventKind.InputAudioBufferClear;
        }

        if (reader.ValueTextEquals("conversation.item.create"u8))
        {
            return LocalClientEventKind.ConversationItemCreate;
        }

        if (reader.ValueTextEquals("conversation.item.truncate"u8))
        {
            return LocalClientEventKind.ConversationItemTruncate;
        }

        if (reader.ValueTextEquals("conversation.item.delete"u8))
        {
            return LocalClientEventKind.ConversationItemDelete;
        }

        if (reader.ValueTextEquals("conversation.item.retrieve"u8))
        {
            return LocalClientEventKind.ConversationItemRetrieve;
        }

        if (reader.ValueTextEquals("response.create"u8))
        {
            return LocalClientEventKind.ResponseCreate;
        }

        if (reader.ValueTextEquals("response.cancel"u8))
        {
            return LocalClientEventKind.ResponseCancel;
        }

        if (reader.ValueTextEquals("output_audio_buffer.clear"u8))
        {
            return LocalClientEventKind.OutputAudioBufferClear;
        }

        if (reader.ValueTextEquals("transcription_session.update"u8))
        {
            return LocalClientEventKind.TranscriptionSessionUpdate;
        }

        return LocalClientEventKind.Unknown;
    }
}
