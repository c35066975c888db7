using System.Buffers.Binary;

namespace Switchboard.Audio;

/// <summary>
/// Minimal RIFF/WAVE reader and writer for prompts, fixtures and call recordings.
/// Reads 16-bit and unsigned 8-bit PCM, μ-law and A-law, plain or wrapped in WAVE_FORMAT_EXTENSIBLE,
/// with any channel count (averaged down to mono). Writes 16-bit mono PCM.
/// </summary>
internal static class WavFile
{
    private const ushort FormatPcm = 1;
    private const ushort FormatALaw = 6;
    private const ushort FormatMuLaw = 7;
    private const ushort FormatExtensible = 0xFFFE;
    private const int HeaderSize = 44;

    /// <summary>Reads a WAV file and returns its audio as mono 16-bit samples.</summary>
    /// <exception cref="InvalidDataException">The file is not a WAV file this reader supports, or is truncated.</exception>
    public static WavAudio Read(string path) => Parse(File.ReadAllBytes(path));

    /// <summary>Reads WAV data from the current position to the end of <paramref name="stream"/>.</summary>
    /// <exception cref="InvalidDataException">The data is not a WAV file this reader supports, or is truncated.</exception>
    public static WavAudio Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        return Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }

    /// <summary>Writes <paramref name="samples"/> as a 16-bit mono PCM WAV file, replacing any existing file.</summary>
    public static void Write(string path, ReadOnlySpan<short> samples, int sampleRate)
    {
        using var file = File.Create(path);
        Write(file, samples, sampleRate);
    }

    /// <summary>Writes <paramref name="samples"/> to <paramref name="stream"/> as a 16-bit mono PCM WAV file.</summary>
    public static void Write(Stream stream, ReadOnlySpan<short> samples, int sampleRate)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(sampleRate);
        var dataBytes = (long)samples.Length * 2;
        if (dataBytes > uint.MaxValue - HeaderSize)
        {
            throw new ArgumentException("Too many samples for a RIFF file (4 GiB limit).", nameof(samples));
        }

        var bytes = new byte[HeaderSize + dataBytes];
        var header = bytes.AsSpan(0, HeaderSize);
        "RIFF"u8.CopyTo(header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], (uint)(HeaderSize - 8 + dataBytes));
        "WAVE"u8.CopyTo(header[8..]);
        "fmt "u8.CopyTo(header[12..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[16..], 16);
        BinaryPrimitives.WriteUInt16LittleEndian(header[20..], FormatPcm);
        BinaryPrimitives.WriteUInt16LittleEndian(header[22..], 1);
        BinaryPrimitives.WriteUInt32LittleEndian(header[24..], (uint)sampleRate);
        BinaryPrimitives.WriteUInt32LittleEndian(header[28..], (uint)sampleRate * 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[32..], 2);
        BinaryPrimitives.WriteUInt16LittleEndian(header[34..], 16);
        "data"u8.CopyTo(header[36..]);
        BinaryPrimitives.WriteUInt32LittleEndian(header[40..], (uint)dataBytes);
        Pcm16.ToLittleEndian(samples, bytes.AsSpan(HeaderSize));
        stream.Write(bytes);
    }

    private static WavAudio Parse(ReadOnlySpan<byte> file)
    {
        if (file.Length < 12 || !file[..4].SequenceEqual("RIFF"u8) || !file[8..12].SequenceEqual("WAVE"u8))
        {
            throw new InvalidDataException("Not a RIFF/WAVE file (missing RIFF or WAVE signature).");
        }

        WavFormatChunk? format = null;
        var pos = 12;
        while (pos + 8 <= file.Length)
        {
            var id = file.Slice(pos, 4);
            var size = BinaryPrimitives.ReadUInt32LittleEndian(file[(pos + 4)..]);
            var body = pos + 8;
            var remaining = file.Length - body;

            if (id.SequenceEqual("data"u8))
            {
                if (format is null)
                {
                    throw new InvalidDataException("WAV data chunk comes before any fmt chunk.");
                }

                // Streaming writers that cannot seek back leave 0 or 0xFFFFFFFF: the data runs to end of file.
                var length = size is 0 or uint.MaxValue ? remaining : (long)size;
                if (length > remaining)
                {
                    throw new InvalidDataException($"WAV data chunk declares {size} bytes but only {remaining} remain: the file is truncated.");
                }

                return new WavAudio(Decode(file.Slice(body, (int)length), format.Value), format.Value.SampleRate);
            }

            if (size > remaining)
            {
                throw new InvalidDataException($"WAV chunk '{ChunkName(id)}' declares {size} bytes but only {remaining} remain: the file is truncated.");
            }

            if (id.SequenceEqual("fmt "u8))
            {
                format = ParseFormat(file.Slice(body, (int)size));
            }

            pos = NextChunk(file, body, (int)size);
        }

        throw new InvalidDataException(format is null ? "WAV file has no fmt chunk." : "WAV file has no data chunk.");
    }

    private static int NextChunk(ReadOnlySpan<byte> file, int body, int size)
    {
        var end = body + size;
        if ((size & 1) == 0 || end >= file.Length)
        {
            return end;
        }

        // RIFF pads odd chunks with a zero byte, but some writers forget it: if the byte is not zero and
        // a plausible chunk id starts right there, continue without the pad.
        return file[end] != 0 && LooksLikeChunkId(file, end) ? end : end + 1;
    }

    private static bool LooksLikeChunkId(ReadOnlySpan<byte> file, int pos)
    {
        if (pos + 4 > file.Length)
        {
            return false;
        }

        foreach (var b in file.Slice(pos, 4))
        {
            if (b is < 0x20 or > 0x7E)
            {
                return false;
            }
        }

        return true;
    }

    private static WavFormatChunk ParseFormat(ReadOnlySpan<byte> fmt)
    {
        if (fmt.Length < 16)
        {
            throw new InvalidDataException($"WAV fmt chunk is {fmt.Length} bytes; at least 16 are required.");
        }

        var tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt);
        var channels = BinaryPrimitives.ReadUInt16LittleEndian(fmt[2..]);
        var sampleRate = BinaryPrimitives.ReadUInt32LittleEndian(fmt[4..]);
        var bits = BinaryPrimitives.ReadUInt16LittleEndian(fmt[14..]);

        if (tag == FormatExtensible)
        {
            if (fmt.Length < 40)
            {
                throw new InvalidDataException("WAVE_FORMAT_EXTENSIBLE fmt chunk is shorter than 40 bytes.");
            }

            // The sub-format GUID starts with the classic format tag.
            tag = BinaryPrimitives.ReadUInt16LittleEndian(fmt[24..]);
        }

        if (channels == 0)
        {
            throw new InvalidDataException("WAV fmt chunk declares 0 channels.");
        }

        if (sampleRate is 0 or > int.MaxValue)
        {
            throw new InvalidDataException($"WAV fmt chunk declares an invalid sample rate {sampleRate}.");
        }

        var supported = (tag, bits) switch
        {
            (FormatPcm, 16) or (FormatPcm, 8) or (FormatMuLaw, 8) or (FormatALaw, 8) => true,
            _ => false,
        };
        if (!supported)
        {
            throw new InvalidDataException($"Unsupported WAV encoding: format tag {tag} with {bits} bits per sample (supported: 16-bit or 8-bit PCM, 8-bit μ-law or A-law).");
        }

        return new WavFormatChunk(tag, channels, (int)sampleRate, bits / 8);
    }

    private static short[] Decode(ReadOnlySpan<byte> data, WavFormatChunk format)
    {
        // A partial frame at the end (typical of an interrupted streaming writer) is dropped.
        var frameSize = format.Channels * format.BytesPerSample;
        var frames = data.Length / frameSize;
        var samples = new short[frames];
        for (var f = 0; f < frames; f++)
        {
            var frame = data.Slice(f * frameSize, frameSize);
            var sum = 0;
            for (var c = 0; c < format.Channels; c++)
            {
                sum += DecodeSample(frame.Slice(c * format.BytesPerSample, format.BytesPerSample), format.Tag);
            }

            // Integer division truncates toward zero, which keeps the average inside the short range.
            samples[f] = (short)(sum / format.Channels);
        }

        return samples;
    }

    private static short DecodeSample(ReadOnlySpan<byte> sample, ushort tag) => tag switch
    {
        FormatMuLaw => G711.MuLawToLinear(sample[0]),
        FormatALaw => G711.ALawToLinear(sample[0]),
        _ when sample.Length == 1 => (short)((sample[0] - 128) << 8),
        _ => BinaryPrimitives.ReadInt16LittleEndian(sample),
    };

    private static string ChunkName(ReadOnlySpan<byte> id)
    {
        Span<char> chars = stackalloc char[4];
        for (var i = 0; i < 4; i++)
        {
            chars[i] = id[i] is >= 0x20 and <= 0x7E ? (char)id[i] : '?';
        }

        return new string(chars);
    }
}
