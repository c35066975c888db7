using System.Buffers;
using Switchboard.Audio;
using Switchboard.LocalAgent.Replies;

namespace Switchboard.LocalAgent;

/// <summary>
/// The input audio buffer of one session: decodes appended audio to PCM at the input rate, runs the
/// energy VAD in 10 ms steps, and keeps enough PCM to cut out the caller's turn (prefix padding included,
/// capped at the maximum turn length). Buffers are pooled and reused, so appends do not allocate.
/// Not thread-safe: only the session's receive loop uses it.
/// </summary>
internal sealed class LocalInputPipeline : IDisposable
{
    // Audio kept before speech is detected: covers prefix padding and the VAD's detection delay.
    private const int KeepBeforeSpeechMs = 3000;

    private readonly int _rate;
    private readonly int _maxTurnSamples;
    private readonly double _vadThresholdDbfs;
    private readonly int _minSpeechMs;
    private readonly long _timelineOffsetMs;
    private readonly int _keepSamples;

    private short[] _buffer;
    private long _bufferStart;
    private int _count;
    private long _total;

    private short[] _decoded = ArrayPool<short>.Shared.Rent(4096);
    private bool _hasCarry;
    private byte _carry;

    // Set when speech stops, cleared when the session takes the turn: until then the turn's audio must stay.
    private bool _turnPending;

    private EnergyVad? _vad;
    private int _vadSilenceMs;
    private long _vadOrigin;

    public LocalInputPipeline(AudioFormat format, int maxTurnMs, double vadThresholdDbfs, int minSpeechMs, long timelineOffsetMs)
    {
        Format = format;
        _rate = format.SampleRate;
        _maxTurnSamples = (int)((long)_rate * maxTurnMs / 1000);
        _keepSamples = _rate * KeepBeforeSpeechMs / 1000;
        _vadThresholdDbfs = vadThresholdDbfs;
        _minSpeechMs = minSpeechMs;
        _timelineOffsetMs = timelineOffsetMs;
        _buffer = ArrayPool<short>.Shared.Rent(_maxTurnSamples + _keepSamples);
    }

    public AudioFormat Format { get; }

    /// <summary>Milliseconds of input audio received since the session began (across format changes).</summary>
    public long TimelineMs => _timelineOffsetMs + SamplesToMs(_total);

    /// <summary>Milliseconds of audio currently held (what a commit would take).</summary>
    public double BufferedMs => _count * 1000.0 / _rate;

    public bool VadEnabled => _vad is not null;

    public bool InSpeech => _vad?.InSpeech == true;

    /// <summary>Turns the VAD on (or retunes it) with a silence duration, or off with null.</summary>
    public void ConfigureVad(int? silenceMs)
    {
        if (silenceMs is null)
        {
            _vad = null;
            return;
        }

        if (_vad is not null && _vadSilenceMs == silenceMs.Value)
        {
            return;
        }

        // Prefix padding is applied by the session, so the VAD reports the real onset.
        _vad = new EnergyVad(_rate, new EnergyVadOptions(_vadThresholdDbfs, _minSpeechMs, silenceMs.Value, PrefixPaddingMs: 0));
        _vadSilenceMs = silenceMs.Value;
        _vadOrigin = _total;
    }

