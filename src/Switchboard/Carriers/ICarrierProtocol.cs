using System.Buffers;
using Switchboard.Audio;

namespace Switchboard.Carriers;

/// <summary>
/// A carrier's media-stream codec: turns its JSON frames into <see cref="CarrierFrame"/>s and writes its
/// outbound frames. Pure (no I/O); one instance per call because outbound frames may carry the stream id.
/// </summary>
internal interface ICarrierProtocol
{
    /// <summary>Short name for logs and call records: <c>twilio</c>, <c>telnyx</c>.</summary>
    string Name { get; }

    /// <summary>The audio format of the stream; valid after <c>start</c>.</summary>
    AudioFormat Format { get; }

    /// <summary>Parses one frame. Never throws on hostile input.</summary>
    CarrierParseStatus TryParse(ReadOnlySpan<byte> json, out CarrierFrame frame);

    /// <summary>Writes a media frame whose payload is already base64 in the carrier's format.</summary>
    void WriteMediaBase64(IBufferWriter<byte> output, ReadOnlySpan<byte> base64Payload);

    /// <summary>Writes a media frame from raw audio in the carrier's format.</summary>
    void WriteMedia(IBufferWriter<byte> output, ReadOnlySpan<byte> audio);

    /// <summary>Writes a mark named by <see cref="MarkNames"/> for this sequence number.</summary>
    void WriteMark(IBufferWriter<byte> output, long markSequence);

    void WriteClear(IBufferWriter<byte> output);
}
