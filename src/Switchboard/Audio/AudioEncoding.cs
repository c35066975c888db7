namespace Switchboard.Audio;

/// <summary>Sample encodings the gateway moves between carriers and AI back ends (all mono).</summary>
internal enum AudioEncoding
{
    /// <summary>G.711 μ-law (PCMU), one byte per sample.</summary>
    MuLaw,

    /// <summary>G.711 A-law (PCMA), one byte per sample.</summary>
    ALaw,

    /// <summary>Signed 16-bit linear PCM, little-endian (OpenAI <c>audio/pcm</c>, WAV).</summary>
    Pcm16LittleEndian,

    /// <summary>Signed 16-bit linear PCM, big-endian (RTP L16, Telnyx).</summary>
    Pcm16BigEndian,
}
