using System.Globalization;
using System.Text.Json;

namespace Switchboard.Cli.Simulation;

/// <summary>
/// Twilio Media Streams as Twilio sends it: camelCase fields, <c>streamSid</c> on every message, and
/// sequenceNumber, chunk and timestamp as JSON strings. Always μ-law 8 kHz mono.
/// </summary>
internal sealed class TwilioCallerProtocol(CallIdentity identity) : ICallerProtocol
{
    /// <inheritdoc />
    public CarrierKind Carrier => CarrierKind.Twilio;

    /// <inheritdoc />
    public StreamFormat Format => StreamFormat.Twilio;

    /// <inheritdoc />
    public CallIdentity Identity { get; } = identity;

    /// <inheritdoc />
    public void WriteConnected(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("event"u8, "connected"u8);
        writer.WriteString("protocol"u8, "Call"u8);
        writer.WriteString("version"u8, "1.0.0"u8);
        writer.WriteEndObject();
    }

    /// <inheritdoc />
    public void WriteStart(Utf8JsonWriter writer, long sequenceNumber, IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        writer.WriteStartObject();
        writer.WriteString("event"u8, "start"u8);
        WriteSequence(writer, sequenceNumber);
        writer.WriteString("streamSid"u8, Identity.StreamId);
        writer.WriteStartObject("start"u8);
        writer.WriteString("accountSid"u8, Identity.AccountId);
        writer.WriteString("streamSid"u8, Identity.StreamId);
        writer.WriteString("callSid"u8, Identity.CallId);
        writer.WriteStartArray("tracks"u8);
        writer.WriteStringValue("inbound"u8);
        writer.WriteEndArray();
        writer.WriteStartObject("mediaFormat"u8);
        writer.WriteString("encoding"u8, "audio/x-mulaw"u8);
        writer.WriteNumber("sampleRate"u8, 8000);
        writer.WriteNumber("channels"u8, 1);
        writer.WriteEndObject();
        writer.WriteStartObject("customParameters"u8);
        foreach (var (name, value) in parameters)
        {
            writer.WriteString(name, value);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <inheritdoc />
    public void WriteMedia(Utf8JsonWriter writer, long sequenceNumber, long chunk, long timestampMs, ReadOnlySpan<byte> payload)
    {
        writer.WriteStartObject();
        writer.WriteString("event"u8, "media"u8);
        WriteSequence(writer, sequenceNumber);
        writer.WriteString("streamSid"u8, Identity.StreamId);
        writer.WriteStartObject("media"u8);
        writer.WriteString("track"u8, "inbound"u8);
        writer.WriteString("chunk"u8, chunk.ToString(CultureInfo.InvariantCulture));
        writer.WriteString("timestamp"u8, timestampMs.ToString(CultureInfo.InvariantCulture));
        writer.WriteBase64String("payload"u8, payload);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <inheritdoc />
    public void WriteDtmf(Utf8JsonWriter writer, long sequenceNumber, char digit, DateTimeOffset occurredAt)
    {
        writer.WriteStartObject();
        writer.WriteString("event"u8, "dtmf"u8);
        writer.WriteString("streamSid"u8, Identity.StreamId);
        WriteSequence(writer, sequenceNumber);
        writer.WriteStartObject("dtmf"u8);
        writer.WriteString("track"u8, "inbound_track"u8);
        writer.WriteString("digit"u8, digit.ToString());
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <inheritdoc />
    public void WriteMark(Utf8JsonWriter writer, long sequenceNumber, string name)
    {
        writer.WriteStartObject();
        writer.WriteString("event"u8, "mark"u8);
        WriteSequence(writer, sequenceNumber);
        writer.WriteString("streamSid"u8, Identity.StreamId);
        writer.WriteStartObject("mark"u8);
        writer.WriteString("name"u8, name);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <inheritdoc />
    public void WriteStop(Utf8JsonWriter writer, long sequenceNumber)
    {
        writer.WriteStartObject();
        writer.WriteString("event"u8, "stop"u8);
        WriteSequence(writer, sequenceNumber);
        writer.WriteString("streamSid"u8, Identity.StreamId);
        writer.WriteStartObject("stop"u8);
        writer.WriteString("accountSid"u8, Identity.AccountId);
        writer.WriteString("callSid"u8, Identity.CallId);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <inheritdoc />
    public GatewayMessage Parse(string text) =>
        GatewayMessageParser.Parse(text, Format, Identity.StreamId, "streamSid", streamIdRequired: true);

    private static void WriteSequence(Utf8JsonWriter writer, long sequenceNumber) =>
        writer.WriteString("sequenceNumber"u8, sequenceNumber.ToString(CultureInfo.InvariantCulture));
}
