using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using Switchboard.Audio;

namespace Switchboard.Carriers.Twilio;

/// <summary>
/// Twilio Media Streams (bidirectional, <c>&lt;Connect&gt;&lt;Stream&gt;</c>): inbound <c>connected</c>, <c>start</c>,
/// <c>media</c>, <c>dtmf</c>, <c>mark</c>, <c>stop</c>; outbound <c>media</c>, <c>mark</c>, <c>clear</c>, each with the <c>streamSid</c>.
/// Audio is always μ-law 8 kHz.
/// </summary>
internal sealed class TwilioProtocol : ICarrierProtocol
{
    private byte[] _mediaPrefix = [];
    private byte[] _markPrefix = [];
    private byte[] _clear = [];

    public string Name => "twilio";

    public AudioFormat Format => AudioFormat.MuLaw8k;

    public string? StreamSid { get; private set; }

    public CarrierParseStatus TryParse(ReadOnlySpan<byte> json, out CarrierFrame frame)
    {
        frame = default;
        frame.TimestampMs = -1;
        frame.IsInboundTrack = true;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
        ReadOnlySpan<byte> topStreamSid = default;
        var topStreamSidEscaped = false;
        var sawMedia = false;
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
                    frame.Start = ReadStart(ref reader);
                }
                else if (name.SequenceEqual("streamSid"u8) && reader.TokenType == JsonTokenType.String)
                {
                    // Kept as a span: every media frame carries it, and only 'start' needs it as a string.
                    topStreamSid = reader.ValueSpan;
                    topStreamSidEscaped = reader.ValueIsEscaped;
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
        catch (JsonException)
        {
            frame.Detail = "malformed JSON";
            return CarrierParseStatus.MalformedJson;
        }
        catch (InvalidOperationException)
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

        if (evt.SequenceEqual("mark"u8))
        {
            frame.Kind = CarrierFrameKind.Mark;
            return CarrierParseStatus.Ok;
        }

        if (evt.SequenceEqual("start"u8))
        {
            frame.Kind = CarrierFrameKind.Start;
            var start = frame.Start;
            var sid = start?.StreamId ?? (topStreamSid.IsEmpty ? null : topStreamSidEscaped ? JsonSerializer.Deserialize<string>("\"" + System.Text.Encoding.UTF8.GetString(topStreamSid) + "\"") : System.Text.Encoding.UTF8.GetString(topStreamSid));
            if (start is null || string.IsNullOrEmpty(sid))
            {
                frame.Detail = "start frame has no streamSid";
                return CarrierParseStatus.MissingField;
            }

            frame.Start = start with { StreamId = sid };
            BindStream(sid);
            return CarrierParseStatus.Ok;
        }

        frame.Kind = evt switch
        {
            _ when evt.SequenceEqual("connected"u8) => CarrierFrameKind.Connected,
            _ when evt.SequenceEqual("dtmf"u8) => CarrierFrameKind.Dtmf,
            _ when evt.SequenceEqual("stop"u8) => CarrierFrameKind.Stop,
            _ => CarrierFrameKind.Unknown,
        };
        if (frame.Kind == CarrierFrameKind.Unknown)
        {
            frame.Detail = "unknown event";
            return CarrierParseStatus.UnknownEvent;
        }

        return CarrierParseStatus.Ok;
    }

    /// <summary>Fixes the stream id used in outbound frames (from <c>start</c>).</summary>
    public void BindStream(string streamSid)
    {
        StreamSid = streamSid;
        var sid = CarrierJson.Escaped(streamSid);
        _mediaPrefix = CarrierJson.Concat("{\"event\":\"media\",\"streamSid\":\""u8.ToArray(), sid, "\",\"media\":{\"payload\":\""u8.ToArray());
        _markPrefix = CarrierJson.Concat("{\"event\":\"mark\",\"streamSid\":\""u8.ToArray(), sid, "\",\"mark\":{\"name\":\"sb-"u8.ToArray());
        _clear = CarrierJson.Concat("{\"event\":\"clear\",\"streamSid\":\""u8.ToArray(), sid, "\"}"u8.ToArray());
    }

    public void WriteMediaBase64(IBufferWriter<byte> output, ReadOnlySpan<byte> base64Payload) =>
        CarrierJson.WriteFrame(output, _mediaPrefix, base64Payload, "\"}}"u8);

    public void WriteMedia(IBufferWriter<byte> output, ReadOnlySpan<byte> audio) =>
        CarrierJson.WriteFrameEncoding(output, _mediaPrefix, audio, "\"}}"u8);

    public void WriteMark(IBufferWriter<byte> output, long markSequence) =>
        CarrierJson.WriteFrameNumber(output, _markPrefix, markSequence, "\"}}"u8);

    public void WriteClear(IBufferWriter<byte> output)
    {
        output.Write(_clear);
    }

    private static CallStartInfo ReadStart(ref Utf8JsonReader reader)
    {
        string? streamSid = null, callSid = null, accountSid = null;
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString();
            reader.Read();
            switch (name)
            {
                case "streamSid":
                    streamSid = CarrierJson.ReadString(ref reader);
                    break;
                case "callSid":
                    callSid = CarrierJson.ReadString(ref reader);
                    break;
                case "accountSid":
                    accountSid = CarrierJson.ReadString(ref reader);
                    break;
                case "customParameters" when reader.TokenType == JsonTokenType.StartObject:
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var key = reader.GetString()!;
                        reader.Read();
                        var value = CarrierJson.ReadString(ref reader);
                        if (value is not null)
                        {
                            parameters[key] = value;
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }

                    break;
                default:
                    reader.Skip();
                    break;
            }
        }

        parameters.TryGetValue("From", out var from);
        parameters.TryGetValue("To", out var to);
        return new CallStartInfo
        {
            StreamId = streamSid,
            CarrierCallId = callSid,
            AccountId = accountSid,
            From = from,
            To = to,
            Parameters = parameters,
            Format = AudioFormat.MuLaw8k,
        };
    }
}
