namespace Switchboard.Audio;

/// <summary>
/// G.711 μ-law and A-law codecs, bit-exact with Sun's <c>g711.c</c> (16-bit update) and CPython <c>audioop</c>.
/// Encoding goes through 64 K-entry tables and decoding through 256-entry tables, both built once from the
/// direct algorithm so the per-sample cost is one array load.
/// </summary>
internal static class G711
{
    /// <summary>μ-law code for 0 (the value carriers pad with).</summary>
    public const byte MuLawSilence = 0xFF;

    /// <summary>A-law code closest to 0 (decodes to +8).</summary>
    public const byte ALawSilence = 0xD5;

    private static readonly byte[] MuLawEncodeTable = BuildEncodeTable(EncodeMuLawDirect);
    private static readonly byte[] ALawEncodeTable = BuildEncodeTable(EncodeALawDirect);
    private static readonly short[] MuLawDecodeTable = BuildDecodeTable(DecodeMuLawDirect);
    private static readonly short[] ALawDecodeTable = BuildDecodeTable(DecodeALawDirect);

    /// <summary>Encodes one 16-bit sample to μ-law.</summary>
    public static byte LinearToMuLaw(short pcm) => MuLawEncodeTable[(ushort)pcm];

    /// <summary>Decodes one μ-law code to a 16-bit sample.</summary>
    public static short MuLawToLinear(byte code) => MuLawDecodeTable[code];

    /// <summary>Encodes one 16-bit sample to A-law.</summary>
    public static byte LinearToALaw(short pcm) => ALawEncodeTable[(ushort)pcm];

    /// <summary>Decodes one A-law code to a 16-bit sample.</summary>
    public static short ALawToLinear(byte code) => ALawDecodeTable[code];

    /// <summary>Decodes μ-law bytes; <paramref name="dst"/> must hold at least <c>src.Length</c> samples.</summary>
    public static void MuLawToPcm(ReadOnlySpan<byte> src, Span<short> dst) => Decode(src, dst, MuLawDecodeTable);

    /// <summary>Encodes samples to μ-law; <paramref name="dst"/> must hold at least <c>src.Length</c> bytes.</summary>
    public static void PcmToMuLaw(ReadOnlySpan<short> src, Span<byte> dst) => Encode(src, dst, MuLawEncodeTable);

    /// <summary>Decodes A-law bytes; <paramref name="dst"/> must hold at least <c>src.Length</c> samples.</summary>
    public static void ALawToPcm(ReadOnlySpan<byte> src, Span<short> dst) => Decode(src, dst, ALawDecodeTable);

    /// <summary>Encodes samples to A-law; <paramref name="dst"/> must hold at least <c>src.Length</c> bytes.</summary>
    public static void PcmToALaw(ReadOnlySpan<short> src, Span<byte> dst) => Encode(src, dst, ALawEncodeTable);

    private static void Decode(ReadOnlySpan<byte> src, Span<short> dst, short[] table)
    {
        if (dst.Length < src.Length)
        {
            throw new ArgumentException($"Destination holds {dst.Length} samples but {src.Length} are needed.", nameof(dst));
        }

        // Slicing dst to the exact length lets the JIT drop the bounds checks in the loop.
        dst = dst[..src.Length];
        for (var i = 0; i < src.Length; i++)
        {
            dst[i] = table[src[i]];
        }
    }

    private static void Encode(ReadOnlySpan<short> src, Span<byte> dst, byte[] table)
    {
        if (dst.Length < src.Length)
        {
            throw new ArgumentException($"Destination holds {dst.Length} bytes but {src.Length} are needed.", nameof(dst));
        }

        dst = dst[..src.Length];
        for (var i = 0; i < src.Length; i++)
        {
            dst[i] = table[(ushort)src[i]];
        }
    }

    private static byte[] BuildEncodeTable(Func<int, byte> encode)
    {
        var table = new byte[65536];
        for (int pcm = short.MinValue; pcm <= short.MaxValue; pcm++)
        {
            table[(ushort)pcm] = encode(pcm);
        }

        return table;
    }

    private static short[] BuildDecodeTable(Func<byte, short> decode)
    {
        var table = new short[256];
        for (var code = 0; code < 256; code++)
        {
            table[code] = decode((byte)code);
        }

        return table;
    }

    // Sun g711.c linear2ulaw: works in the 14-bit domain (pcm >> 2, CLIP 8159, BIAS 0x84 >> 2 = 33).
    private static byte EncodeMuLawDirect(int pcm)
    {
        // Arithmetic shift floors negatives, which is what the C code does on a signed short.
        var value = pcm >> 2;
        int mask;
        if (value < 0)
        {
            value = -value;
            mask = 0x7F;
        }
        else
        {
            mask = 0xFF;
        }

        value = Math.Min(value, 8159) + 33;

        // Segment = index of the first end point (0x3F, 0x7F, ... 0x1FFF) that is >= value.
        var segment = 0;
        while (segment < 8 && value > (0x40 << segment) - 1)
        {
            segment++;
        }

        if (segment >= 8)
        {
            return (byte)(0x7F ^ mask);
        }

        return (byte)(((segment << 4) | ((value >> (segment + 1)) & 0x0F)) ^ mask);
    }

    // Sun g711.c linear2alaw: 13-bit domain (pcm >> 3), one's complement style for negatives.
    private static byte EncodeALawDirect(int pcm)
    {
        var value = pcm >> 3;
        int mask;
        if (value >= 0)
        {
            mask = 0xD5;
        }
        else
        {
            mask = 0x55;
            value = -value - 1;
        }

        var segment = 0;
        while (segment < 8 && value > (0x20 << segment) - 1)
        {
            segment++;
        }

        if (segment >= 8)
        {
            return (byte)(0x7F ^ mask);
        }

        var code = segment << 4;
        code |= segment < 2 ? (value >> 1) & 0x0F : (value >> segment) & 0x0F;
        return (byte)(code ^ mask);
    }

    // Sun g711.c ulaw2linear.
    private static short DecodeMuLawDirect(byte code)
    {
        var u = ~code & 0xFF;
        var t = ((u & 0x0F) << 3) + 0x84;
        t <<= (u & 0x70) >> 4;
        return (short)((u & 0x80) != 0 ? 0x84 - t : t - 0x84);
    }

    // Sun g711.c alaw2linear.
    private static short DecodeALawDirect(byte code)
    {
        var a = code ^ 0x55;
        var t = (a & 0x0F) << 4;
        var segment = (a & 0x70) >> 4;
        t = segment switch
        {
            0 => t + 8,
            1 => t + 0x108,
            _ => (t + 0x108) << (segment - 1),
        };
        return (short)((a & 0x80) != 0 ? t : -t);
    }
}
