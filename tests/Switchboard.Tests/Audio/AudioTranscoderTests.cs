using Switchboard.Audio;

namespace Switchboard.Tests.Audio;

public sealed class AudioTranscoderTests
{
    [Fact]
    public void Transcode_MuLawToPcm24kAndBack_ToneSurvivesWithHighSnr()
    {
        var tone = Signal.Sine(8000, 1000, 16000, amplitude: 12000);
        var muLaw = new byte[tone.Length];
        G711.PcmToMuLaw(tone, muLaw);

        var up = new AudioTranscoder(AudioFormat.MuLaw8k, AudioFormat.Pcm24k);
        var down = new AudioTranscoder(AudioFormat.Pcm24k, AudioFormat.MuLaw8k);
        var roundTrip = new List<byte>();
        var pcm = new byte[up.MaxOutputBytes(160)];
        var back = new byte[down.MaxOutputBytes(pcm.Length)];
        for (var offset = 0; offset < muLaw.Length; offset += 160)
        {
            var pcmBytes = up.Transcode(muLaw.AsSpan(offset, 160), pcm);
            Assert.Equal(960, pcmBytes);
            var backBytes = down.Transcode(pcm.AsSpan(0, pcmBytes), back);
            Assert.Equal(160, backBytes);
            roundTrip.AddRange(back.AsSpan(0, backBytes));
        }

        var decoded = new short[roundTrip.Count];
        G711.MuLawToPcm(roundTrip.ToArray(), decoded);
        var (amplitude, residual) = Signal.FitSine(decoded.AsSpan(800), 8000, 1000);

        // One μ-law pass alone gives roughly 38 dB; two passes plus filtering must stay above 30 dB.
        Assert.InRange(Signal.Db(amplitude / 12000), -1, 1);
        Assert.True(Signal.Db(amplitude / Math.Sqrt(2) / residual) > 30, $"SNR {Signal.Db(amplitude / Math.Sqrt(2) / residual):F1} dB");
    }

    [Fact]
    public void Transcode_SameFormat_CopiesBytes()
    {
        var transcoder = new AudioTranscoder(AudioFormat.MuLaw8k, AudioFormat.MuLaw8k);
        Assert.True(transcoder.IsPassthrough);

        var input = new byte[] { 1, 2, 3, 0xFF, 0x7F };
        var output = new byte[5];
        Assert.Equal(5, transcoder.Transcode(input, output));
        Assert.Equal(input, output);
    }

    [Fact]
    public void IsPassthrough_DifferentFormats_IsFalse()
    {
        Assert.False(new AudioTranscoder(AudioFormat.MuLaw8k, AudioFormat.ALaw8k).IsPassthrough);
        Assert.False(new AudioTranscoder(AudioFormat.Pcm24k, new AudioFormat(AudioEncoding.Pcm16BigEndian, 24000)).IsPassthrough);
    }

    [Fact]
    public void Transcode_L16BigEndian16kToMuLaw8k_KeepsToneAndFrameSize()
    {
        var l16 = new AudioFormat(AudioEncoding.Pcm16BigEndian, 16000);
        var tone = Signal.Sine(16000, 1000, 16000, amplitude: 12000);
        var bytes = new byte[tone.Length * 2];
        Pcm16.ToBigEndian(tone, bytes);

        var transcoder = new AudioTranscoder(l16, AudioFormat.MuLaw8k);
        var output = new byte[transcoder.MaxOutputBytes(640)];
        var muLaw = new List<byte>();
        for (var offset = 0; offset < bytes.Length; offset += 640)
        {
            var written = transcoder.Transcode(bytes.AsSpan(offset, 640), output);
            Assert.Equal(160, written);
            muLaw.AddRange(output.AsSpan(0, written));
        }

        var decoded = new short[muLaw.Count];
        G711.MuLawToPcm(muLaw.ToArray(), decoded);
        var (amplitude, residual) = Signal.FitSine(decoded.AsSpan(400), 8000, 1000);
        Assert.InRange(Signal.Db(amplitude / 12000), -1, 1);
        Assert.True(Signal.Db(amplitude / Math.Sqrt(2) / residual) > 30);
    }

    [Fact]
    public void Transcode_BigEndianMisreadAsLittle_WouldDiffer()
    {
        // Guards the byte-order path: a little-endian source gives a different result for the same bytes.
        var tone = Signal.Sine(16000, 1000, 320, amplitude: 12000);
        var bytes = new byte[640];
        Pcm16.ToBigEndian(tone, bytes);
        var be = new byte[160];
        var le = new byte[160];
        new AudioTranscoder(new AudioFormat(AudioEncoding.Pcm16BigEndian, 16000), AudioFormat.MuLaw8k).Transcode(bytes, be);
        new AudioTranscoder(new AudioFormat(AudioEncoding.Pcm16LittleEndian, 16000), AudioFormat.MuLaw8k).Transcode(bytes, le);
        Assert.NotEqual(be, le);
    }

