using Switchboard.Audio;
using Switchboard.LocalAgent;

namespace Switchboard.Tests.LocalAgent;

public sealed class LocalInputPipelineTests
{
    [Fact]
    public void Append_ToneBetweenSilences_ReportsOnsetAndEndAndCutsTheTurn()
    {
        using var pipeline = new LocalInputPipeline(AudioFormat.MuLaw8k, 30_000, -40, 60, timelineOffsetMs: 0);
        pipeline.ConfigureVad(500);
        var events = new List<LocalVadEvent>();
        var audio = MuLaw(SilenceToneSilence(8000, 500, 1000, 1000));

        for (var offset = 0; offset < audio.Length; offset += 160)
        {
            pipeline.Append(audio.AsSpan(offset, 160), events);
        }

        Assert.Equal(2, events.Count);
        Assert.Equal(VadTransition.SpeechStarted, events[0].Transition);
        Assert.Equal(500, events[0].OnsetMs);
        Assert.Equal(VadTransition.SpeechStopped, events[1].Transition);
        Assert.Equal(500, events[1].OnsetMs);
        Assert.Equal(1500, events[1].EndMs);
        Assert.Equal(2500, pipeline.TimelineMs);

        var turn = pipeline.TakeTurn(200, 1500);
        Assert.Equal(8 * 1300, turn.Length);
    }

    [Fact]
    public void Append_Pcm16OddByteCounts_KeepsSamplesAligned()
    {
        using var pipeline = new LocalInputPipeline(AudioFormat.Pcm24k, 30_000, -40, 60, timelineOffsetMs: 1000);
        var samples = ToneGenerator.Tone(24000, 440, 100);
        var bytes = new byte[samples.Length * 2];
        Pcm16.ToLittleEndian(samples, bytes);
        var events = new List<LocalVadEvent>();

        // Split at odd offsets so samples straddle appends.
        pipeline.Append(bytes.AsSpan(0, 1001), events);
        pipeline.Append(bytes.AsSpan(1001, 2999), events);
        pipeline.Append(bytes.AsSpan(4000), events);

        Assert.Equal(1100, pipeline.TimelineMs);
        var all = pipeline.TakeAll();
        Assert.Equal(samples, all);
        Assert.Equal(0, pipeline.BufferedMs);
    }

    [Fact]
    public void ManualMode_CapsTheBufferAtMaxTurn()
    {
        using var pipeline = new LocalInputPipeline(AudioFormat.MuLaw8k, 1000, -40, 60, timelineOffsetMs: 0);
        pipeline.ConfigureVad(null);
        var events = new List<LocalVadEvent>();
        pipeline.Append(new byte[8 * 3000], events);

        Assert.Empty(events);
        Assert.Equal(3000, pipeline.TimelineMs);
        Assert.Equal(8 * 1000, pipeline.TakeAll().Length);
    }

    [Fact]
    public void Clear_DropsSpeechInProgress()
    {
        using var pipeline = new LocalInputPipeline(AudioFormat.MuLaw8k, 30_000, -40, 60, timelineOffsetMs: 0);
        pipeline.ConfigureVad(500);
        var events = new List<LocalVadEvent>();
        pipeline.Append(MuLaw(ToneGenerator.Tone(8000, 440, 300)), events);
        Assert.True(pipeline.InSpeech);

        pipeline.Clear();

        Assert.False(pipeline.InSpeech);
        Assert.Equal(0, pipeline.BufferedMs);
    }

    private static short[] SilenceToneSilence(int rate, int leadMs, int toneMs, int tailMs)
    {
        var pcm = new short[rate / 1000 * (leadMs + toneMs + tailMs)];
        ToneGenerator.Tone(rate, 440, toneMs).CopyTo(pcm, rate / 1000 * leadMs);
        return pcm;
    }

    private static byte[] MuLaw(short[] pcm)
    {
        var bytes = new byte[pcm.Length];
        G711.PcmToMuLaw(pcm, bytes);
        return bytes;
    }
}
