using System.Buffers;
using System.Buffers.Text;
using System.Text.Json;
using Switchboard.Audio;
using Switchboard.Calls;

namespace Switchboard.Carriers.Twilio;

/// <summary>
/// Twilio Media Streams (bidirectional, <c>&lt;Connect&gt;&lt;Stream&gt;</c>): inbound <c>connected</c>, <c>start</c>,
/// <c>media</c>, <c>dtmf</c>, <c>mark</c>, <c>stop</c>; outbound <c>media</c>, <c>mark</c>, <c>clear</c>, each with the <c>streamSid</c>.
/// Audio is always μ-law 8 kHz.
/// </summary>
internal sealed class TwilioProtocol : JsonCarrierProtocol
{
    private byte[] _mediaPrefix = [];
    private byte[] _markPrefix = [];
    private byte[] _clear = [];

    /// <summary>The carrier's name in call records, endpoint <c>carriers</c> and call control.</summary>
    public const string CarrierName = Agents.Transports.Twilio;

    public override string Name => CarrierName;

    public override AudioFormat Format => AudioFormat.MuLaw8k;

    public string? StreamSid { get; private set; }

    protected override ReadOnlySpan<byte> StreamIdProperty => "streamSid"u8;

    protected override CarrierParseStatus CompleteStart(ref CarrierFrame frame, string? topLevelStreamId)
    {
        var start = frame.Start;
        var sid = start?.StreamId ?? topLevelStreamId;
        if (start is null || string.IsNullOrEmpty(sid))
        {
            frame.Detail = "start frame has no streamSid";
            return CarrierParseStatus.MissingField;
        }

        frame.Start = start with { StreamId = sid };
        BindStream(sid);
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

    public override void WriteMediaBase64(IBufferWriter<byte> output, ReadOnlySpan<byte> base64Payload) =>
        CarrierJson.WriteFrame(output, _mediaPrefix, base64Payload, "\"}}"u8);

    public override void WriteMedia(IBufferWriter<byte> output, ReadOnlySpan<byte> audio) =>
        CarrierJson.WriteFrameEncoding(output, _mediaPrefix, audio, "\"}}"u8);

    public override void WriteMark(IBufferWriter<byte> output, long markSequence) =>
        CarrierJson.WriteFrameNumber(output, _markPrefix, markSequence, "\"}}"u8);

    public override void WriteClear(IBufferWriter<byte> output)
    {
        output.Write(_clear);
    }

    protected override CallStartInfo ReadStart(ref Utf8JsonReader reader, out string? error)
    {
        error = null;
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
