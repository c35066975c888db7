using Switchboard.Audio;

namespace Switchboard.IntegrationTests.Simulation;

/// <summary>Audio for simulator tests: plain tones, loud enough to count as speech.</summary>
internal static class TestAudio
{
    public static WavAudio Tone(int ms, double hz = 1000, int rate = 8000) => new(ToneGenerator.Tone(rate, hz, ms, -12), rate);

    public static byte[] MuLawTone(int ms, double hz = 440)
    {
        var pcm = ToneGenerator.Tone(8000, hz, ms, -12);
        var encoded = new byte[pcm.Length];
        G711.PcmToMuLaw(pcm, encoded);
        return encoded;
    }

    /// <summary>True when a μ-law frame carries anything but silence.</summary>
    public static bool IsSpeech(byte[] mulaw) => mulaw.Any(b => b != G711.MuLawSilence);

    /// <summary>RMS level of the 8 kHz <paramref name="samples"/> between two call times.</summary>
    public static double LevelDbfs(short[] samples, double fromMs, double toMs)
    {
        var from = Math.Clamp((int)(fromMs * 8), 0, samples.Length);
        var to = Math.Clamp((int)(toMs * 8), from, samples.Length);
        return Pcm16.RmsDbfs(samples.AsSpan(from, to - from));
    }
}
