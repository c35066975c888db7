using System.Globalization;
using System.Text.Json;

namespace Switchboard.Cli.Simulation;

/// <summary>
/// Telnyx media streaming as Telnyx sends it: snake_case fields, <c>stream_id</c> at the top level,
/// sequence_number, chunk and timestamp as JSON strings, and <c>client_state</c> as base64 of a JSON object.
/// </summary>
internal sealed class TelnyxCallerProtocol(CallIdentity identity, StreamFormat format) : ICallerProtocol
{
    /// <inheritdoc />
    public CarrierKind Carrier => CarrierKind.Telnyx;

    /// <inheritdoc />
    public StreamFormat Format { get; } = format;

    /// <inheritdoc />
    public CallIdentity Identity { get; } = identity;

    /// <summary>The <c>client_state</c> value Telnyx would carry for these parameters: base64 of a flat JSON object.</summary>
    public static string ClientState(IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            foreach (var (name, value) in parameters)
            {
                json.WriteString(name, value);
            }

            json.WriteEndObject();
        }

        return Convert.ToBase64String(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <inheritdoc />
    public void WriteConnected(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("event"u8, "connected"u8);
        writer.WriteString("version"u8, "1.0.0"u8);
        writer.WriteEndObject();
    }

    /// <inheritdoc />
    public void WriteStart(Utf8JsonWriter writer, long sequenceNumber, IReadOnlyList<KeyValuePair<string, string>> parameters)
    {
        writer.WriteStartObject();
        writer.WriteString("event"u8, "start"u8);
        WriteSequence(writer, sequenceNumber);
        writer.WriteString("stream_id"u8, Identity.StreamId);
        writer.WriteStartObject("start"u8);
        writer.WriteString("user_id"u8, Identity.AccountId);
        writer.WriteString("call_control_id"u8, Identity.CallId);
        writer.WriteString("call_session_id"u8, Identity.SessionId);
        if (parameters.Count > 0)
        {
            // Telnyx only includes client_state when the call has one.
            writer.WriteString("client_state"u8, ClientState(parameters));
        }

        writer.WriteString("from"u8, Identity.From);
        writer.WriteString("to"u8, Identity.To);
        writer.WriteStartObject("media_format"u8);
        writer.WriteString("encoding"u8, Format.TelnyxEncoding);
        writer.WriteNumber("sample_rate"u8, Format.SampleRate);
        writer.WriteNumber("channels"u8, 1);
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
        writer.WriteString("stream_id"u8, Identity.StreamId);
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
        writer.WriteString("stream_id"u8, Identity.StreamId);
        writer.WriteString("occurred_at"u8, occurredAt.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture));
        WriteSequence(writer, sequenceNumber);
        writer.WriteStartObject("dtmf"u8);
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
        writer.WriteString("stream_id"u8, Identity.StreamId);
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
        writer.WriteString("stream_id"u8, Identity.StreamId);
        writer.WriteStartObject("stop"u8);
        writer.WriteString("user_id"u8, Identity.AccountId);
        writer.WriteString("call_control_id"u8, Identity.CallId);
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    /// <inheritdoc />
    public GatewayMessage Parse(string text) =>
        GatewayMessageParser.Parse(text, Format, Identity.StreamId, "stream_id", streamIdRequired: false);

    private static void WriteSequence(Utf8JsonWriter writer, long sequenceNumber) =>
        writer.WriteString("sequence_number"u8, sequenceNumber.ToString(CultureInfo.InvariantCulture));
}
