using System.Text.Json;

namespace Switchboard.Sessions;

/// <summary>
/// Reads a client <c>audio</c> message — <c>{ "type": "audio", "payload": { "audio": "&lt;base64&gt;", "sampleRate": 16000 } }</c> —
/// without allocating: microphone audio arrives 25–50 times a second per connection. Properties may come in any order;
/// the payload is located in one pass and read in a second. Everything else is left to <see cref="SessionClientMessages"/>.
/// </summary>
internal static class SessionAudioScanner
{
    /// <summary>Sample rates a client may send (the backend runs at 24 kHz; 16 kHz is resampled).</summary>
    public const int DefaultSampleRate = 24000;

    public static SessionAudioScan Scan(ReadOnlySpan<byte> json, out ReadOnlySpan<byte> base64, out bool escaped, out int sampleRate, out string? error)
    {
        base64 = default;
        escaped = false;
        sampleRate = DefaultSampleRate;
        error = null;
        var isAudio = false;
        var payloadStart = -1;
        var payloadEnd = -1;
        try
        {
            var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 64 });
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return SessionAudioScan.NotAudio;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isType = reader.ValueTextEquals("type"u8);
                var isPayload = !isType && reader.ValueTextEquals("payload"u8);
                if (!reader.Read())
                {
                    return SessionAudioScan.NotAudio;
                }

                if (isType)
                {
                    if (reader.TokenType != JsonTokenType.String || !reader.ValueTextEquals("audio"u8))
                    {
                        return SessionAudioScan.NotAudio;
                    }

                    isAudio = true;
                }
                else if (isPayload && reader.TokenType == JsonTokenType.StartObject)
                {
                    payloadStart = (int)reader.TokenStartIndex;
                    reader.Skip();
                    payloadEnd = (int)reader.BytesConsumed;
                }
                else
                {
                    reader.Skip();
                }
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            // Malformed JSON, or a name or type that is not text (a lone surrogate escape; found by fuzzing): the general parser reports it.
            return SessionAudioScan.NotAudio;
        }

        if (!isAudio)
        {
            return SessionAudioScan.NotAudio;
        }

        if (payloadStart < 0)
        {
            error = "an audio message needs payload.audio (base64 PCM16 little-endian)";
            return SessionAudioScan.Invalid;
        }

        var payload = new Utf8JsonReader(json[payloadStart..payloadEnd]);
        try
        {
            payload.Read();
            while (payload.Read() && payload.TokenType == JsonTokenType.PropertyName)
            {
                var isAudioField = payload.ValueTextEquals("audio"u8);
                var isRate = !isAudioField && payload.ValueTextEquals("sampleRate"u8);
                payload.Read();
                if (isAudioField)
                {
                    if (payload.TokenType != JsonTokenType.String)
                    {
                        error = "payload.audio must be a base64 string";
                        return SessionAudioScan.Invalid;
                    }

                    base64 = payload.ValueSpan;
                    escaped = payload.ValueIsEscaped;
                }
                else if (isRate)
                {
                    if (payload.TokenType != JsonTokenType.Number || !payload.TryGetInt32(out sampleRate) || sampleRate is not (16000 or 24000))
                    {
                        error = "payload.sampleRate must be 16000 or 24000";
                        return SessionAudioScan.Invalid;
                    }
                }
                else
                {
                    payload.Skip();
                }
            }
        }
        catch (InvalidOperationException)
        {
            // A field name that is not text (a lone surrogate escape; found by fuzzing).
            error = "payload holds a name that is not valid text";
            return SessionAudioScan.Invalid;
        }

        if (base64.IsEmpty)
        {
            error = "payload.audio is missing or empty";
            return SessionAudioScan.Invalid;
        }

        return SessionAudioScan.Audio;
    }
}
