using Switchboard.Audio;

namespace Switchboard.Cli.Simulation;

/// <summary>Offline audio helpers for the simulator: rate conversion of whole clips and the generated test speech.</summary>
internal static class SimulationAudio
{
    /// <summary>Level above which a 20 ms frame of a clip counts as speech when finding where speech starts and ends.</summary>
    public const double SpeechThresholdDbfs = -45;

    /// <summary>
    /// Converts a whole clip to <paramref name="rate"/> Hz. Uses the gateway's polyphase resampler for 8/16/24 kHz
    /// and a windowed-sinc interpolator for any other rate (WAV files are often 44.1 or 48 kHz).
    /// </summary>
    public static short[] Resample(WavAudio audio, int rate)
    {
        ArgumentNullException.ThrowIfNull(audio);
        if (audio.SampleRate == rate)
        {
            return audio.Samples;
        }

        if (IsPolyphaseRate(audio.SampleRate) && IsPolyphaseRate(rate))
        {
            var resampler = new PolyphaseResampler(audio.SampleRate, rate);
            var output = new short[resampler.MaxOutputLength(audio.Samples.Length)];
            var written = resampler.Process(audio.Samples, output);
            return written == output.Length ? output : output[..written];
        }

        return SincResample(audio.Samples, audio.SampleRate, rate);
    }

    /// <summary>
    /// A 1.5 s speech-like test signal: a voiced harmonic series with drifting pitch and formant-like
    /// emphasis, shaped into four syllables, so energy-based voice activity detectors treat it as speech.
    /// </summary>
    public static short[] TestSpeech(int rate, int durationMs = 1500)
    {
        var samples = new short[rate * durationMs / 1000];
        const double Syllables = 4.0 / 1.5; // four syllables in 1.5 s
        const double Peak = 0.32 * short.MaxValue; // about -10 dBFS peak, -20 dBFS RMS
        var phase = 0.0;
        for (var i = 0; i < samples.Length; i++)
        {
            var t = (double)i / rate;
            var f0 = 140 + (25 * Math.Sin(2 * Math.PI * 0.9 * t));
            phase += 2 * Math.PI * f0 / rate;

            double voiced = 0, norm = 0;
            for (var k = 1; k <= 12; k++)
            {
                var f = k * f0;
                if (f >= rate / 2.0)
                {
                    break;
                }

                // Two broad resonances near typical first and second formants.
                var weight = (1.0 / k) + (0.8 * Gauss(f, 600, 250)) + (0.5 * Gauss(f, 1700, 400));
                voiced += weight * Math.Sin(k * phase);
                norm += weight;
            }

            // Each syllable swells and fades (sin^2), with a short gap between syllables.
            var cycle = (t * Syllables) % 1.0;
            var envelope = cycle < 0.85 ? Math.Pow(Math.Sin(Math.PI * cycle / 0.85), 2) : 0;
            samples[i] = (short)Math.Round(Peak * envelope * voiced / norm);
        }

        return samples;
    }

    /// <summary>
    /// Where speech starts and ends inside a clip, in samples, judged by 20 ms frames above
    /// <see cref="SpeechThresholdDbfs"/>; the whole clip when no frame is that loud.
    /// </summary>
    public static (int Start, int End) SpeechBounds(ReadOnlySpan<short> clip, int rate)
    {
        var frame = rate * StreamFormat.FrameMs / 1000;
        int first = -1, last = -1;
        for (var start = 0; start < clip.Length; start += frame)
        {
            var chunk = clip.Slice(start, Math.Min(frame, clip.Length - start));
            if (Pcm16.RmsDbfs(chunk) > SpeechThresholdDbfs)
            {
                if (first < 0)
                {
                    first = start;
                }

                last = start + chunk.Length;
            }
        }

        return first < 0 ? (0, clip.Length) : (first, last);
    }

    private static bool IsPolyphaseRate(int rate) => rate is 8000 or 16000 or 24000;

    private static double Gauss(double x, double centre, double width) => Math.Exp(-Math.Pow((x - centre) / width, 2));

    // Simple and slow, but it only runs once per clip: a Blackman-windowed sinc low-passed at the lower Nyquist.
    private static short[] SincResample(short[] input, int inRate, int outRate)
    {
        const int HalfTaps = 16;
        var ratio = (double)outRate / inRate;
        var cutoff = Math.Min(1.0, ratio); // relative to the input Nyquist
        var output = new short[(int)((long)input.Length * outRate / inRate)];
        for (var n = 0; n < output.Length; n++)
        {
            var centre = n / ratio;
            var left = (int)Math.Floor(centre) - (int)Math.Ceiling(HalfTaps / cutoff) + 1;
            var right = (int)Math.Floor(centre) + (int)Math.Ceiling(HalfTaps / cutoff);
            double sum = 0;
            for (var k = Math.Max(0, left); k <= Math.Min(input.Length - 1, right); k++)
            {
                var x = (k - centre) * cutoff;
                var window = x / HalfTaps;
                if (Math.Abs(window) >= 1)
                {
                    continue;
                }

                var sinc = x == 0 ? 1.0 : Math.Sin(Math.PI * x) / (Math.PI * x);
                var blackman = 0.42 + (0.5 * Math.Cos(Math.PI * window)) + (0.08 * Math.Cos(2 * Math.PI * window));
                sum += input[k] * sinc * blackman * cutoff;
            }

            output[n] = (short)Math.Clamp(Math.Round(sum), short.MinValue, short.MaxValue);
        }

        return output;
    }
}
