using System.Text;
using Switchboard.Sessions;

namespace Switchboard.Tests.Sessions;

/// <summary>
/// <see cref="SessionAudioScanner"/>: the allocation-free reader of client <c>audio</c> messages — property order, sample
/// rates, the payload errors it reports itself, and everything it must leave to the general parser.
/// </summary>
public class SessionAudioScannerTests
{
    private static (SessionAudioScan Result, string Base64, bool Escaped, int SampleRate, string? Error) Scan(string json)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var result = SessionAudioScanner.Scan(bytes, out var base64, out var escaped, out var rate, out var error);
        return (result, Encoding.UTF8.GetString(base64), escaped, rate, error);
    }

    [Theory]
    [InlineData("""{"type":"audio","payload":{"audio":"AAABAA==","sampleRate":16000}}""")]
    [InlineData("""{"payload":{"audio":"AAABAA==","sampleRate":16000},"type":"audio"}""")]
    [InlineData("""{"payload":{"sampleRate":16000,"audio":"AAABAA=="},"sessionId":"x","seq":3,"type":"audio"}""")]
    [InlineData("""{ "type" : "audio" , "payload" : { "extra" : { "nested" : [1, 2, {"audio": 5}] }, "audio" : "AAABAA==", "sampleRate" : 16000 } }""")]
    public void Scan_TypeAndPayloadInAnyOrder_FindsTheAudio(string json)
    {
        var (result, base64, escaped, rate, error) = Scan(json);

        Assert.Equal(SessionAudioScan.Audio, result);
        Assert.Equal("AAABAA==", base64);
        Assert.False(escaped);
        Assert.Equal(16000, rate);
        Assert.Null(error);
    }

    [Theory]
    [InlineData("""{"type":"audio","payload":{"audio":"AAAA","sampleRate":24000}}""", 24000)]
    [InlineData("""{"type":"audio","payload":{"audio":"AAAA","sampleRate":16000}}""", 16000)]
    [InlineData("""{"type":"audio","payload":{"audio":"AAAA"}}""", 24000)]
    public void Scan_SampleRate_16000Or24000OrTheDefault(string json, int expected)
    {
        var (result, _, _, rate, error) = Scan(json);

        Assert.Equal(SessionAudioScan.Audio, result);
        Assert.Null(error);
        Assert.Equal(expected, rate);
        Assert.Equal(24000, SessionAudioScanner.DefaultSampleRate);
    }

    [Theory]
    [InlineData("8000")]
    [InlineData("48000")]
    [InlineData("0")]
    [InlineData("-16000")]
    [InlineData("16000.5")]
    [InlineData("1e99")]
    [InlineData("\"16000\"")]
    [InlineData("true")]
    [InlineData("[16000]")]
    [InlineData("null")]
    public void Scan_BadSampleRate_IsInvalidNamingTheField(string rate)
    {
        var (result, _, _, _, error) = Scan("""{"type":"audio","payload":{"audio":"AAAA","sampleRate":""" + rate + "}}");

        Assert.Equal(SessionAudioScan.Invalid, result);
        Assert.Equal("payload.sampleRate must be 16000 or 24000", error);
    }

    [Theory]
    [InlineData("""{"type":"audio"}""", "needs payload.audio")]
    [InlineData("""{"type":"audio","payload":null}""", "needs payload.audio")]
    [InlineData("""{"type":"audio","payload":"AAAA"}""", "needs payload.audio")]
    [InlineData("""{"type":"audio","payload":{}}""", "missing or empty")]
    [InlineData("""{"type":"audio","payload":{"sampleRate":16000}}""", "missing or empty")]
    [InlineData("""{"type":"audio","payload":{"audio":""}}""", "missing or empty")]
    [InlineData("""{"type":"audio","payload":{"audio":42}}""", "must be a base64 string")]
    [InlineData("""{"type":"audio","payload":{"audio":null}}""", "must be a base64 string")]
    [InlineData("""{"type":"audio","payload":{"audio":["AAAA"]}}""", "must be a base64 string")]
    [InlineData("""{"type":"audio","payload":{"audio":{"data":"AAAA"}}}""", "must be a base64 string")]
    public void Scan_MissingEmptyOrNonStringAudio_IsInvalidWithTheReason(string json, string expected)
    {
        var (result, _, _, _, error) = Scan(json);

        Assert.Equal(SessionAudioScan.Invalid, result);
        Assert.Contains(expected, error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"type":"text","payload":{"text":"hello"}}""")]
    [InlineData("""{"type":"playback","payload":{"audio":"AAAA"}}""")]
    [InlineData("""{"type":"Audio","payload":{"audio":"AAAA"}}""")]
    [InlineData("""{"type":5,"payload":{"audio":"AAAA"}}""")]
    [InlineData("""{"type":["audio"],"payload":{"audio":"AAAA"}}""")]
    [InlineData("""{"payload":{"audio":"AAAA"}}""")]
    [InlineData("""{"kind":"audio","payload":{"audio":"AAAA"}}""")]
    [InlineData("""{"type":"hangup"}""")]
    [InlineData("""["audio"]""")]
    [InlineData("\"audio\"")]
    [InlineData("42")]
    [InlineData("")]
    public void Scan_NotAnAudioMessage_IsNotAudio(string json)
    {
        var (result, _, _, _, error) = Scan(json);

        Assert.Equal(SessionAudioScan.NotAudio, result);
        Assert.Null(error);
    }

    [Theory]
    [InlineData("{oops")]
    [InlineData("""{"type":"audio","payload":{"audio":"AAAA""")]
    [InlineData("""{"type":"audio","payload":{"audio":"AAAA",}}""")]
    [InlineData("""{"type":"audio","payload":{"audio":"AAAA" "sampleRate":16000}}""")]
    [InlineData("""{"payload":{"audio":"AAAA"},"type":"audio""")]
    [InlineData("""{"type":"audio","payload":{"audio":'AAAA'}}""")]
    public void Scan_MalformedJson_IsNotAudio_SoTheGeneralParserReportsIt(string json)
    {
        var (result, _, _, _, error) = Scan(json);

        Assert.Equal(SessionAudioScan.NotAudio, result);
        Assert.Null(error);
        Assert.False(SessionClientMessages.TryParse(Encoding.UTF8.GetBytes(json), out _, out var parseError));
        Assert.Equal(SessionErrorCodes.InvalidJson, parseError!.Code);
    }

    [Fact]
    public void Scan_DeeplyNestedHostileInput_IsNotAudioAndDoesNotThrow()
    {
        var json = """{"payload":""" + new string('[', 10_000) + new string(']', 10_000) + ""","type":"audio"}""";

        Assert.Equal(SessionAudioScan.NotAudio, Scan(json).Result);
    }

    [Fact]
    public void Scan_EscapedBase64_ReturnsTheRawValueAndSaysItIsEscaped()
    {
        // JSON may escape '/' (and a client's serializer may escape '+' as \u002B): the scanner hands back the raw
        // bytes and the flag, and the conversation unescapes them before decoding.
        var (result, base64, escaped, rate, _) = Scan("""{"type":"audio","payload":{"audio":"AAAA\/w\u002B+","sampleRate":16000}}""");

        Assert.Equal(SessionAudioScan.Audio, result);
        Assert.True(escaped);
        Assert.Equal("""AAAA\/w\u002B+""", base64);
        Assert.Equal(16000, rate);
    }

    [Fact]
    public void Scan_RepeatedAudioField_TheLastWins()
    {
        var (result, base64, _, _, _) = Scan("""{"type":"audio","payload":{"audio":"AAAA","audio":"BBBB"}}""");

        Assert.Equal(SessionAudioScan.Audio, result);
        Assert.Equal("BBBB", base64);
    }

    [Fact]
    public void Scan_LargeMessage_PointsIntoTheInputWithoutCopying()
    {
        var audio = Convert.ToBase64String(new byte[48_000]);
        var bytes = Encoding.UTF8.GetBytes("{\"type\":\"audio\",\"payload\":{\"audio\":\"" + audio + "\"}}");

        Assert.Equal(SessionAudioScan.Audio, SessionAudioScanner.Scan(bytes, out var base64, out _, out _, out _));
        Assert.Equal(audio.Length, base64.Length);
        Assert.True(base64.Overlaps(bytes));
    }
}
