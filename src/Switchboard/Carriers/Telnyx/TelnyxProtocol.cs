using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using Switchboard.Audio;
using Switchboard.Calls;

namespace Switchboard.Carriers.Telnyx;

/// <summary>
/// Telnyx media streaming (bidirectional RTP mode). Tolerant <c>start</c> parsing: the nested <c>start</c> object or
/// its fields flat at the top level (as Telnyx-fronted gateways send it), <c>stream_id</c> at the top level, <c>call_control_id</c>, <c>client_state</c> as base64 JSON, <c>media_format.encoding</c> as
/// <c>PCMU</c>/<c>audio/x-mulaw</c>/<c>PCMA</c>/<c>audio/x-alaw</c>/<c>L16</c> (big-endian). Outbound frames carry no stream id.
/// </summary>
internal sealed class TelnyxProtocol : JsonCarrierProtocol
{
    /// <summary>The carrier's name in call records, endpoint <c>carriers</c> and call control.</summary>
    public const string CarrierName = Agents.Transports.Telnyx;

    public override string Name => CarrierName;

    public override AudioFormat Format => _format;

    private AudioFormat _format = AudioFormat.MuLaw8k;

    protected override ReadOnlySpan<byte> StreamIdProperty => "stream_id"u8;

    protected override bool HasErrorEvent => true;

    protected override bool ReadsFlatStart => true;

    protected override CarrierParseStatus CompleteStart(ref CarrierFrame frame, string? topLevelStreamId)
    {
        if (frame.Start is null)
        {
            frame.Detail = "start frame has no 'start' object";
            return CarrierParseStatus.MissingField;
        }

        frame.Start = frame.Start with { StreamId = topLevelStreamId ?? frame.Start.StreamId };
        _format = frame.Start.Format;
        return CarrierParseStatus.Ok;
    }

    public override void WriteMediaBase64(IBufferWriter<byte> output, ReadOnlySpan<byte> base64Payload) =>
        CarrierJson.WriteFrame(output, "{\"event\":\"media\",\"media\":{\"payload\":\""u8, base64Payload, "\"}}"u8);

    public override void WriteMedia(IBufferWriter<byte> output, ReadOnlySpan<byte> audio) =>
        CarrierJson.WriteFrameEncoding(output, "{\"event\":\"media\",\"media\":{\"payload\":\""u8, audio, "\"}}"u8);

    public override void WriteMark(IBufferWriter<byte> output, long markSequence) =>
        CarrierJson.WriteFrameNumber(output, "{\"event\":\"mark\",\"mark\":{\"name\":\"sb-"u8, markSequence, "\"}}"u8);

    public override void WriteClear(IBufferWriter<byte> output) => output.Write("{\"event\":\"clear\"}"u8);

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

    protected override CallStartInfo ReadStart(ref Utf8JsonReader reader, out string? error)
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
                    try
                    {
                        result[property.Name] = property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString()! : property.Value.GetRawText();
                    }
                    catch (InvalidOperationException)
                    {
                        // A lone surrogate escape has no string form: that one entry is dropped, the call goes on.
                    }
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
