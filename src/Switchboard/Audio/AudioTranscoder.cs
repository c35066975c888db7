namespace Switchboard.Audio;

/// <summary>
/// Converts a byte stream from one <see cref="AudioFormat"/> to another: decode, resample, encode.
/// Keep one instance per call and direction, since it carries resampler history and, for 16-bit
/// input, a dangling odd byte between chunks. Scratch buffers are sized for 50 ms of input at construction
/// (a few KiB per call, which matters at hundreds of calls); larger chunks are processed in 50 ms slices, so no
/// call allocates. Not thread-safe.
/// </summary>
internal sealed class AudioTranscoder
{
    private const int SlicesPerSecond = 20;

    private readonly PolyphaseResampler? _resampler;
    private readonly short[] _decoded;
    private readonly short[] _resampled;
    private readonly int _inBytesPerSample;
    private readonly int _outBytesPerSample;
    private byte _pendingByte;
    private bool _hasPendingByte;

    /// <summary>Creates a transcoder; sample rates must be 8000, 16000 or 24000 Hz unless the formats are equal.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A sample rate the resampler does not support.</exception>
    public AudioTranscoder(AudioFormat from, AudioFormat to)
    {
        From = from;
        To = to;
        IsPassthrough = from == to;
        _inBytesPerSample = from.BytesPerSample;
        _outBytesPerSample = to.BytesPerSample;
        if (IsPassthrough)
        {
            _decoded = [];
            _resampled = [];
            return;
        }

        if (from.SampleRate != to.SampleRate)
        {
            _resampler = new PolyphaseResampler(from.SampleRate, to.SampleRate);
        }
        else
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(from.SampleRate, nameof(from));
        }

        _decoded = new short[from.SampleRate / SlicesPerSecond];
        _resampled = _resampler is null ? _decoded : new short[_resampler.MaxOutputLength(_decoded.Length)];
    }

    /// <summary>Input format.</summary>
    public AudioFormat From { get; }

    /// <summary>Output format.</summary>
    public AudioFormat To { get; }

    /// <summary>True when the formats are equal and <see cref="Transcode"/> only copies bytes.</summary>
    public bool IsPassthrough { get; }

    /// <summary>Upper bound on the bytes <see cref="Transcode"/> writes for <paramref name="inputBytes"/> input bytes.</summary>
    public int MaxOutputBytes(int inputBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(inputBytes);
        if (IsPassthrough)
        {
            return inputBytes;
        }

        // For 16-bit input, +1 covers an odd byte left over from the previous call.
        var samples = (inputBytes + _inBytesPerSample - 1) / _inBytesPerSample;
        var outSamples = _resampler?.MaxOutputLength(samples) ?? samples;
        return outSamples * _outBytesPerSample;
    }

    /// <summary>
    /// Converts <paramref name="input"/> and returns the bytes written to <paramref name="output"/>, which must be large
    /// enough (<see cref="MaxOutputBytes"/> always is). For 16-bit input an odd trailing byte is kept for the next call.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="output"/> is too small.</exception>
    public int Transcode(ReadOnlySpan<byte> input, Span<byte> output)
    {
        if (IsPassthrough)
        {
            input.CopyTo(output);
            return input.Length;
        }

        // Check the exact size up front so a short buffer fails before any state changes.
        var inputSamples = (input.Length + (_hasPendingByte ? 1 : 0)) / _inBytesPerSample;
        var needed = (_resampler?.OutputLength(inputSamples) ?? inputSamples) * _outBytesPerSample;
        if (output.Length < needed)
        {
            throw new ArgumentException($"Output holds {output.Length} bytes but {needed} will be written.", nameof(output));
        }

        var written = 0;
        while (true)
        {
            var samples = 0;
            if (_hasPendingByte && !input.IsEmpty)
            {
                // Complete the sample split across calls.
                Span<byte> pair = [_pendingByte, input[0]];
                Decode(pair, _decoded.AsSpan(0, 1));
                input = input[1..];
                _hasPendingByte = false;
                samples = 1;
            }

            var take = Math.Min(input.Length / _inBytesPerSample, _decoded.Length - samples);
            Decode(input[..(take * _inBytesPerSample)], _decoded.AsSpan(samples, take));
            input = input[(take * _inBytesPerSample)..];
            samples += take;
            if (samples == 0)
            {
                break;
            }

            var count = samples;
            if (_resampler is not null)
            {
                count = _resampler.Process(_decoded.AsSpan(0, samples), _resampled);
            }

            Encode(_resampled.AsSpan(0, count), output[written..]);
            written += count * _outBytesPerSample;
        }

        if (!input.IsEmpty)
        {
            // Only a 16-bit format can leave a single byte behind.
            _pendingByte = input[0];
            _hasPendingByte = true;
        }

        return written;
    }

    /// <summary>Drops resampler history and any pending odd byte.</summary>
    public void Reset()
    {
        _resampler?.Reset();
        _hasPendingByte = false;
    }

    private void Decode(ReadOnlySpan<byte> src, Span<short> dst)
    {
        switch (From.Encoding)
        {
            case AudioEncoding.MuLaw:
                G711.MuLawToPcm(src, dst);
                break;
            case AudioEncoding.ALaw:
                G711.ALawToPcm(src, dst);
                break;
            case AudioEncoding.Pcm16LittleEndian:
                Pcm16.FromLittleEndian(src, dst);
                break;
            case AudioEncoding.Pcm16BigEndian:
                Pcm16.FromBigEndian(src, dst);
                break;
            default:
                throw new InvalidOperationException($"Unsupported encoding {From.Encoding}.");
        }
    }

    private void Encode(ReadOnlySpan<short> src, Span<byte> dst)
    {
        switch (To.Encoding)
        {
            case AudioEncoding.MuLaw:
                G711.PcmToMuLaw(src, dst);
                break;
            case AudioEncoding.ALaw:
                G711.PcmToALaw(src, dst);
                break;
            case AudioEncoding.Pcm16LittleEndian:
                Pcm16.ToLittleEndian(src, dst);
                break;
            case AudioEncoding.Pcm16BigEndian:
                Pcm16.ToBigEndian(src, dst);
                break;
            default:
                throw new InvalidOperationException($"Unsupported encoding {To.Encoding}.");
        }
    }
}
