using Switchboard.Audio;

namespace Switchboard.Tests.Audio;

public sealed class PolyphaseResamplerTests
{
    public static TheoryData<int, int> RatePairs => new()
    {
        { 8000, 24000 }, { 24000, 8000 }, { 8000, 16000 }, { 16000, 8000 }, { 16000, 24000 }, { 24000, 16000 },
    };

    public static TheoryData<int, int, double> StopBandTones => new()
    {
        // Everything at or above the lower Nyquist frequency must be gone by at least 40 dB.
        { 24000, 8000, 4000 }, { 24000, 8000, 5000 }, { 24000, 8000, 6000 }, { 24000, 8000, 11000 },
        { 16000, 8000, 4000 }, { 16000, 8000, 5000 }, { 16000, 8000, 7000 },
        { 24000, 16000, 8000 }, { 24000, 16000, 9000 }, { 24000, 16000, 11000 },
    };

    [Theory]
    [MemberData(nameof(RatePairs))]
    public void Process_OneKilohertzToneIn20MsFrames_KeepsAmplitudeWithin1Db(int inputRate, int outputRate)
    {
        var input = Signal.Sine(inputRate, 1000, inputRate, amplitude: 12000);
        var output = Signal.ResampleInFrames(new PolyphaseResampler(inputRate, outputRate), input, inputRate / 50);

        // Skip the first 50 ms, where the filter is still filling with signal.
        var settled = output.AsSpan(outputRate / 20);
        var (amplitude, residual) = Signal.FitSine(settled, outputRate, 1000);
        Assert.InRange(Signal.Db(amplitude / 12000), -1, 1);
        Assert.InRange(Signal.Db(Signal.Rms(settled) / (12000 / Math.Sqrt(2))), -1, 1);
        Assert.True(Signal.Db(residual / amplitude) < -40, $"distortion {Signal.Db(residual / amplitude):F1} dB");
    }

    [Theory]
    [InlineData(8000, 3400)]
    [InlineData(16000, 6800)]
    public void Process_PassBandEdge_Within1Db(int lowRate, double frequency)
    {
        foreach (var (inRate, outRate) in new[] { (lowRate, 24000), (24000, lowRate) })
        {
            var input = Signal.Sine(inRate, frequency, inRate, amplitude: 12000);
            var output = Signal.ResampleInFrames(new PolyphaseResampler(inRate, outRate), input, inRate / 50);
            var (amplitude, _) = Signal.FitSine(output.AsSpan(outRate / 20), outRate, frequency);
            Assert.InRange(Signal.Db(amplitude / 12000), -1, 1);
        }
    }

    [Theory]
    [MemberData(nameof(StopBandTones))]
    public void Process_ToneAboveTargetNyquist_AttenuatedAtLeast40Db(int inputRate, int outputRate, double frequency)
    {
        var input = Signal.Sine(inputRate, frequency, inputRate, amplitude: 12000);
        var output = Signal.ResampleInFrames(new PolyphaseResampler(inputRate, outputRate), input, inputRate / 50);

        var level = Signal.Db(Signal.Rms(output.AsSpan(outputRate / 20)) / Signal.Rms(input));
        Assert.True(level <= -40, $"{frequency} Hz only attenuated to {level:F1} dB");
    }

    [Theory]
    [InlineData(8000, 24000)]
    [InlineData(8000, 16000)]
    [InlineData(16000, 24000)]
    public void Process_Upsampling_SuppressesImages(int inputRate, int outputRate)
    {
        // Zero stuffing mirrors a 1 kHz tone to inputRate - 1 kHz and inputRate + 1 kHz.
        var input = Signal.Sine(inputRate, 1000, inputRate, amplitude: 12000);
        var output = Signal.ResampleInFrames(new PolyphaseResampler(inputRate, outputRate), input, inputRate / 50);
        var settled = output.AsSpan(outputRate / 20);

        foreach (var image in new double[] { inputRate - 1000, inputRate + 1000 })
        {
            if (image >= outputRate / 2.0)
            {
                continue;
            }

            var (amplitude, _) = Signal.FitSine(settled, outputRate, image);
            Assert.True(Signal.Db(amplitude / 12000) <= -40, $"image at {image} Hz is {Signal.Db(amplitude / 12000):F1} dB");
        }
    }

    [Theory]
    [MemberData(nameof(RatePairs))]
    public void Process_ConstantInput_SettlesToSameLevel(int inputRate, int outputRate)
    {
        // Every polyphase branch must have unity DC gain, or upsampled output would carry a ripple.
        var input = Enumerable.Repeat((short)10000, inputRate / 10).ToArray();
        var output = Signal.ResampleInFrames(new PolyphaseResampler(inputRate, outputRate), input, inputRate / 50);
        foreach (var sample in output.AsSpan(outputRate / 20))
        {
            Assert.InRange(sample, 9990, 10010);
        }
    }

    [Theory]
    [MemberData(nameof(RatePairs))]
    public void Process_20MsFrames_EqualsOneShot(int inputRate, int outputRate)
    {
        // Longer than the internal block size, so the one-shot call also crosses block boundaries.
        var input = Signal.Noise(inputRate, seed: inputRate + outputRate);
        var oneShot = new short[new PolyphaseResampler(inputRate, outputRate).MaxOutputLength(input.Length)];
        var written = new PolyphaseResampler(inputRate, outputRate).Process(input, oneShot);

        var framed = Signal.ResampleInFrames(new PolyphaseResampler(inputRate, outputRate), input, inputRate / 50);

        Assert.Equal(oneShot.AsSpan(0, written).ToArray(), framed);
    }

