namespace Switchboard.Configuration;

/// <summary>Telnyx settings (section <c>Switchboard:Telnyx</c>; env <c>TELNYX_STREAM_TOKEN</c>, <c>TELNYX_API_KEY</c>).</summary>
public sealed record TelnyxOptions
{
    /// <summary>
    /// Shared token the stream URL must carry as <c>?token=</c> (set it in <c>stream_url</c> when starting the stream).
    /// When empty, the Telnyx endpoint refuses every stream (close 1008), because Telnyx does not sign stream upgrades.
    /// </summary>
    public string? StreamToken { get; init; }

    /// <summary>
    /// API key (Bearer) for call control: hanging up and transferring calls (the built-in <c>end_call</c> and
    /// <c>transfer_call</c> tools). When empty, <c>end_call</c> only closes the media stream and transfers fail.
    /// </summary>
    public string? ApiKey { get; init; }

    /// <summary>Base URL of the Telnyx API (tests point it at a local fake).</summary>
    public string ApiBaseUrl { get; init; } = "https://api.telnyx.com";
}
