using Switchboard.Audio;

namespace Switchboard.IntegrationTests.LocalBackend;

/// <summary>Synthetic caller audio for the tests.</summary>
internal static class TestAudio
{
    /// <summary>μ-law 8 kHz: <paramref name="leadMs"/> silence, a tone, then <paramref name="tailMs"/> silence.</summary>
    public static (byte[] MuLaw, short[] Pcm) SilenceToneSilence(int leadMs, int toneMs, int tailMs, double hz = 440)
    {
        var pcm = new short[8 * (leadMs + toneMs + tailMs)];
        ToneGenerator.Tone(8000, hz, toneMs).CopyTo(pcm, 8 * leadMs);
        var mulaw = new byte[pcm.Length];
        G711.PcmToMuLaw(pcm, mulaw);
        return (mulaw, pcm);
    }

    public static short[] DecodeMuLaw(byte[] mulaw)
    {
        var pcm = new short[mulaw.Length];
        G711.MuLawToPcm(mulaw, pcm);
        return pcm;
    }

    public static short[] DecodePcm16(byte[] bytes)
    {
        var pcm = new short[bytes.Length / 2];
        Pcm16.FromLittleEndian(bytes, pcm);
        return pcm;
    }

    /// <summary>Normalized cross-correlation of two equally long signals (1 = identical shape).</summary>
    public static double Correlation(ReadOnlySpan<short> a, ReadOnlySpan<short> b)
    {
        double ab = 0, aa = 0, bb = 0;
        var n = Math.Min(a.Length, b.Length);
        for (var i = 0; i < n; i++)
        {
            ab += (double)a[i] * b[i];
            aa += (double)a[i] * a[i];
            bb += (double)b[i] * b[i];
        }

        return aa == 0 || bb == 0 ? 0 : ab / Math.Sqrt(aa * bb);
    }

    /// <summary>Share of the signal's energy at <paramref name="hz"/> (Goertzel power against total power).</summary>
    public static double ToneShare(ReadOnlySpan<short> samples, int rate, double hz)
    {
        var w = 2 * Math.PI * hz / rate;
        var coefficient = 2 * Math.Cos(w);
        double s1 = 0, s2 = 0, energy = 0;
        foreach (var sample in samples)
        {
            var s0 = sample + (coefficient * s1) - s2;
            s2 = s1;
            s1 = s0;
            energy += (double)sample * sample;
        }

        var power = (s1 * s1) + (s2 * s2) - (coefficient * s1 * s2);
        return energy == 0 ? 0 : 2 * power / (samples.Length * energy);
    }
}
