using Switchboard.Audio;

namespace Switchboard.Tests.Audio;

public sealed class AudioFormatTests
{
    [Fact]
    public void Presets_HaveExpectedEncodingAndRate()
    {
        Assert.Equal(new AudioFormat(AudioEncoding.MuLaw, 8000), AudioFormat.MuLaw8k);
        Assert.Equal(new AudioFormat(AudioEncoding.ALaw, 8000), AudioFormat.ALaw8k);
        Assert.Equal(new AudioFormat(AudioEncoding.Pcm16LittleEndian, 24000), AudioFormat.Pcm24k);
    }

    [Theory]
    [InlineData((int)AudioEncoding.MuLaw, 8000, 1, 8)]
    [InlineData((int)AudioEncoding.ALaw, 8000, 1, 8)]
    [InlineData((int)AudioEncoding.Pcm16LittleEndian, 24000, 2, 48)]
    [InlineData((int)AudioEncoding.Pcm16BigEndian, 16000, 2, 32)]
    public void Sizes_PerEncoding_AreCorrect(int encoding, int rate, int bytesPerSample, int bytesPerMs)
    {
        var format = new AudioFormat((AudioEncoding)encoding, rate);
        Assert.Equal(bytesPerSample, format.BytesPerSample);
        Assert.Equal(bytesPerMs, format.BytesPerMs);
        Assert.Equal(20 * bytesPerMs, format.BytesForMs(20));
        Assert.Equal(20.0, format.DurationMs(20 * bytesPerMs), precision: 9);
    }

    [Fact]
    public void BytesForMs_Fraction_RoundsDownToWholeSamples()
    {
        // 0.1 ms at 24 kHz is 2.4 samples: 2 samples, 4 bytes (never half a sample).
        Assert.Equal(4, AudioFormat.Pcm24k.BytesForMs(0.1));
        Assert.Equal(1, AudioFormat.MuLaw8k.BytesForMs(0.2));
        Assert.Equal(0, AudioFormat.MuLaw8k.BytesForMs(0.1));
        Assert.Equal(0, AudioFormat.MuLaw8k.BytesForMs(-5));
    }

    [Fact]
    public void DurationMs_PartialSample_IsFractional()
    {
        Assert.Equal(1000.0, AudioFormat.MuLaw8k.DurationMs(8000), precision: 9);
        Assert.Equal(0.03125, new AudioFormat(AudioEncoding.Pcm16LittleEndian, 16000).DurationMs(1), precision: 9);
    }

    [Theory]
    [InlineData((int)AudioEncoding.MuLaw, 8000, "pcmu/8000")]
    [InlineData((int)AudioEncoding.ALaw, 8000, "pcma/8000")]
    [InlineData((int)AudioEncoding.Pcm16LittleEndian, 24000, "pcm16le/24000")]
    [InlineData((int)AudioEncoding.Pcm16BigEndian, 16000, "pcm16be/16000")]
    public void ToString_Format_IsShortName(int encoding, int rate, string expected) =>
        Assert.Equal(expected, new AudioFormat((AudioEncoding)encoding, rate).ToString());
}
