using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using Switchboard.Audio;
using Switchboard.Carriers;
using Switchboard.Carriers.Twilio;

namespace Switchboard.Tests.Carriers;

public class TwilioProtocolTests
{
    private const string Start = """
    {"event":"start","sequenceNumber":"1","streamSid":"MZ0123","start":{"accountSid":"AC1","streamSid":"MZ0123","callSid":"CA9","tracks":["inbound"],
     "mediaFormat":{"encoding":"audio/x-mulaw","sampleRate":8000,"channels":1},"customParameters":{"From":"+15550001","To":"+15550002","tenant":"acme"}}}
    """;

    [Fact]
    public void TryParse_Start_ReadsIdsParametersAndBindsStream()
    {
        var protocol = new TwilioProtocol();
        Assert.Equal(CarrierParseStatus.Ok, protocol.TryParse(Encoding.UTF8.GetBytes(Start), out var frame));
        Assert.Equal(CarrierFrameKind.Start, frame.Kind);
        var start = frame.Start!;
        Assert.Equal(("MZ0123", "CA9", "AC1", "+15550001", "+15550002"), (start.StreamId, start.CarrierCallId, start.AccountId, start.From, start.To));
        Assert.Equal("acme", start.Parameters["tenant"]);
        Assert.Equal(AudioFormat.MuLaw8k, start.Format);
        Assert.Equal("MZ0123", protocol.StreamSid);
    }

    [Fact]
    public void TryParse_Media_ExposesPayloadSpanTimestampAndTrack()
    {
        var protocol = new TwilioProtocol();
        var json = """{"event":"media","sequenceNumber":"4","streamSid":"MZ1","media":{"track":"inbound","chunk":"2","timestamp":"5","payload":"no+JhoaJ"}}"""u8;
        Assert.Equal(CarrierParseStatus.Ok, protocol.TryParse(json, out var frame));
        Assert.Equal(CarrierFrameKind.Media, frame.Kind);
        Assert.Equal("no+JhoaJ", Encoding.UTF8.GetString(frame.Payload));
        Assert.Equal(5, frame.TimestampMs);
        Assert.True(frame.IsInboundTrack);
    }

    [Theory]
    [InlineData("""{"event":"mark","sequenceNumber":"4","streamSid":"MZ1","mark":{"name":"sb-7"}}""", "Mark")]
    [InlineData("""{"event":"dtmf","streamSid":"MZ1","sequenceNumber":"5","dtmf":{"track":"inbound_track","digit":"1"}}""", "Dtmf")]
    [InlineData("""{"event":"stop","sequenceNumber":"5","streamSid":"MZ1","stop":{"accountSid":"AC1","callSid":"CA1"}}""", "Stop")]
    [InlineData("""{"event":"connected","protocol":"Call","version":"1.0.0"}""", "Connected")]
    public void TryParse_ControlFrames_Classified(string json, string kindName)
    {
        var kind = Enum.Parse<CarrierFrameKind>(kindName);
        Assert.Equal(CarrierParseStatus.Ok, new TwilioProtocol().TryParse(Encoding.UTF8.GetBytes(json), out var frame));
        Assert.Equal(kind, frame.Kind);
        if (kind == CarrierFrameKind.Mark)
        {
            Assert.True(MarkNames.TryParse(frame.MarkName, out var seq));
            Assert.Equal(7, seq);
        }

        if (kind == CarrierFrameKind.Dtmf)
        {
            Assert.Equal("1", Encoding.UTF8.GetString(frame.Digit));
        }
    }

    [Theory]
    [InlineData("not json", "MalformedJson")]
    [InlineData("""{"event":"media","media":{"payload":"abc""", "MalformedJson")]
    [InlineData("[]", "MalformedJson")]
    [InlineData("""{"sequenceNumber":"1"}""", "MissingEvent")]
    [InlineData("""{"event":7}""", "MissingEvent")]
    [InlineData("""{"event":"media","media":{"payload":"!!!not-base64!!!"}}""", "InvalidBase64")]
    [InlineData("""{"event":"media","media":{}}""", "MissingField")]
    [InlineData("""{"event":"start","start":{"callSid":"CA1"}}""", "MissingField")]
    [InlineData("""{"event":"brand_new_event"}""", "UnknownEvent")]
    public void TryParse_BadInput_ReturnsPreciseStatusNeverThrows(string json, string expectedName)
    {
        var expected = Enum.Parse<CarrierParseStatus>(expectedName);
        Assert.Equal(expected, new TwilioProtocol().TryParse(Encoding.UTF8.GetBytes(json), out var frame));
        Assert.False(string.IsNullOrEmpty(frame.Detail));
    }

    [Fact]
    public void Write_OutboundFrames_CarryStreamSidAndMatchTwilioShapes()
    {
        var protocol = new TwilioProtocol();
        protocol.BindStream("MZ\"odd");
        var buffer = new ArrayBufferWriter<byte>();
        protocol.WriteMediaBase64(buffer, "AAEC"u8);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"event":"media","streamSid":"MZ\"odd","media":{"payload":"AAEC"}}"""), JsonNode.Parse(buffer.WrittenSpan)));
        buffer.ResetWrittenCount();
        protocol.WriteMedia(buffer, [0, 1, 2]);
        Assert.Equal("AAEC", (string?)JsonNode.Parse(buffer.WrittenSpan)!["media"]!["payload"]);
        buffer.ResetWrittenCount();
        protocol.WriteMark(buffer, 42);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"event":"mark","streamSid":"MZ\"odd","mark":{"name":"sb-42"}}"""), JsonNode.Parse(buffer.WrittenSpan)));
        buffer.ResetWrittenCount();
        protocol.WriteClear(buffer);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"event":"clear","streamSid":"MZ\"odd"}"""), JsonNode.Parse(buffer.WrittenSpan)));
    }

    [Theory]
    [InlineData("sb-1", true, 1)]
    [InlineData("sb-123456789", true, 123456789)]
    [InlineData("sb-", false, 0)]
    [InlineData("sb-12x", false, 0)]
    [InlineData("greeting-end", false, 0)]
    public void MarkNames_TryParse_OnlyOwnMarks(string name, bool ok, long seq)
    {
        Assert.Equal(ok, MarkNames.TryParse(Encoding.UTF8.GetBytes(name), out var parsed));
        Assert.Equal(seq, ok ? parsed : 0);
    }
}
