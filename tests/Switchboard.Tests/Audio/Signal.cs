using Switchboard.Audio;

namespace Switchboard.Tests.Audio;

/// <summary>Test-side signal generation and measurement, independent of the production code.</summary>
internal static class Signal
{
    public static short[] Sine(int sampleRate, double frequencyHz, int count, double amplitude = 10000, double phase = 0)
    {
        var samples = new short[count];
        for (var n = 0; n < count; n++)
        {
            samples[n] = (short)Math.Round(amplitude * Math.Sin((2 * Math.PI * frequencyHz * n / sampleRate) + phase));
        }

        return samples;
    }

    public static short[] Noise(int count, int seed, int amplitude = 12000)
    {
        var random = new Random(seed);
        var samples = new short[count];
        for (var n = 0; n < count; n++)
        {
            samples[n] = (short)random.Next(-amplitude, amplitude + 1);
        }

        return samples;
    }

    public static double Rms(ReadOnlySpan<short> samples)
    {
        var sum = 0.0;
        foreach (var s in samples)
        {
            sum += (double)s * s;
        }

        return Math.Sqrt(sum / samples.Length);
    }

    /// <summary>Least-squares fit of a sinusoid at a known frequency: returns its peak amplitude and the RMS of what is left.</summary>
    public static (double Amplitude, double ResidualRms) FitSine(ReadOnlySpan<short> samples, int sampleRate, double frequencyHz)
    {
        // Solve the 2x2 normal equations for a*sin + b*cos.
        double ss = 0, cc = 0, sc = 0, xs = 0, xc = 0;
        for (var n = 0; n < samples.Length; n++)
        {
            var w = 2 * Math.PI * frequencyHz * n / sampleRate;
            var s = Math.Sin(w);
            var c = Math.Cos(w);
            ss += s * s;
            cc += c * c;
            sc += s * c;
            xs += samples[n] * s;
            xc += samples[n] * c;
        }

        var det = (ss * cc) - (sc * sc);
        var a = ((xs * cc) - (xc * sc)) / det;
        var b = ((xc * ss) - (xs * sc)) / det;

        var residual = 0.0;
        for (var n = 0; n < samples.Length; n++)
        {
            var w = 2 * Math.PI * frequencyHz * n / sampleRate;
            var e = samples[n] - ((a * Math.Sin(w)) + (b * Math.Cos(w)));
            residual += e * e;
        }

        return (Math.Sqrt((a * a) + (b * b)), Math.Sqrt(residual / samples.Length));
    }

    /// <summary>Feeds <paramref name="input"/> to the resampler in frames of <paramref name="frame"/> samples and concatenates the output.</summary>
    public static short[] ResampleInFrames(PolyphaseResampler resampler, short[] input, int frame)
    {
        var output = new List<short>();
        var buffer = new short[resampler.MaxOutputLength(frame)];
        for (var offset = 0; offset < input.Length; offset += frame)
        {
            var chunk = input.AsSpan(offset, Math.Min(frame, input.Length - offset));
            var written = resampler.Process(chunk, buffer);
            output.AddRange(buffer.AsSpan(0, written));
        }

        return [.. output];
    }

    public static double Db(double ratio) => 20 * Math.Log10(ratio);
}
