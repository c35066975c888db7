using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Switchboard.Audio;

/// <summary>16-bit linear PCM helpers: byte-order conversion and level measurement.</summary>
internal static class Pcm16
{
    /// <summary>Level reported for silence or empty input instead of negative infinity.</summary>
    public const double SilenceDbfs = -120;

    /// <summary>Reads little-endian samples; <paramref name="dst"/> must hold <c>src.Length / 2</c> samples (a trailing odd byte is ignored).</summary>
    public static void FromLittleEndian(ReadOnlySpan<byte> src, Span<short> dst) => FromBytes(src, dst, littleEndian: true);

    /// <summary>Writes samples little-endian; <paramref name="dst"/> must hold <c>src.Length * 2</c> bytes.</summary>
    public static void ToLittleEndian(ReadOnlySpan<short> src, Span<byte> dst) => ToBytes(src, dst, littleEndian: true);

    /// <summary>Reads big-endian (network order, e.g. Telnyx L16) samples; a trailing odd byte is ignored.</summary>
    public static void FromBigEndian(ReadOnlySpan<byte> src, Span<short> dst) => FromBytes(src, dst, littleEndian: false);

    /// <summary>Writes samples big-endian; <paramref name="dst"/> must hold <c>src.Length * 2</c> bytes.</summary>
    public static void ToBigEndian(ReadOnlySpan<short> src, Span<byte> dst) => ToBytes(src, dst, littleEndian: false);

    /// <summary>
    /// RMS level in dB relative to full scale (32768), so a full-scale square wave is 0 dBFS and a
    /// full-scale sine about -3 dBFS. Returns <see cref="SilenceDbfs"/> for silence or empty input.
    /// </summary>
    public static double RmsDbfs(ReadOnlySpan<short> samples)
    {
        if (samples.IsEmpty)
        {
            return SilenceDbfs;
        }

        // A long cannot overflow here: 2^30 per sample times any realistic span length.
        long sumOfSquares = 0;
        foreach (var s in samples)
        {
            sumOfSquares += s * s;
        }

        if (sumOfSquares == 0)
        {
            return SilenceDbfs;
        }

        var rms = Math.Sqrt((double)sumOfSquares / samples.Length);
        return Math.Max(SilenceDbfs, 20 * Math.Log10(rms / 32768.0));
    }

    private static void FromBytes(ReadOnlySpan<byte> src, Span<short> dst, bool littleEndian)
    {
        var count = src.Length / 2;
        if (dst.Length < count)
        {
            throw new ArgumentException($"Destination holds {dst.Length} samples but {count} are needed.", nameof(dst));
        }

        var raw = MemoryMarshal.Cast<byte, short>(src[..(count * 2)]);
        if (littleEndian == BitConverter.IsLittleEndian)
        {
            raw.CopyTo(dst);
        }
        else
        {
            BinaryPrimitives.ReverseEndianness(raw, dst[..count]);
        }
    }

    private static void ToBytes(ReadOnlySpan<short> src, Span<byte> dst, bool littleEndian)
    {
        if (dst.Length < src.Length * 2)
        {
            throw new ArgumentException($"Destination holds {dst.Length} bytes but {src.Length * 2} are needed.", nameof(dst));
        }

        var raw = MemoryMarshal.Cast<byte, short>(dst[..(src.Length * 2)]);
        if (littleEndian == BitConverter.IsLittleEndian)
        {
            src.CopyTo(raw);
        }
        else
        {
            BinaryPrimitives.ReverseEndianness(src, raw);
        }
    }
}
