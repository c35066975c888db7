using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using Switchboard.Audio;

namespace Switchboard.Carriers.Telnyx;

/// <summary>
/// Telnyx media streaming (bidirectional RTP mode). Tolerant <c>start</c> parsing: <c>stream_id</c> at the top
/// level, <c>call_control_id</c>, <c>client_state</c> as base64 JSON, <c>media_format.encoding</c> as
/// <c>PCMU</c>/<c>audio/x-mulaw</c>/<c>PCMA</c>/<c>audio/x-alaw</c>/<c>L16</c> (big-endian). Outbound frames carry no stream id.
/// </summary>
internal sealed class TelnyxProtocol : ICarrierProtocol
{
    public string Name => "telnyx";

    public AudioFormat Format { get; private set; } = AudioFormat.MuLaw8k;

    public CarrierParseStatus TryParse(ReadOnlySpan<byte> json, out CarrierFrame frame)
    {
        frame = default;
        frame.TimestampMs = -1;
        frame.IsInboundTrack = true;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
        ReadOnlySpan<byte> topStreamId = default;
        var sawMedia = false;
        string? startError = null;
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                frame.Detail = "frame is not a JSON object";
                return CarrierParseStatus.MalformedJson;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var name = reader.ValueSpan;
                reader.Read();
                if (name.SequenceEqual("event"u8))
                {
                    if (reader.TokenType != JsonTokenType.String)
                    {
                        frame.Detail = "'event' must be a string";
                        return CarrierParseStatus.MissingEvent;
                    }

                    frame.EventName = reader.ValueSpan;
                }
                else if (name.SequenceEqual("media"u8) && reader.TokenType == JsonTokenType.StartObject)
                {
                    sawMedia = true;
                    CarrierJson.ReadMedia(ref reader, out frame.Payload, out frame.PayloadEscaped, out frame.TimestampMs, out frame.IsInboundTrack);
                }
                else if (name.SequenceEqual("mark"u8) && reader.TokenType == JsonTokenType.StartObject)
                {
                    CarrierJson.ReadNamed(ref reader, "name"u8, out frame.MarkName);
                }
                else if (name.SequenceEqual("dtmf"u8) && reader.TokenType == JsonTokenType.StartObject)
                {
                    CarrierJson.ReadNamed(ref reader, "digit"u8, out frame.Digit);
                }
                else if (name.SequenceEqual("start"u8) && reader.TokenType == JsonTokenType.StartObject)
                {
                    frame.Start = ReadStart(ref reader, out startError);
                }
                else if (name.SequenceEqual("error"u8) && reader.TokenType == JsonTokenType.StartObject)
                {
                    frame.Detail = ReadError(ref reader);
                }
                else if (name.SequenceEqual("stream_id"u8) && reader.TokenType == JsonTokenType.String)
                {
                    // Kept as a span: every media frame carries it, and only 'start' needs it as a string.
                    topStreamId = reader.ValueSpan;
                }
                else
                {
                    reader.Skip();
                }
            }