    [Fact]
    public void Transcode_OddByteSplits_EqualWholeInput()
    {
        var tone = Signal.Noise(4800, seed: 8);
        var bytes = new byte[tone.Length * 2];
        Pcm16.ToLittleEndian(tone, bytes);

        var whole = new AudioTranscoder(AudioFormat.Pcm24k, AudioFormat.MuLaw8k);
        var expected = new byte[whole.MaxOutputBytes(bytes.Length)];
        var expectedCount = whole.Transcode(bytes, expected);
        Assert.Equal(1600, expectedCount);

        var split = new AudioTranscoder(AudioFormat.Pcm24k, AudioFormat.MuLaw8k);
        var actual = new List<byte>();
        var random = new Random(4);
        var offset = 0;
        while (offset < bytes.Length)
        {
            var length = Math.Min(random.Next(1, 200) | 1, bytes.Length - offset);
            var output = new byte[split.MaxOutputBytes(length)];
            var written = split.Transcode(bytes.AsSpan(offset, length), output);
            actual.AddRange(output.AsSpan(0, written));
            offset += length;
        }

        Assert.Equal(expected.AsSpan(0, expectedCount).ToArray(), actual.ToArray());
    }

    [Fact]
    public void Transcode_ChunkLargerThanOneSecond_ProcessedInSlices()
    {
        var tone = Signal.Sine(8000, 1000, 8000 * 3 + 17);
        var muLaw = new byte[tone.Length];
        G711.PcmToMuLaw(tone, muLaw);

        var big = new AudioTranscoder(AudioFormat.MuLaw8k, AudioFormat.Pcm24k);
        var output = new byte[big.MaxOutputBytes(muLaw.Length)];
        var written = big.Transcode(muLaw, output);
        Assert.Equal(muLaw.Length * 3 * 2, written);

        var framed = new AudioTranscoder(AudioFormat.MuLaw8k, AudioFormat.Pcm24k);
        var expected = new List<byte>();
        var frameOut = new byte[framed.MaxOutputBytes(160)];
        for (var offset = 0; offset < muLaw.Length; offset += 160)
        {
            var n = framed.Transcode(muLaw.AsSpan(offset, Math.Min(160, muLaw.Length - offset)), frameOut);
            expected.AddRange(frameOut.AsSpan(0, n));
        }

        Assert.Equal(expected.ToArray(), output.AsSpan(0, written).ToArray());
    }

    [Fact]
    public void Transcode_MuLawToALawSameRate_MatchesCodecs()
    {
        var pcm = Signal.Noise(160, seed: 12, amplitude: 30000);
        var muLaw = new byte[160];
        G711.PcmToMuLaw(pcm, muLaw);
        var expected = new byte[160];
        for (var i = 0; i < 160; i++)
        {
            expected[i] = G711.LinearToALaw(G711.MuLawToLinear(muLaw[i]));
        }

        var output = new byte[160];
        Assert.Equal(160, new AudioTranscoder(AudioFormat.MuLaw8k, AudioFormat.ALaw8k).Transcode(muLaw, output));
        Assert.Equal(expected, output);
    }

    [Fact]
    public void Transcode_OutputTooSmall_Throws()
    {
        var transcoder = new AudioTranscoder(AudioFormat.MuLaw8k, AudioFormat.Pcm24k);
        Assert.Throws<ArgumentException>(() => transcoder.Transcode(new byte[160], new byte[959]));
    }

    [Fact]
    public void Reset_AfterAudio_MatchesFreshTranscoder()
    {
        var noise = new byte[161];
        new Random(3).NextBytes(noise);
        var used = new AudioTranscoder(AudioFormat.Pcm24k, AudioFormat.MuLaw8k);
        var scratch = new byte[used.MaxOutputBytes(noise.Length)];
        used.Transcode(noise, scratch);
        used.Reset();

        var a = new byte[80];
        var b = new byte[80];
        var pcmInput = new byte[160];
        Pcm16.ToLittleEndian(Signal.Sine(24000, 700, 80), pcmInput);
        Assert.Equal(new AudioTranscoder(AudioFormat.Pcm24k, AudioFormat.MuLaw8k).Transcode(pcmInput, b), used.Transcode(pcmInput, a));
        Assert.Equal(b, a);
    }

    [Fact]
    public void Transcode_20MsFramesAfterWarmUp_AllocatesNothing()
    {
        var transcoder = new AudioTranscoder(AudioFormat.MuLaw8k, AudioFormat.Pcm24k);
        var input = new byte[160];
        var output = new byte[960];

        Assert.Equal(0, SteadyStateAllocations.Measure(() => transcoder.Transcode(input, output)));
    }
}
