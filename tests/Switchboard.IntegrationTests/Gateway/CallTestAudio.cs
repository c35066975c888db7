using Switchboard.Audio;
using Switchboard.Cli.Simulation;

namespace Switchboard.IntegrationTests.Gateway;

internal static class CallTestAudio
{
    /// <summary>1.5 s of speech-like test signal at 8 kHz (the simulator's generator; the local VAD is energy based).</summary>
    public static WavAudio Speech(int ms = 1500) => new(SimulationAudio.TestSpeech(8000, ms), 8000);

    public static double RmsDbfs(ReadOnlySpan<short> samples) => Pcm16.RmsDbfs(samples);

    /// <summary>Milliseconds of <paramref name="samples"/> (8 kHz) louder than -45 dBFS, in 20 ms windows.</summary>
    public static int LoudMs(short[] samples)
    {
        var loud = 0;
        for (var i = 0; i + 160 <= samples.Length; i += 160)
        {
            if (Pcm16.RmsDbfs(samples.AsSpan(i, 160)) > -45)
            {
                loud += 20;
            }
        }

        return loud;
    }
}
