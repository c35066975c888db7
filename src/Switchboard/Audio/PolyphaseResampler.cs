using System.Collections.Concurrent;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Switchboard.Audio;

/// <summary>
/// Streaming rational-ratio resampler (L/M reduced) between 8, 16 and 24 kHz, built as a polyphase
/// Kaiser-windowed-sinc FIR. The low-pass sits at the lower of the two Nyquist frequencies: pass band up to
/// 85 % of it (3.4 kHz for 8 kHz), stop band from the Nyquist frequency itself with at least 60 dB
/// attenuation by design. Filter history is kept across calls, so feeding 20 ms frames gives exactly the
/// same samples as one call over the whole signal. The filter adds a fixed, uncompensated latency of
/// half its length: about 3.4 ms for 8 kHz pairs, 1.7 ms for 16 ↔ 24 kHz. Not thread-safe; use one
/// instance per stream.
/// </summary>
internal sealed class PolyphaseResampler
{
    // Design targets: 60 dB plus margin for the Kaiser formula's optimism at short lengths.
    private const double StopBandAttenuationDb = 65;
    private const double PassBandFraction = 0.85;

    // Input is converted to float in blocks of this size so the work buffer is fixed at construction.
    private const int BlockSize = 2048;

    private readonly int _up;
    private readonly int _down;
    private readonly int _tapsPerPhase;

    // _phases[p] holds phase p's taps reversed, so an output is a plain dot product with
    // the _tapsPerPhase most recent input samples in time order.
    private static readonly ConcurrentDictionary<(int Input, int Output), (float[][] Phases, int TapsPerPhase)> Filters = new();

    private readonly float[][] _phases;

    // Layout: [_tapsPerPhase - 1 samples of history][up to BlockSize new samples].
    private readonly float[] _work;

    // Position of the next output sample in units of 1/_up input samples, relative to the
    // first sample of the block about to be processed. Always in [0, _down) between calls.
    private int _time;

    /// <summary>Creates a resampler for any pair of 8000, 16000 and 24000 Hz (equal rates copy).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A rate is not 8000, 16000 or 24000.</exception>
    public PolyphaseResampler(int inputRate, int outputRate)
    {
        ValidateRate(inputRate, nameof(inputRate));
        ValidateRate(outputRate, nameof(outputRate));
        InputRate = inputRate;
        OutputRate = outputRate;

        var gcd = Gcd(inputRate, outputRate);
        _up = outputRate / gcd;
        _down = inputRate / gcd;

        if (inputRate == outputRate)
        {
            _tapsPerPhase = 1;
            _phases = [[1f]];
            _work = [];
            return;
        }

        // The filter depends only on the rate pair and is never written after design: every resampler of a
        // pair shares one (a call used to design and hold its own ~3-9 KiB of taps per direction).
        (_phases, _tapsPerPhase) = Filters.GetOrAdd((inputRate, outputRate), static rates => DesignFilter(rates.Input, rates.Output));
        _work = new float[_tapsPerPhase - 1 + BlockSize];
    }

    /// <summary>Input sample rate in Hz.</summary>
    public int InputRate { get; }

    /// <summary>Output sample rate in Hz.</summary>
    public int OutputRate { get; }