            if (reader.TokenType != JsonTokenType.EndObject)
            {
                frame.Detail = "frame is not a JSON object";
                return CarrierParseStatus.MalformedJson;
            }
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException)
        {
            frame.Detail = "malformed JSON";
            return CarrierParseStatus.MalformedJson;
        }

        var evt = frame.EventName;
        if (evt.IsEmpty)
        {
            frame.Detail = "frame has no 'event'";
            return CarrierParseStatus.MissingEvent;
        }

        if (evt.SequenceEqual("media"u8))
        {
            frame.Kind = CarrierFrameKind.Media;
            return CarrierJson.ValidateMedia(sawMedia, ref frame);
        }

        if (evt.SequenceEqual("start"u8))
        {
            frame.Kind = CarrierFrameKind.Start;
            if (startError is not null)
            {
                frame.Detail = startError;
                return CarrierParseStatus.UnsupportedMediaFormat;
            }

            if (frame.Start is null)
            {
                frame.Detail = "start frame has no 'start' object";
                return CarrierParseStatus.MissingField;
            }

            frame.Start = frame.Start with { StreamId = topStreamId.IsEmpty ? frame.Start.StreamId : System.Text.Encoding.UTF8.GetString(topStreamId) };
            Format = frame.Start.Format;
            return CarrierParseStatus.Ok;
        }

        frame.Kind = evt switch
        {
            _ when evt.SequenceEqual("mark"u8) => CarrierFrameKind.Mark,
            _ when evt.SequenceEqual("connected"u8) => CarrierFrameKind.Connected,
            _ when evt.SequenceEqual("dtmf"u8) => CarrierFrameKind.Dtmf,
            _ when evt.SequenceEqual("stop"u8) => CarrierFrameKind.Stop,
            _ when evt.SequenceEqual("error"u8) => CarrierFrameKind.Error,
            _ => CarrierFrameKind.Unknown,
        };
        if (frame.Kind == CarrierFrameKind.Unknown)
        {
            frame.Detail = "unknown event";
            return CarrierParseStatus.UnknownEvent;
        }

        return CarrierParseStatus.Ok;
    }

    public void WriteMediaBase64(IBufferWriter<byte> output, ReadOnlySpan<byte> base64Payload) =>
        CarrierJson.WriteFrame(output, "{\"event\":\"media\",\"media\":{\"payload\":\""u8, base64Payload, "\"}}"u8);

    public void WriteMedia(IBufferWriter<byte> output, ReadOnlySpan<byte> audio) =>
        CarrierJson.WriteFrameEncoding(output, "{\"event\":\"media\",\"media\":{\"payload\":\""u8, audio, "\"}}"u8);

    public void WriteMark(IBufferWriter<byte> output, long markSequence) =>
        CarrierJson.WriteFrameNumber(output, "{\"event\":\"mark\",\"mark\":{\"name\":\"sb-"u8, markSequence, "\"}}"u8);

    public void WriteClear(IBufferWriter<byte> output) => output.Write("{\"event\":\"clear\"}"u8);

    /// <summary>Maps a Telnyx encoding name and rate to a format the gateway can bridge, or null.</summary>
    internal static AudioFormat? MapEncoding(string? encoding, int sampleRate)
    {
        var rate = sampleRate <= 0 ? 8000 : sampleRate;
        return encoding?.ToUpperInvariant() switch
        {
            "PCMU" or "AUDIO/X-MULAW" or "MULAW" or "G711U" when rate == 8000 => AudioFormat.MuLaw8k,
            "PCMA" or "AUDIO/X-ALAW" or "ALAW" or "G711A" when rate == 8000 => AudioFormat.ALaw8k,
            "L16" or "AUDIO/L16" when rate is 8000 or 16000 or 24000 => new AudioFormat(AudioEncoding.Pcm16BigEndian, rate),
            null or "" => AudioFormat.MuLaw8k,
            _ => null,
        };
    }

    private static string ReadError(ref Utf8JsonReader reader)
    {
        string? title = null, code = null, detail = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "title": title = CarrierJson.ReadString(ref reader); break;
                case "code": code = CarrierJson.ReadString(ref reader); break;
                case "detail": detail = CarrierJson.ReadString(ref reader); break;
                default: reader.Skip(); break;
            }
        }

        return $"{code} {title}: {detail}".Trim();
    }

    private static CallStartInfo ReadStart(ref Utf8JsonReader reader, out string? error)
    {
        error = null;
        string? callControlId = null, streamId = null, from = null, to = null, userId = null, clientState = null, encoding = null;
        var sampleRate = 8000;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "call_control_id": callControlId = CarrierJson.ReadString(ref reader); break;
                case "stream_id": streamId = CarrierJson.ReadString(ref reader); break;
                case "from": from = CarrierJson.ReadString(ref reader); break;
                case "to": to = CarrierJson.ReadString(ref reader); break;
                case "user_id": userId = CarrierJson.ReadString(ref reader); break;
                case "client_state": clientState = CarrierJson.ReadString(ref reader); break;
                case "media_format" when reader.TokenType == JsonTokenType.StartObject:
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var field = reader.GetString();
                        reader.Read();
                        if (field == "encoding")
                        {
                            encoding = CarrierJson.ReadString(ref reader);
                        }
                        else if (field == "sample_rate")
                        {
                            sampleRate = (int)CarrierJson.ReadLooseNumber(ref reader);
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }

                    break;
                default: reader.Skip(); break;
            }
        }

        var format = MapEncoding(encoding, sampleRate);
        if (format is null)
        {
            error = $"unsupported media_format {encoding}/{sampleRate}; use PCMU, PCMA or L16 at 8000, 16000 or 24000 Hz";
        }

        return new CallStartInfo
        {
            CarrierCallId = callControlId,
            StreamId = streamId,
            AccountId = userId,
            From = from,
            To = to,
            Parameters = DecodeClientState(clientState),
            Format = format ?? AudioFormat.MuLaw8k,
        };
    }

    /// <summary>client_state is base64 of whatever the app put there; JSON objects become parameters, anything else is kept raw.</summary>
    internal static IReadOnlyDictionary<string, string> DecodeClientState(string? clientState)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(clientState))
        {
            return result;
        }

        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(clientState);
        }
        catch (FormatException)
        {
            result["client_state"] = clientState;
            return result;
        }

        try
        {
            using var doc = JsonDocument.Parse(bytes);
            if (doc.RootElement.ValueKind == JsonValueKind.Object)
            {
                foreach (var property in doc.RootElement.EnumerateObject())
                {
                    result[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
                }

                return result;
            }
        }
        catch (JsonException)
        {
            // Not JSON: keep the decoded text as-is below.
        }

        result["client_state"] = System.Text.Encoding.UTF8.GetString(bytes);
        return result;
    }
}
