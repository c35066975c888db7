namespace Switchboard.Audio;

/// <summary>Synthetic test and prompt sounds (tones, a chime, silence) as 16-bit mono PCM.</summary>
internal static class ToneGenerator
{
    private const int FadeMs = 5;

    /// <summary>
    /// A sine tone whose peak is <paramref name="amplitudeDbfs"/> relative to full scale, with 5 ms raised-cosine
    /// fades at both ends so it starts and stops without a click.
    /// </summary>
    public static short[] Tone(int sampleRate, double frequencyHz, int durationMs, double amplitudeDbfs = -12)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        ArgumentOutOfRangeException.ThrowIfNegative(durationMs);

        var samples = new short[(int)((long)sampleRate * durationMs / 1000)];
        var peak = 32767 * Math.Pow(10, amplitudeDbfs / 20);
        var fade = Math.Min(sampleRate * FadeMs / 1000, samples.Length / 2);
        var step = 2 * Math.PI * frequencyHz / sampleRate;
        for (var n = 0; n < samples.Length; n++)
        {
            var gain = 1.0;
            var fromEdge = Math.Min(n, samples.Length - 1 - n);
            if (fromEdge < fade)
            {
                gain = 0.5 - (0.5 * Math.Cos(Math.PI * fromEdge / fade));
            }

            var value = Math.Round(peak * gain * Math.Sin(step * n));
            samples[n] = (short)Math.Clamp(value, short.MinValue, short.MaxValue);
        }

        return samples;
    }

    /// <summary>A 400 ms two-note chime, 660 Hz then 880 Hz, each note 200 ms at -12 dBFS.</summary>
    public static short[] Chime(int sampleRate)
    {
        var low = Tone(sampleRate, 660, 200);
        var high = Tone(sampleRate, 880, 200);
        var chime = new short[low.Length + high.Length];
        low.CopyTo(chime, 0);
        high.CopyTo(chime, low.Length);
        return chime;
    }

    /// <summary>Fills <paramref name="dst"/> with digital silence.</summary>
    public static void Silence(Span<short> dst) => dst.Clear();
}
