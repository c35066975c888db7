using System.Text;
using Switchboard.Backends.OpenAIRealtime;
using Switchboard.Carriers;
using Switchboard.Carriers.Telnyx;
using Switchboard.Sessions;

namespace Switchboard.Tests.Fuzzing;

/// <summary>
/// The inputs <see cref="ParserFuzzTests"/> found that threw (each was an exception escaping a parser of untrusted input),
/// kept as plain cases: well-formed JSON whose strings are not text, a lone surrogate escape or invalid UTF-8.
/// </summary>
public sealed class FuzzRegressionTests
{
    private static readonly byte[] InvalidUtf8 = [0xC3];

    [Fact]
    public void Telnyx_StartWithALoneSurrogateInItsEscapedStreamId_IsMalformedNotAnException()
    {
        var json = """{"event":"start","stream_id":"s\u0031\ud800","start":{"call_control_id":"v3:abc","media_format":{"encoding":"PCMU","sample_rate":8000}}}"""u8;

        Assert.Equal(CarrierParseStatus.MalformedJson, new TelnyxProtocol().TryParse(json, out var frame));
        Assert.Equal("malformed stream id", frame.Detail);
    }

    [Theory]
    [InlineData("""{"type":"response.output_audio_transcript.delta","response_id":"r","item_id":"i","delta":"a\ud800"}""")]
    [InlineData("""{"type":"error","error":{"type":"server_error","message":"\udfff"}}""")]
    public void Backend_EventWithALoneSurrogate_IsUnparseableNotAnException(string json) =>
        Assert.Null(RealtimeEventParser.Parse(Encoding.UTF8.GetBytes(json)));

    [Fact]
    public void Backend_EventWithInvalidUtf8InAString_IsUnparseableNotAnException() =>
        Assert.Null(RealtimeEventParser.Parse([.. """{"type":"conversation.item.input_audio_transcription.completed","item_id":"i","transcript":"a"""u8, .. InvalidUtf8, .. "\"}"u8]));

    [Theory]
    [InlineData("""{"type":"playback","payload":{"itemId":"item\ud800","playedMs":10}}""")]
    [InlineData("""{"type":"text","payload":{"text":"hi \udbff"}}""")]
    public void Session_MessageWithALoneSurrogate_IsInvalidJsonNotAnException(string json)
    {
        Assert.False(SessionClientMessages.TryParse(Encoding.UTF8.GetBytes(json), out _, out var error));
        Assert.Equal(SessionErrorCodes.InvalidJson, error!.Code);
    }

    [Fact]
    public void Session_MessageWithInvalidUtf8InAString_IsInvalidJsonNotAnException()
    {
        byte[] json = [.. """{"type":"interrupt","payload":{"itemId":"x"""u8, .. InvalidUtf8, .. "\"}}"u8];
        Assert.False(SessionClientMessages.TryParse(json, out _, out var error));
        Assert.Equal(SessionErrorCodes.InvalidJson, error!.Code);
    }

    [Fact]
    public void SessionAudioScan_TypeWithALoneSurrogate_IsLeftToTheGeneralParser() =>
        Assert.Equal(SessionAudioScan.NotAudio, SessionAudioScanner.Scan("""{"type":"aud\ud800","payload":{}}"""u8, out _, out _, out _, out _));

    [Fact]
    public void SessionAudioScan_PayloadNameWithALoneSurrogate_IsInvalidAudioNotAnException()
    {
        Assert.Equal(SessionAudioScan.Invalid, SessionAudioScanner.Scan("""{"type":"audio","payload":{"\ud800":1,"audio":"AAAA"}}"""u8, out _, out _, out _, out var error));
        Assert.NotNull(error);
    }
}
