using Switchboard.Audio;

namespace Switchboard.Cli.Simulation;

/// <summary>The wire format of a simulated stream: codec and sample rate, plus the conversions to and from PCM.</summary>
internal readonly record struct StreamFormat(MediaCodec Codec, int SampleRate)
{
    /// <summary>Frame length every real carrier uses for its media messages.</summary>
    public const int FrameMs = 20;

    /// <summary>Twilio's fixed format: μ-law, 8 kHz, mono.</summary>
    public static StreamFormat Twilio { get; } = new(MediaCodec.Pcmu, 8000);

    /// <summary>Bytes per sample on the wire.</summary>
    public int BytesPerSample => Codec == MediaCodec.L16 ? 2 : 1;

    /// <summary>Samples in one 20 ms frame.</summary>
    public int SamplesPerFrame => SampleRate * FrameMs / 1000;

    /// <summary>Bytes in one 20 ms frame (160 for G.711 at 8 kHz).</summary>
    public int BytesPerFrame => SamplesPerFrame * BytesPerSample;

    /// <summary>The byte a carrier fills silent frames with (μ-law 0xFF, A-law 0xD5, L16 zero).</summary>
    public byte SilenceByte => Codec switch
    {
        MediaCodec.Pcmu => G711.MuLawSilence,
        MediaCodec.Pcma => G711.ALawSilence,
        _ => 0,
    };

    /// <summary>The <c>media_format.encoding</c> string Telnyx sends.</summary>
    public string TelnyxEncoding => Codec switch
    {
        MediaCodec.Pcmu => "PCMU",
        MediaCodec.Pcma => "PCMA",
        _ => "L16",
    };

    /// <summary>Milliseconds of audio in <paramref name="byteCount"/> wire bytes.</summary>
    public double DurationMs(int byteCount) => byteCount * 1000.0 / ((double)SampleRate * BytesPerSample);

    /// <summary>Encodes PCM samples; <paramref name="destination"/> must hold <c>pcm.Length * BytesPerSample</c> bytes.</summary>
    public void Encode(ReadOnlySpan<short> pcm, Span<byte> destination)
    {
        switch (Codec)
        {
            case MediaCodec.Pcmu:
                G711.PcmToMuLaw(pcm, destination);
                break;
            case MediaCodec.Pcma:
                G711.PcmToALaw(pcm, destination);
                break;
            default:
                Pcm16.ToBigEndian(pcm, destination);
                break;
        }
    }

    /// <summary>Decodes wire bytes to PCM; a trailing odd byte of L16 is ignored. Returns the sample count.</summary>
    public int Decode(ReadOnlySpan<byte> encoded, Span<short> destination)
    {
        var samples = encoded.Length / BytesPerSample;
        switch (Codec)
        {
            case MediaCodec.Pcmu:
                G711.MuLawToPcm(encoded, destination);
                break;
            case MediaCodec.Pcma:
                G711.ALawToPcm(encoded, destination);
                break;
            default:
                Pcm16.FromBigEndian(encoded[..(samples * 2)], destination);
                break;
        }

        return samples;
    }

    /// <summary>Decodes wire bytes into a new PCM array.</summary>
    public short[] Decode(ReadOnlySpan<byte> encoded)
    {
        var pcm = new short[encoded.Length / BytesPerSample];
        Decode(encoded, pcm);
        return pcm;
    }
}
