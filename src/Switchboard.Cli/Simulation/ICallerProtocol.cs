using System.Text.Json;

namespace Switchboard.Cli.Simulation;

/// <summary>
/// The carrier side of one carrier's media-stream protocol: writes what the carrier sends and reads what the
/// gateway sends back. Pure codec, no I/O; sequence numbers and chunk counters are supplied by the caller.
/// </summary>
internal interface ICallerProtocol
{
    /// <summary>The carrier this protocol belongs to.</summary>
    CarrierKind Carrier { get; }

    /// <summary>The stream's wire format.</summary>
    StreamFormat Format { get; }

    /// <summary>The identifiers written into every message.</summary>
    CallIdentity Identity { get; }

    /// <summary>Writes the <c>connected</c> message (it carries no sequence number).</summary>
    void WriteConnected(Utf8JsonWriter writer);

    /// <summary>Writes the <c>start</c> message with the custom parameters (Twilio) or client_state (Telnyx).</summary>
    void WriteStart(Utf8JsonWriter writer, long sequenceNumber, IReadOnlyList<KeyValuePair<string, string>> parameters);

    /// <summary>Writes one inbound <c>media</c> message; <paramref name="payload"/> is raw codec bytes.</summary>
    void WriteMedia(Utf8JsonWriter writer, long sequenceNumber, long chunk, long timestampMs, ReadOnlySpan<byte> payload);

    /// <summary>Writes a <c>dtmf</c> message.</summary>
    void WriteDtmf(Utf8JsonWriter writer, long sequenceNumber, char digit, DateTimeOffset occurredAt);

    /// <summary>Writes a <c>mark</c> echo.</summary>
    void WriteMark(Utf8JsonWriter writer, long sequenceNumber, string name);

    /// <summary>Writes the <c>stop</c> message.</summary>
    void WriteStop(Utf8JsonWriter writer, long sequenceNumber);

    /// <summary>Interprets a text message from the gateway. Never throws, whatever the input.</summary>
    GatewayMessage Parse(string text);
}