    [Theory]
    [MemberData(nameof(RatePairs))]
    public void Process_IrregularChunks_EqualsOneShot(int inputRate, int outputRate)
    {
        var input = Signal.Noise(5000, seed: 5);
        var whole = new PolyphaseResampler(inputRate, outputRate);
        var expected = new short[whole.MaxOutputLength(input.Length)];
        var expectedCount = whole.Process(input, expected);

        var streaming = new PolyphaseResampler(inputRate, outputRate);
        var random = new Random(9);
        var actual = new List<short>();
        var offset = 0;
        while (offset < input.Length)
        {
            var length = Math.Min(random.Next(0, 300), input.Length - offset);
            var buffer = new short[streaming.MaxOutputLength(length)];
            var written = streaming.Process(input.AsSpan(offset, length), buffer);
            actual.AddRange(buffer.AsSpan(0, written));
            offset += length;
        }

        Assert.Equal(expected.AsSpan(0, expectedCount).ToArray(), actual.ToArray());
    }

    [Theory]
    [MemberData(nameof(RatePairs))]
    public void Process_Each20MsFrame_ProducesExactly20MsOfOutput(int inputRate, int outputRate)
    {
        var resampler = new PolyphaseResampler(inputRate, outputRate);
        var frame = new short[inputRate / 50];
        var output = new short[resampler.MaxOutputLength(frame.Length)];
        Assert.Equal(outputRate / 50, output.Length);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(outputRate / 50, resampler.Process(frame, output));
        }
    }

    [Theory]
    [MemberData(nameof(RatePairs))]
    public void Process_ManyOddChunks_TotalIsInputTimesRatio(int inputRate, int outputRate)
    {
        var resampler = new PolyphaseResampler(inputRate, outputRate);
        var chunk = new short[7];
        var output = new short[resampler.MaxOutputLength(chunk.Length)];
        long total = 0;
        for (var i = 0; i < 3000; i++)
        {
            var written = resampler.Process(chunk, output);
            Assert.InRange(written, 0, output.Length);
            total += written;
        }

        // 21000 input samples divide evenly by every reduced ratio's denominator.
        Assert.Equal(21000L * outputRate / inputRate, total);
    }

    [Theory]
    [MemberData(nameof(RatePairs))]
    public void OutputLength_BeforeEachCall_PredictsSamplesWritten(int inputRate, int outputRate)
    {
        var resampler = new PolyphaseResampler(inputRate, outputRate);
        var output = new short[resampler.MaxOutputLength(50)];
        for (var length = 0; length <= 50; length++)
        {
            var predicted = resampler.OutputLength(length);
            Assert.InRange(predicted, 0, resampler.MaxOutputLength(length));
            Assert.Equal(predicted, resampler.Process(new short[length], output.AsSpan(0, predicted)));
        }
    }

    [Fact]
    public void Reset_AfterLoudInput_MatchesFreshResampler()
    {
        var used = new PolyphaseResampler(8000, 24000);
        var scratch = new short[used.MaxOutputLength(333)];
        used.Process(Signal.Noise(333, seed: 1), scratch);
        used.Reset();

        var input = Signal.Sine(8000, 440, 800);
        var afterReset = new short[2400];
        var fromFresh = new short[2400];
        var n1 = used.Process(input, afterReset);
        var n2 = new PolyphaseResampler(8000, 24000).Process(input, fromFresh);

        Assert.Equal(n2, n1);
        Assert.Equal(fromFresh, afterReset);
    }

    [Fact]
    public void Process_WithoutReset_CarriesHistory()
    {
        // Counterpart of the Reset test: prove that history exists to be cleared.
        var used = new PolyphaseResampler(8000, 24000);
        var scratch = new short[used.MaxOutputLength(333)];
        used.Process(Signal.Noise(333, seed: 1), scratch);

        var input = new short[160];
        var output = new short[480];
        used.Process(input, output);
        Assert.Contains(output, s => s != 0);
    }

    [Fact]
    public void Process_EqualRates_CopiesInput()
    {
        var resampler = new PolyphaseResampler(16000, 16000);
        var input = Signal.Noise(320, seed: 2);
        var output = new short[320];
        Assert.Equal(320, resampler.Process(input, output));
        Assert.Equal(input, output);
    }

    [Theory]
    [InlineData(44100, 8000)]
    [InlineData(8000, 48000)]
    [InlineData(0, 8000)]
    [InlineData(8000, -1)]
    public void Constructor_UnsupportedRate_Throws(int inputRate, int outputRate) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new PolyphaseResampler(inputRate, outputRate));

    [Fact]
    public void Process_OutputTooSmall_Throws()
    {
        var resampler = new PolyphaseResampler(8000, 24000);
        Assert.Throws<ArgumentException>(() => resampler.Process(new short[160], new short[479]));
    }

    [Fact]
    public void Process_AfterWarmUp_AllocatesNothing()
    {
        var resampler = new PolyphaseResampler(24000, 8000);
        var input = Signal.Noise(480, seed: 4);
        var output = new short[160];

        Assert.Equal(0, SteadyStateAllocations.Measure(() => resampler.Process(input, output)));
    }
}
