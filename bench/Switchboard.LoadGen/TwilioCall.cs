using System.Buffers.Text;
using System.Text;

namespace Switchboard.LoadGen;

/// <summary>
/// A simulated Twilio Media Stream on <c>/twilio</c>: μ-law 8 kHz frames of 20 ms, <c>clear</c> on barge-in, and marks
/// that are never echoed (so all agent audio stays unconfirmed and every speech start must produce a clear).
/// </summary>
internal sealed class TwilioCall(CallState state) : SimulatedCall(state)
{
    private static ReadOnlySpan<byte> EventName => "event"u8;
    private static ReadOnlySpan<byte> MediaName => "media"u8;
    private static ReadOnlySpan<byte> PayloadName => "payload"u8;

    private readonly byte[] _payload = new byte[FrameId.PayloadBytes];
    private readonly byte[] _mediaPrefix = Encoding.UTF8.GetBytes("{\"event\":\"media\",\"streamSid\":\"" + state.StreamSid + "\",\"sequenceNumber\":\"");

    protected override async Task OpenAsync(GatewayProcess gateway, CancellationToken token)
    {
        await ConnectSocketAsync(gateway.TwilioUrl, token);
        await SendTextAsync("{\"event\":\"connected\",\"protocol\":\"Call\",\"version\":\"1.0.0\"}", token);
        await SendTextAsync(
            "{\"event\":\"start\",\"sequenceNumber\":\"1\",\"streamSid\":\"" + State.StreamSid + "\",\"start\":{\"accountSid\":\"AC00000000000000000000000000000000\",\"streamSid\":\""
            + State.StreamSid + "\",\"callSid\":\"" + State.CallSid + "\",\"tracks\":[\"inbound\"],\"mediaFormat\":{\"encoding\":\"audio/x-mulaw\",\"sampleRate\":8000,\"channels\":1},\"customParameters\":{}}}",
            token);
    }

    protected override string StopMessage() =>
        "{\"event\":\"stop\",\"sequenceNumber\":\"" + (State.FramesSent + 2) + "\",\"streamSid\":\"" + State.StreamSid
        + "\",\"stop\":{\"accountSid\":\"AC00000000000000000000000000000000\",\"callSid\":\"" + State.CallSid + "\"}}";

    protected override int WriteFrame(byte[] target, int sequence)
    {
        // Twilio numbers the start message 1, so media frames start at 2; chunk from 1; timestamp in ms.
        var span = target.AsSpan();
        _mediaPrefix.CopyTo(span);
        var n = _mediaPrefix.Length;
        n += Number(span[n..], sequence + 2);
        n += Literal(span[n..], "\",\"media\":{\"track\":\"inbound\",\"chunk\":\""u8);
        n += Number(span[n..], sequence + 1);
        n += Literal(span[n..], "\",\"timestamp\":\""u8);
        n += Number(span[n..], sequence * 20L);
        n += Literal(span[n..], "\",\"payload\":\""u8);
        FrameId.Write(_payload, State.Index, sequence);
        Base64.EncodeToUtf8(_payload, span[n..], out _, out var encoded);
        n += encoded;
        n += Literal(span[n..], "\"}}"u8);
        return n;
    }

    protected override void Handle(ReadOnlySpan<byte> message, long arrived)
    {
        JsonScan.Read(message, EventName, MediaName, PayloadName, out var evt, out var payload, Scratch);
        if (evt.SequenceEqual("media"u8))
        {
            OnAgentAudio(payload, arrived);
        }
        else if (evt.SequenceEqual("mark"u8))
        {
            State.MarksReceived++;
        }
        else if (evt.SequenceEqual("clear"u8))
        {
            OnClear(arrived);
        }
    }
}
