using System.Buffers;
using System.Text;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Carriers;
using Switchboard.Carriers.Telnyx;
using Switchboard.Carriers.Twilio;
using Switchboard.Tests.Audio;
using Switchboard.Transport;

namespace Switchboard.Tests.Calls;

/// <summary>
/// Allocation gates on the per-frame path of every call: the caller's media frame parsed and turned into
/// <c>input_audio_buffer.append</c>, and the agent's audio delta scanned and written as the carrier's media frame
/// and mark. A step that allocates per frame fails here before it costs memory under load.
/// </summary>
public class FramePathAllocationTests
{
    private static readonly string Payload = Convert.ToBase64String(new byte[160]);

    /// <summary>xunit's asserts allocate; inside a measured step a plain check keeps the count the step's own.</summary>
    private static void Check(bool condition)
    {
        if (!condition)
        {
            throw new InvalidOperationException("the frame was not read as expected");
        }
    }

    [Fact]
    public void TwilioMediaToAppend_SteadyState_AllocatesNothing()
    {
        var protocol = new TwilioProtocol();
        protocol.BindStream("MZ0123");
        var media = Encoding.UTF8.GetBytes($$$"""{"event":"media","sequenceNumber":"7","streamSid":"MZ0123","media":{"track":"inbound","chunk":"5","timestamp":"100","payload":"{{{Payload}}}"}}""");
        var output = new ArrayBufferWriter<byte>(1024);

        var allocated = SteadyStateAllocations.Measure(() =>
        {
            output.ResetWrittenCount();
            Check(protocol.TryParse(media, out var frame) == CarrierParseStatus.Ok);
            RealtimeClientEvents.WriteAppendBase64(output, frame.Payload);
        });

        Assert.Equal(0, allocated);
        Assert.Contains(Payload, Encoding.UTF8.GetString(output.WrittenSpan), StringComparison.Ordinal);
    }

    [Fact]
    public void TelnyxMediaToAppend_SteadyState_AllocatesNothing()
    {
        var protocol = new TelnyxProtocol();
        var media = Encoding.UTF8.GetBytes($$$"""{"event":"media","sequence_number":"4","stream_id":"s1","media":{"track":"inbound","chunk":"2","timestamp":"40","payload":"{{{Payload}}}"}}""");
        var output = new ArrayBufferWriter<byte>(1024);

        var allocated = SteadyStateAllocations.Measure(() =>
        {
            output.ResetWrittenCount();
            Check(protocol.TryParse(media, out var frame) == CarrierParseStatus.Ok);
            RealtimeClientEvents.WriteAppendBase64(output, frame.Payload);
        });

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void AgentDeltaToTwilioMediaAndMark_SteadyState_AllocatesNothing()
    {
        var protocol = new TwilioProtocol();
        protocol.BindStream("MZ0123");
        var delta = Encoding.UTF8.GetBytes($$"""{"type":"response.output_audio.delta","event_id":"event_1","response_id":"resp_1","item_id":"item_1","output_index":0,"content_index":0,"delta":"{{Payload}}"}""");
        var output = new ArrayBufferWriter<byte>(1024);
        long mark = 0;

        var allocated = SteadyStateAllocations.Measure(() =>
        {
            Check(RealtimeEventScanner.TryScan(delta, out var header) && header.Type == RealtimeServerEventType.OutputAudioDelta);
            output.ResetWrittenCount();
            protocol.WriteMediaBase64(output, header.Delta);
            output.ResetWrittenCount();
            protocol.WriteMark(output, ++mark);
        });

        Assert.Equal(0, allocated);
    }

    [Fact]
    public void BothWaysThroughThePooledWriters_ReleasedAfterEachMessage_AllocatesNothing()
    {
        // The legs' own writers: each message rents its array on the first write and returns it once sent.
        var protocol = new TwilioProtocol();
        protocol.BindStream("MZ0123");
        var media = Encoding.UTF8.GetBytes($$$"""{"event":"media","sequenceNumber":"7","streamSid":"MZ0123","media":{"track":"inbound","chunk":"5","timestamp":"100","payload":"{{{Payload}}}"}}""");
        var delta = Encoding.UTF8.GetBytes($$"""{"type":"response.output_audio.delta","event_id":"event_1","response_id":"resp_1","item_id":"item_1","output_index":0,"content_index":0,"delta":"{{Payload}}"}""");
        using var append = new PooledBufferWriter(2048);
        using var carrier = new PooledBufferWriter(2048);
        long mark = 0;
        var appendLength = 0;

        var allocated = SteadyStateAllocations.Measure(() =>
        {
            Check(protocol.TryParse(media, out var frame) == CarrierParseStatus.Ok);
            RealtimeClientEvents.WriteAppendBase64(append, frame.Payload);
            appendLength = append.WrittenCount;
            append.Release();
            Check(RealtimeEventScanner.TryScan(delta, out var header) && header.Type == RealtimeServerEventType.OutputAudioDelta);
            protocol.WriteMediaBase64(carrier, header.Delta);
            carrier.Release();
            protocol.WriteMark(carrier, ++mark);
            carrier.Release();
        });

        Assert.Equal(0, allocated);
        Assert.True(appendLength > Payload.Length);
        Assert.False(append.HoldsBuffer);
        Assert.False(carrier.HoldsBuffer);
    }
}
