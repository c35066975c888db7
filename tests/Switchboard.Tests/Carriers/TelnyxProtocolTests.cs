using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Switchboard.Audio;
using Switchboard.Carriers;
using Switchboard.Carriers.Telnyx;

namespace Switchboard.Tests.Carriers;

public class TelnyxProtocolTests
{
    private static string StartFrame(string encoding, int rate = 8000, string? clientState = null) =>
        "{\"event\":\"start\",\"sequence_number\":\"1\",\"stream_id\":\"32de0dea\",\"start\":{\"user_id\":\"u1\",\"call_control_id\":\"v3:abc\",\"call_session_id\":\"s1\","
        + "\"client_state\":" + (clientState is null ? "null" : "\"" + clientState + "\"") + ",\"from\":\"+13122010094\",\"to\":\"+13122123456\","
        + "\"media_format\":{\"encoding\":\"" + encoding + "\",\"sample_rate\":" + rate + ",\"channels\":1}}}";


    [Theory]
    [InlineData("PCMU", 8000, "MuLaw", 8000)]
    [InlineData("audio/x-mulaw", 8000, "MuLaw", 8000)]
    [InlineData("PCMA", 8000, "ALaw", 8000)]
    [InlineData("L16", 16000, "Pcm16BigEndian", 16000)]
    [InlineData("L16", 8000, "Pcm16BigEndian", 8000)]
    public void TryParse_StartEncodings_MapToFormats(string encoding, int rate, string expectedEncoding, int expectedRate)
    {
        var expected = Enum.Parse<AudioEncoding>(expectedEncoding);
        var protocol = new TelnyxProtocol();
        Assert.Equal(CarrierParseStatus.Ok, protocol.TryParse(Encoding.UTF8.GetBytes(StartFrame(encoding, rate)), out var frame));
        Assert.Equal(new AudioFormat(expected, expectedRate), frame.Start!.Format);
        Assert.Equal(frame.Start.Format, protocol.Format);
        Assert.Equal(("32de0dea", "v3:abc", "+13122010094", "+13122123456"), (frame.Start.StreamId, frame.Start.CarrierCallId, frame.Start.From, frame.Start.To));
    }

