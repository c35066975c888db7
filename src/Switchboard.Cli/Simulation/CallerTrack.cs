namespace Switchboard.Cli.Simulation;

/// <summary>
/// Everything the simulated caller says, laid out on the call timeline at the stream's sample rate:
/// the caller clip after the lead-in, and each barge-in clip at its offset (mixed if they overlap).
/// Frames with no clip in them are sent as the codec's silence byte, like a real carrier's comfort silence.
/// </summary>
internal sealed class CallerTrack
{
    private readonly StreamFormat _format;
    private readonly short[] _samples;
    private readonly bool[] _hasAudio;

    private CallerTrack(StreamFormat format, short[] samples, bool[] hasAudio, IReadOnlyList<CallerSpeechSegment> segments, int frameCount)
    {
        _format = format;
        _samples = samples;
        _hasAudio = hasAudio;
        Segments = segments;
        FrameCount = frameCount;
    }

    /// <summary>Speech segments in start order.</summary>
    public IReadOnlyList<CallerSpeechSegment> Segments { get; }

    /// <summary>How many 20 ms frames the call lasts (speech plus tail).</summary>
    public int FrameCount { get; }

    /// <summary>Length of the call in milliseconds.</summary>
    public double DurationMs => FrameCount * (double)StreamFormat.FrameMs;

    /// <summary>
    /// Lays out the clips (already at the stream rate). The call lasts until the last speech or DTMF plus
    /// <paramref name="tailMs"/>.
    /// </summary>
    public static CallerTrack Build(
        StreamFormat format, short[] caller, double leadInMs, short[] bargeIn, IReadOnlyList<double> bargeInAtMs, double tailMs, double lastDtmfMs)
    {
        var rate = format.SampleRate;
        var clips = new List<(short[] Clip, double AtMs, bool IsBargeIn)> { (caller, leadInMs, false) };
        clips.AddRange(bargeInAtMs.Order().Select(at => (bargeIn, at, true)));

        var lastMs = Math.Max(lastDtmfMs, clips.Max(c => c.AtMs + (c.Clip.Length * 1000.0 / rate)));
        var frameCount = (int)Math.Ceiling((lastMs + tailMs) / StreamFormat.FrameMs);
        var samples = new short[frameCount * format.SamplesPerFrame];
        var hasAudio = new bool[frameCount];
        var segments = new List<CallerSpeechSegment>();
        var bargeIns = 0;

        foreach (var (clip, atMs, isBargeIn) in clips)
        {
            var offset = (int)Math.Round(atMs * rate / 1000);
            var length = Math.Min(clip.Length, samples.Length - offset);
            for (var i = 0; i < length; i++)
            {
                samples[offset + i] = (short)Math.Clamp(samples[offset + i] + clip[i], short.MinValue, short.MaxValue);
            }

            for (var frame = offset / format.SamplesPerFrame; frame * format.SamplesPerFrame < offset + length; frame++)
            {
                hasAudio[frame] = true;
            }

            var (speechStart, speechEnd) = SimulationAudio.SpeechBounds(clip, rate);
            segments.Add(new CallerSpeechSegment(
                isBargeIn ? ++bargeIns : 1, isBargeIn, (offset + speechStart) * 1000.0 / rate, (offset + speechEnd) * 1000.0 / rate));
        }

        return new CallerTrack(format, samples, hasAudio, [.. segments.OrderBy(s => s.StartMs)], frameCount);
    }

    /// <summary>Encodes frame <paramref name="index"/> into <paramref name="destination"/> (<see cref="StreamFormat.BytesPerFrame"/> bytes).</summary>
    public void EncodeFrame(int index, Span<byte> destination)
    {
        destination = destination[.._format.BytesPerFrame];
        if (!_hasAudio[index])
        {
            destination.Fill(_format.SilenceByte);
            return;
        }

        _format.Encode(_samples.AsSpan(index * _format.SamplesPerFrame, _format.SamplesPerFrame), destination);
    }
}
