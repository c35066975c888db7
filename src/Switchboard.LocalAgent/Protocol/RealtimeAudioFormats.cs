using System.Text.Json;
using Switchboard.Audio;

namespace Switchboard.LocalAgent.Protocol;

/// <summary>Maps the GA <c>audio.*.format</c> objects to <see cref="AudioFormat"/> and back.</summary>
internal static class RealtimeAudioFormats
{
    public static bool TryParse(JsonElement value, string path, out AudioFormat format, out LocalProtocolError error)
    {
        format = default;
        error = default;
        if (value.ValueKind != JsonValueKind.Object)
        {
            error = LocalProtocolError.InvalidType(path, "an object");
            return false;
        }

        if (!value.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String)
        {
            error = LocalProtocolError.MissingParameter(path + ".type");
            return false;
        }

        switch (type.GetString())
        {
            case "audio/pcmu":
                format = AudioFormat.MuLaw8k;
                return true;
            case "audio/pcma":
                format = AudioFormat.ALaw8k;
                return true;
            case "audio/pcm":
                if (value.TryGetProperty("rate", out var rate) && !(rate.ValueKind == JsonValueKind.Number && rate.TryGetInt32(out var hz) && hz == 24000))
                {
                    error = LocalProtocolError.InvalidValue(path + ".rate", $"Invalid value: '{rate.GetRawText()}'. Supported values are: 24000.");
                    return false;
                }

                format = AudioFormat.Pcm24k;
                return true;
            default:
                error = LocalProtocolError.InvalidValue(
                    path + ".type",
                    $"Invalid value: '{type.GetString()}'. Supported values are: 'audio/pcm', 'audio/pcmu', and 'audio/pcma'.");
                return false;
        }
    }

    public static void Write(Utf8JsonWriter writer, AudioFormat format)
    {
        writer.WriteStartObject();
        switch (format.Encoding)
        {
            case AudioEncoding.MuLaw:
                writer.WriteString("type", "audio/pcmu");
                break;
            case AudioEncoding.ALaw:
                writer.WriteString("type", "audio/pcma");
                break;
            default:
                writer.WriteString("type", "audio/pcm");
                writer.WriteNumber("rate", format.SampleRate);
                break;
        }

        writer.WriteEndObject();
    }
}
