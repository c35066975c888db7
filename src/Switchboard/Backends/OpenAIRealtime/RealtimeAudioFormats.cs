using System.Text.Json;
using Switchboard.Audio;

namespace Switchboard.Backends.OpenAIRealtime;

/// <summary>Maps between <see cref="AudioFormat"/> and the GA <c>audio.*.format</c> objects.</summary>
internal static class RealtimeAudioFormats
{
    /// <summary>True when the GA API can carry this format (pcmu/pcma at 8 kHz, PCM16 LE at 24 kHz).</summary>
    public static bool IsSupported(AudioFormat format) =>
        format == AudioFormat.MuLaw8k || format == AudioFormat.ALaw8k || format == AudioFormat.Pcm24k;

    public static void Write(Utf8JsonWriter writer, AudioFormat format)
    {
        writer.WriteStartObject();
        if (format == AudioFormat.MuLaw8k)
        {
            writer.WriteString("type"u8, "audio/pcmu"u8);
        }
        else if (format == AudioFormat.ALaw8k)
        {
            writer.WriteString("type"u8, "audio/pcma"u8);
        }
        else if (format == AudioFormat.Pcm24k)
        {
            writer.WriteString("type"u8, "audio/pcm"u8);
            writer.WriteNumber("rate"u8, 24000);
        }
        else
        {
            throw new ArgumentOutOfRangeException(nameof(format), format, "The realtime API carries only pcmu, pcma or pcm 24 kHz.");
        }

        writer.WriteEndObject();
    }

    /// <summary>Reads a GA format object; unknown shapes give null.</summary>
    public static AudioFormat? Read(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object || !element.TryGetProperty("type", out var type))
        {
            return null;
        }

        return type.GetString() switch
        {
            "audio/pcmu" => AudioFormat.MuLaw8k,
            "audio/pcma" => AudioFormat.ALaw8k,
            "audio/pcm" => AudioFormat.Pcm24k,
            _ => null,
        };
    }
}
