namespace Switchboard.Cli.Simulation;

/// <summary>Audio codec of the simulated media stream, named as Telnyx names it in <c>media_format.encoding</c>.</summary>
internal enum MediaCodec
{
    /// <summary>G.711 μ-law (Twilio's only format; Telnyx <c>PCMU</c>).</summary>
    Pcmu,

    /// <summary>G.711 A-law (Telnyx <c>PCMA</c>).</summary>
    Pcma,

    /// <summary>16-bit linear PCM, big-endian (network byte order, RFC 2586), Telnyx <c>L16</c>.</summary>
    L16,
}
