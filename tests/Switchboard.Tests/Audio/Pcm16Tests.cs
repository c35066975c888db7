using Switchboard.Audio;

namespace Switchboard.Tests.Audio;

public sealed class Pcm16Tests
{
    [Fact]
    public void ToLittleEndian_KnownSample_WritesLowByteFirst()
    {
        var bytes = new byte[4];
        Pcm16.ToLittleEndian([0x1234, -2], bytes);
        Assert.Equal(new byte[] { 0x34, 0x12, 0xFE, 0xFF }, bytes);
    }

    [Fact]
    public void ToBigEndian_KnownSample_WritesHighByteFirst()
    {
        var bytes = new byte[4];
        Pcm16.ToBigEndian([0x1234, -2], bytes);
        Assert.Equal(new byte[] { 0x12, 0x34, 0xFF, 0xFE }, bytes);
    }

    [Fact]
    public void FromLittleEndian_KnownBytes_ReadsSamples()
    {
        var samples = new short[2];
        Pcm16.FromLittleEndian([0x34, 0x12, 0x00, 0x80], samples);
        Assert.Equal(new short[] { 0x1234, short.MinValue }, samples);
    }

    [Fact]
    public void FromBigEndian_KnownBytes_ReadsSamples()
    {
        var samples = new short[2];
        Pcm16.FromBigEndian([0x12, 0x34, 0x80, 0x00], samples);
        Assert.Equal(new short[] { 0x1234, short.MinValue }, samples);
    }

    [Fact]
    public void FromLittleEndian_OddByteCount_IgnoresTrailingByte()
    {
        var samples = new short[] { 99, 99 };
        Pcm16.FromLittleEndian([0x01, 0x00, 0x05], samples);
        Assert.Equal(new short[] { 1, 99 }, samples);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void RoundTrip_RandomSamples_Identical(bool littleEndian)
    {
        var samples = Signal.Noise(999, seed: 11, amplitude: 32767);
        var bytes = new byte[samples.Length * 2];
        var back = new short[samples.Length];
        if (littleEndian)
        {
            Pcm16.ToLittleEndian(samples, bytes);
            Pcm16.FromLittleEndian(bytes, back);
        }
        else
        {
            Pcm16.ToBigEndian(samples, bytes);
            Pcm16.FromBigEndian(bytes, back);
        }

        Assert.Equal(samples, back);
    }

    [Fact]
    public void Conversions_DestinationTooShort_Throw()
    {
        Assert.Throws<ArgumentException>(() => Pcm16.ToLittleEndian(new short[2], new byte[3]));
        Assert.Throws<ArgumentException>(() => Pcm16.FromBigEndian(new byte[4], new short[1]));
    }

    [Fact]
    public void RmsDbfs_SilenceOrEmpty_ReturnsMinus120()
    {
        Assert.Equal(-120, Pcm16.RmsDbfs(new short[160]));
        Assert.Equal(-120, Pcm16.RmsDbfs([]));
    }

    [Fact]
    public void RmsDbfs_FullScaleSquare_IsZero()
    {
        short[] square = [short.MinValue, short.MinValue, short.MinValue, short.MinValue];
        Assert.Equal(0, Pcm16.RmsDbfs(square), precision: 6);
    }

    [Fact]
    public void RmsDbfs_SineAtHalfScale_IsAboutMinus9()
    {
        // Peak 16384 = -6.02 dBFS, sine RMS is 3.01 dB lower.
        var sine = Signal.Sine(8000, 1000, 8000, amplitude: 16384);
        Assert.InRange(Pcm16.RmsDbfs(sine), -9.06, -9.00);
    }
}
