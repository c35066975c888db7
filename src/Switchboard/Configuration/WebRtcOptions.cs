namespace Switchboard.Configuration;

/// <summary>
/// A WebRTC gateway in front of the gateway (section <c>Switchboard:Sessions:WebRtc</c>): when set, <c>voice_conversation</c>
/// session responses name it (<c>telproDomain</c>, <c>webrtcGatewayUrl</c>) for clients that place the call through it.
/// </summary>
public sealed record WebRtcOptions
{
    /// <summary>The SIP/WebRTC domain the client registers in (a host name, e.g. <c>sip.example.com</c>).</summary>
    public string? TelproDomain { get; init; }

    /// <summary>The WebRTC gateway's absolute <c>https</c> or <c>wss</c> URL.</summary>
    public string? GatewayUrl { get; init; }
}
