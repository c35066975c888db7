using Switchboard.Audio;

namespace Switchboard.Tests.Audio;

public sealed class EnergyVadTests
{
    private static readonly EnergyVadOptions Defaults = new();

    [Fact]
    public void Process_Silence_NoTransition()
    {
        var vad = new EnergyVad(8000, Defaults);
        var events = Feed(vad, new short[16000], 160);
        Assert.Empty(events);
        Assert.False(vad.InSpeech);
        Assert.Equal(2000, vad.ProcessedMs);
    }

    [Fact]
    public void Process_QuietNoiseBelowThreshold_NoTransition()
    {
        // About -50 dBFS RMS: under the -40 dBFS default.
        var vad = new EnergyVad(8000, Defaults);
        Assert.Empty(Feed(vad, Signal.Noise(16000, seed: 1, amplitude: 180), 160));
    }

    [Theory]
    [InlineData(8000)]
    [InlineData(16000)]
    [InlineData(24000)]
    public void Process_ToneBurstAfterHalfSecond_StartsAndStopsAtExpectedTimes(int sampleRate)
    {
        var audio = Concat(new short[sampleRate / 2], ToneGenerator.Tone(sampleRate, 1000, 1000), new short[sampleRate]);
        var vad = new EnergyVad(sampleRate, Defaults);

        var events = Feed(vad, audio, sampleRate / 50);

        Assert.Equal(2, events.Count);
        Assert.Equal(VadTransition.SpeechStarted, events[0].Transition);
        Assert.InRange(events[0].AtMs, 560, 580);           // 500 ms + MinSpeechMs, rounded up to a 20 ms frame
        Assert.Equal(200, events[0].StartMs);               // 500 - PrefixPaddingMs
        Assert.Equal(VadTransition.SpeechStopped, events[1].Transition);
        Assert.InRange(events[1].AtMs, 2000, 2020);         // 1500 ms + SilenceMs
        Assert.InRange(vad.SpeechEndMs, 1490, 1500);
        Assert.Equal(200, vad.SpeechStartMs);
        Assert.False(vad.InSpeech);
    }

    [Fact]
    public void Process_SpeechNearStart_SpeechStartClampedAtZero()
    {
        var audio = Concat(new short[800], ToneGenerator.Tone(8000, 500, 400), new short[8000]);
        var vad = new EnergyVad(8000, Defaults);
        var events = Feed(vad, audio, 160);
        Assert.Equal(VadTransition.SpeechStarted, events[0].Transition);
        Assert.Equal(0, events[0].StartMs);
    }

    [Fact]
    public void Process_ClickShorterThanMinSpeech_Ignored()
    {
        var audio = Concat(new short[4000], ToneGenerator.Tone(8000, 1000, 40, amplitudeDbfs: -6), new short[8000]);
        var vad = new EnergyVad(8000, Defaults);
        Assert.Empty(Feed(vad, audio, 160));
        Assert.False(vad.InSpeech);
    }

    [Fact]
    public void Process_PauseShorterThanSilenceMs_KeepsSpeech()
    {
        var tone = ToneGenerator.Tone(8000, 800, 300);
        var audio = Concat(new short[4000], tone, new short[8000 * 3 / 10], tone, new short[8000]);
        var vad = new EnergyVad(8000, Defaults);
        var events = Feed(vad, audio, 160);
        Assert.Equal([VadTransition.SpeechStarted, VadTransition.SpeechStopped], events.Select(e => e.Transition));
        Assert.InRange(vad.SpeechEndMs, 1390, 1400); // 500 + 300 + 300 + 300
    }

    [Fact]
    public void Process_SampleBySampleOrWhole_SameResult()
    {
        var audio = Concat(new short[4000], ToneGenerator.Tone(8000, 1000, 1000), new short[8000]);
        var bySample = new EnergyVad(8000, Defaults);
        var bySampleEvents = Feed(bySample, audio, 1);
        var whole = new EnergyVad(8000, Defaults);

        // All in one call: both transitions happen inside it and the last one is reported.
        Assert.Equal(VadTransition.SpeechStopped, whole.Process(audio));
        Assert.Equal(2, bySampleEvents.Count);
        Assert.Equal(bySample.SpeechStartMs, whole.SpeechStartMs);
        Assert.Equal(bySample.SpeechEndMs, whole.SpeechEndMs);
        Assert.Equal(bySample.ProcessedMs, whole.ProcessedMs);
    }

    [Fact]
    public void Process_CustomThreshold_LoudnessDecides()
    {
        var quietTone = ToneGenerator.Tone(8000, 1000, 500, amplitudeDbfs: -35); // about -38 dBFS RMS
        Assert.Equal(VadTransition.SpeechStarted, new EnergyVad(8000, Defaults).Process(quietTone));
        Assert.Equal(VadTransition.None, new EnergyVad(8000, Defaults with { ThresholdDbfs = -30 }).Process(quietTone));
    }

    [Fact]
    public void Reset_InSpeech_ReturnsToInitialState()
    {
        var vad = new EnergyVad(8000, Defaults);
        vad.Process(ToneGenerator.Tone(8000, 1000, 500));
        Assert.True(vad.InSpeech);

        vad.Reset();

        Assert.False(vad.InSpeech);
        Assert.Equal(0, vad.ProcessedMs);
        Assert.Equal(VadTransition.None, vad.Process(new short[800]));
    }

    [Fact]
    public void Process_AfterWarmUp_AllocatesNothing()
    {
        var vad = new EnergyVad(8000, Defaults);
        var frame = Signal.Noise(160, seed: 2);

        Assert.Equal(0, SteadyStateAllocations.Measure(() => vad.Process(frame)));
    }

    private static List<(VadTransition Transition, long AtMs, long StartMs)> Feed(EnergyVad vad, short[] audio, int frame)
    {
        var events = new List<(VadTransition, long, long)>();
        for (var offset = 0; offset < audio.Length; offset += frame)
        {
            var transition = vad.Process(audio.AsSpan(offset, Math.Min(frame, audio.Length - offset)));
            if (transition != VadTransition.None)
            {
                events.Add((transition, vad.ProcessedMs, vad.SpeechStartMs));
            }
        }

        return events;
    }

    private static short[] Concat(params short[][] parts) => [.. parts.SelectMany(p => p)];
}