    [Fact]
    public void TryParse_UnsupportedCodec_ReportsIt()
    {
        Assert.Equal(CarrierParseStatus.UnsupportedMediaFormat, new TelnyxProtocol().TryParse(Encoding.UTF8.GetBytes(StartFrame("OPUS", 48000)), out var frame));
        Assert.Contains("OPUS", frame.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void TryParse_ClientStateBase64Json_BecomesParameters()
    {
        var state = Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"endpointId":"e-1","tenant":"acme","n":3}"""));
        Assert.Equal(CarrierParseStatus.Ok, new TelnyxProtocol().TryParse(Encoding.UTF8.GetBytes(StartFrame("PCMU", clientState: state)), out var frame));
        Assert.Equal("e-1", frame.Start!.Parameters["endpointId"]);
        Assert.Equal("3", frame.Start.Parameters["n"]);
    }

    [Fact]
    public void TryParse_FlatStart_ReadsTopLevelFields()
    {
        var state = Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"touch_run_id":"r-9","lead_id":"l-1","account_id":"a-2","source":"dialer"}"""));
        var json = "{\"event\":\"start\",\"stream_id\":\"s1\",\"call_control_id\":\"cc1\",\"client_state\":\"" + state + "\"}";
        var protocol = new TelnyxProtocol();
        Assert.Equal(CarrierParseStatus.Ok, protocol.TryParse(Encoding.UTF8.GetBytes(json), out var frame));
        Assert.Equal(CarrierFrameKind.Start, frame.Kind);
        Assert.Equal(("s1", "cc1"), (frame.Start!.StreamId, frame.Start.CarrierCallId));
        Assert.Equal("r-9", frame.Start.Parameters["touch_run_id"]);
        Assert.Equal("dialer", frame.Start.Parameters["source"]);
        Assert.Equal(AudioFormat.MuLaw8k, protocol.Format);
    }

    [Theory]
    [InlineData("""{"event":"start"}""")]
    [InlineData("""{"event":"start","stream_id":"s1"}""")]
    [InlineData("""{"event":"start","start":null,"call_control_id":"cc1"}""")]
    [InlineData("""{"event":"start","stream_id":"s1","start":{"call_control_id":"cc1"}}""")]
    public void TryParse_StartWithOnlySomeFields_IsAccepted(string json)
    {
        Assert.Equal(CarrierParseStatus.Ok, new TelnyxProtocol().TryParse(Encoding.UTF8.GetBytes(json), out var frame));
        Assert.NotNull(frame.Start);
    }

    [Theory]
    [InlineData("""{"event":"start","call_control_id":"\ud800"}""")]
    [InlineData("""{"event":"start","start":{"call_control_id":"\ud800"}}""")]
    public void TryParse_StartWithALoneSurrogate_IsMalformedNotAnException(string json)
    {
        Assert.Equal(CarrierParseStatus.MalformedJson, new TelnyxProtocol().TryParse(Encoding.UTF8.GetBytes(json), out _));
    }

    [Fact]
    public void DecodeClientState_JsonWithALoneSurrogate_DoesNotThrow()
    {
        var state = Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"lead_id":"\ud800","ok":"1"}"""));
        var parameters = TelnyxProtocol.DecodeClientState(state);
        Assert.Equal("1", parameters["ok"]);
    }

    [Fact]
    public void TryParse_FlatStartWithUnsupportedFormat_ReportsIt()
    {
        Assert.Equal(CarrierParseStatus.UnsupportedMediaFormat,
            new TelnyxProtocol().TryParse("""{"event":"start","stream_id":"s1","media_format":{"encoding":"OPUS","sample_rate":48000}}"""u8, out var frame));
        Assert.Contains("OPUS", frame.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void DecodeClientState_NotJsonOrNotBase64_KeptRaw()
    {
        Assert.Equal("plain", TelnyxProtocol.DecodeClientState(Convert.ToBase64String("plain"u8.ToArray()))["client_state"]);
        Assert.Equal("%%%", TelnyxProtocol.DecodeClientState("%%%")["client_state"]);
        Assert.Empty(TelnyxProtocol.DecodeClientState(null));
    }

    [Fact]
    public void TryParse_MediaDtmfStopError_Classified()
    {
        var p = new TelnyxProtocol();
        Assert.Equal(CarrierParseStatus.Ok, p.TryParse("""{"event":"media","sequence_number":"4","stream_id":"x","media":{"track":"inbound","chunk":"2","timestamp":"5","payload":"AAEC"}}"""u8, out var media));
        Assert.Equal((CarrierFrameKind.Media, 5L, true), (media.Kind, media.TimestampMs, media.IsInboundTrack));
        Assert.Equal(CarrierParseStatus.Ok, p.TryParse("""{"event":"media","media":{"track":"outbound","payload":"AAEC"}}"""u8, out var outbound));
        Assert.False(outbound.IsInboundTrack);
        Assert.Equal(CarrierParseStatus.Ok, p.TryParse("""{"event":"dtmf","stream_id":"x","occurred_at":"2025-06-05T08:54:19.698408Z","sequence_number":"5","dtmf":{"digit":"1"}}"""u8, out var dtmf));
        Assert.Equal("1", Encoding.UTF8.GetString(dtmf.Digit));
        Assert.Equal(CarrierParseStatus.Ok, p.TryParse("""{"event":"stop","sequence_number":"5","stream_id":"x","stop":{"user_id":"u","call_control_id":"v2:c"}}"""u8, out var stop));
        Assert.Equal(CarrierFrameKind.Stop, stop.Kind);
        Assert.Equal(CarrierParseStatus.Ok, p.TryParse("""{"event":"error","sequence_number":"6","stream_id":"x","error":{"title":"rate_limit_reached","code":"100005","detail":"Too many requests"}}"""u8, out var error));
        Assert.Equal(CarrierFrameKind.Error, error.Kind);
        Assert.Contains("100005", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void Write_OutboundFrames_HaveNoStreamId()
    {
        var p = new TelnyxProtocol();
        var buffer = new ArrayBufferWriter<byte>();
        p.WriteMediaBase64(buffer, "AAEC"u8);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"event":"media","media":{"payload":"AAEC"}}"""), JsonNode.Parse(buffer.WrittenSpan)));
        buffer.ResetWrittenCount();
        p.WriteMark(buffer, 3);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"event":"mark","mark":{"name":"sb-3"}}"""), JsonNode.Parse(buffer.WrittenSpan)));
        buffer.ResetWrittenCount();
        p.WriteClear(buffer);
        Assert.Equal("""{"event":"clear"}""", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
