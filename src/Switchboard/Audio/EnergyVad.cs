namespace Switchboard.Audio;

/// <summary>
/// A small energy-based voice activity detector for 16-bit mono PCM.
/// </summary>
/// <remarks>
/// Audio is cut into consecutive 10 ms windows (partial windows carry over between calls). A window is
/// loud when its RMS level is at or above <see cref="EnergyVadOptions.ThresholdDbfs"/>.
/// <list type="bullet">
/// <item>Speech starts once loud windows have run for <see cref="EnergyVadOptions.MinSpeechMs"/> without a quiet
/// window in between; <see cref="SpeechStartMs"/> is then the start of the first of those windows minus
/// <see cref="EnergyVadOptions.PrefixPaddingMs"/>, clamped at 0.</item>
/// <item>Speech stops once quiet windows have run for <see cref="EnergyVadOptions.SilenceMs"/>; a single loud window
/// restarts that count. <see cref="SpeechEndMs"/> is the end of the last loud window.</item>
/// </list>
/// The two run lengths form the hysteresis; there is a single level threshold. Times are audio time derived
/// from the sample count, not wall-clock time. Not thread-safe; use one instance per stream.
/// </remarks>
internal sealed class EnergyVad
{
    private readonly int _sampleRate;
    private readonly int _windowSamples;
    private readonly double _thresholdSumOfSquares;
    private readonly long _minSpeechSamples;
    private readonly long _silenceSamples;
    private readonly long _prefixSamples;

    private long _processedSamples;
    private long _windowSumOfSquares;
    private int _windowFill;
    private long _loudRunStart = -1;
    private long _lastLoudEnd;
    private long _quietRun;

    /// <summary>Creates a detector for audio at <paramref name="sampleRate"/> Hz (at least 100).</summary>
    public EnergyVad(int sampleRate, EnergyVadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(sampleRate, 100);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MinSpeechMs, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.SilenceMs, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(options.PrefixPaddingMs, nameof(options));

        _sampleRate = sampleRate;
        _windowSamples = sampleRate / 100;

        // Compare sums of squares instead of taking a log per window.
        var thresholdRms = 32768.0 * Math.Pow(10, options.ThresholdDbfs / 20);
        _thresholdSumOfSquares = thresholdRms * thresholdRms * _windowSamples;
        _minSpeechSamples = MsToSamples(options.MinSpeechMs);
        _silenceSamples = MsToSamples(options.SilenceMs);
        _prefixSamples = MsToSamples(options.PrefixPaddingMs);
    }

    /// <summary>True between <see cref="VadTransition.SpeechStarted"/> and <see cref="VadTransition.SpeechStopped"/>.</summary>
    public bool InSpeech { get; private set; }

    /// <summary>Audio time consumed so far, in milliseconds.</summary>
    public long ProcessedMs => SamplesToMs(_processedSamples);

    /// <summary>Start of the current or last speech segment minus the prefix padding, clamped at 0 (like OpenAI <c>audio_start_ms</c>).</summary>
    public long SpeechStartMs { get; private set; }

    /// <summary>End of the last loud window of the last finished speech segment (like OpenAI <c>audio_end_ms</c>).</summary>
    public long SpeechEndMs { get; private set; }

    /// <summary>Feeds samples of any length and returns the last transition they caused, or <see cref="VadTransition.None"/>.</summary>
    public VadTransition Process(ReadOnlySpan<short> samples)
    {
        var result = VadTransition.None;
        foreach (var s in samples)
        {
            _windowSumOfSquares += s * s;
            _processedSamples++;
            if (++_windowFill == _windowSamples)
            {
                var transition = CloseWindow(_windowSumOfSquares >= _thresholdSumOfSquares);
                if (transition != VadTransition.None)
                {
                    result = transition;
                }

                _windowSumOfSquares = 0;
                _windowFill = 0;
            }
        }

        return result;
    }

    /// <summary>Returns to the initial state: no speech, nothing processed.</summary>
    public void Reset()
    {
        InSpeech = false;
        SpeechStartMs = 0;
        SpeechEndMs = 0;
        _processedSamples = 0;
        _windowSumOfSquares = 0;
        _windowFill = 0;
        _loudRunStart = -1;
        _lastLoudEnd = 0;
        _quietRun = 0;
    }

    private VadTransition CloseWindow(bool loud)
    {
        var windowEnd = _processedSamples;
        if (loud)
        {
            if (_loudRunStart < 0)
            {
                _loudRunStart = windowEnd - _windowSamples;
            }

            _lastLoudEnd = windowEnd;
            _quietRun = 0;
            if (!InSpeech && windowEnd - _loudRunStart >= _minSpeechSamples)
            {
                InSpeech = true;
                SpeechStartMs = SamplesToMs(Math.Max(0, _loudRunStart - _prefixSamples));
                return VadTransition.SpeechStarted;
            }

            return VadTransition.None;
        }

        _loudRunStart = -1;
        _quietRun += _windowSamples;
        if (InSpeech && _quietRun >= _silenceSamples)
        {
            InSpeech = false;
            SpeechEndMs = SamplesToMs(_lastLoudEnd);
            return VadTransition.SpeechStopped;
        }

        return VadTransition.None;
    }

    private long MsToSamples(int ms) => (long)ms * _sampleRate / 1000;

    private long SamplesToMs(long samples) => samples * 1000 / _sampleRate;
}