    /// <summary>Upper bound on the samples <see cref="Process"/> writes for <paramref name="inputLength"/> input samples.</summary>
    public int MaxOutputLength(int inputLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputLength);
        return (int)((((long)inputLength * _up) + _down - 1) / _down);
    }

    /// <summary>Exact number of samples the next <see cref="Process"/> call writes for <paramref name="inputLength"/> input samples.</summary>
    public int OutputLength(int inputLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputLength);
        var span = ((long)inputLength * _up) - _time;
        return span <= 0 ? 0 : (int)((span + _down - 1) / _down);
    }

    /// <summary>
    /// Resamples <paramref name="input"/> into <paramref name="output"/> and returns the number of samples written.
    /// Over many calls the total output is exactly <c>total input * OutputRate / InputRate</c> (rounded up).
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="output"/> is shorter than <see cref="OutputLength"/>.</exception>
    public int Process(ReadOnlySpan<short> input, Span<short> output)
    {
        var needed = OutputLength(input.Length);
        if (output.Length < needed)
        {
            throw new ArgumentException($"Output holds {output.Length} samples but {needed} will be written.", nameof(output));
        }

        if (_up == _down)
        {
            input.CopyTo(output);
            return input.Length;
        }

        var written = 0;
        while (!input.IsEmpty)
        {
            var block = input.Length > BlockSize ? input[..BlockSize] : input;
            written += ProcessBlock(block, output[written..]);
            input = input[block.Length..];
        }

        return written;
    }

    /// <summary>Forgets the filter history, as if the stream started again (after a gap or a playback clear).</summary>
    public void Reset()
    {
        Array.Clear(_work);
        _time = 0;
    }

    private int ProcessBlock(ReadOnlySpan<short> block, Span<short> output)
    {
        var history = _tapsPerPhase - 1;
        var work = _work.AsSpan(0, history + block.Length);
        for (var i = 0; i < block.Length; i++)
        {
            work[history + i] = block[i];
        }

        var end = block.Length * _up;
        var written = 0;
        var time = _time;
        while (time < end)
        {
            // The output at this time uses input samples i - taps + 1 .. i, which start at work[i].
            var i = time / _up;
            var phase = time - (i * _up);
            output[written++] = ToSample(Dot(_phases[phase], work.Slice(i, _tapsPerPhase)));
            time += _down;
        }

        _time = time - end;

        // Keep the newest history samples for the next block.
        work.Slice(block.Length, history).CopyTo(work);
        return written;
    }

    private static float Dot(ReadOnlySpan<float> taps, ReadOnlySpan<float> samples)
    {
        var sum = 0f;
        var i = 0;
        if (Vector.IsHardwareAccelerated && taps.Length >= Vector<float>.Count)
        {
            var acc = Vector<float>.Zero;
            var t = MemoryMarshal.Cast<float, Vector<float>>(taps);
            for (; i < t.Length; i++)
            {
                // samples is not vector-aligned, so load through the span instead of casting it.
                acc += t[i] * new Vector<float>(samples.Slice(i * Vector<float>.Count, Vector<float>.Count));
            }

            sum = Vector.Sum(acc);
            i *= Vector<float>.Count;
        }

        for (; i < taps.Length; i++)
        {
            sum += taps[i] * samples[i];
        }

        return sum;
    }

    private static short ToSample(float value)
    {
        var rounded = MathF.Round(value);
        return rounded >= short.MaxValue ? short.MaxValue : rounded <= short.MinValue ? short.MinValue : (short)rounded;
    }

    private static double[] DesignLowPass(int length, double cutoff, double beta)
    {
        // Windowed sinc with gain _up overall, so each phase passes DC at unity.
        var taps = new double[length];
        var centre = (length - 1) / 2.0;
        var i0Beta = BesselI0(beta);
        var sum = 0.0;
        for (var n = 0; n < length; n++)
        {
            var x = n - centre;
            var sinc = x == 0 ? 2 * cutoff : Math.Sin(2 * Math.PI * cutoff * x) / (Math.PI * x);
            var r = x / centre;
            var window = BesselI0(beta * Math.Sqrt(Math.Max(0, 1 - (r * r)))) / i0Beta;
            taps[n] = sinc * window;
            sum += taps[n];
        }

        for (var n = 0; n < length; n++)
        {
            taps[n] /= sum;
        }

        return taps;
    }

    private static (float[][] Phases, int TapsPerPhase) DesignFilter(int inputRate, int outputRate)
    {
        var gcd = Gcd(inputRate, outputRate);
        var up = outputRate / gcd;

        // All filtering happens at the intermediate rate inputRate * up.
        var intermediateRate = (double)inputRate * up;
        var nyquist = Math.Min(inputRate, outputRate) / 2.0;
        var passEdge = nyquist * PassBandFraction;
        var transition = (nyquist - passEdge) / intermediateRate;
        var cutoff = (passEdge + nyquist) / 2 / intermediateRate;

        // Kaiser's length estimate, rounded up to a whole number of taps per phase.
        var length = (int)Math.Ceiling(((StopBandAttenuationDb - 7.95) / (14.36 * transition)) + 1);
        var tapsPerPhase = (length + up - 1) / up;
        length = tapsPerPhase * up;

        var prototype = DesignLowPass(length, cutoff, KaiserBeta(StopBandAttenuationDb));

        // Zero taps on the oldest side pad each phase to whole SIMD vectors, so Dot has no scalar tail.
        var vector = Vector.IsHardwareAccelerated ? Vector<float>.Count : 1;
        var paddedTaps = (tapsPerPhase + vector - 1) / vector * vector;
        return (SplitPhases(prototype, up, tapsPerPhase, paddedTaps), paddedTaps);
    }

    private static float[][] SplitPhases(double[] prototype, int up, int tapsPerPhase, int paddedTaps)
    {
        var phases = new float[up][];
        for (var p = 0; p < up; p++)
        {
            phases[p] = new float[paddedTaps];
            for (var k = 0; k < tapsPerPhase; k++)
            {
                // Phase p uses prototype taps p, p + up, p + 2up, ... applied to x[i], x[i-1], ...;
                // reversed so the last index meets the newest sample. Gain up restores the
                // energy lost to zero stuffing.
                phases[p][paddedTaps - 1 - k] = (float)(prototype[p + (k * up)] * up);
            }
        }

        return phases;
    }

    private static double KaiserBeta(double attenuationDb) =>
        attenuationDb > 50 ? 0.1102 * (attenuationDb - 8.7)
        : attenuationDb >= 21 ? (0.5842 * Math.Pow(attenuationDb - 21, 0.4)) + (0.07886 * (attenuationDb - 21))
        : 0;

    // Zeroth-order modified Bessel function of the first kind, by its power series.
    private static double BesselI0(double x)
    {
        var sum = 1.0;
        var term = 1.0;
        var halfX = x / 2;
        for (var k = 1; k < 50; k++)
        {
            term *= halfX / k;
            var squared = term * term;
            sum += squared;
            if (squared < sum * 1e-17)
            {
                break;
            }
        }

        return sum;
    }

    private static void ValidateRate(int rate, string name)
    {
        if (rate is not (8000 or 16000 or 24000))
        {
            throw new ArgumentOutOfRangeException(name, rate, "Supported sample rates are 8000, 16000 and 24000 Hz.");
        }
    }

    private static int Gcd(int a, int b)
    {
        while (b != 0)
        {
            (a, b) = (b, a % b);
        }

        return a;
    }
}
