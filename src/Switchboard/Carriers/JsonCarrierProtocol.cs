using System.Buffers;
using System.Text.Json;
using Switchboard.Audio;
using Switchboard.Calls;

namespace Switchboard.Carriers;

/// <summary>
/// The frame grammar Twilio and Telnyx share: one JSON object per message with an <c>event</c> name and
/// <c>media</c>/<c>mark</c>/<c>dtmf</c>/<c>start</c> objects. A carrier supplies its stream-id property, how
/// to read <c>start</c>, and its outbound frames. Parsing never throws and never allocates for media.
/// </summary>
internal abstract class JsonCarrierProtocol : ICarrierProtocol
{
    public abstract string Name { get; }

    public abstract AudioFormat Format { get; }

    /// <summary>The top-level stream id property (<c>streamSid</c>, <c>stream_id</c>).</summary>
    protected abstract ReadOnlySpan<byte> StreamIdProperty { get; }

    /// <summary>True when the carrier sends <c>error</c> events (Telnyx).</summary>
    protected virtual bool HasErrorEvent => false;

    /// <summary>True when a <c>start</c> without a nested <c>start</c> object is read from the top level (Telnyx).</summary>
    protected virtual bool ReadsFlatStart => false;

    public CarrierParseStatus TryParse(ReadOnlySpan<byte> json, out CarrierFrame frame)
    {
        frame = default;
        frame.TimestampMs = -1;
        frame.IsInboundTrack = true;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
        ReadOnlySpan<byte> topStreamId = default;
        var topStreamIdEscaped = false;
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
                else if (HasErrorEvent && name.SequenceEqual("error"u8) && reader.TokenType == JsonTokenType.StartObject)
                {
                    frame.Detail = CarrierJson.ReadError(ref reader);
                }
                else if (name.SequenceEqual(StreamIdProperty) && reader.TokenType == JsonTokenType.String)
                {
                    // Kept as a span: every media frame carries it, and only 'start' needs it as a string.
                    topStreamId = reader.ValueSpan;
                    topStreamIdEscaped = reader.ValueIsEscaped;
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

            string? topId;
            try
            {
                topId = topStreamId.IsEmpty ? null : CarrierJson.ToString(topStreamId, topStreamIdEscaped);
            }
            catch (InvalidOperationException)
            {
                // An escaped stream id holding a lone surrogate or invalid UTF-8: no string can carry it (found by fuzzing).
                frame.Detail = "malformed stream id";
                return CarrierParseStatus.MalformedJson;
            }

            if (frame.Start is null && ReadsFlatStart)
            {
                // Some Telnyx-fronted apps send the start's fields at the top level, with no nested 'start' object.
                var flat = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
                try
                {
                    flat.Read();
                    frame.Start = ReadStart(ref flat, out startError);
                }
                catch (Exception ex) when (ex is JsonException or InvalidOperationException)
                {
                    // Well-formed JSON can still hold text no string can carry (a lone surrogate escape).
                    frame.Start = null;
                    frame.Detail = "malformed start";
                    return CarrierParseStatus.MalformedJson;
                }

                if (startError is not null)
                {
                    frame.Detail = startError;
                    return CarrierParseStatus.UnsupportedMediaFormat;
                }
            }

            return CompleteStart(ref frame, topId);
        }

        frame.Kind = evt switch
        {
            _ when evt.SequenceEqual("mark"u8) => CarrierFrameKind.Mark,
            _ when evt.SequenceEqual("connected"u8) => CarrierFrameKind.Connected,
            _ when evt.SequenceEqual("dtmf"u8) => CarrierFrameKind.Dtmf,
            _ when evt.SequenceEqual("stop"u8) => CarrierFrameKind.Stop,
            _ when HasErrorEvent && evt.SequenceEqual("error"u8) => CarrierFrameKind.Error,
            _ => CarrierFrameKind.Unknown,
        };
        if (frame.Kind == CarrierFrameKind.Unknown)
        {
            frame.Detail = "unknown event";
            return CarrierParseStatus.UnknownEvent;
        }

        return CarrierParseStatus.Ok;
    }

    public abstract void WriteMediaBase64(IBufferWriter<byte> output, ReadOnlySpan<byte> base64Payload);

    public abstract void WriteMedia(IBufferWriter<byte> output, ReadOnlySpan<byte> audio);

    public abstract void WriteMark(IBufferWriter<byte> output, long markSequence);

    public abstract void WriteClear(IBufferWriter<byte> output);

    /// <summary>Reads the <c>start</c> object; <paramref name="error"/> explains an unusable media format.</summary>
    protected abstract CallStartInfo ReadStart(ref Utf8JsonReader reader, out string? error);

    /// <summary>Checks and completes a parsed <c>start</c> (the stream id may be at the top level).</summary>
    protected abstract CarrierParseStatus CompleteStart(ref CarrierFrame frame, string? topLevelStreamId);
}
