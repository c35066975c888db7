using Switchboard.Audio;

namespace Switchboard.Tests.Audio;

public sealed class WavFileTests
{
    [Fact]
    public void WriteThenRead_Stream_RoundTrips()
    {
        var samples = Signal.Noise(1234, seed: 6, amplitude: 32767);
        using var stream = new MemoryStream();
        WavFile.Write(stream, samples, 16000);
        Assert.Equal(44 + (1234 * 2), stream.Length);

        stream.Position = 0;
        var audio = WavFile.Read(stream);

        Assert.Equal(16000, audio.SampleRate);
        Assert.Equal(samples, audio.Samples);
    }

    [Fact]
    public void WriteThenRead_File_RoundTrips()
    {
        var path = Path.Combine(Path.GetTempPath(), $"switchboard-wav-{Guid.NewGuid():N}.wav");
        try
        {
            var samples = ToneGenerator.Chime(8000);
            WavFile.Write(path, samples, 8000);
            var audio = WavFile.Read(path);
            Assert.Equal(8000, audio.SampleRate);
            Assert.Equal(samples, audio.Samples);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Write_Header_IsCanonical16BitMono()
    {
        using var stream = new MemoryStream();
        WavFile.Write(stream, [1, -1], 8000);
        var bytes = stream.ToArray();
        Assert.Equal("RIFF"u8.ToArray(), bytes[..4]);
        Assert.Equal(new byte[] { 40, 0, 0, 0 }, bytes[4..8]);
        Assert.Equal("WAVEfmt "u8.ToArray(), bytes[8..16]);
        Assert.Equal(new byte[] { 16, 0, 0, 0, 1, 0, 1, 0, 0x40, 0x1F, 0, 0, 0x80, 0x3E, 0, 0, 2, 0, 16, 0 }, bytes[16..36]);
        Assert.Equal("data"u8.ToArray(), bytes[36..40]);
        Assert.Equal(new byte[] { 4, 0, 0, 0, 1, 0, 0xFF, 0xFF }, bytes[40..]);
    }

    [Fact]
    public void Read_MuLawWithFactAndListChunks_DecodesSamples()
    {
        byte[] codes = [0xFF, 0x80, 0x00, 0x7E, 0xCE];
        var file = new WavBuilder()
            .Chunk("fmt ", [.. WavBuilder.Fmt(7, 1, 8000, 8), 0, 0]) // 18-byte fmt with cbSize 0
            .Chunk("fact", [5, 0, 0, 0])
            .Chunk("LIST", "INFOISFT\u0003\0\0\0ab\0"u8.ToArray()) // odd size, padded
            .Chunk("data", codes, pad: true)
            .Build();

        var audio = WavFile.Read(new MemoryStream(file));

        Assert.Equal(8000, audio.SampleRate);
        Assert.Equal(new short[] { 0, 32124, -32124, -8, 988 }, audio.Samples);
    }

    [Fact]
    public void Read_ALaw_DecodesSamples()
    {
        var file = new WavBuilder().Chunk("fmt ", WavBuilder.Fmt(6, 1, 8000, 8)).Chunk("data", [0xD5, 0x55, 0xAA, 0x2A]).Build();
        Assert.Equal(new short[] { 8, -8, 32256, -32256 }, WavFile.Read(new MemoryStream(file)).Samples);
    }

    [Fact]
    public void Read_Stereo16Bit_AveragesChannels()
    {
        short[] left = [1000, -1000, 32767, -32768, 3];
        short[] right = [3000, 1000, 32767, -32768, 0];
        var data = new byte[left.Length * 4];
        for (var i = 0; i < left.Length; i++)
        {
            BitConverter.TryWriteBytes(data.AsSpan(i * 4), left[i]);
            BitConverter.TryWriteBytes(data.AsSpan((i * 4) + 2), right[i]);
        }

        var file = new WavBuilder().Chunk("fmt ", WavBuilder.Fmt(1, 2, 44100, 16)).Chunk("data", data).Build();
        var audio = WavFile.Read(new MemoryStream(file));

        Assert.Equal(44100, audio.SampleRate);
        Assert.Equal(new short[] { 2000, 0, 32767, -32768, 1 }, audio.Samples);
    }

    [Fact]
    public void Read_ExtensiblePcmStereo_AveragesChannels()
    {
        byte[] data = [0x10, 0x00, 0x30, 0x00, 0xF0, 0xFF, 0xD0, 0xFF]; // (16, 48), (-16, -48)
        var file = new WavBuilder().Chunk("fmt ", WavBuilder.ExtensibleFmt(1, 2, 16000, 16)).Chunk("data", data).Build();
        Assert.Equal(new short[] { 32, -32 }, WavFile.Read(new MemoryStream(file)).Samples);
    }

    [Fact]
    public void Read_8BitUnsigned_CentresAt128()
    {
        var file = new WavBuilder().Chunk("fmt ", WavBuilder.Fmt(1, 1, 8000, 8)).Chunk("data", [128, 255, 0, 129]).Build();
        Assert.Equal(new short[] { 0, 32512, -32768, 256 }, WavFile.Read(new MemoryStream(file)).Samples);
    }

    [Theory]
    [InlineData(0u)]
    [InlineData(0xFFFFFFFFu)]
    public void Read_StreamingDataSize_ReadsToEndOfFile(uint declaredSize)
    {
        byte[] data = [1, 0, 2, 0, 3, 0, 4]; // three samples and a partial one
        var file = new WavBuilder { RiffSizeOverride = declaredSize }
            .Chunk("fmt ", WavBuilder.Fmt(1, 1, 8000, 16))
            .Chunk("data", data, pad: false, sizeOverride: declaredSize)
            .Build();
        Assert.Equal(new short[] { 1, 2, 3 }, WavFile.Read(new MemoryStream(file)).Samples);
    }

    [Fact]
    public void Read_OddChunkWithoutPadByte_StillFindsData()
    {
        var file = new WavBuilder()
            .Chunk("fmt ", WavBuilder.Fmt(1, 1, 8000, 16))
            .Chunk("junk", [1, 2, 3], pad: false)
            .Chunk("data", [5, 0])
            .Build();
        Assert.Equal(new short[] { 5 }, WavFile.Read(new MemoryStream(file)).Samples);
    }

    [Fact]
    public void Read_TruncatedData_ThrowsInvalidData()
    {
        using var stream = new MemoryStream();
        WavFile.Write(stream, new short[100], 8000);
        var truncated = stream.ToArray()[..150];
        var error = Assert.Throws<InvalidDataException>(() => WavFile.Read(new MemoryStream(truncated)));
        Assert.Contains("truncated", error.Message);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(8)]
    [InlineData(20)]
    [InlineData(30)]
    [InlineData(40)]
    public void Read_TruncatedHeader_ThrowsInvalidData(int length)
    {
        using var stream = new MemoryStream();
        WavFile.Write(stream, new short[100], 8000);
        Assert.Throws<InvalidDataException>(() => WavFile.Read(new MemoryStream(stream.ToArray()[..length])));
    }

    [Fact]
    public void Read_Garbage_ThrowsInvalidData()
    {
        var garbage = new byte[500];
        new Random(1).NextBytes(garbage);
        var error = Assert.Throws<InvalidDataException>(() => WavFile.Read(new MemoryStream(garbage)));
        Assert.Contains("RIFF", error.Message);
    }

    [Theory]
    [InlineData(3, 32)]   // IEEE float
    [InlineData(1, 24)]   // 24-bit PCM
    [InlineData(2, 4)]    // MS ADPCM
    public void Read_UnsupportedEncoding_ThrowsInvalidData(ushort tag, ushort bits)
    {
        var file = new WavBuilder().Chunk("fmt ", WavBuilder.Fmt(tag, 1, 8000, bits)).Chunk("data", new byte[12]).Build();
        var error = Assert.Throws<InvalidDataException>(() => WavFile.Read(new MemoryStream(file)));
        Assert.Contains("Unsupported", error.Message);
    }

    [Fact]
    public void Read_DataBeforeFmt_ThrowsInvalidData()
    {
        var file = new WavBuilder().Chunk("data", new byte[4]).Chunk("fmt ", WavBuilder.Fmt(1, 1, 8000, 16)).Build();
        Assert.Throws<InvalidDataException>(() => WavFile.Read(new MemoryStream(file)));
    }

    [Fact]
    public void Read_NoDataChunk_ThrowsInvalidData()
    {
        var file = new WavBuilder().Chunk("fmt ", WavBuilder.Fmt(1, 1, 8000, 16)).Build();
        var error = Assert.Throws<InvalidDataException>(() => WavFile.Read(new MemoryStream(file)));
        Assert.Contains("no data", error.Message);
    }
}
