using System.Buffers.Binary;

namespace Switchboard.Tests.Audio;

/// <summary>Assembles RIFF/WAVE files chunk by chunk so tests can produce layouts the writer never makes.</summary>
internal sealed class WavBuilder
{
    private readonly List<byte> _chunks = [];

    public uint? RiffSizeOverride { get; init; }

    public static byte[] Fmt(ushort tag, ushort channels, int sampleRate, ushort bitsPerSample)
    {
        var blockAlign = (ushort)(channels * bitsPerSample / 8);
        var fmt = new byte[16];
        BinaryPrimitives.WriteUInt16LittleEndian(fmt, tag);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(2), channels);
        BinaryPrimitives.WriteInt32LittleEndian(fmt.AsSpan(4), sampleRate);
        BinaryPrimitives.WriteInt32LittleEndian(fmt.AsSpan(8), sampleRate * blockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(12), blockAlign);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(14), bitsPerSample);
        return fmt;
    }

    public static byte[] ExtensibleFmt(ushort subFormat, ushort channels, int sampleRate, ushort bitsPerSample)
    {
        var fmt = new byte[40];
        Fmt(0xFFFE, channels, sampleRate, bitsPerSample).CopyTo(fmt, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(16), 22);
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(18), bitsPerSample);
        BinaryPrimitives.WriteUInt32LittleEndian(fmt.AsSpan(20), channels == 2 ? 3u : 4u);

        // KSDATAFORMAT_SUBTYPE_xxx: {0000xxxx-0000-0010-8000-00AA00389B71}
        BinaryPrimitives.WriteUInt16LittleEndian(fmt.AsSpan(24), subFormat);
        byte[] tail = [0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x80, 0x00, 0x00, 0xAA, 0x00, 0x38, 0x9B, 0x71];
        tail.CopyTo(fmt, 26);
        return fmt;
    }

    public WavBuilder Chunk(string id, byte[] body, bool pad = true, uint? sizeOverride = null)
    {
        Span<byte> header = stackalloc byte[8];
        System.Text.Encoding.ASCII.GetBytes(id, header);
        BinaryPrimitives.WriteUInt32LittleEndian(header[4..], sizeOverride ?? (uint)body.Length);
        _chunks.AddRange(header);
        _chunks.AddRange(body);
        if (pad && body.Length % 2 == 1)
        {
            _chunks.Add(0);
        }

        return this;
    }

    public byte[] Build()
    {
        var body = _chunks.ToArray();
        var file = new byte[12 + body.Length];
        "RIFF"u8.CopyTo(file);
        BinaryPrimitives.WriteUInt32LittleEndian(file.AsSpan(4), RiffSizeOverride ?? (uint)(4 + body.Length));
        "WAVE"u8.CopyTo(file.AsSpan(8));
        body.CopyTo(file, 12);
        return file;
    }
}
