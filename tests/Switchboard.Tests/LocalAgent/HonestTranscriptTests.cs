using System.Globalization;
using Switchboard.LocalAgent.Replies;

namespace Switchboard.Tests.LocalAgent;

public sealed class HonestTranscriptTests
{
    [Theory]
    [InlineData(1.4, "(1.4 s of speech)")]
    [InlineData(1.0, "(1.0 s of speech)")]
    [InlineData(0.96, "(1.0 s of speech)")]
    [InlineData(12.34, "(12.3 s of speech)")]
    [InlineData(0, "(0.0 s of speech)")]
    [InlineData(-1, "(0.0 s of speech)")]
    [InlineData(double.NaN, "(0.0 s of speech)")]
    public void SpeechDuration_OneDecimal(double seconds, string expected) =>
        Assert.Equal(expected, HonestTranscript.SpeechDuration(seconds));

    [Fact]
    public void SpeechDuration_IgnoresCurrentCulture()
    {
        var previous = CultureInfo.CurrentCulture;
        try
        {
            var commaDecimal = (CultureInfo)CultureInfo.InvariantCulture.Clone();
            commaDecimal.NumberFormat.NumberDecimalSeparator = ",";
            CultureInfo.CurrentCulture = commaDecimal;
            Assert.Equal("(2.5 s of speech)", HonestTranscript.SpeechDuration(2.5));
            Assert.Equal("(2.5 s of audio)", HonestTranscript.AudioDuration(2.5));
        }
        finally
        {
            CultureInfo.CurrentCulture = previous;
        }
    }

    [Fact]
    public void OtherTexts_SayWhatTheAgentDid()
    {
        Assert.Equal("(echo) Hello", HonestTranscript.EchoText("Hello"));
        Assert.Equal("(audio: answer.wav)", HonestTranscript.WavFile("/tmp/clips/answer.wav"));
        Assert.Equal("(echo)", HonestTranscript.Echo);
        Assert.Equal("(chime)", HonestTranscript.Chime);
    }
}
