using Switchboard.Audio;

namespace Switchboard.Tests.Audio;

public sealed class ToneGeneratorTests
{
    [Fact]
    public void Tone_Defaults_HasLengthPeakAndFrequency()
    {
        var tone = ToneGenerator.Tone(8000, 1000, 250);
        Assert.Equal(2000, tone.Length);

        // -12 dBFS peak is 8231 of 32767.
        Assert.InRange(tone.Max(s => Math.Abs((int)s)), 8225, 8231);
        var (amplitude, residual) = Signal.FitSine(tone.AsSpan(40, 1920), 8000, 1000);
        Assert.InRange(amplitude, 8225, 8236);
        Assert.True(residual < 10);
    }

    [Fact]
    public void Tone_Edges_FadeFromAndToSilence()
    {
        var tone = ToneGenerator.Tone(16000, 1000, 100, amplitudeDbfs: 0);
        Assert.Equal(0, tone[0]);
        Assert.True(Math.Abs((int)tone[^1]) < 100);

        // Within the first millisecond the fade keeps the level far below full scale.
        Assert.True(tone.AsSpan(0, 16).ToArray().Max(s => Math.Abs((int)s)) < 3500);
    }

    [Fact]
    public void Chime_Is400MsOfTwoNotes()
    {
        var chime = ToneGenerator.Chime(24000);
        Assert.Equal(9600, chime.Length);
        var first = Signal.FitSine(chime.AsSpan(240, 4320), 24000, 660).Amplitude;
        var second = Signal.FitSine(chime.AsSpan(5040, 4320), 24000, 880).Amplitude;
        Assert.InRange(first, 8000, 8300);
        Assert.InRange(second, 8000, 8300);
        Assert.True(Signal.FitSine(chime.AsSpan(5040, 4320), 24000, 660).Amplitude < 100);
    }

    [Fact]
    public void Silence_FilledBuffer_ClearsIt()
    {
        var buffer = new short[] { 1, -2, 3 };
        ToneGenerator.Silence(buffer);
        Assert.All(buffer, s => Assert.Equal(0, s));
    }
}
