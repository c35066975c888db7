using Switchboard.Cli.Simulation;

namespace Switchboard.IntegrationTests.Simulation;

public sealed class CallerProtocolTests
{
    private static readonly CallIdentity Twilio = CallIdentity.NewTwilio();
    private static readonly TwilioCallerProtocol TwilioProtocol = new(Twilio);
    private static readonly TelnyxCallerProtocol TelnyxL16 = new(CallIdentity.NewTelnyx(), new StreamFormat(MediaCodec.L16, 16000));

    [Fact]
    public void TwilioParse_ValidMedia_DecodesPayload()
    {
        var message = TwilioProtocol.Parse($$$"""{"event":"media","streamSid":"{{{Twilio.StreamId}}}","media":{"payload":"AAEC"}}""");
        Assert.Equal(GatewayMessageKind.Media, message.Kind);
        Assert.Equal([0, 1, 2], message.Payload);
    }

    [Theory]
    [InlineData("""{"event":"media","media":{"payload":"AAEC"}}""", "missing \"streamSid\"")]
    [InlineData("""{"event":"media","streamSid":"MZother","media":{"payload":"AAEC"}}""", "not this stream's")]
    [InlineData("""{"event":"media","streamSid":"SID","media":{"payload":"%%%"}}""", "not valid base64")]
    [InlineData("""{"event":"media","streamSid":"SID","media":{"payload":""}}""", "empty")]
    [InlineData("""{"event":"media","streamSid":"SID"}""", "media.payload")]
    [InlineData("""{"event":"mark","streamSid":"SID","mark":{}}""", "mark.name")]
    [InlineData("""{"event":"clear"}""", "missing \"streamSid\"")]
    [InlineData("""{"event":"media","streamSid":"SID","media":{"payload":"AAEC"}""", "not JSON")]
    [InlineData("""[1,2]""", "not a JSON object")]
    [InlineData("""{"streamSid":"SID"}""", "no \"event\"")]
    public void TwilioParse_BadMessages_AreInvalidWithAReason(string json, string problem)
    {
        var message = TwilioProtocol.Parse(json.Replace("SID", Twilio.StreamId, StringComparison.Ordinal));
        Assert.Equal(GatewayMessageKind.Invalid, message.Kind);
        Assert.Contains(problem, message.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public void TwilioParse_UnknownEvent_IsUnknown()
    {
        var message = TwilioProtocol.Parse($$$"""{"event":"hangup","streamSid":"{{{Twilio.StreamId}}}"}""");
        Assert.Equal(GatewayMessageKind.Unknown, message.Kind);
        Assert.Equal("hangup", message.Event);
    }

    [Fact]
    public void TelnyxParse_MessagesWithoutStreamId_AreAccepted()
    {
        Assert.Equal(GatewayMessageKind.Clear, TelnyxL16.Parse("""{"event":"clear"}""").Kind);
        var mark = TelnyxL16.Parse("""{"event":"mark","mark":{"name":"greeting-end"}}""");
        Assert.Equal(GatewayMessageKind.Mark, mark.Kind);
        Assert.Equal("greeting-end", mark.MarkName);
        Assert.Equal(GatewayMessageKind.Media, TelnyxL16.Parse("""{"event":"media","media":{"payload":"AAECAw=="}}""").Kind);
    }

    [Fact]
    public void TelnyxParse_OddL16Payload_IsInvalid()
    {
        var message = TelnyxL16.Parse("""{"event":"media","media":{"payload":"AAEC"}}""");
        Assert.Equal(GatewayMessageKind.Invalid, message.Kind);
        Assert.Contains("16-bit", message.Problem, StringComparison.Ordinal);
    }
}