    /// <summary>Decodes and stores <paramref name="encoded"/>; VAD transitions are added to <paramref name="events"/>.</summary>
    public void Append(ReadOnlySpan<byte> encoded, List<LocalVadEvent> events)
    {
        var bytesPerSample = Format.BytesPerSample;
        var sampleCount = (encoded.Length + (_hasCarry ? 1 : 0)) / bytesPerSample;
        if (_decoded.Length < sampleCount)
        {
            ArrayPool<short>.Shared.Return(_decoded);
            _decoded = ArrayPool<short>.Shared.Rent(sampleCount);
        }

        var pcm = _decoded.AsSpan(0, sampleCount);
        var offset = 0;
        if (bytesPerSample == 2)
        {
            // A 16-bit sample may straddle two appends.
            if (_hasCarry && encoded.Length > 0)
            {
                Span<byte> pair = [_carry, encoded[0]];
                LocalAudioRenderer.Decode(pair, Format.Encoding, pcm[..1]);
                offset = 1;
                encoded = encoded[1..];
                _hasCarry = false;
            }

            if ((encoded.Length & 1) == 1)
            {
                _carry = encoded[^1];
                _hasCarry = true;
                encoded = encoded[..^1];
            }
        }

        LocalAudioRenderer.Decode(encoded, Format.Encoding, pcm[offset..]);

        var window = Math.Max(1, _rate / 100);
        for (var start = 0; start < pcm.Length; start += window)
        {
            var slice = pcm.Slice(start, Math.Min(window, pcm.Length - start));
            Store(slice);
            if (_vad is null)
            {
                continue;
            }

            var transition = _vad.Process(slice);
            if (transition == VadTransition.SpeechStarted)
            {
                events.Add(new LocalVadEvent(transition, VadMs(_vad.SpeechStartMs), 0));
            }
            else if (transition == VadTransition.SpeechStopped)
            {
                _turnPending = true;
                events.Add(new LocalVadEvent(transition, VadMs(_vad.SpeechStartMs), VadMs(_vad.SpeechEndMs)));
            }
        }
    }

    /// <summary>
    /// Cuts out the audio between two timeline points (capped at the maximum turn length) and drops
    /// everything before <paramref name="endMs"/> from the buffer.
    /// </summary>
    public short[] TakeTurn(long startMs, long endMs)
    {
        var first = Math.Max(MsToSample(startMs), _bufferStart);
        var last = Math.Min(MsToSample(endMs), _bufferStart + _count);
        last = Math.Min(last, first + _maxTurnSamples);
        var samples = last > first ? _buffer.AsSpan((int)(first - _bufferStart), (int)(last - first)).ToArray() : [];
        _turnPending = false;
        DropBefore(Math.Max(last, MsToSample(endMs)));
        return samples;
    }

    /// <summary>Takes everything held (a manual commit) and ends any speech in progress.</summary>
    public short[] TakeAll()
    {
        var samples = _buffer.AsSpan(0, Math.Min(_count, _maxTurnSamples)).ToArray();
        Clear();
        return samples;
    }

    /// <summary>Drops the held audio and any speech in progress (<c>input_audio_buffer.clear</c>).</summary>
    public void Clear()
    {
        _bufferStart = _total;
        _count = 0;
        _turnPending = false;
        if (_vad is not null)
        {
            _vad.Reset();
            _vadOrigin = _total;
        }
    }

    public void Dispose()
    {
        ArrayPool<short>.Shared.Return(_buffer);
        ArrayPool<short>.Shared.Return(_decoded);
        _buffer = [];
        _decoded = [];
    }

    private void Store(ReadOnlySpan<short> pcm)
    {
        // While a turn is being collected (manual mode, or speech in progress), its start must stay:
        // audio past the buffer's end is dropped. Otherwise old audio makes room for new.
        var holding = _vad is null || _vad.InSpeech || _turnPending;
        if (_bufferStart + _count != _total)
        {
            // An earlier overflow dropped audio; the buffer is only contiguous again after a restart.
            if (holding)
            {
                _total += pcm.Length;
                return;
            }

            _bufferStart = _total;
            _count = 0;
        }

        if (_count + pcm.Length > _buffer.Length && !holding)
        {
            var keep = Math.Min(_count, _keepSamples);
            _buffer.AsSpan(_count - keep, keep).CopyTo(_buffer);
            _bufferStart += _count - keep;
            _count = keep;
        }

        var copy = Math.Min(pcm.Length, _buffer.Length - _count);
        pcm[..copy].CopyTo(_buffer.AsSpan(_count));
        _count += copy;
        _total += pcm.Length;
    }

    private void DropBefore(long sample)
    {
        var drop = (int)Math.Clamp(sample - _bufferStart, 0, _count);
        if (drop == 0)
        {
            return;
        }

        _buffer.AsSpan(drop, _count - drop).CopyTo(_buffer);
        _count -= drop;
        _bufferStart += drop;
    }

    private long VadMs(long vadMs) => _timelineOffsetMs + SamplesToMs(_vadOrigin) + vadMs;

    private long MsToSample(long timelineMs) => (timelineMs - _timelineOffsetMs) * _rate / 1000;

    private long SamplesToMs(long samples) => samples * 1000 / _rate;
}
